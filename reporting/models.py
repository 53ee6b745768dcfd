"""Generated outputs of the reporting app.

``MinutesPdf``: the PDF minutes of a closed meeting (R10, R11), stored in
private storage (never under a public URL) and served only by the
permission-checked download view, which logs every download (R13).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casefiles.models import Employee
from casefiles.storage import private_storage
from meetings.models import Meeting


class MinutesPdf(models.Model):
    """One PDF per meeting and variant: the full minutes (participants, HR;
    theme minutes for the organisation) or one employee's extract (R10).

    ``content_hash`` is the SHA-256 of the rendered HTML the PDF was made
    from: generation compares it and writes a new file only when the content
    changed (idempotent under retries)."""

    class Kind(models.TextChoices):
        FULL = "full", _("Volledig verslag")
        EMPLOYEE = "employee", _("Uittreksel voor de medewerker")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes_pdfs")
    kind = models.CharField(_("soort"), max_length=10, choices=Kind.choices)
    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, null=True, blank=True, related_name="minutes_pdfs"
    )
    file = models.FileField(_("bestand"), storage=private_storage, upload_to="verslagen", max_length=200)
    content_hash = models.CharField(_("inhoudshash"), max_length=64)
    generated_at = models.DateTimeField(_("gemaakt op"))

    class Meta:
        verbose_name = _("verslag (pdf)")
        verbose_name_plural = _("verslagen (pdf)")
        ordering = ["meeting", "kind", "employee"]
        constraints = [
            # An extract is for one employee; the full minutes for nobody in particular.
            models.CheckConstraint(
                condition=(Q(kind="full") & Q(employee__isnull=True))
                | (Q(kind="employee") & Q(employee__isnull=False)),
                name="minutes_pdf_employee_iff_extract",
            ),
            # Unique (meeting, kind, employee); NULL employee counted as one value.
            models.UniqueConstraint(
                fields=["meeting", "kind"], condition=Q(employee__isnull=True), name="minutes_pdf_one_full"
            ),
            models.UniqueConstraint(
                fields=["meeting", "kind", "employee"],
                condition=Q(employee__isnull=False),
                name="minutes_pdf_one_extract_per_employee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.meeting_id})"

    def get_additional_data(self) -> dict:
        data = {"organisation_id": self.meeting.organisation_id}
        if self.employee_id:
            data["employee_id"] = self.employee_id
        return data


from .models_reglement import ReglementText  # noqa: F401, E402
from .models_retention import RetentionRun  # noqa: F401, E402
