"""R9: who sees which employee's reintegration and medical file."""

import pytest

from smo import permissions

pytestmark = pytest.mark.django_db


def visible(cast, role):
    return set(permissions.employees_in_reintegration_scope(cast.users[role]))


def test_manager_sees_own_department_only(cast):
    assert visible(cast, "manager") == {cast.employee}
    assert visible(cast, "other_manager") == {cast.other_employee_record}


def test_hr_sees_whole_organisation_but_not_other_organisations(cast):
    assert visible(cast, "hr") == {cast.employee, cast.other_employee_record}
    assert visible(cast, "other_org_user") == set()


def test_casemanager_sees_only_the_guided_case(cast):
    assert visible(cast, "casemanager") == {cast.employee}
    assert set(permissions.cases_in_reintegration_scope(cast.users["casemanager"])) == {cast.case}


def test_employee_sees_only_self(cast):
    assert visible(cast, "employee_concerned") == {cast.employee}
    assert visible(cast, "other_employee") == {cast.other_employee_record}


@pytest.mark.parametrize(
    "role", ["arbeidsdeskundige", "privacy_officer", "admin", "physician", "other_physician"]
)
def test_roles_without_a_case_relation_see_no_reintegration_file(cast, role):
    assert visible(cast, role) == set()


def test_R9_medical_file_only_for_the_authorised_physician(cast):
    allowed = [
        role for role, user in cast.users.items() if permissions.can_view_medical_file(user, cast.employee)
    ]
    assert allowed == ["physician"]


def test_R9_superuser_is_never_implicitly_authorised(cast):
    admin = cast.users["admin"]
    admin.is_superuser = True
    admin.save()
    assert not permissions.can_view_medical_file(admin, cast.employee)
    assert permissions.employees_with_medical_authorisation(admin).count() == 0


def test_R9_physician_loses_access_when_revoked_or_leaving_the_organisation(cast):
    from casefiles import services
    from casefiles.models import Membership

    physician = cast.users["physician"]
    services.revoke_physician(actor=cast.users["admin"], employee=cast.employee, physician=physician)
    assert not permissions.can_view_medical_file(physician, cast.employee)
    services.authorise_physician(actor=None, employee=cast.employee, physician=physician)
    assert permissions.can_view_medical_file(physician, cast.employee)
    Membership.objects.filter(user=physician).delete()
    # The next request (a fresh user object: roles and organisations are
    # read once per request) has no access any more.
    physician = type(physician).objects.get(pk=physician.pk)
    assert not permissions.can_view_medical_file(physician, cast.employee)


def test_R9_only_physicians_can_be_authorised_for_a_medical_file(cast):
    from django.core.exceptions import ValidationError

    from casefiles import services

    with pytest.raises(ValidationError):
        services.authorise_physician(actor=None, employee=cast.employee, physician=cast.users["hr"])


def test_only_administrators_of_the_organisation_grant_authorisations(cast):
    from django.core.exceptions import PermissionDenied

    from casefiles import services

    for actor in ("manager", "physician", "privacy_officer", "other_org_user"):
        with pytest.raises(PermissionDenied):
            services.authorise_physician(
                actor=cast.users[actor], employee=cast.employee, physician=cast.users["other_physician"]
            )
    assert not permissions.can_view_medical_file(cast.users["other_physician"], cast.employee)
