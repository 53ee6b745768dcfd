"""R13a: enrolment (QR code, manual key, first code, recovery codes shown
once), new recovery codes, and the operator's reset for a lost phone."""

from __future__ import annotations

import base64
import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from smo.audit import TWO_FACTOR_RESET

from .factories import PASSWORD
from .two_factor_support import totp_code, verified_device

pytestmark = [pytest.mark.django_db, pytest.mark.real_two_factor]

CODE_RE = re.compile(r"<li><code>([a-z2-7]{8})</code></li>")


def path_of(response) -> str:
    return urlsplit(response["Location"]).path


def log_in(client, user):
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302


def manual_key(page_text: str) -> bytes:
    key = re.search(r'<code id="manual-key">([A-Z2-7 ]+)</code>', page_text).group(1)
    return base64.b32decode(key.replace(" ", ""))


def enrol(client, user) -> list[str]:
    """Enrol through the pages, like a user with an authenticator app."""
    page = client.get(reverse("two_factor_setup"))
    pending = TOTPDevice.objects.get(user=user, confirmed=False)
    assert manual_key(page.text) == pending.bin_key
    response = client.post(reverse("two_factor_setup"), {"code": totp_code(pending)})
    assert path_of(response) == reverse("two_factor_recovery_codes")
    return CODE_RE.findall(client.get(reverse("two_factor_recovery_codes")).text)


def test_enrolment_shows_a_qr_code_and_key_and_then_ten_recovery_codes_once(cast, client):
    manager = cast.users["manager"]
    log_in(client, manager)
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200
    # Inline SVG made on the server: the secret never goes to another service.
    assert re.search(r"<svg[^>]*class=\"segno\"", page.text)
    assert "otpauth" not in page.text and "http" not in page.text.split("<svg", 1)[1].split("</svg>")[0]
    # Reloading shows the same key (one pending device).
    assert manual_key(client.get(reverse("two_factor_setup")).text) == manual_key(page.text)

    codes = enrol(client, manager)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=manager).confirmed
    # Signed in with the second factor at once.
    assert client.get(reverse("home")).status_code == 200
    # Shown once: the page now only counts them.
    again = client.get(reverse("two_factor_recovery_codes"))
    assert CODE_RE.findall(again.text) == []
    assert "nog 10 ongebruikte herstelcodes" in again.text
    # Enrolment is done: the setup page sends the user on.
    assert path_of(client.get(reverse("two_factor_setup"))) == reverse("two_factor_recovery_codes")


def test_a_wrong_first_code_is_refused_in_dutch(cast, client):
    hr = cast.users["hr"]
    log_in(client, hr)
    client.get(reverse("two_factor_setup"))
    pending = TOTPDevice.objects.get(user=hr)
    wrong = "123456" if totp_code(pending) != "123456" else "654321"
    response = client.post(reverse("two_factor_setup"), {"code": wrong})
    assert response.status_code == 200
    assert "Deze verificatiecode klopt niet" in response.text
    assert not TOTPDevice.objects.get(user=hr).confirmed
    assert path_of(client.get(reverse("home"))) == reverse("two_factor_setup")


def test_new_recovery_codes_replace_the_old_ones(cast, client):
    physician = cast.users["physician"]
    log_in(client, physician)
    old = enrol(client, physician)
    response = client.post(reverse("two_factor_recovery_codes"))
    assert path_of(response) == reverse("two_factor_recovery_codes")
    new = CODE_RE.findall(client.get(reverse("two_factor_recovery_codes")).text)
    assert len(new) == 10 and not set(new) & set(old)

    client.post(reverse("logout"))
    log_in(client, physician)
    assert client.post(reverse("two_factor_verify"), {"code": old[0]}).status_code == 200
    assert path_of(client.get(reverse("home"))) == reverse("two_factor_verify")


def test_reset_for_a_lost_phone_is_audited_and_ends_verification(cast, client):
    """R13a/R13: the operator resets; the user enrols again; the privacy
    officer sees the reset in the audit trail."""
    manager = cast.users["manager"]
    device = verified_device(manager)
    log_in(client, manager)
    client.post(reverse("two_factor_verify"), {"code": totp_code(device)})
    assert client.get(reverse("home")).status_code == 200

    out = StringIO()
    call_command("reset_two_factor", manager.username, stdout=out)
    assert "gereset" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert not StaticDevice.objects.filter(user=manager).exists()
    # The session verified with the removed device is verified no longer.
    assert path_of(client.get(reverse("home"))) == reverse("two_factor_setup")

    entry = LogEntry.objects.get(additional_data__what=TWO_FACTOR_RESET)
    assert entry.additional_data["organisation_id"] == cast.organisation.pk
    assert entry.object_pk == str(manager.pk)
    privacy = cast.users["privacy_officer"]
    privacy_client = type(client)()
    privacy_device = verified_device(privacy)
    log_in(privacy_client, privacy)
    privacy_client.post(reverse("two_factor_verify"), {"code": totp_code(privacy_device)})
    audit = privacy_client.get(reverse("audit_log"))
    assert "tweestapsverificatie gereset" in audit.text


def test_reset_of_an_unknown_user_fails():
    with pytest.raises(CommandError):
        call_command("reset_two_factor", "niemand")


def test_the_admin_needs_the_second_factor(cast, client):
    beheerder = cast.users["admin"]
    device = verified_device(beheerder)
    log_in(client, beheerder)
    response = client.get(reverse("admin:casefiles_employee_changelist"))
    assert path_of(response) == reverse("two_factor_verify")
    client.post(reverse("two_factor_verify"), {"code": totp_code(device)})
    assert client.get(reverse("admin:casefiles_employee_changelist")).status_code == 200


def test_otp_devices_are_not_in_the_admin(cast):
    """The secret keys are managed only by enrolment and the reset command."""
    from django.contrib import admin

    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)
