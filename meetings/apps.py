from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Overleggen")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        # R13: every change to meetings keeps an audit trail, without content.
        masked = {"mask_callable": "smo.audit.mask_fully"}
        auditlog.register(models.Meeting, mask_fields=["minutes_text", "evaluation_note"], **masked)
        auditlog.register(models.Participant)
        auditlog.register(models.AgendaItem, mask_fields=["questions"], **masked)
        auditlog.register(models.Decision, mask_fields=["text"], **masked)
        auditlog.register(models.ActionPoint, mask_fields=["what"], **masked)
        auditlog.register(models.FollowUpObligation)

        # Issue 6: plan reminders in the outbox when a meeting changes.
        from .reminders import signals

        signals.connect()
