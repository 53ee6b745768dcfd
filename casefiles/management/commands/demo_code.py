"""The current verification code of a demo account (R13a), so `make run` can
be tried without an authenticator app. Only for the demo accounts that
seed_demo created (their device is named "demo"), and never in production."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from casefiles.demo import ACCOUNTS, DEMO_DEVICE_NAME


class Command(BaseCommand):
    help = "De huidige verificatiecode van een demo-account (alleen buiten productie)."

    def add_arguments(self, parser):
        parser.add_argument("username", choices=[a.username for a in ACCOUNTS])

    def handle(self, *args, username, **options):
        if settings.PRODUCTION:
            raise CommandError("Niet in productie: demo-accounts horen daar niet.")
        device = TOTPDevice.objects.filter(
            user__username=username, name=DEMO_DEVICE_NAME, confirmed=True
        ).first()
        if device is None:
            raise CommandError(f"{username} heeft geen demo-verificatie (maak de demo met seed_demo).")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
