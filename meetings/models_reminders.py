"""Reminders (R5, R6, R8, R12, R20, R21): an outbox of notifications, and the
personal calendar feed.

Planning writes :class:`Reminder` rows in the database only, so saving a
meeting never depends on the broker; a beat task dispatches what is due and a
task sends each row once (meetings.reminders.sending). The rows hold ids and
dates, never text: what an email says is composed when it is sent, from the
current state, without the employee's name or any case detail (R12).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["CalendarFeed", "Reminder"]


class Reminder(models.Model):
    class Kind(models.TextChoices):
        MEETING_INVITATION = "meeting_invitation", _("Uitnodiging voor een overleg")
        MEETING_UPDATE = "meeting_update", _("Overleg gewijzigd")
        MEETING_CANCELLED = "meeting_cancelled", _("Overleg geannuleerd")
        MEETING_REMINDER = "meeting_reminder", _("Herinnering aan een overleg")
        CONSENT_MISSING = "consent_missing", _("Toestemming nog niet vastgelegd")
        EMPLOYEE_NOT_INFORMED = "employee_not_informed", _("Melding aan medewerker nog niet vastgelegd")
        ACTION_POINT_DUE = "action_point_due", _("Actiepunt")
        FOLLOW_UP_DUE = "follow_up_due", _("Terugkoppeling aan medewerker")
        WVP_MILESTONE = "wvp_milestone", _("Termijn Wet verbetering poortwachter")
        PROCEDURE_EVALUATION = "procedure_evaluation", _("Evaluatie SMO-procedure")

    class SkipReason(models.TextChoices):
        """Why a planned reminder was not sent (machine-readable; never shown
        to users: a withdrawal must not become visible through it, R8)."""

        SUPERSEDED = "superseded", _("vervangen door een nieuwere")
        NOT_PARTICIPANT = "not_participant", _("geen deelnemer meer")
        MEETING_CANCELLED = "meeting_cancelled", _("overleg geannuleerd")
        MEETING_PAST = "meeting_past", _("overleg begonnen of voorbij")
        RESCHEDULED = "rescheduled", _("overleg verplaatst")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("toestemming ingetrokken")
        NO_LONGER_APPLIES = "no_longer_applies", _("niet meer van toepassing")
        NOT_AUTHORISED = "not_authorised", _("ontvanger niet meer bevoegd")
        NO_EMAIL = "no_email", _("ontvanger heeft geen e-mailadres")
        GAVE_UP = "gave_up", _("versturen steeds mislukt")

    kind = models.CharField(_("soort"), max_length=30, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("ontvanger"),
    )
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    # The subject: agenda item, action point, follow-up, case or organisation.
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    # The subject's date when planned (due date, milestone date): a changed
    # date makes this reminder obsolete.
    object_date = models.DateField(null=True, blank=True)
    # Days before the meeting, "binnenkort"/"te_laat", or the WVP step.
    variant = models.CharField(max_length=30, blank=True)
    # Invitations, updates, cancellations: the meeting version and calendar
    # data they were planned for.
    meeting_version = models.PositiveIntegerField(null=True, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    due_at = models.DateTimeField(_("te versturen vanaf"))
    enqueued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("verstuurd op"), null=True, blank=True)
    skipped_at = models.DateTimeField(null=True, blank=True)
    skip_reason = models.CharField(max_length=30, choices=SkipReason.choices, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("herinnering")
        verbose_name_plural = _("herinneringen")
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(sent_at__isnull=True, skipped_at__isnull=True),
                name="reminder_pending_due",
            ),
            models.Index(fields=["recipient", "due_at"], name="reminder_recipient_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(skipped_at__isnull=True),
                name="reminder_sent_or_skipped",
            ),
            models.CheckConstraint(
                condition=Q(skipped_at__isnull=True) | ~Q(skip_reason=""), name="reminder_skip_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(
                    kind__in=[
                        "meeting_invitation",
                        "meeting_update",
                        "meeting_cancelled",
                        "meeting_reminder",
                        "consent_missing",
                        "employee_not_informed",
                    ]
                )
                | Q(meeting__isnull=False),
                name="reminder_meeting_kinds_have_meeting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.due_at:%d-%m-%Y %H:%M})"

    @property
    def is_pending(self) -> bool:
        return self.sent_at is None and self.skipped_at is None


class CalendarFeed(models.Model):
    """A personal calendar feed URL: a long random secret, revocable (the
    row is deleted) and regenerable."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("agendakoppeling")
        verbose_name_plural = _("agendakoppelingen")

    def __str__(self) -> str:
        return str(_("Agendakoppeling van %(user)s")) % {"user": self.user}
