"""R13a: who needs a second factor, enrolment, verification and reset.

Failed codes count as failed logins for django-axes (per username and IP
address), so the code step is locked out exactly like the password step.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from smo.audit import TWO_FACTOR_RESET
from smo.roles import Role, roles_of

RECOVERY_CODE_COUNT = 10
TOTP_DIGITS = 6
TOTP_DEVICE_NAME = "authenticator-app"
RECOVERY_DEVICE_NAME = "herstelcodes"


def two_factor_required(user) -> bool:
    """R13a: a second factor is required for every role except the plain
    employee (who only sees their own file), for staff and superusers (the
    admin), and for employees whose organisation requires it."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    roles = roles_of(user)
    if roles - {Role.MEDEWERKER.value}:
        return True
    if Role.MEDEWERKER.value in roles:
        from casefiles.models import Organisation

        return Organisation.objects.filter(
            memberships__user=user, require_two_factor_for_employees=True
        ).exists()
    return False


def has_confirmed_device(user) -> bool:
    return user_has_device(user, confirmed=True)


def pending_totp_device(user) -> TOTPDevice:
    """The not yet confirmed TOTP device of an enrolment (one per user, kept
    until it is confirmed, so reloading the page shows the same key)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def normalise(code: str) -> str:
    return "".join(code.split()).lower()


@transaction.atomic
def confirm_enrolment(request, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm ``device`` with a first code from the app. On success the
    session is verified with it, older devices are removed and ten fresh
    recovery codes are returned (to be shown once); on failure ``None``."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=request.user, confirmed=False)
    if not device.verify_token(normalise(code)):
        return None
    TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    return new_recovery_codes(request.user)


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes by ten new single-use ones."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def remaining_recovery_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@dataclass(frozen=True)
class Verification:
    device: Device | None  # the device that accepted the code
    throttled: bool = False  # too soon after a wrong code: not checked at all


@transaction.atomic
def verify_code(request, code: str) -> Verification:
    """Check a TOTP code or a recovery code against the user's confirmed
    devices. After a wrong code django-otp refuses to check the next one for
    a growing number of seconds (``throttled``). A recovery code is consumed
    when it is used; on success the session is verified."""
    token = normalise(code)
    # A six-digit code is for the app, anything else a recovery code: a code
    # is only tried (and a failure only throttles) where it can belong.
    model = TOTPDevice if token.isdigit() and len(token) == TOTP_DIGITS else StaticDevice
    devices = list(model.objects.devices_for_user(request.user, confirmed=True).select_for_update())
    allowed = [device for device in devices if device.verify_is_allowed()[0]]
    for device in allowed:
        if device.verify_token(token):
            otp_login(request, device)
            return Verification(device)
    return Verification(None, throttled=bool(devices) and not allowed)


def credentials(user) -> dict:
    return {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}


def record_failed_code(request, user) -> None:
    """A wrong code counts as a failed login (django-axes, per username and
    IP address): enough of them lock the account out from this address."""
    user_login_failed.send(sender=__name__, credentials=credentials(user), request=request)


def is_locked_out(request, user) -> bool:
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.is_locked(request, credentials(user))


@transaction.atomic
def reset_two_factor(user, *, actor=None) -> int:
    """Remove all second factors of ``user`` (lost phone): at the next sign-in
    they enrol again, and sessions verified with a removed device are no
    longer verified. Logged in the audit trail of each of their
    organisations. Returns the number of devices removed."""
    from casefiles.models import Organisation

    removed = 0
    for model in (TOTPDevice, StaticDevice):
        removed += model.objects.filter(user=user).count()
        model.objects.filter(user=user).delete()
    for organisation_id in Organisation.objects.filter(memberships__user=user).values_list("pk", flat=True):
        LogEntry.objects.log_create(
            user,
            force_log=True,
            action=LogEntry.Action.UPDATE,
            changes={TWO_FACTOR_RESET: ["", user.get_username()]},
            actor=actor,
            additional_data={"what": TWO_FACTOR_RESET, "organisation_id": organisation_id},
        )
    return removed
