"""Absence figures (R18, issue 7 item 2): worked examples checked by hand.

Every example uses June 2024 as the period: 30 calendar days (P = 30).
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest

from casefiles.models import AbsenceCase
from reporting.statistics import department_figures, organisation_figures, period_figures, sub_periods
from tests.factories import (
    AbsenceCaseFactory,
    AbsencePercentageFactory,
    DepartmentFactory,
    EmployeeFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
START, END = D(2024, 6, 1), D(2024, 6, 30)
# Employees, spells, percentage rows, the department tree.
FIGURE_QUERIES = 4


def spell(employee, first, end=None, percentages=(), hours=None):
    """A spell; ``percentages`` are (valid_from, percentage) pairs; ``hours``
    the contract hours during the spell (None: the employee's)."""
    case = AbsenceCaseFactory(
        employee=employee,
        first_day=first,
        end_date=end,
        closed_reason=AbsenceCase.ClosedReason.RECOVERED if end else "",
        contract_hours=None if hours is None else Decimal(hours),
    )
    for valid_from, pct in percentages:
        AbsencePercentageFactory(case=case, valid_from=valid_from, percentage=pct)
    return case


def close(value, expected):
    return abs(Decimal(value) - Decimal(expected)) < Decimal("0.0001")


@pytest.fixture
def org():
    return OrganisationFactory()


@pytest.fixture
def dept(org):
    return DepartmentFactory(organisation=org)


def employee(org, dept, hours="36", start=None, end=None):
    return EmployeeFactory(
        organisation=org,
        department=dept,
        contract_hours=Decimal(hours),
        employment_start=start or D(2015, 1, 1),
        employment_end=end,
    )


def test_worked_example_two_employees(org, dept):
    a = employee(org, dept, "36")
    b = employee(org, dept, "18")
    spell(a, D(2024, 6, 1), D(2024, 6, 10), [(D(2024, 6, 1), 100)])  # 10 days at 100%
    spell(b, D(2024, 6, 5), D(2024, 6, 24), [(D(2024, 6, 5), 50)])  # 20 days at 50%

    f = organisation_figures(org, START, END)
    # verzuimpercentage: absent  10 * 1.00 * 36 + 20 * 0.50 * 18 = 360 + 180 = 540
    #                    available 30 * 36 + 30 * 18 = 1080 + 540 = 1620
    #                    540 / 1620 * 100 = 33.33 %
    assert close(f.verzuimpercentage, Decimal(540) / 1620 * 100)
    assert round(f.verzuimpercentage, 2) == Decimal("33.33")
    # meldingsfrequentie: 2 new spells; average headcount (30 + 30) / 30 = 2;
    #                     2 / 2 * 365 / 30 = 12.17 per employee per year
    assert close(f.meldingsfrequentie, Decimal(365) / 30)
    # gemiddelde verzuimduur: both ended in June, (10 + 20) / 2 = 15 days
    assert f.gemiddelde_verzuimduur == 15
    # nulverzuim: both were absent: 0 / 2 = 0 %
    assert f.nulverzuim == 0
    # classes: 10 and 20 days are both middellang (8-42)
    assert f.duration_classes == {"kort": 0, "middellang": 2, "lang": 0, "extra_lang": 0}
    assert f.long_term_files == 0


def test_edge_cases_period_bounds_partial_percentages_and_hires(org, dept):
    # C, 40 h: spell 22 May - 5 June (15 days in all, 5 in June), 100 %.
    c = employee(org, dept, "40")
    spell(c, D(2024, 5, 22), D(2024, 6, 5))  # no percentage rows: 100 %
    # D, 20 h, hired 16 June (15 days in June): open spell from 26 June,
    # 100 % on 26-27 June, 50 % from 28 June (28, 29, 30 June).
    d = employee(org, dept, "20", start=D(2024, 6, 16))
    spell(d, D(2024, 6, 26), None, [(D(2024, 6, 26), 100), (D(2024, 6, 28), 50)])
    # E, 36 h, left on 10 June (10 days in June), never absent.
    employee(org, dept, "36", start=D(2015, 1, 1), end=D(2024, 6, 10))
    # F, left before June: not counted at all.
    employee(org, dept, "36", end=D(2024, 5, 31))

    f = organisation_figures(org, START, END)
    # absent:    C 5 * 1.00 * 40 = 200; D (2 * 1.00 + 3 * 0.50) * 20 = 3.5 * 20 = 70; total 270
    # available: C 30 * 40 = 1200; D 15 * 20 = 300; E 10 * 36 = 360; total 1860
    # 270 / 1860 * 100 = 14.52 %
    assert close(f.verzuimpercentage, Decimal(270) / 1860 * 100)
    assert round(f.verzuimpercentage, 2) == Decimal("14.52")
    # new spells in June: only D's (C's began in May) = 1
    # average headcount (30 + 15 + 10) / 30 = 55/30; 1 / (55/30) * 365/30 = 365/55 = 6.64
    assert close(f.meldingsfrequentie, Decimal(365) / 55)
    # ended in June: only C's, whole duration 22 May - 5 June = 10 + 5 = 15 days
    assert f.gemiddelde_verzuimduur == 15
    assert f.duration_classes == {"kort": 0, "middellang": 1, "lang": 0, "extra_lang": 0}
    # nulverzuim: C, D, E employed in June; only E never absent: 1/3 = 33.33 %
    assert f.totals.employees == 3
    assert close(f.nulverzuim, Decimal(100) / 3)
    # D's open spell lasted 5 days on 30 June: no long-term file
    assert f.long_term_files == 0


def test_duration_classes_boundaries_and_long_term_files(org, dept):
    # Each spell its own employee (one open case per employee).
    for first, end in [
        (D(2024, 6, 1), D(2024, 6, 7)),  # 7 days: kort
        (D(2024, 6, 1), D(2024, 6, 8)),  # 8 days: middellang
        (D(2024, 5, 1), D(2024, 6, 11)),  # 31 + 11 = 42 days: middellang
        (D(2024, 5, 1), D(2024, 6, 12)),  # 31 + 12 = 43 days: lang
        (D(2023, 6, 16), D(2024, 6, 14)),  # 366 (leap year) - 2 + 1 = 365 days: lang
        (D(2023, 6, 16), D(2024, 6, 15)),  # 366 days: extra lang
        (D(2024, 5, 20), None),  # open: 12 + 30 = 42 days on 30 June: not long-term
        (D(2024, 5, 19), None),  # open: 13 + 30 = 43 days on 30 June: long-term
        (D(2024, 4, 1), D(2024, 7, 5)),  # open on 30 June, 30 + 31 + 30 = 91 days: long-term
        (D(2024, 5, 1), D(2024, 5, 31)),  # ended before June: nowhere
    ]:
        spell(employee(org, dept), first, end)

    f = organisation_figures(org, START, END)
    assert f.duration_classes == {"kort": 1, "middellang": 2, "lang": 2, "extra_lang": 1}
    # mean of the six ended in June: (7 + 8 + 42 + 43 + 365 + 366) / 6 = 831 / 6 = 138.5
    assert f.gemiddelde_verzuimduur == Decimal("138.5")
    assert f.long_term_files == 2
    # new in June: the two starting 1 June; 10 employees all year: 2 / 10 * 365/30
    assert close(f.meldingsfrequentie, Decimal(2) / 10 * 365 / 30)


def test_r18_contract_hours_of_the_spell_weigh_the_absent_days(org, dept):
    # A works 36 h now but 20 h during the spell (from the HR import): 10 days at 100 %.
    a = employee(org, dept, "36")
    spell(a, D(2024, 6, 1), D(2024, 6, 10), hours="20")
    # B, 18 h, no spell hours recorded: the employee's 18 h. 20 days at 50 %.
    b = employee(org, dept, "18")
    spell(b, D(2024, 6, 5), D(2024, 6, 24), [(D(2024, 6, 5), 50)])
    # C, 32.5 h, spell at 24.5 h: 4 days at 100 % then 2 days at 25 % (open at the end).
    c = employee(org, dept, "32.5")
    spell(c, D(2024, 6, 25), None, [(D(2024, 6, 29), 25)], hours="24.5")

    f = organisation_figures(org, START, END)
    # absent:    A 10 * 1.00 * 20 = 200; B 20 * 0.50 * 18 = 180;
    #            C (4 * 1.00 + 2 * 0.25) * 24.5 = 4.5 * 24.5 = 110.25; total 490.25
    # available: the employees' contracts: 30 * (36 + 18 + 32.5) = 30 * 86.5 = 2595
    # 490.25 / 2595 * 100 = 18.89 %
    assert f.totals.absent_weighted == Decimal("490.25")
    assert f.totals.available_weighted == Decimal("2595")
    assert close(f.verzuimpercentage, Decimal("490.25") / 2595 * 100)
    assert round(f.verzuimpercentage, 2) == Decimal("18.89")


def test_sub_periods_are_calendar_months_or_quarters_cut_to_the_period():
    assert sub_periods(D(2024, 1, 15), D(2024, 3, 10)) == [
        (D(2024, 1, 15), D(2024, 1, 31)),
        (D(2024, 2, 1), D(2024, 2, 29)),
        (D(2024, 3, 1), D(2024, 3, 10)),
    ]
    assert sub_periods(D(2023, 11, 20), D(2024, 4, 2), "quarter") == [
        (D(2023, 11, 20), D(2023, 12, 31)),
        (D(2024, 1, 1), D(2024, 3, 31)),
        (D(2024, 4, 1), D(2024, 4, 2)),
    ]
    # auto: 13 calendar months are months, 14 are quarters.
    assert len(sub_periods(D(2024, 1, 1), D(2025, 1, 31))) == 13
    assert len(sub_periods(D(2024, 1, 1), D(2025, 2, 1))) == 5
    with pytest.raises(ValueError):
        sub_periods(START, END, "week")


def test_periods_in_the_same_four_queries_equal_separate_computations(org, dept, django_assert_num_queries):
    a, b = employee(org, dept, "36"), employee(org, dept, "24", start=D(2024, 6, 10))
    spell(a, D(2024, 5, 20), D(2024, 7, 12), [(D(2024, 6, 15), 50)])
    spell(b, D(2024, 6, 28), None, hours="30")
    months = sub_periods(D(2024, 5, 1), D(2024, 7, 31))
    with django_assert_num_queries(FIGURE_QUERIES):
        together = period_figures(org, months)
    for (start, end), (figures, _per_department) in zip(months, together, strict=True):
        alone = organisation_figures(org, start, end)
        assert figures.totals == alone.totals
    # June by hand: a 14 days (1-14 June) * 36 + 16 days * 0.5 * 36 = 504 + 288 = 792;
    # b 3 days (28-30 June) * 30 = 90; available 30 * 36 + 21 * 24 = 1584.
    june = together[1][0]
    assert june.totals.absent_weighted == 792 + 90
    assert june.totals.available_weighted == 1584
    # Long-term files at each month end: a's spell on 31 May is 12 days, on 30 June
    # 42 days (not > 42), ended 12 July: none; b's is short.
    assert [f.long_term_files for f, _ in together] == [0, 0, 0]


def test_sub_departments_roll_up_in_constant_queries(org, django_assert_num_queries):
    parent = DepartmentFactory(organisation=org)
    child = DepartmentFactory(organisation=org, parent=parent)
    grandchild = DepartmentFactory(organisation=org, parent=child)
    other = DepartmentFactory(organisation=org)
    p = employee(org, parent, "36")
    g = employee(org, grandchild, "18")
    employee(org, other, "36")
    spell(p, D(2024, 6, 1), D(2024, 6, 10))
    spell(g, D(2024, 6, 5), D(2024, 6, 24), [(D(2024, 6, 5), 50)])

    with django_assert_num_queries(FIGURE_QUERIES):
        total, per_dept = department_figures(org, START, END)
    # parent = parent + child + grandchild: the two-employee worked example, 33.33 %
    assert close(per_dept[parent.pk].verzuimpercentage, Decimal(540) / 1620 * 100)
    assert per_dept[parent.pk].totals.employees == 2
    # child = grandchild only: 20 * 0.5 * 18 / (30 * 18) = 180 / 540 = 33.33 % as well
    assert close(per_dept[child.pk].verzuimpercentage, Decimal(180) / 540 * 100)
    assert per_dept[other.pk].verzuimpercentage == 0
    assert per_dept[other.pk].nulverzuim == 100
    # organisation: 540 / (1620 + 30 * 36) = 540 / 2700 = 20 %
    assert close(total.verzuimpercentage, 20)
    assert close(total.nulverzuim, Decimal(100) / 3)

    # More rows and departments, and twelve periods at once: same number of queries.
    for _ in range(5):
        spell(employee(org, grandchild), D(2024, 6, 2), D(2024, 6, 3), [(D(2024, 6, 3), 50)], hours="12")
    for _ in range(3):
        spell(employee(org, DepartmentFactory(organisation=org, parent=other)), D(2024, 3, 1))
    with django_assert_num_queries(FIGURE_QUERIES):
        department_figures(org, START, END)
    with django_assert_num_queries(FIGURE_QUERIES):
        period_figures(org, sub_periods(D(2024, 1, 1), D(2024, 12, 31)))


def test_empty_group_has_no_rates(org, dept):
    f = organisation_figures(org, START, END)
    assert f.verzuimpercentage is None
    assert f.meldingsfrequentie is None
    assert f.gemiddelde_verzuimduur is None
    assert f.nulverzuim is None


def reference(employees, spells, start, end):
    """Day-by-day reference for verzuimpercentage and nulverzuim."""
    absent = available = Decimal(0)
    never_absent = counted = 0
    for e in employees:
        days = [
            start + datetime.timedelta(days=i)
            for i in range((end - start).days + 1)
            if e.employment_start <= start + datetime.timedelta(days=i)
            and (e.employment_end is None or start + datetime.timedelta(days=i) <= e.employment_end)
        ]
        if not days:
            continue
        counted += 1
        available += len(days) * e.contract_hours
        was_absent = False
        for case, pcts in spells.get(e.pk, ()):
            for day in days:
                if case.first_day <= day and (case.end_date is None or day <= case.end_date):
                    was_absent = True
                    valid = [p for vf, p in pcts if vf <= day]
                    absent += Decimal(valid[-1] if valid else 100) / 100 * e.contract_hours
        never_absent += not was_absent
    return absent / available * 100, Decimal(never_absent) / counted * 100


def test_matches_day_by_day_reference(org, dept):
    rng = random.Random(7)  # noqa: S311 - reproducible test data, not security
    employees, spells = [], {}
    for _ in range(12):
        hired = D(2024, 1, 1) + datetime.timedelta(days=rng.randrange(0, 200))
        left = hired + datetime.timedelta(days=rng.randrange(10, 400)) if rng.random() < 0.3 else None
        e = employee(org, dept, str(rng.choice([8, 16, 24, 32, 36, 40])), start=hired, end=left)
        employees.append(e)
        first = D(2024, 5, 1) + datetime.timedelta(days=rng.randrange(0, 50))
        end = first + datetime.timedelta(days=rng.randrange(0, 60)) if rng.random() < 0.6 else None
        pcts = [(first + datetime.timedelta(days=3), rng.choice([25, 50, 75]))] if rng.random() < 0.5 else []
        if rng.random() < 0.8:
            spells[e.pk] = [(spell(e, first, end, pcts), pcts)]
    f = organisation_figures(org, START, END)
    expected_pct, expected_nul = reference(employees, spells, START, END)
    assert close(f.verzuimpercentage, expected_pct)
    assert close(f.nulverzuim, expected_nul)


def test_several_percentage_rows_per_spell_match_the_day_by_day_reference_in_every_month(org, dept):
    """R18: several percentage rows per spell give the same verzuimpercentage
    as day by day in every month, with rows back to 100 %, a first row after
    the first day, a 100 % first row, rows before the period or after the
    spell's end, and rows before the first day."""
    rng = random.Random(11)  # noqa: S311 - reproducible test data, not security
    employees, spells = [], {}
    for _ in range(15):
        e = employee(org, dept, str(rng.choice([12, 24, 36])), start=D(2023, 6, 1))
        employees.append(e)
        first = D(2024, 1, 1) + datetime.timedelta(days=rng.randrange(-40, 300))
        end = first + datetime.timedelta(days=rng.randrange(5, 120)) if rng.random() < 0.7 else None
        days = sorted(rng.sample(range(0, 150), rng.randrange(0, 5)))
        pcts = [(first + datetime.timedelta(days=d), rng.choice([20, 50, 80, 100])) for d in days]
        spells[e.pk] = [(spell(e, first, end, pcts), pcts)]
    # Rows before the first day (not from the import, which refuses them): the
    # row on the first day still decides from the first day on.
    e = employee(org, dept, "24", start=D(2023, 6, 1))
    employees.append(e)
    early = [(D(2024, 2, 25), 40), (D(2024, 3, 1), 100), (D(2024, 3, 20), 60)]
    spells[e.pk] = [(spell(e, D(2024, 3, 1), D(2024, 4, 10), early), early)]
    months = sub_periods(D(2024, 1, 1), D(2024, 12, 31))
    assert len(months) == 12
    for (start, end), (figures, _per_department) in zip(months, period_figures(org, months), strict=True):
        expected_pct, _nul = reference(employees, spells, start, end)
        assert close(figures.verzuimpercentage, expected_pct), (start, end)
