from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SmoConfig(AppConfig):
    name = "smo"
    verbose_name = _("SMO-platform")

    def ready(self) -> None:
        from .roles import ensure_role_groups

        # After casefiles' permissions exist (post_migrate runs per app with models).
        post_migrate.connect(
            ensure_role_groups, sender=apps.get_app_config("casefiles"), dispatch_uid="smo_role_groups"
        )
        from django.contrib.auth.signals import user_logged_in

        from .middleware import mark_session_active

        user_logged_in.connect(mark_session_active, dispatch_uid="smo_session_active")
