"""R13a: the second sign-in step, through the real login form and real codes.

These tests are marked ``real_two_factor``: the test client is not verified
automatically (tests/conftest.py), so every session starts with the password
only, as in production.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken

from smo.twofactor import services

from .factories import PASSWORD
from .two_factor_support import totp_code, verified_device

pytestmark = [pytest.mark.django_db, pytest.mark.real_two_factor]

WRONG_CODE = "Deze verificatiecode klopt niet"


def password_login(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return response


def path_of(response) -> str:
    return urlsplit(response["Location"]).path


def protected_urls(cast) -> list[str]:
    """Real pages with case data, the admin and a download."""
    return [
        reverse("home"),
        reverse("employee_list"),
        reverse("medical_file", args=[cast.employee.pk]),
        reverse("meeting_list"),
        reverse("document_download", args=[1]),
        reverse("two_factor_recovery_codes"),
        reverse("password_change"),
        reverse("admin:index"),
        reverse("admin:casefiles_employee_changelist"),
    ]


@pytest.mark.parametrize("role", ["manager", "hr", "physician", "privacy_officer", "admin"])
def test_required_user_without_a_device_reaches_only_enrolment(cast, client, role):
    """R13a: every role but the plain employee must enrol before anything else."""
    password_login(client, cast.users[role])
    for url in protected_urls(cast):
        response = client.get(url)
        assert response.status_code == 302, url
        assert path_of(response) == reverse("two_factor_setup"), url
    # POSTs are stopped too (a form submitted with only the password).
    response = client.post(reverse("password_change"), {})
    assert path_of(response) == reverse("two_factor_setup")
    # Only enrolment, logout, the language switch and the health check remain.
    setup = client.get(reverse("two_factor_setup"))
    assert setup.status_code == 200
    assert "<svg" in setup.text and "Tweestapsverificatie instellen" in setup.text
    assert client.get(reverse("health")).status_code == 200
    assert client.post(reverse("set_language"), {"language": "nl", "next": "/"}).status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert path_of(client.get(reverse("home"))) == reverse("login")


def test_user_with_a_device_gets_the_code_step_and_nothing_else(cast, client):
    physician = cast.users["physician"]
    device = verified_device(physician)
    response = password_login(client, physician)
    assert path_of(client.get(response["Location"])) == reverse("two_factor_verify")
    for url in protected_urls(cast):
        response = client.get(url)
        assert path_of(response) == reverse("two_factor_verify"), url
    # Having a device does not allow enrolling another one with the password alone.
    assert path_of(client.get(reverse("two_factor_setup"))) == reverse("two_factor_verify")

    page = client.get(reverse("two_factor_verify"))
    assert page.status_code == 200
    assert "Verificatiecode" in page.text

    medical = reverse("medical_file", args=[cast.employee.pk])
    response = client.post(reverse("two_factor_verify"), {"code": totp_code(device), "next": medical})
    assert response.status_code == 302 and response["Location"] == medical
    assert client.get(medical).status_code == 200
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_code_is_refused_in_dutch(cast, client):
    manager = cast.users["manager"]
    device = verified_device(manager)
    password_login(client, manager)
    wrong = "000000" if totp_code(device) != "000000" else "111111"
    response = client.post(reverse("two_factor_verify"), {"code": wrong})
    assert response.status_code == 200
    assert WRONG_CODE in response.text
    assert path_of(client.get(reverse("home"))) == reverse("two_factor_verify")


def test_an_open_redirect_through_next_is_refused(cast, client):
    manager = cast.users["manager"]
    device = verified_device(manager)
    password_login(client, manager)
    response = client.post(
        reverse("two_factor_verify"), {"code": totp_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_a_recovery_code_works_once(cast, client, django_user_model):
    hr = cast.users["hr"]
    verified_device(hr)
    codes = services.new_recovery_codes(hr)
    assert len(codes) == 10 and len(set(codes)) == 10

    password_login(client, hr)
    response = client.post(reverse("two_factor_verify"), {"code": codes[0].upper()})
    assert path_of(response) == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "nog 9 over" in home.text  # the warning that a recovery code was used
    assert not StaticToken.objects.filter(token=codes[0]).exists()

    client.post(reverse("logout"))
    password_login(client, hr)
    response = client.post(reverse("two_factor_verify"), {"code": codes[0]})
    assert response.status_code == 200 and WRONG_CODE in response.text
    # Straight after a wrong code django-otp does not check the next one.
    response = client.post(reverse("two_factor_verify"), {"code": codes[1]})
    assert response.status_code == 200 and "Wacht even" in response.text
    time.sleep(1.1)  # one second after the first failure
    response = client.post(reverse("two_factor_verify"), {"code": codes[1]})
    assert path_of(response) == reverse("home")


def test_employees_are_not_forced_unless_their_organisation_requires_it(cast, client):
    """R13a: the plain employee sees only their own file; the organisation may
    still require the second factor for employees."""
    employee = cast.users["employee_concerned"]
    # Another organisation's choice does not apply to this employee.
    cast.other_organisation.require_two_factor_for_employees = True
    cast.other_organisation.save()
    password_login(client, employee)
    assert client.get(reverse("my_file")).status_code == 200

    cast.organisation.require_two_factor_for_employees = True
    cast.organisation.save()
    response = client.get(reverse("my_file"))
    assert path_of(response) == reverse("two_factor_setup")


def test_an_employee_who_set_up_a_device_must_use_it(cast, client):
    employee = cast.users["other_employee"]
    device = verified_device(employee)
    password_login(client, employee)
    assert path_of(client.get(reverse("my_file"))) == reverse("two_factor_verify")
    client.post(reverse("two_factor_verify"), {"code": totp_code(device)})
    assert client.get(reverse("my_file")).status_code == 200


def test_who_needs_a_second_factor(cast):
    """R13a: required for every role except the plain employee."""
    required = {role: services.two_factor_required(user) for role, user in cast.users.items()}
    assert required == {
        "employee_concerned": False,
        "other_employee": False,
        "manager": True,
        "other_manager": True,
        "hr": True,
        "casemanager": True,
        "physician": True,
        "other_physician": True,
        "arbeidsdeskundige": True,
        "privacy_officer": True,
        "admin": True,
        "other_org_user": True,
    }


def test_the_admin_has_no_login_of_its_own(cast, client):
    response = client.get(reverse("admin:login") + "?next=/beheer/casefiles/")
    assert path_of(response) == reverse("login")
    assert "next=/beheer/casefiles/" in response["Location"]
