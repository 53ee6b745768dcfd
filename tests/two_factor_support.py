"""Test support for two-factor authentication (R13a).

Real devices and real codes, no bypass: ``verified_device`` gives a user a
confirmed TOTP device, ``totp_code`` computes the code its authenticator app
would show, and the browser helpers complete the "verificatiecode" step of the
login form with it. ``verify_client_session`` marks a test client's session as
verified with the user's device, as ``django_otp.login`` does after a correct
code (used by the autouse fixture in tests/conftest.py for ``force_login``).
"""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY, get_user_model
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

TEST_DEVICE_NAME = "test-support"
VERIFY_PATH = "/inloggen/verificatie/"


def verified_device(user) -> TOTPDevice:
    """The user's confirmed TOTP device (created once per user)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TEST_DEVICE_NAME, confirmed=True)


def totp_code(device: TOTPDevice) -> str:
    """The code the authenticator app shows now; if that time step was used
    already (django-otp refuses a code twice), the next step's code, which the
    device accepts within its tolerance."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    step = max(totp.t(), device.last_t + 1)
    totp.time = device.t0 + step * device.step
    return f"{totp.token():0{device.digits}d}"


def verify_client_session(client, user=None) -> None:
    """Mark the session of a logged-in test client as OTP-verified."""
    session = client.session
    if user is None:
        user = get_user_model().objects.get(pk=session[SESSION_KEY])
    session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
    session.save()


# --- browser (Playwright) ------------------------------------------------------


def enter_verification_code(page, device: TOTPDevice) -> None:
    """On the login's second step, type the current code of ``device``."""
    page.wait_for_url(f"**{VERIFY_PATH}**")
    page.get_by_label("Verificatiecode").fill(totp_code(device))
    page.locator("main").get_by_role("button", name="Bevestigen").click()


def log_in(page, live_server, user, password: str, path: str = "/") -> None:
    """The whole login through the forms: password, then the code of the
    user's (real) TOTP device; lands on ``path``."""
    device = verified_device(user)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{path}")
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(password)
    page.locator("main").get_by_role("button", name="Inloggen").click()
    enter_verification_code(page, device)
    page.wait_for_url(f"{live_server.url}{path}")
