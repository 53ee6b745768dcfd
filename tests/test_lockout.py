"""Login throttling (django-axes): five failures for one username from one IP
address lock that combination out for 15 minutes, with a Dutch page. Failed
verification codes (R13a) count the same."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from .factories import PASSWORD
from .two_factor_support import totp_code, verified_device

pytestmark = [pytest.mark.django_db, pytest.mark.real_two_factor]


@pytest.fixture(autouse=True)
def no_device_throttling(settings):
    """django-otp also makes a device wait 1, 2, 4, ... seconds after each
    wrong code (tests/test_two_factor.py); switched off here so that the
    lock-out by django-axes is tested on its own, without waiting."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


LOCKED = "Tijdelijk geblokkeerd"


def attempt(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail_five_times(client, username, ip="10.0.0.1"):
    for _ in range(5):
        response = attempt(client, username, "fout-wachtwoord", ip)
    return response


def test_five_wrong_passwords_lock_out_even_the_right_one(cast, client):
    manager = cast.users["manager"]
    for _ in range(4):
        response = attempt(client, manager.username, "fout-wachtwoord")
        assert response.status_code == 200  # the form again, with its error
    response = attempt(client, manager.username, "fout-wachtwoord")
    assert response.status_code == 429
    assert LOCKED in response.text
    assert "over 15 minuten" in response.text
    # The right password does not help while locked out.
    response = attempt(client, manager.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_ip_combination(cast, client):
    manager, hr = cast.users["manager"], cast.users["hr"]
    fail_five_times(client, manager.username, ip="10.0.0.1")
    assert attempt(client, manager.username, PASSWORD, ip="10.0.0.1").status_code == 429
    # The same account from another address, another account from the same one.
    assert attempt(client, manager.username, PASSWORD, ip="10.0.0.2").status_code == 302
    client.post(reverse("logout"))
    assert attempt(client, hr.username, PASSWORD, ip="10.0.0.1").status_code == 302


def test_the_lock_out_ends_after_the_cool_off(cast, client):
    manager = cast.users["manager"]
    fail_five_times(client, manager.username)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert attempt(client, manager.username, PASSWORD).status_code == 302


def test_limit_and_cool_off_are_configurable(cast, client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=60)
    manager = cast.users["manager"]
    attempt(client, manager.username, "fout-wachtwoord")
    response = attempt(client, manager.username, "fout-wachtwoord")
    assert response.status_code == 429
    assert "over 60 minuten" in response.text


def test_wrong_verification_codes_lock_out_like_passwords(cast, client):
    """R13a: the code step cannot be guessed either; the lock-out ends the
    half signed-in session."""
    physician = cast.users["physician"]
    device = verified_device(physician)
    assert attempt(client, physician.username, PASSWORD, ip="127.0.0.1").status_code == 302
    wrong = "000000" if totp_code(device) != "000000" else "111111"
    for _ in range(4):
        response = client.post(reverse("two_factor_verify"), {"code": wrong})
        assert response.status_code == 200
    response = client.post(reverse("two_factor_verify"), {"code": wrong})
    assert response.status_code == 429
    assert LOCKED in response.text
    # Signed out: the right code no longer gets anywhere.
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("two_factor_verify"), {"code": totp_code(device)})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    # And the password step is locked out for this account and address.
    assert attempt(client, physician.username, PASSWORD, ip="127.0.0.1").status_code == 429


def test_a_correct_password_does_not_wipe_failed_codes(cast, client):
    """Otherwise a thief with the password could guess codes forever."""
    hr = cast.users["hr"]
    device = verified_device(hr)
    wrong = "000000" if totp_code(device) != "000000" else "111111"
    for _ in range(2):
        attempt(client, hr.username, PASSWORD, ip="127.0.0.1")
        for _ in range(2):
            client.post(reverse("two_factor_verify"), {"code": wrong})
        client.post(reverse("logout"))
    attempt(client, hr.username, PASSWORD, ip="127.0.0.1")
    assert client.post(reverse("two_factor_verify"), {"code": wrong}).status_code == 429


def test_codes_are_not_stored_with_the_failed_attempts(cast, client):
    hr = cast.users["hr"]
    verified_device(hr)
    attempt(client, hr.username, PASSWORD, ip="127.0.0.1")
    client.post(reverse("two_factor_verify"), {"code": "987654"})
    stored = AccessAttempt.objects.get()
    assert "987654" not in stored.post_data
    assert PASSWORD not in stored.post_data
