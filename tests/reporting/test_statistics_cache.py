"""The cache of the statistics' aggregated totals (reporting.stats_cache;
R18, R19): the same report is computed from the database once, every change
of absence data -- the import, a saved or deleted spell, percentage or
employee -- shows at once, and the cache holds no individual's data and
changes nothing that is shown or suppressed."""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casefiles import services
from casefiles.models import AbsenceCase, AbsencePercentage, Employee
from reporting import stats_cache
from reporting.absence_import import import_absence
from reporting.report import build_report
from reporting.statistics import organisation_figures
from smo.roles import Role
from tests.factories import (
    AbsenceCaseFactory,
    DepartmentFactory,
    EmployeeFactory,
    OrganisationFactory,
    UserFactory,
)

from .statistics_data import KEUKEN_SUPPRESSED, D, identifying_strings, make_org

pytestmark = pytest.mark.django_db

START, END = D(2024, 1, 1), D(2024, 12, 31)
FIGURE_TABLES = ("casefiles_absencecase", "casefiles_absencepercentage", "casefiles_employee")


@pytest.fixture
def org():
    return make_org()


def figure_queries(queries) -> int:
    """Queries that read absence data (the three of the figures)."""
    return sum(
        1
        for q in queries
        if any(t in q["sql"] for t in FIGURE_TABLES) and "meetings_agendaitem" not in q["sql"]
    )


def test_the_same_figures_are_read_from_the_database_once(org):
    first = organisation_figures(org, START, END)
    with CaptureQueriesContext(connection) as again:
        second = organisation_figures(org, START, END)
    assert figure_queries(again.captured_queries) == 0
    assert second.totals == first.totals
    # Another period is another entry.
    with CaptureQueriesContext(connection) as other:
        organisation_figures(org, D(2024, 3, 1), D(2024, 3, 31))
    assert figure_queries(other.captured_queries) == 3


def test_importing_a_spell_changes_the_figures_at_once(org):
    before = organisation_figures(org, START, END)
    person = Employee.objects.filter(department=org.depts["Receptie"]).first()
    data = (
        "personeelsnummer;afdeling;eerste_verzuimdag;laatste_verzuimdag;percentage;contracturen\n"
        f"{person.personnel_number};Receptie;2024-05-06;2024-05-10;;\n"
    )
    result = import_absence(actor=None, organisation=org, data=data.encode(), dry_run=False)
    assert result.ok and result.created == 1
    after = organisation_figures(org, START, END)
    assert after.totals.new_spells == before.totals.new_spells + 1
    assert after.totals.kort == before.totals.kort + 1


def test_a_dry_run_import_keeps_the_cached_figures(org):
    organisation_figures(org, START, END)
    person = Employee.objects.filter(department=org.depts["Receptie"]).first()
    data = (
        "personeelsnummer;afdeling;eerste_verzuimdag;laatste_verzuimdag;percentage;contracturen\n"
        f"{person.personnel_number};Receptie;2024-05-06;2024-05-10;;\n"
    )
    import_absence(actor=None, organisation=org, data=data.encode(), dry_run=True)
    with CaptureQueriesContext(connection) as again:
        organisation_figures(org, START, END)
    assert figure_queries(again.captured_queries) == 0


def test_saved_and_deleted_spells_percentages_and_employees_change_the_figures_at_once(org):
    figures = organisation_figures(org, START, END)
    assert figures.totals.long_term_files == 0
    person = EmployeeFactory(organisation=org, department=org.depts["Zorg"])
    assert organisation_figures(org, START, END).totals.employees == figures.totals.employees + 1

    case = AbsenceCaseFactory(employee=person, first_day=D(2024, 6, 3), end_date=None)
    assert organisation_figures(org, START, END).totals.long_term_files == 1
    # A case loaded without its employee: the organisation is not known without a query.
    bare = AbsenceCase.objects.get(pk=case.pk)
    bare.end_date, bare.closed_reason = D(2024, 6, 7), AbsenceCase.ClosedReason.RECOVERED
    bare.save()
    assert organisation_figures(org, START, END).totals.long_term_files == 0
    full = organisation_figures(org, START, END).totals.absent_weighted

    AbsencePercentage.objects.create(case_id=case.pk, valid_from=D(2024, 6, 5), percentage=50)
    assert organisation_figures(org, START, END).totals.absent_weighted < full
    AbsencePercentage.objects.get(case_id=case.pk).delete()
    assert organisation_figures(org, START, END).totals.absent_weighted == full

    AbsenceCase.objects.get(pk=case.pk).delete()
    person.delete()
    assert organisation_figures(org, START, END).totals == figures.totals


def test_r19_every_user_gets_their_own_scope_and_suppression_from_the_shared_totals(org):
    """A manager's report built from the totals cached by HR's equals the
    manager's report computed from the database, and HR's own report still
    suppresses the small Keuken counts."""
    manager = UserFactory(roles=[Role.LEIDINGGEVENDE], organisations=[org])
    services.make_department_manager(actor=None, department=org.depts["Keuken"], manager=manager)
    stats_cache.bump(org.pk)  # nothing of this organisation cached
    cold = build_report(manager, org, START, END)
    hr = build_report(UserFactory(roles=[Role.HR], organisations=[org]), org, START, END)
    with CaptureQueriesContext(connection) as warm_queries:
        warm = build_report(manager, org, START, END)
    assert figure_queries(warm_queries.captured_queries) == 0
    assert [(s.key, [(r.label, r.values) for r in s.rows]) for s in warm.sections] == [
        (s.key, [(r.label, r.values) for r in s.rows]) for s in cold.sections
    ]
    keuken = next(r for r in hr.section("counts").rows if r.label == "Keuken")
    columns = [c.key for c in hr.section("counts").columns]
    for key in KEUKEN_SUPPRESSED:
        assert keuken.values[columns.index(key)] is None


def test_the_cache_is_per_organisation(org):
    other = OrganisationFactory()
    EmployeeFactory(organisation=other, department=DepartmentFactory(organisation=other))
    ours = organisation_figures(org, START, END)
    theirs = organisation_figures(other, START, END)
    assert (ours.totals.employees, theirs.totals.employees) == (len(org.people), 1)


def test_the_cache_holds_aggregated_numbers_only(org):
    """No name, personnel number or employee id: per department id, numbers."""
    stored = []
    real_set = stats_cache.cache.set

    def spy(key, value, *args, **kwargs):
        stored.append((key, value))
        return real_set(key, value, *args, **kwargs)

    with mock.patch.object(stats_cache.cache, "set", side_effect=spy):
        organisation_figures(org, START, END)
    entries = [(key, value) for key, value in stored if ":own_totals:" in key]
    assert len(entries) == 1
    key, (_parts, per_period) = entries[0]
    assert f":own_totals:{org.pk}:" in key
    department_ids = {d.pk for d in org.depts.values()}
    assert per_period and all(set(per_department) <= department_ids for per_department in per_period)
    for per_department in per_period:
        for values in per_department.values():
            assert all(isinstance(v, int | Decimal) for v in values)
    text = repr(per_period)
    for word in identifying_strings(org):
        assert word not in text


def test_figures_are_computed_when_the_cache_fails(org):
    expected = organisation_figures(org, START, END).totals
    with mock.patch.object(stats_cache.cache, "get_many", side_effect=ConnectionError("redis down")):
        assert organisation_figures(org, START, END).totals == expected
    with mock.patch.object(stats_cache.cache, "set", side_effect=ConnectionError("redis down")):
        person = EmployeeFactory(organisation=org, department=org.depts["Zorg"])
    person.delete()
    assert organisation_figures(org, START, END).totals == expected
