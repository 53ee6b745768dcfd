"""The log of the retention purge (R15): what kind of data was destroyed,
how much, and when; never what it said or whom it was about.

``counts`` maps a kind (a model label such as ``casefiles.absencecase``) to a
number. Nothing else is stored: no ids, names, titles or file names.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casefiles.models import Organisation


class RetentionRun(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="retention_runs",
        verbose_name=_("organisatie"),
    )
    started_at = models.DateTimeField(_("gestart om"), default=timezone.now)
    finished_at = models.DateTimeField(_("klaar om"), null=True, blank=True)
    dry_run = models.BooleanField(_("proefdraaien (niets verwijderd)"), default=False)
    counts = models.JSONField(_("aantallen per soort"), default=dict, blank=True)

    class Meta:
        verbose_name = _("opschoonronde bewaartermijnen")
        verbose_name_plural = _("opschoonrondes bewaartermijnen")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(finished_at__gte=F("started_at")),
                name="retention_run_finished_after_started",
            )
        ]

    def __str__(self) -> str:
        return str(_("Opschoonronde van %(date)s")) % {
            "date": timezone.localtime(self.started_at).strftime("%d-%m-%Y %H:%M")
        }

    def get_additional_data(self) -> dict:
        return {"organisation_id": self.organisation_id}

    @property
    def total(self) -> int:
        return sum(self.counts.values())
