from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasefilesConfig(AppConfig):
    name = "casefiles"
    verbose_name = _("Dossiers")

    def ready(self) -> None:
        from . import audit  # noqa: F401  (registers models with auditlog)
