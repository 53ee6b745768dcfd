"""The home page: one page per person, showing only what their role may see."""

import pytest
from django.urls import reverse

from casefiles import services

from .factories import AbsenceCaseFactory, EmployeeFactory

pytestmark = pytest.mark.django_db


def home(cast, role) -> str:
    response = cast.client(role).get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_manager_sees_own_cases_not_those_of_another_department(cast):
    page = home(cast, "manager")
    assert "Mijn casussen" in page
    assert cast.employee.full_name in page
    assert cast.other_employee_record.full_name not in page


def test_hr_sees_the_cases_of_the_whole_organisation(cast):
    page = home(cast, "hr")
    assert "Lopende casussen van de organisatie" in page
    assert cast.employee.full_name in page and cast.other_employee_record.full_name in page


def test_casemanager_sees_the_guided_case_only(cast):
    page = home(cast, "casemanager")
    assert cast.employee.full_name in page
    assert cast.other_employee_record.full_name not in page


def test_physician_sees_authorised_employees_and_other_physician_none(cast):
    assert cast.employee.full_name in home(cast, "physician")
    page = home(cast, "other_physician")
    assert "U bent nog voor geen enkele medewerker geautoriseerd." in page
    assert cast.employee.full_name not in page


def test_arbeidsdeskundige_sees_departments_but_no_individuals(cast):
    page = home(cast, "arbeidsdeskundige")
    assert "Afdelingen en locaties" in page and cast.department.name in page
    assert cast.employee.full_name not in page and cast.other_employee_record.full_name not in page


def test_R14_employee_sees_own_dossier_only(cast):
    page = home(cast, "employee_concerned")
    assert "Mijn dossier" in page
    assert cast.case.first_day.strftime("%d-%m-%Y") in page
    assert cast.other_employee_record.full_name not in page


@pytest.mark.parametrize("role", ["privacy_officer", "admin", "other_org_user"])
def test_roles_without_case_relation_see_no_employee_names(cast, role):
    page = home(cast, role)
    assert cast.employee.full_name not in page
    assert cast.other_employee_record.full_name not in page


def test_user_without_a_role_is_told_what_to_do(cast):
    user = cast.users["other_employee"]
    user.groups.clear()
    page = cast.client("other_employee").get(reverse("home")).content.decode()
    assert "U heeft nog geen rol in het platform" in page


@pytest.mark.parametrize("role", ["manager", "hr", "physician", "casemanager"])
def test_home_query_count_does_not_grow_with_cases(cast, role, django_assert_max_num_queries):
    client = cast.client(role)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("home"))
    for _ in range(25):
        employee = EmployeeFactory(organisation=cast.organisation, department=cast.department)
        case = AbsenceCaseFactory(employee=employee)
        services.authorise_physician(actor=None, employee=employee, physician=cast.users["physician"])
        services.assign_case_expert(actor=None, case=case, expert=cast.users["casemanager"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("home")).content.decode()
    assert page.count("<tr>") >= 26


def test_R14_open_correction_requests_reach_hr_and_the_manager_only(cast):
    from casefiles.models import CorrectionRequest

    CorrectionRequest.objects.create(employee=cast.employee, case=cast.case, text="Datum klopt niet")
    CorrectionRequest.objects.create(employee=cast.employee, text="Mijn adres is oud")
    for role in ("hr", "manager"):
        page = home(cast, role)
        assert "Openstaande correctieverzoeken" in page and "Mijn adres is oud" in page
    for role in ("other_manager", "casemanager", "physician"):
        assert "Openstaande correctieverzoeken" not in home(cast, role)


def test_home_lists_my_upcoming_meetings_without_employee_names(cast):
    from tests.meetings.conftest import schedule

    meeting = schedule(cast, title="SMT Verpleging")
    page = home(cast, "physician")
    assert "Mijn overleggen" in page and "SMT Verpleging" in page
    assert "SMT Verpleging" not in home(cast, "other_manager")
    assert meeting.title in home(cast, "manager")
