from django.apps import AppConfig


class TwoFactorConfig(AppConfig):
    name = "smo.twofactor"
    label = "twofactor"
    verbose_name = "Tweestapsverificatie"

    def ready(self):
        # The devices hold the users' secret keys: they are managed through
        # the enrolment pages and `manage.py reset_two_factor`, never in the
        # admin (the admin's autodiscovery has run already: this app comes
        # after django.contrib.admin in INSTALLED_APPS).
        from django.contrib import admin
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        for model in (TOTPDevice, StaticDevice):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
