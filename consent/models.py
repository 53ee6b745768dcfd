"""R6 notifications and R7 consent records.

Consent records are immutable once saved (R7): a change is a new record that
supersedes the old one; withdrawal (R8) is the only change of state. The
extra items an employee allows to be *said* (treatment, referral, private
circumstances) are health information recorded by the bedrijfsarts or expert:
they are shown only to the recording side, the employee, and — as the live
shareable summary — to the participants of a meeting the gate allows. They are
never written into minutes, the reintegration file or exports (R7a).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from casefiles.models import AbsenceCase, Employee

from .types import MeetingType


class Notification(models.Model):
    """R6: the manager informed the employee (and the bedrijfsarts) that the
    case will be brought into a meeting."""

    class How(models.TextChoices):
        IN_PERSON = "persoonlijk", _("In een gesprek")
        PHONE = "telefoon", _("Telefonisch")
        LETTER = "brief", _("Per brief")
        EMAIL = "email", _("Per e-mail")

    case = models.ForeignKey(AbsenceCase, on_delete=models.CASCADE, related_name="notifications")
    informed_on = models.DateField(_("geïnformeerd op"))
    how = models.CharField(_("hoe geïnformeerd"), max_length=20, choices=How.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    meeting_id = models.PositiveIntegerField(_("specifiek overleg"), null=True, blank=True)
    meeting_type = models.CharField(_("soort overleg"), max_length=30, choices=MeetingType.choices)
    period_start = models.DateField(_("periode vanaf"))
    period_end = models.DateField(_("periode tot en met"))
    purpose = models.TextField(_("doel van de bespreking"))
    questions = models.TextField(_("specifieke vragen aan het overleg"))
    employee_invited = models.BooleanField(_("medewerker uitgenodigd"), default=True)
    not_invited_reason = models.CharField(
        _("reden om niet uit te nodigen"),
        max_length=300,
        blank=True,
        help_text=_("Bijvoorbeeld: deelname is op dit moment te belastend."),
    )
    physician_informed = models.BooleanField(_("bedrijfsarts geïnformeerd"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("melding aan medewerker")
        verbose_name_plural = _("meldingen aan medewerker")
        ordering = ["-informed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="notification_period_ordered"
            ),
            # R6: an employee who is not invited has a recorded reason (the
            # multidisciplinaire consultatie never has the employee present).
            models.CheckConstraint(
                condition=Q(employee_invited=True)
                | ~Q(not_invited_reason="")
                | Q(meeting_type=MeetingType.MULTIDISCIPLINARY),
                name="notification_reason_when_not_invited",
            ),
            models.CheckConstraint(
                condition=~Q(meeting_type=MeetingType.THEME), name="notification_never_for_theme_meeting"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Melding van %(date)s")) % {"date": self.informed_on.strftime("%d-%m-%Y")}

    def get_additional_data(self) -> dict:
        return self.case.get_additional_data()


class ImmutableRecord(Exception):
    """A consent record cannot be changed; supersede it instead (R7)."""


# Fields that may change after a consent is saved: its end of life.
CONSENT_STATE_FIELDS = frozenset(
    {"superseded_by", "withdrawn_at", "withdrawn_by", "withdrawal_reason", "withdrawn_on_behalf"}
)


class Consent(models.Model):
    """R7: the employee's explicit consent for discussing their case."""

    class Obtained(models.TextChoices):
        CONSULTATION = "spreekuur", _("Tijdens het spreekuur")
        PHONE = "telefoon", _("Telefonisch")
        WRITTEN = "schriftelijk", _("Schriftelijk")
        DIGITAL = "digitaal", _("Digitaal")

    class RecorderRole(models.TextChoices):
        PHYSICIAN = "bedrijfsarts", _("Bedrijfsarts/POB")
        EXPERT = "expert", _("Expert (voor wat die zelf deelt)")
        SRO_BRINGER = "sro_inbrenger", _("Inbrenger van de casus in het SRO")

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="consents")
    case = models.ForeignKey(AbsenceCase, on_delete=models.CASCADE, related_name="consents")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorder_role = models.CharField(_("vastgelegd als"), max_length=20, choices=RecorderRole.choices)
    given_on = models.DateField(_("toestemming gegeven op"))
    obtained = models.CharField(_("hoe verkregen"), max_length=20, choices=Obtained.choices)
    # Scope: one specific meeting, or meeting types until a date.
    meeting_id = models.PositiveIntegerField(_("specifiek overleg"), null=True, blank=True)
    meeting_types = models.JSONField(_("soorten overleg"), default=list, blank=True)
    valid_until = models.DateField(_("geldig tot en met"))
    allowed_roles = models.JSONField(
        _("met wie mag het worden gedeeld (rollen)"),
        default=list,
        help_text=_("De rollen van deelnemers met wie deze casus besproken mag worden."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    superseded_by = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes"
    )
    withdrawn_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_on_behalf = models.BooleanField(default=False)
    # Private to the employee and the recording side: never shown to a chair (R8).
    withdrawal_reason = models.CharField(_("reden van intrekken (optioneel)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("toestemming")
        verbose_name_plural = _("toestemmingen")
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("given_on")), name="consent_valid_after_given"
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_by__isnull=False),
                name="consent_withdrawal_has_actor",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Toestemming van %(date)s")) % {"date": self.given_on.strftime("%d-%m-%Y")}

    def save(self, *args, **kwargs):
        if self.pk is not None:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= CONSENT_STATE_FIELDS:
                raise ImmutableRecord("consent records are immutable; supersede instead (R7)")
        super().save(*args, **kwargs)

    def get_additional_data(self) -> dict:
        return self.case.get_additional_data()

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None and self.withdrawn_at is None


class ConsentItem(models.Model):
    """Information beyond the four conclusions that may be said, in the
    exact wording the employee agreed to (R7)."""

    class Category(models.TextChoices):
        TREATMENT = "behandeling", _("Behandeling")
        REFERRAL = "verwijzing", _("Verwijzing of interventie")
        PRIVATE = "prive", _("Privéomstandigheden")
        OTHER = "anders", _("Anders")

    consent = models.ForeignKey(Consent, on_delete=models.CASCADE, related_name="items")
    category = models.CharField(_("categorie"), max_length=20, choices=Category.choices)
    wording = models.CharField(_("letterlijke formulering die gezegd mag worden"), max_length=500)
    # Noodzakelijkheidsvereiste: the physician decides not to share, consent notwithstanding.
    withheld = models.BooleanField(
        _("bedrijfsarts deelt dit niet (noodzakelijkheidsvereiste)"), default=False
    )

    class Meta:
        verbose_name = _("toestemmingsonderdeel")
        verbose_name_plural = _("toestemmingsonderdelen")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.get_category_display()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableRecord("consent items are immutable; supersede the consent instead (R7)")
        super().save(*args, **kwargs)
