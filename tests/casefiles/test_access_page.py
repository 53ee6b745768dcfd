"""R9: HR or the beheerder authorise physicians and name the casemanager;
the page never shows medical content, and every change is audited."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from smo import permissions

pytestmark = pytest.mark.django_db


def post(cast, role, action, user):
    return cast.client(role).post(
        reverse("employee_access", args=[cast.employee.pk]), {"action": action, "user": user.pk}
    )


@pytest.mark.parametrize("role", ["hr", "admin"])
def test_hr_or_beheerder_authorises_and_revokes_a_physician(cast, role):
    physician = cast.users["other_physician"]
    assert post(cast, role, "grant_physician", physician).status_code == 302
    assert permissions.can_view_medical_file(physician, cast.employee)
    page = cast.client(role).get(reverse("employee_access", args=[cast.employee.pk])).content.decode()
    assert physician.username in page or physician.get_full_name() in page
    assert post(cast, role, "revoke_physician", physician).status_code == 302
    assert not permissions.can_view_medical_file(physician, cast.employee)
    entries = LogEntry.objects.filter(
        additional_data__what="medical_file_authorisation", actor=cast.users[role]
    )
    assert entries.count() == 2


def test_a_non_physician_cannot_be_authorised_for_the_medical_file(cast):
    response = post(cast, "hr", "grant_physician", cast.users["casemanager"])
    assert response.status_code == 302
    assert not permissions.can_view_medical_file(cast.users["casemanager"], cast.employee)


def test_hr_names_and_removes_the_casemanager_of_the_open_case(cast):
    expert = cast.users["casemanager"]
    post(cast, "hr", "revoke_expert", expert)
    assert cast.case not in permissions.cases_in_reintegration_scope(expert)
    post(cast, "hr", "grant_expert", expert)
    assert cast.case in permissions.cases_in_reintegration_scope(expert)


def test_users_of_another_organisation_cannot_be_chosen(cast):
    from tests.factories import UserFactory

    outsider = UserFactory(roles=["bedrijfsarts"], organisations=[cast.other_organisation])
    response = post(cast, "hr", "grant_physician", outsider)
    assert response.status_code == 200  # invalid choice
    assert not permissions.can_view_medical_file(outsider, cast.employee)
