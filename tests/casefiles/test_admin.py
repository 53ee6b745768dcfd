"""The admin for functioneel beheerders: master data of their own
organisation, no way to become (or impersonate) a physician."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from casefiles.models import Membership
from smo.roles import Role, roles_of

pytestmark = pytest.mark.django_db


def test_beheerder_creates_an_account_in_their_organisation(cast):
    client = cast.client("admin")
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "nieuwe.collega",
            "organisation": cast.organisation.pk,
            "usable_password": "true",
            "password1": "Een-lang-wachtwoord-2026",
            "password2": "Een-lang-wachtwoord-2026",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = get_user_model().objects.get(username="nieuwe.collega")
    assert Membership.objects.filter(user=user, organisation=cast.organisation).exists()
    assert user.username in client.get(reverse("admin:auth_user_changelist")).content.decode()


def test_beheerder_cannot_create_accounts_in_another_organisation(cast):
    response = cast.client("admin").post(
        reverse("admin:auth_user_add"),
        {
            "username": "indringer",
            "organisation": cast.other_organisation.pk,
            "usable_password": "true",
            "password1": "Een-lang-wachtwoord-2026",
            "password2": "Een-lang-wachtwoord-2026",
        },
    )
    assert response.status_code == 200  # the form is shown again with an error
    assert not get_user_model().objects.filter(username="indringer").exists()


def test_role_given_in_the_admin_keeps_staff_status_in_line(cast):
    client = cast.client("admin")
    target = cast.users["hr"]
    url = reverse("admin:auth_user_change", args=[target.pk])
    groups = {g.name: g.pk for g in target.groups.model.objects.all()}
    data = {
        "username": target.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "groups": [groups[Role.HR], groups[Role.BEHEERDER]],
    }
    assert client.post(url, data).status_code == 302
    target.refresh_from_db()
    assert target.is_staff and roles_of(target) == {Role.HR, Role.BEHEERDER}
    data["groups"] = [groups[Role.HR]]
    assert client.post(url, data).status_code == 302
    target.refresh_from_db()
    assert not target.is_staff


@pytest.mark.parametrize("role", ["physician", "privacy_officer"])
def test_R9_beheerder_cannot_change_or_reset_a_physician_or_privacy_officer_account(cast, role):
    client = cast.client("admin")
    target = cast.users[role]
    assert client.get(reverse("admin:auth_user_change", args=[target.pk])).status_code == 200  # view only
    response = client.post(
        reverse("admin:auth_user_password_change", args=[target.pk]),
        {"password1": "Overgenomen-2026!", "password2": "Overgenomen-2026!"},
    )
    assert response.status_code == 403
    target.refresh_from_db()
    assert not target.check_password("Overgenomen-2026!")


def test_R9_beheerder_cannot_hand_out_physician_or_privacy_roles(cast):
    client = cast.client("admin")
    target = cast.users["hr"]
    groups = {g.name: g.pk for g in target.groups.model.objects.all()}
    response = client.post(
        reverse("admin:auth_user_change", args=[target.pk]),
        {"username": target.username, "is_active": "on", "groups": [groups[Role.BEDRIJFSARTS]]},
    )
    assert response.status_code == 200  # invalid choice
    target.refresh_from_db()
    assert roles_of(target) == {Role.HR}


def test_user_form_offers_no_superuser_or_permission_fields(cast):
    page = cast.client("admin").get(reverse("admin:auth_user_change", args=[cast.users["hr"].pk]))
    html = page.content.decode()
    assert 'name="is_superuser"' not in html and 'name="user_permissions"' not in html


def test_R9_admin_has_no_absence_cases(cast):
    assert cast.client("admin").get("/beheer/casefiles/absencecase/").status_code == 404


def test_create_beheerder_command_is_idempotent(db, monkeypatch, capsys):
    monkeypatch.setenv("SMO_BEHEERDER_PASSWORD", "Sterk-wachtwoord-2026")
    for _ in range(2):
        call_command("create_beheerder", organisation="Bouw BV", slug="bouw", username="b.heer")
    user = get_user_model().objects.get(username="b.heer")
    assert user.is_staff and not user.is_superuser
    assert roles_of(user) == {Role.BEHEERDER}
    assert Membership.objects.filter(user=user, organisation__slug="bouw").count() == 1
    assert user.check_password("Sterk-wachtwoord-2026")


def test_create_beheerder_refuses_a_weak_password(db, monkeypatch):
    from django.core.management.base import CommandError

    monkeypatch.setenv("SMO_BEHEERDER_PASSWORD", "welkom")
    with pytest.raises(CommandError):
        call_command("create_beheerder", organisation="Bouw BV", slug="bouw", username="b.heer")
    assert not get_user_model().objects.filter(username="b.heer").exists()
