"""The home page: one page per person, showing only what their role may see."""

import datetime
import re

import pytest
from django.urls import reverse

from casefiles import services
from casefiles.models import AbsenceCase, Employee
from reporting import stats_cache

from .factories import AbsenceCaseFactory, DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db

# Issue 8: a constant number of queries, at most 15 per page (session, user,
# second factor and roles included).
MAX_QUERIES = 15


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
    client.get(reverse("home"))
    # Both measured requests count the headcounts afresh (the cases below
    # renew the statistics cache too): like for like.
    stats_cache.bump(cast.organisation.pk)
    with django_assert_max_num_queries(MAX_QUERIES) as few:
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


def test_hr_home_shows_the_oldest_open_cases_and_links_to_all_of_them(cast):
    """At 20,000 employees HR has thousands of open cases: the home page shows
    the oldest ones and leads to the (paginated) list of all absent employees."""
    from smo.views import HOME_OPEN_CASES

    all_cases = reverse("employee_list") + "?verzuimd=on"
    assert all_cases not in home(cast, "hr")  # two open cases: both shown, no link
    # The two open cases of the cast started 50 days ago; these are newer.
    today = datetime.date.today()
    newer = [
        AbsenceCaseFactory(
            employee=EmployeeFactory(organisation=cast.organisation, department=cast.department),
            first_day=today - datetime.timedelta(days=i),
        )
        for i in range(HOME_OPEN_CASES)
    ]
    page = home(cast, "hr")
    other = AbsenceCase.objects.get(employee=cast.other_employee_record)
    open_cases = [cast.case, other, *newer]
    shown = [case for case in open_cases if reverse("case_detail", args=[case.pk]) in page]
    assert len(shown) == HOME_OPEN_CASES
    assert cast.case in shown and other in shown  # the oldest first
    assert newer[0] not in shown and newer[1] not in shown  # the two newest are beyond the first 50
    assert f"Dit zijn de {HOME_OPEN_CASES} oudste lopende verzuimgevallen." in page
    assert all_cases in page


def _headcounts(page: str) -> dict[str, int]:
    rows = re.findall(
        r'<tr><td>([^<]+)</td><td>[^<]*</td><td>[^<]*</td><td class="num">(\d+)</td></tr>', page
    )
    return {name: int(count) for name, count in rows}


def test_department_headcount_counts_the_current_employees(cast):
    """The departments overview (arbeidsdeskundige, HR): employees still
    employed today, per department, and 0 for a department without any."""
    today = datetime.date.today()
    empty = DepartmentFactory(organisation=cast.organisation, name="Archief")
    EmployeeFactory(organisation=cast.organisation, department=cast.department, employment_end=today)
    EmployeeFactory(
        organisation=cast.organisation,
        department=cast.department,
        employment_end=today - datetime.timedelta(days=1),
    )

    def current(department):
        return sum(
            1
            for e in Employee.objects.filter(department=department)
            if e.employment_end is None or e.employment_end >= today
        )

    expected = {d.name: current(d) for d in (cast.department, cast.other_department, empty)}
    assert expected[cast.department.name] >= 2 and expected[empty.name] == 0
    for role in ("arbeidsdeskundige", "hr"):
        assert _headcounts(home(cast, role)) == expected


def test_department_headcount_follows_a_new_or_leaving_employee(cast):
    """The headcounts are cached per organisation and day; adding an employee
    or ending an employment shows at once (the statistics cache is renewed)."""
    before = _headcounts(home(cast, "hr"))[cast.department.name]
    joining = EmployeeFactory(organisation=cast.organisation, department=cast.department)
    assert _headcounts(home(cast, "hr"))[cast.department.name] == before + 1
    joining.employment_end = datetime.date.today() - datetime.timedelta(days=1)
    joining.save()
    assert _headcounts(home(cast, "hr"))[cast.department.name] == before


def test_home_query_count_does_not_grow_with_organisations(cast, django_assert_max_num_queries):
    """HR of several organisations: one query counts the headcounts of all
    their departments (stats_cache.cached_many), not one per organisation."""
    from casefiles.models import Membership

    from .factories import OrganisationFactory

    hr = cast.users["hr"]
    client = cast.client("hr")
    client.get(reverse("home"))
    stats_cache.bump(cast.organisation.pk)  # counted afresh, like the second request below
    with django_assert_max_num_queries(MAX_QUERIES) as few:
        client.get(reverse("home"))
    added = []
    for n in range(3):
        organisation = OrganisationFactory(name=f"Extra {n}")
        Membership.objects.create(user=hr, organisation=organisation)
        department = DepartmentFactory(organisation=organisation, name=f"Extra afdeling {n}")
        EmployeeFactory(organisation=organisation, department=department)
        added.append(department.name)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("home")).content.decode()
    assert {name: _headcounts(page)[name] for name in added} == dict.fromkeys(added, 1)
