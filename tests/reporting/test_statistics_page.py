"""The statistics page (reporting/views_statistics.py; R18, R19): who sees
which departments, disclosure control on the page, no individual data, and a
constant number of queries.

Organisation (threshold 10, minimum count 5), period 2024:

* Zorg: 20 employees, 6 spells of 3 days in March (6 new, 6 kort);
* Keuken: 12 employees, 2 spells of 3 days (2 new, 2 kort: below 5, suppressed);
* Schoonmaak: 3 employees, Receptie: 8 employees: both below 10, pooled
  together as "Overige afdelingen" (11 employees).
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casefiles import services
from casefiles.models import AbsenceCase
from smo.roles import Role
from tests.factories import (
    PASSWORD,
    AbsenceCaseFactory,
    DepartmentFactory,
    EmployeeFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
PERIOD = {"van": "2024-01-01", "tot": "2024-12-31"}


def staff(org, size, dept, spells=0):
    people = [EmployeeFactory(organisation=org, department=dept) for _ in range(size)]
    for person in people[:spells]:
        AbsenceCaseFactory(
            employee=person,
            first_day=D(2024, 3, 4),
            end_date=D(2024, 3, 6),
            closed_reason=AbsenceCase.ClosedReason.RECOVERED,
        )
    return people


@pytest.fixture
def org():
    org = OrganisationFactory(name="Zorgcentrum Statistiek")
    depts = {
        name: DepartmentFactory(organisation=org, name=name)
        for name in ("Zorg", "Keuken", "Schoonmaak", "Receptie")
    }
    org.people = (
        staff(org, 20, depts["Zorg"], spells=6)
        + staff(org, 12, depts["Keuken"], spells=2)
        + staff(org, 3, depts["Schoonmaak"], spells=1)
        + staff(org, 8, depts["Receptie"])
    )
    org.depts = depts
    return org


def client_for(org, *roles):
    user = UserFactory(roles=list(roles), organisations=[org])
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    client.user = user
    return client


def _values(section, row) -> dict:
    return {c.key: v for c, v in zip(section.columns, row.values, strict=True)}


class Shown:
    """A department's row of the report: its counts and its rates."""

    def __init__(self, report, index):
        counts, rates = report.section("counts"), report.section("rates")
        row = counts.rows[index]
        self.label, self.kind, self.size = row.label, row.kind, row.size
        self.cells = _values(counts, row)
        self.rates = _values(rates, rates.rows[index])


def rows(response) -> dict[str, Shown]:
    report = response.context["report"]
    if not report.sections:
        return {}
    counts = report.section("counts")
    return {r.label: Shown(report, i) for i, r in enumerate(counts.rows) if r.kind != "total"}


def total(response) -> Shown:
    report = response.context["report"]
    return Shown(report, len(report.section("counts").rows) - 1)


def test_arbeidsdeskundige_sees_the_table_without_names(org):
    response = client_for(org, Role.ARBEIDSDESKUNDIGE).get(reverse("statistics"), PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Zorg" in html and "Keuken" in html
    assert '<th scope="col">' in html and '<th scope="row">' in html
    for person in org.people:
        assert person.last_name not in html
        assert person.personnel_number not in html
    # Definitions of every figure are on the page.
    for word in ("Verzuimpercentage", "Meldingsfrequentie", "Gemiddelde verzuimduur", "Nulverzuim"):
        assert f"<dt>{word}" in html
    zorg = rows(response)["Zorg"].cells
    assert zorg["new_spells"] == 6 and zorg["kort"] == 6
    # 6 spells of 3 days (weight 36h) over 20 employees * 366 days: 18/7320 = 0.25 %.
    assert f"{rows(response)['Zorg'].rates['verzuimpercentage']:.4f}" == f"{18 / 7320 * 100:.4f}"
    assert "<svg" in html and "<script" not in html


def test_small_departments_are_pooled_not_shown_alone(org):
    response = client_for(org, Role.HR).get(reverse("statistics"), PERIOD)
    shown = rows(response)
    assert "Schoonmaak" not in shown and "Receptie" not in shown
    pooled = shown["Overige afdelingen (samengevoegd)"]
    assert pooled.kind == "pooled" and pooled.size == 11
    assert all(value is None for value in pooled.rates.values())
    html = response.content.decode()
    assert "Schoonmaak" not in html and "Receptie" not in html
    assert "te klein om te tonen" in html


def test_small_count_is_suppressed(org):
    response = client_for(org, Role.ARBEIDSDESKUNDIGE).get(reverse("statistics"), PERIOD)
    keuken = rows(response)["Keuken"]
    cells = keuken.cells
    assert cells["new_spells"] is None and cells["kort"] is None
    # Its meldingsfrequentie would reveal the suppressed count.
    assert keuken.rates["meldingsfrequentie"] is None
    # Neither can the suppressed count be recomputed from the totals.
    assert total(response).cells["new_spells"] is None or any(
        r.cells["new_spells"] is None for label, r in rows(response).items() if label != "Keuken"
    )
    assert "\u2013" in response.content.decode()  # the en dash of a suppressed cell


def test_manager_sees_only_own_departments(org):
    client = client_for(org, Role.LEIDINGGEVENDE)
    services.make_department_manager(actor=None, department=org.depts["Zorg"], manager=client.user)
    response = client.get(reverse("statistics"), PERIOD)
    assert response.status_code == 200
    assert set(rows(response)) == {"Zorg"}
    html = response.content.decode()
    assert "Keuken" not in html
    assert total(response).label == "Uw afdelingen samen"


def test_manager_of_a_small_department_sees_nothing(org):
    client = client_for(org, Role.LEIDINGGEVENDE)
    services.make_department_manager(actor=None, department=org.depts["Schoonmaak"], manager=client.user)
    response = client.get(reverse("statistics"), PERIOD)
    assert response.context["report"].too_small and rows(response) == {}
    assert "Te klein om te tonen" in response.content.decode()


def test_employee_and_physician_are_refused(org):
    for role in (Role.MEDEWERKER, Role.BEDRIJFSARTS, Role.CASEMANAGER, Role.PRIVACY_OFFICER):
        assert client_for(org, role).get(reverse("statistics")).status_code == 403
    assert Client().get(reverse("statistics")).status_code == 302


def test_default_period_is_last_calendar_year(org):
    response = client_for(org, Role.HR).get(reverse("statistics"))
    year = datetime.date.today().year - 1
    assert response.context["start"] == D(year, 1, 1)
    assert response.context["end"] == D(year, 12, 31)


def test_end_before_start_is_an_error(org):
    response = client_for(org, Role.HR).get(reverse("statistics"), {"van": "2024-12-31", "tot": "2024-01-01"})
    assert response.status_code == 200
    assert response.context["report"] is None
    assert "ligt voor het begin" in response.content.decode()


def test_constant_number_of_queries(org, django_assert_max_num_queries):
    client = client_for(org, Role.ARBEIDSDESKUNDIGE)
    client.get(reverse("statistics"), PERIOD)  # warm up (session, content types)
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("statistics"), PERIOD)
    extra = DepartmentFactory(organisation=org, name="Nieuw")
    staff(org, 15, extra, spells=7)
    staff(org, 10, org.depts["Keuken"], spells=4)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(reverse("statistics"), PERIOD)
    assert "Nieuw" in rows(response)
