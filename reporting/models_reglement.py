"""The free-text parts of an organisation's SMO procedure (R16).

Everything else in the reglement is rendered from the organisation's actual
settings and the product's rules (reporting/reglement.py), so practice and
paper agree. Only what the product cannot know is written by the
organisation's functioneel beheerder: the purpose (a default applies while
it is empty), the complaints contact, the contact for privacy questions and
additional provisions. These texts are read by every employee, so they are
checked for medical terms before saving (R7a).
"""

from __future__ import annotations

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casefiles.models import Organisation


class ReglementText(models.Model):
    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="reglement_text",
        verbose_name=_("organisatie"),
    )
    purpose = models.TextField(
        _("doel van het SMO"),
        blank=True,
        max_length=4000,
        help_text=_("Leeg laten om de standaardtekst te gebruiken."),
    )
    complaints_contact = models.TextField(
        _("klachtenregeling en contact voor klachten"),
        blank=True,
        max_length=2000,
        help_text=_("Bij wie en hoe een medewerker een klacht indient over de gang van zaken rond het SMO."),
    )
    privacy_contact = models.TextField(
        _("contact voor privacyvragen"),
        blank=True,
        max_length=2000,
        help_text=_("Bijvoorbeeld de functionaris gegevensbescherming of privacy officer, met e-mailadres."),
    )
    additional_provisions = models.TextField(
        _("aanvullende bepalingen"),
        blank=True,
        max_length=8000,
        help_text=_("Afspraken van uw organisatie die in dit reglement horen, bijvoorbeeld met de OR."),
    )
    updated_at = models.DateTimeField(_("laatst gewijzigd op"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("laatst gewijzigd door"),
    )
    # Optimistic locking: two beheerders editing at once get a conflict.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("teksten SMO-reglement")
        verbose_name_plural = _("teksten SMO-reglement")

    def __str__(self) -> str:
        return str(_("SMO-reglement van %(name)s")) % {"name": self.organisation}

    def get_additional_data(self) -> dict:
        return {"organisation_id": self.organisation_id}


# R13: every change keeps an audit trail (who changed which field, when).
auditlog.register(ReglementText, exclude_fields=["updated_at", "version"])
