"""R19 at the level of the whole report (issue 7 item 3): hypothesis builds
random organisations (departments, sizes, spells, thresholds), runs
``build_report`` and collects every count shown in every section: the
counts per department and their totals, and the trend's counts per
sub-period. Then it checks that no hidden count can be derived by solving
the linear equations among what is shown:

* per count column, the department rows add up to the total row;
* the trend's new spells of the sub-periods add up to the period's new
  spells in the counts section (the same unknown when hidden);
* the trend's long-term files at the end of the last sub-period *are* the
  period's long-term files in the counts section.

A hidden entry is derivable exactly when its unit vector lies in the row
space of that system over the hidden entries (rank test with fractions,
as in test_disclosure.py). Also: every shown count is 0 or at least the
minimum; the meldingsfrequentie is never shown beside hidden new spells;
and a rate column whose total is shown never hides exactly one row (the
total and the other rows would give it: R19, complementary for rates).
"""

from __future__ import annotations

import datetime
from fractions import Fraction

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casefiles.models import AbsenceCase, Department, Employee, Organisation
from reporting.report import COUNT, build_report
from smo.roles import Role
from tests.factories import UserFactory
from tests.reporting.test_disclosure import rank

pytestmark = pytest.mark.django_db

START, END = datetime.date(2024, 1, 1), datetime.date(2024, 6, 30)  # six months
COUNT_KEYS = ["new_spells", "kort", "middellang", "lang", "extra_lang", "long_term_files"]

spell = st.tuples(
    st.integers(min_value=0, max_value=240),  # first day: days after 1 Oct 2023
    st.one_of(st.none(), st.integers(min_value=0, max_value=120)),  # duration - 1, or open
)
department = st.tuples(st.integers(min_value=0, max_value=24), st.lists(spell, max_size=12))
organisation = st.fixed_dictionaries(
    {
        "departments": st.lists(department, min_size=1, max_size=5),
        "min_count": st.integers(min_value=3, max_value=5),
        "extra_threshold": st.integers(min_value=0, max_value=6),
    }
)


def build(data, n: int) -> Organisation:
    min_count = data["min_count"]
    org = Organisation.objects.create(
        name=f"Willekeurig {n}",
        slug=f"willekeurig-{n}",
        statistics_min_count=min_count,
        statistics_group_threshold=min_count + data["extra_threshold"],
    )
    employees, cases = [], []
    for d, (size, spells) in enumerate(data["departments"]):
        dept = Department.objects.create(organisation=org, name=f"Afdeling {d}")
        staff = [
            Employee(
                organisation=org,
                department=dept,
                personnel_number=f"{d}-{i}",
                first_name="A",
                last_name="B",
                contract_hours=36,
                employment_start=datetime.date(2015, 1, 1),
            )
            for i in range(size)
        ]
        employees += staff
        # At most one spell per employee, so spells never overlap.
        for person, (offset, length) in zip(staff, spells, strict=False):
            first = datetime.date(2023, 10, 1) + datetime.timedelta(days=offset)
            end = None if length is None else first + datetime.timedelta(days=length)
            cases.append((person, first, end))
    Employee.objects.bulk_create(employees)
    AbsenceCase.objects.bulk_create(
        AbsenceCase(employee=p, first_day=f, end_date=e, closed_reason="hersteld" if e else "")
        for p, f, e in cases
    )
    return org


def check(report) -> None:
    min_count = report.min_count
    counts, trend, rates = report.section("counts"), report.section("trend"), report.section("rates")
    columns = [c.key for c in counts.columns]
    # The unknowns: hidden counts, named by (section, row, column).
    cells: dict[tuple, int | None] = {}
    for i, row in enumerate(counts.rows):
        for key in COUNT_KEYS:
            cells[("counts", i, key)] = row.values[columns.index(key)]
    trend_columns = [c.key for c in trend.columns]
    body = trend.body_rows
    for i, row in enumerate(body):
        for key in ("new_spells", "long_term_files"):
            cells[("trend", i, key)] = row.values[trend_columns.index(key)]
    total_index = len(counts.rows) - 1
    assert counts.rows[total_index].kind == "total"

    # Every shown count is 0 or at least the minimum (R19 primary suppression).
    for section in report.sections:
        for row in section.rows:
            for column, value in zip(section.columns, row.values, strict=True):
                if column.unit == COUNT and column.key not in ("size", "rank") and value is not None:
                    assert value == 0 or value >= min_count, (section.key, row.label, column.key, value)

    # The trend's total row repeats the counts section's totals exactly.
    trend_total = trend.total_row.values
    for key in ("new_spells", "long_term_files"):
        assert trend_total[trend_columns.index(key)] == cells[("counts", total_index, key)]

    # The equations, as lists of (cell, coefficient) that sum to zero.
    equations = []
    for key in COUNT_KEYS:
        equations.append(
            [(("counts", i, key), 1) for i in range(total_index)] + [(("counts", total_index, key), -1)]
        )
    equations.append(
        [(("trend", i, "new_spells"), 1) for i in range(len(body))]
        + [(("counts", total_index, "new_spells"), -1)]
    )
    equations.append(
        [(("trend", len(body) - 1, "long_term_files"), 1), (("counts", total_index, "long_term_files"), -1)]
    )

    hidden = sorted(k for k, v in cells.items() if v is None)
    # Shown values satisfy the equations where all are shown.
    for equation in equations:
        if all(cells[c] is not None for c, _ in equation):
            assert sum(cells[c] * a for c, a in equation) == 0
    if hidden:
        index = {c: k for k, c in enumerate(hidden)}
        system = []
        for equation in equations:
            vector = [Fraction(0)] * len(hidden)
            for c, a in equation:
                if c in index:
                    vector[index[c]] += a
            system.append(vector)
        base = rank(system)
        for k, c in enumerate(hidden):
            unit = [Fraction(int(k == x)) for x in range(len(hidden))]
            assert rank([*system, unit]) > base, f"{c} can be derived from what is shown"

    # No meldingsfrequentie beside hidden new spells (it is their number per head).
    for count_row, rate_row in zip(counts.rows, rates.rows, strict=True):
        if count_row.values[columns.index("new_spells")] is None:
            assert rate_row.values[1] is None, rate_row.label
    # A rate whose total is shown is hidden in no row or in at least two:
    # never in exactly one (it would follow from the total and the others).
    for section, keys in (
        (rates, ("verzuimpercentage", "gemiddelde_verzuimduur", "nulverzuim")),
        (trend, ("verzuimpercentage",)),
    ):
        section_keys = [c.key for c in section.columns]
        for key in keys:
            j = section_keys.index(key)
            if section.total_row.values[j] is not None:
                hidden = [r for r in section.body_rows if r.values[j] is None]
                assert len(hidden) != 1, (section.key, key, hidden[0].label)
    # No comparison value from a hidden count or a hidden rate.
    comparison = report.section("comparison")
    for count_row, rate_row, row in zip(counts.rows, rates.rows, comparison.rows, strict=True):
        shown = dict(zip(columns, count_row.values, strict=True))
        pct, difference, position, ratio = row.values
        assert pct == rate_row.values[0]
        if pct is None:
            assert difference is None and position is None
        if row.kind == "total":
            assert difference is None and position is None
        if ratio is not None:
            assert all(shown[k] is not None for k in ("kort", "middellang", "lang", "extra_lang"))
    for row in body:
        if row.values[trend_columns.index("new_spells")] is None:
            assert row.values[trend_columns.index("meldingsfrequentie")] is None


@pytest.fixture
def hr_user(db):
    return UserFactory(roles=[Role.HR])


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=organisation)
def test_r19_no_hidden_count_can_be_derived_from_the_report(hr_user, data):
    with transaction.atomic():
        org = build(data, Organisation.objects.count())
        report = build_report(hr_user, org, START, END)
        if report.sections:
            check(report)
        else:
            assert report.too_small
        transaction.set_rollback(True)
