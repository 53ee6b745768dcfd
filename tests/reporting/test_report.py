"""The statistics report (reporting/report.py, reporting/report_sections.py;
R17, R18, R19, issue 7): worked examples of the trend, the comparison and the
causes, checked by hand, the stricter rate rule, and a constant number of
queries.

All departments here have employees of 36 contract hours employed all along;
the organisation has the default threshold 10 and minimum count 5 unless
said otherwise.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from casefiles import services
from casefiles.models import AbsenceCase
from consent.types import MeetingType
from meetings.models import AgendaItem, Meeting
from reporting.report import build_report
from smo.roles import Role
from tests.factories import (
    AbsenceCaseFactory,
    DepartmentFactory,
    EmployeeFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def staff(org, dept, size):
    return [EmployeeFactory(organisation=org, department=dept) for _ in range(size)]


def spells(people, first, end):
    for person in people:
        AbsenceCaseFactory(
            employee=person,
            first_day=first,
            end_date=end,
            closed_reason=AbsenceCase.ClosedReason.RECOVERED if end else "",
        )


def values(section) -> dict[str, dict]:
    return {r.label: {c.key: v for c, v in zip(section.columns, r.values, strict=True)} for r in section.rows}


def close(value, expected) -> bool:
    return value is not None and abs(Decimal(value) - Decimal(expected)) < Decimal("0.0001")


def user_with(org, *roles):
    return UserFactory(roles=list(roles), organisations=[org])


# --- trend -----------------------------------------------------------------------


def test_r19_trend_per_month_protects_a_small_month_against_the_period_total():
    org = OrganisationFactory()
    zorg = DepartmentFactory(organisation=org, name="Zorg")
    people = staff(org, zorg, 20)
    spells(people[0:6], D(2024, 1, 8), D(2024, 1, 10))  # January: 6 spells of 3 days
    spells(people[6:8], D(2024, 2, 5), D(2024, 2, 6))  # February: 2 spells of 2 days
    spells(people[8:13], D(2024, 3, 4), D(2024, 3, 6))  # March: 5 spells of 3 days

    report = build_report(user_with(org, Role.ARBEIDSDESKUNDIGE), org, D(2024, 1, 1), D(2024, 3, 31))
    assert report.granularity == "month"  # 3 months: monthly
    trend = report.section("trend")
    assert trend.chart.kind == "line"
    rows = values(trend)
    assert list(rows) == ["januari 2024", "februari 2024", "maart 2024", "Organisatie totaal"]
    # New spells 6, 2, 5; the period total 13 is shown in the counts section.
    assert report.section("counts").total_row.value("new_spells", report.section("counts").columns) == 13
    # February's 2 is below 5: hidden. Alone it would be 13 - 6 - 5 = 2, so the
    # smallest other month, March (5), is hidden too: 6 + ? + ? = 13 leaves 7 for two.
    assert [rows[m]["new_spells"] for m in list(rows)[:3]] == [6, None, None]
    assert rows["Organisatie totaal"]["new_spells"] == 13
    # January's rates (nothing hidden in its row, 6 absent >= 5):
    #   verzuimpercentage 6 * 3 days * 36 h / (20 * 31 days * 36 h) = 18 / 620 = 2.90 %
    #   meldingsfrequentie 6 new / 20 heads * 365 / 31 = 3.53 per year
    assert close(rows["januari 2024"]["verzuimpercentage"], Decimal(18) / 620 * 100)
    assert close(rows["januari 2024"]["meldingsfrequentie"], Decimal(6) / 20 * 365 / 31)
    # February and March: their count is hidden, so their rates are too (R19).
    assert rows["februari 2024"]["verzuimpercentage"] is None
    assert rows["maart 2024"]["meldingsfrequentie"] is None
    # The whole quarter (91 days): (18 + 4 + 15) / (20 * 91) = 37 / 1820 = 2.03 %;
    #   13 new / 20 heads * 365 / 91 = 2.61 per year -- the rates section's total row.
    assert close(rows["Organisatie totaal"]["verzuimpercentage"], Decimal(37) / 1820 * 100)
    assert close(rows["Organisatie totaal"]["meldingsfrequentie"], Decimal(13) / 20 * 365 / 91)
    rates_total = values(report.section("rates"))["Organisatie totaal"]
    assert rates_total["verzuimpercentage"] == rows["Organisatie totaal"]["verzuimpercentage"]
    assert trend.note


def test_r19_trend_long_term_files_at_each_month_end_and_the_last_linked_to_the_total():
    org = OrganisationFactory()
    zorg = DepartmentFactory(organisation=org, name="Zorg")
    people = staff(org, zorg, 20)
    spells(people[0:3], D(2023, 11, 1), None)  # open all along
    spells(people[3:5], D(2023, 11, 1), D(2024, 2, 15))
    spells(people[5:6], D(2023, 11, 1), D(2024, 3, 20))

    report = build_report(user_with(org, Role.HR), org, D(2024, 1, 1), D(2024, 3, 31))
    rows = values(report.section("trend"))
    # Open > 42 days at the end of January: all 6; February: 6 - 2 = 4; March: 3.
    # 4 and 3 are below 5: hidden. March's value *is* the period's long-term
    # files (3), which the counts section hides as well.
    assert rows["januari 2024"]["long_term_files"] == 6
    assert rows["februari 2024"]["long_term_files"] is None
    assert rows["maart 2024"]["long_term_files"] is None
    counts = report.section("counts")
    assert counts.total_row.value("long_term_files", counts.columns) is None
    assert rows["Organisatie totaal"]["long_term_files"] is None
    assert report.any_suppressed


def test_granularity_quarter_and_auto_for_long_periods():
    org = OrganisationFactory()
    staff(org, DepartmentFactory(organisation=org), 12)
    user = user_with(org, Role.HR)
    quarterly = build_report(user, org, D(2024, 1, 1), D(2024, 12, 31), granularity="quarter")
    assert [r.label for r in quarterly.section("trend").body_rows] == [
        "K1 2024",
        "K2 2024",
        "K3 2024",
        "K4 2024",
    ]
    # 14 calendar months: auto chooses quarters, the first and last cut to the period.
    auto = build_report(user, org, D(2024, 2, 15), D(2025, 3, 10))
    assert auto.granularity == "quarter"
    labels = [r.label for r in auto.section("trend").body_rows]
    assert labels == ["K1 2024", "K2 2024", "K3 2024", "K4 2024", "K1 2025"]
    assert build_report(user, org, D(2024, 1, 1), D(2025, 1, 31)).granularity == "month"


# --- comparison ------------------------------------------------------------------


@pytest.fixture
def three_departments():
    """A 20 (12 % absence), B 15 (5 spells), C 12 (2 spells: suppressed), June 2024."""
    org = OrganisationFactory()
    depts = {name: DepartmentFactory(organisation=org, name=name) for name in ("A", "B", "C")}
    a, b, c = staff(org, depts["A"], 20), staff(org, depts["B"], 15), staff(org, depts["C"], 12)
    spells(a[0:6], D(2024, 6, 1), D(2024, 6, 10))  # 6 x 10 days: middellang
    spells(a[6:12], D(2024, 6, 20), D(2024, 6, 21))  # 6 x 2 days: kort
    spells(b[0:5], D(2024, 6, 3), D(2024, 6, 5))  # 5 x 3 days: kort
    spells(c[0:2], D(2024, 6, 3), D(2024, 6, 5))  # 2 x 3 days: kort
    org.depts = depts
    return org


JUNE = (D(2024, 6, 1), D(2024, 6, 30))


def test_r18_comparison_against_the_organisation_and_the_other_departments(three_departments):
    org = three_departments
    report = build_report(user_with(org, Role.ARBEIDSDESKUNDIGE), org, *JUNE)
    counts = values(report.section("counts"))
    # C's 2 new / 2 kort are suppressed; complementary: B's 5 and 5 as well
    # (the smallest other cells of those columns).
    assert counts["C"]["new_spells"] is None and counts["B"]["new_spells"] is None
    assert counts["B"]["kort"] is None and counts["A"]["kort"] == 6
    rows = values(report.section("comparison"))
    # A: (6 * 10 + 6 * 2) days * 36 h / (20 * 30 * 36) = 72 / 600 = 12 %.
    assert close(rows["A"]["verzuimpercentage"], 12)
    # Organisation: (72 + 5 * 3 + 2 * 3) / (47 * 30) = 93 / 1410 = 6.5957 %.
    assert close(rows["Organisatie totaal"]["verzuimpercentage"], Decimal(93) / 1410 * 100)
    # Difference 12 - 6.5957 = 5.40 percentage points, rounded to 5.4.
    assert rows["A"]["difference"] == Decimal("5.4")
    assert rows["A"]["rank"] == 1
    # kort : longer = 6 : (6 + 0 + 0) = 1.00.
    assert rows["A"]["ratio"] == Decimal("1.00")
    # B and C have hidden counts: no percentage, difference, rank or ratio.
    for name in ("B", "C"):
        assert rows[name] == {"verzuimpercentage": None, "difference": None, "rank": None, "ratio": None}
    # The total: kort 13 : longer 6 = 2.17 (every total cell is shown).
    assert rows["Organisatie totaal"]["ratio"] == Decimal("2.17")
    assert report.section("comparison").total_row.kind == "total"


def test_r18_comparison_ranks_and_ratio_without_longer_spells():
    org = OrganisationFactory()
    a_dept, b_dept = (
        DepartmentFactory(organisation=org, name="A"),
        DepartmentFactory(organisation=org, name="B"),
    )
    a, b = staff(org, a_dept, 20), staff(org, b_dept, 15)
    spells(a[0:6], D(2024, 6, 1), D(2024, 6, 10))
    spells(a[6:12], D(2024, 6, 20), D(2024, 6, 21))
    spells(b[0:5], D(2024, 6, 3), D(2024, 6, 5))
    rows = values(build_report(user_with(org, Role.HR), org, *JUNE).section("comparison"))
    # B: 15 / (15 * 30) = 3.33 %; organisation (72 + 15) / (35 * 30) = 87 / 1050 = 8.29 %.
    assert close(rows["B"]["verzuimpercentage"], Decimal(100) / 30)
    assert rows["A"]["difference"] == Decimal("3.7")  # 12 - 8.2857 = 3.71
    assert rows["B"]["difference"] == Decimal("-5.0")  # 3.3333 - 8.2857 = -4.95
    assert (rows["A"]["rank"], rows["B"]["rank"]) == (1, 2)
    # B has 5 kort and no longer spells: no ratio (not a division by zero).
    assert rows["B"]["ratio"] is None


def test_r19_manager_sees_the_organisation_only_when_the_rest_passes_the_rate_rule(three_departments):
    org = three_departments
    manager = user_with(org, Role.LEIDINGGEVENDE)
    services.make_department_manager(actor=None, department=org.depts["A"], manager=manager)
    rows = values(build_report(manager, org, *JUNE).section("comparison"))
    # The rest (B + C: 27 employees, 7 absent) may be shown, so the organisation may.
    assert close(rows["Organisatie totaal"]["verzuimpercentage"], Decimal(93) / 1410 * 100)
    assert rows["A"]["difference"] == Decimal("5.4")
    assert "B" not in rows and "C" not in rows

    # Without B, the rest is C alone: 12 employees of whom 2 absent. The
    # organisation's percentage and A's would give C's (R19): not shown.
    for employee in org.depts["B"].employees.all():
        employee.absence_cases.all().delete()
        employee.delete()
    rows = values(build_report(manager, org, *JUNE).section("comparison"))
    assert rows["Organisatie totaal"]["verzuimpercentage"] is None
    assert rows["A"]["difference"] is None
    assert close(rows["A"]["verzuimpercentage"], 12)


# --- stricter rates (R19) -------------------------------------------------------------


def test_r19_rates_hidden_for_few_absent_and_for_rows_with_hidden_counts(three_departments):
    org = three_departments
    rates = values(build_report(user_with(org, Role.HR), org, *JUNE).section("rates"))
    # C (12 employees) has 2 absent: its verzuimpercentage would describe them.
    assert all(v is None for v in rates["C"].values())
    # B has 5 absent, but its counts are hidden in the same row: no rates either.
    assert all(v is None for v in rates["B"].values())
    # A: 12 absent of 20 (8 present), 12 ended spells: everything shown.
    assert close(rates["A"]["verzuimpercentage"], 12)
    assert close(rates["A"]["nulverzuim"], 40)  # 8 / 20
    assert rates["A"]["gemiddelde_verzuimduur"] == 6  # (6 * 10 + 6 * 2) / 12


def test_r19_verzuimpercentage_hidden_when_fewer_than_min_count_absent():
    org = OrganisationFactory()
    dept = DepartmentFactory(organisation=org, name="Groot")
    people = staff(org, dept, 30)
    # Two spells from 25 May, still open on 30 June (37 days): not new in June,
    # not ended, not long-term -- every count of the row is 0 and shown.
    spells(people[0:2], D(2024, 5, 25), None)
    report = build_report(user_with(org, Role.HR), org, *JUNE)
    counts = values(report.section("counts"))["Groot"]
    assert all(counts[k] == 0 for k in counts if k != "size")
    rates = values(report.section("rates"))["Groot"]
    # 2 absent (< 5): 2 * 30 / (30 * 30) = 6.67 % would describe those two (R19).
    assert rates["verzuimpercentage"] is None
    assert rates["nulverzuim"] is None  # 28 of 30: reveals the 2 as well
    assert rates["meldingsfrequentie"] == 0  # no new spells: nothing to reveal
    # With 5 of them absent, the percentage is shown: 5 * 30 / 900 = 16.67 %.
    spells(people[2:5], D(2024, 5, 25), None)
    rates = values(build_report(user_with(org, Role.HR), org, *JUNE).section("rates"))["Groot"]
    assert close(rates["verzuimpercentage"], Decimal(150) / 900 * 100)


# --- causes (R17) -----------------------------------------------------------------


def sro(org, user, day, items, status=Meeting.Status.CLOSED):
    meeting = Meeting.objects.create(
        organisation=org,
        meeting_type=MeetingType.SRO,
        title="SRO",
        starts_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))),
        created_by=user,
        status=status,
    )
    for case, factors in items:
        AgendaItem.objects.create(meeting=meeting, kind="casus", case=case, sro_factors=factors)
    return meeting


WERKDRUK = "werkdruk/inspraak/arbo"
MANAGEMENT = "management/stijl van leidinggeven"
COPING = "coping en persoonlijke stabiliteit"


def test_r17_causes_count_long_term_files_per_factor_once_each():
    org = OrganisationFactory(statistics_min_count=3, statistics_group_threshold=10)
    dept = DepartmentFactory(organisation=org, name="Zorg")
    people = staff(org, dept, 20)
    user = user_with(org, Role.ARBEIDSDESKUNDIGE)
    # Five long-term files (open since 1 April: 91 days on 30 June), one short spell.
    files = [AbsenceCaseFactory(employee=p, first_day=D(2024, 4, 1)) for p in people[:5]]
    short = AbsenceCaseFactory(employee=people[5], first_day=D(2024, 6, 20))
    sro(
        org,
        user,
        D(2024, 5, 6),
        [(files[0], [WERKDRUK, MANAGEMENT]), (files[1], [WERKDRUK]), (files[2], [WERKDRUK])],
    )
    sro(org, user, D(2024, 6, 3), [(files[1], [COPING]), (files[2], [WERKDRUK]), (short, [WERKDRUK])])
    sro(org, user, D(2024, 6, 10), [(files[4], [MANAGEMENT])], status=Meeting.Status.CANCELLED)
    sro(org, user, D(2024, 7, 1), [(files[3], ["ziektegedrag"])])  # after the period

    section = build_report(user, org, *JUNE).section("causes")
    rows = values(section)
    by_factor = {label.split(" (")[0]: v["files"] for label, v in rows.items()}
    # werkdruk: files 0, 1, 2 (file 2 twice, counted once; the short spell is no file) = 3.
    assert by_factor[WERKDRUK] == 3
    # management: file 0 only (file 4's meeting was cancelled) = 1 < 3: hidden;
    # coping: file 1 = 1: hidden; ziektegedrag: tagged after the period: 0.
    assert by_factor[MANAGEMENT] is None and by_factor[COPING] is None
    assert by_factor["ziektegedrag"] == 0
    assert f"{WERKDRUK} (belasting)" in rows and f"{COPING} (belastbaarheid)" in rows
    # Files with any factor: 0, 1, 2 = 3, but a factor is hidden, so the total is too.
    assert section.total_row.values == [None]
    assert "niet op tot het totaal" in str(section.note)
    assert section.chart.kind == "bar"


def test_r17_causes_total_shown_when_no_factor_is_hidden():
    org = OrganisationFactory(statistics_min_count=3, statistics_group_threshold=10)
    people = staff(org, DepartmentFactory(organisation=org), 20)
    user = user_with(org, Role.HR)
    files = [AbsenceCaseFactory(employee=p, first_day=D(2024, 4, 1)) for p in people[:4]]
    sro(org, user, D(2024, 6, 3), [(f, [WERKDRUK, MANAGEMENT]) for f in files[:3]] + [(files[3], [WERKDRUK])])
    section = build_report(user, org, *JUNE).section("causes")
    by_factor = {r.label.split(" (")[0]: r.values[0] for r in section.body_rows}
    assert by_factor[WERKDRUK] == 4 and by_factor[MANAGEMENT] == 3
    # 4 + 3 = 7 tags, but 4 files: the categories overlap.
    assert section.total_row.values == [4]


def test_r17_causes_only_for_the_managers_own_departments(three_departments):
    org = three_departments
    manager = user_with(org, Role.LEIDINGGEVENDE)
    services.make_department_manager(actor=None, department=org.depts["B"], manager=manager)
    user = user_with(org, Role.HR)
    in_a = [
        AbsenceCaseFactory(employee=e, first_day=D(2024, 3, 1)) for e in org.depts["A"].employees.all()[15:20]
    ]
    sro(org, user, D(2024, 6, 3), [(f, [WERKDRUK]) for f in in_a])
    assert values(build_report(user, org, *JUNE).section("causes"))[f"{WERKDRUK} (belasting)"]["files"] == 5
    assert (
        values(build_report(manager, org, *JUNE).section("causes"))[f"{WERKDRUK} (belasting)"]["files"] == 0
    )


# --- queries ----------------------------------------------------------------------


def test_report_costs_a_constant_number_of_queries(three_departments, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    org = three_departments
    user = user_with(org, Role.ARBEIDSDESKUNDIGE)
    build_report(user, org, D(2023, 1, 1), D(2023, 12, 31))  # warm up the user's roles cache
    with CaptureQueriesContext(connection) as small:
        build_report(user, org, D(2024, 1, 1), D(2024, 12, 31))
    # The department tree, the user's scope, the causes, and three for the figures.
    assert len(small.captured_queries) <= 6
    extra = DepartmentFactory(organisation=org, name="D", parent=org.depts["A"])
    people = staff(org, extra, 25)
    spells(people[:20], D(2024, 2, 1), D(2024, 2, 20))
    sro(org, user, D(2024, 6, 3), [])
    # More employees, spells, departments, and five times as many sub-periods.
    with django_assert_num_queries(len(small.captured_queries)):
        build_report(user, org, D(2020, 1, 1), D(2024, 12, 31))
    # The same report again (page, presentation, PDF, CSV): the figures'
    # queries are saved (reporting.stats_cache).
    with django_assert_num_queries(len(small.captured_queries) - 3):
        build_report(user, org, D(2020, 1, 1), D(2024, 12, 31))
