from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = _("Toestemming")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Consent, Notification

        # R13: every change to consent keeps an audit trail, without content.
        auditlog.register(
            Notification,
            mask_fields=["purpose", "questions", "not_invited_reason"],
            mask_callable="smo.audit.mask_fully",
        )
        auditlog.register(Consent, mask_fields=["withdrawal_reason"], mask_callable="smo.audit.mask_fully")
