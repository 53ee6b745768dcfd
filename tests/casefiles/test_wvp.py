"""R20: the WVP timeline, worked out by hand for known dates.

Convention (casefiles/wvp.py): the first day of absence is day 0 of week 1,
so week N runs from day 7(N-1) to day 7N-1, and "by week N" means by the
last day of week N. The worked example starts on Monday 5 January 2026, so
every week runs Monday to Sunday.
"""

from __future__ import annotations

import datetime

import pytest

from casefiles import selectors, wvp
from casefiles.wvp import Facts, Status, Step
from tests.factories import AbsenceCaseFactory

D = datetime.date
FIRST_DAY = D(2026, 1, 5)  # a Monday


def due_dates(facts: Facts, today: D = FIRST_DAY) -> dict[Step, D]:
    return {m.step: m.due for m in wvp.milestones(facts, today)}


def test_first_day_of_the_worked_example_is_a_monday():
    assert FIRST_DAY.weekday() == 0


def test_R20_week_arithmetic():
    # Week 1 is days 0-6: Monday 5 to Sunday 11 January.
    assert wvp.start_of_week(FIRST_DAY, 1) == FIRST_DAY
    assert wvp.end_of_week(FIRST_DAY, 1) == D(2026, 1, 11)
    # Week 2 starts the Monday after.
    assert wvp.start_of_week(FIRST_DAY, 2) == D(2026, 1, 12)


def test_R20_worked_example_due_dates():
    due = due_dates(Facts(first_day=FIRST_DAY))
    # Probleemanalyse by the end of week 6: day 6*7-1 = 41.
    # 5 Jan + 26 days = 31 Jan; + 15 more = 15 Feb 2026 (a Sunday).
    assert FIRST_DAY + datetime.timedelta(days=41) == D(2026, 2, 15)
    assert due[Step.PROBLEM_ANALYSIS] == D(2026, 2, 15)
    # Plan van aanpak by the end of week 8: day 55. 5 Jan + 55 = 1 Mar 2026
    # (Jan 26 days to the 31st, then 28 days of February, then 1 March).
    assert due[Step.PLAN] == D(2026, 3, 1)
    # Ziekmelding UWV at the start of week 42: day 41*7 = 287. Day-of-year
    # 5 + 287 = 292; Jan-Sep 2026 have 273 days, so 19 October (a Monday).
    assert due[Step.UWV_REPORT] == D(2026, 10, 19)
    assert due[Step.UWV_REPORT].weekday() == 0
    # Eerstejaarsevaluatie by the end of week 52: day 363, i.e. one day short
    # of 52 whole weeks: 5 Jan 2026 + 364 = 4 Jan 2027, minus one = 3 Jan 2027.
    assert due[Step.FIRST_YEAR] == D(2027, 1, 3)
    # Re-integratieverslag and WIA application "by week 91" (DOMAIN.md R20):
    # the end of week 91 is day 636; day-of-year 5 + 636 = 641, minus 365 for
    # 2026 = day 276 of 2027 = 3 October 2027. (26 September 2027 is the end
    # of week 90, a week earlier.)
    assert due[Step.WIA] == D(2027, 10, 3)
    assert due[Step.WIA] - datetime.timedelta(weeks=1) == D(2027, 9, 26)
    # End of wage payment after 104 weeks: day 727 = 104 whole weeks minus a
    # day; 5 Jan 2026 + 728 days = 3 Jan 2028 (2026, 2027 both 365 days), so
    # the last day is 2 January 2028.
    assert due[Step.END_OF_WAGE_PAYMENT] == D(2028, 1, 2)
    assert FIRST_DAY + datetime.timedelta(weeks=104) - datetime.timedelta(days=1) == D(2028, 1, 2)


def test_R20_plan_due_two_weeks_after_an_early_problem_analysis():
    # Analysis on 20 January: the plan is due 14 days later, 3 February,
    # well before the end of week 8 (1 March).
    due = due_dates(Facts(first_day=FIRST_DAY, problem_analysis_on=D(2026, 1, 20)))
    assert due[Step.PLAN] == D(2026, 2, 3)


def test_R20_a_late_problem_analysis_does_not_move_the_plan_beyond_week_8():
    due = due_dates(Facts(first_day=FIRST_DAY, problem_analysis_on=D(2026, 2, 25)))
    assert due[Step.PLAN] == D(2026, 3, 1)


def test_R20_no_evaluation_milestone_before_there_is_a_plan():
    assert Step.EVALUATION not in due_dates(Facts(first_day=FIRST_DAY))


def test_R20_evaluation_six_weeks_after_the_plan():
    # Plan on Monday 23 February: 6 weeks = 42 days later, Monday 6 April.
    due = due_dates(Facts(first_day=FIRST_DAY, plan_on=D(2026, 2, 23)))
    assert due[Step.EVALUATION] == D(2026, 4, 6)


def test_R20_evaluation_six_weeks_after_the_last_evaluation():
    # Last evaluation on 6 April: next one by 18 May (6 April + 42 days:
    # 24 days to 30 April, 18 more into May).
    due = due_dates(Facts(first_day=FIRST_DAY, plan_on=D(2026, 2, 23), last_evaluation_on=D(2026, 4, 6)))
    assert due[Step.EVALUATION] == D(2026, 5, 18)


def status_of(facts: Facts, step: Step, today: D) -> Status:
    return next(m.status for m in wvp.milestones(facts, today) if m.step == step)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 1, 20), Status.UPCOMING),  # 26 days before the due date
        (D(2026, 2, 1), Status.DUE),  # exactly 14 days before: "binnenkort"
        (D(2026, 1, 31), Status.UPCOMING),  # 15 days before
        (D(2026, 2, 15), Status.DUE),  # on the due date itself
        (D(2026, 2, 16), Status.OVERDUE),  # the day after
    ],
)
def test_R20_statuses_around_the_due_date(today, expected):
    assert status_of(Facts(first_day=FIRST_DAY), Step.PROBLEM_ANALYSIS, today) == expected


def test_R20_a_step_done_is_done_even_when_it_was_late():
    facts = Facts(first_day=FIRST_DAY, problem_analysis_on=D(2026, 3, 1))
    milestone = next(m for m in wvp.milestones(facts, D(2026, 6, 1)) if m.step == Step.PROBLEM_ANALYSIS)
    assert milestone.status == Status.DONE
    assert milestone.done_on == D(2026, 3, 1)


def test_R20_milestones_are_in_date_order():
    dues = [m.due for m in wvp.milestones(Facts(first_day=FIRST_DAY, plan_on=D(2026, 2, 23)), FIRST_DAY)]
    assert dues == sorted(dues)


def test_R20_next_milestone_is_the_earliest_open_one():
    facts = Facts(first_day=FIRST_DAY)
    assert wvp.next_milestone(facts, D(2026, 1, 20)).step == Step.PROBLEM_ANALYSIS
    # Overdue analysis still comes first, before the plan.
    later = wvp.next_milestone(facts, D(2026, 2, 20))
    assert (later.step, later.status) == (Step.PROBLEM_ANALYSIS, Status.OVERDUE)


def test_R20_next_milestone_skips_what_was_done():
    facts = Facts(first_day=FIRST_DAY, problem_analysis_on=D(2026, 2, 10))
    nxt = wvp.next_milestone(facts, D(2026, 2, 11))
    # Plan due 14 days after the analysis: 24 February.
    assert (nxt.step, nxt.due, nxt.status) == (Step.PLAN, D(2026, 2, 24), Status.DUE)


def test_R20_after_the_plan_the_next_is_its_evaluation():
    facts = Facts(first_day=FIRST_DAY, problem_analysis_on=D(2026, 2, 10), plan_on=D(2026, 2, 23))
    nxt = wvp.next_milestone(facts, D(2026, 3, 1))
    assert (nxt.step, nxt.due) == (Step.EVALUATION, D(2026, 4, 6))


def test_R20_late_in_the_case_the_uwv_report_is_next():
    facts = Facts(
        first_day=FIRST_DAY,
        problem_analysis_on=D(2026, 2, 10),
        plan_on=D(2026, 2, 23),
        last_evaluation_on=D(2026, 9, 28),
    )
    # The evaluation (9 Nov) comes after the UWV report (19 Oct).
    nxt = wvp.next_milestone(facts, D(2026, 10, 1))
    assert (nxt.step, nxt.due, nxt.status) == (Step.UWV_REPORT, D(2026, 10, 19), Status.UPCOMING)


@pytest.mark.django_db
def test_R20_facts_from_an_annotated_case_need_no_queries(django_assert_num_queries):
    from casefiles.models import AbsenceCase, PlanEvaluation, PlanVanAanpak

    case = AbsenceCaseFactory(first_day=FIRST_DAY, problem_analysis_on=D(2026, 2, 10))
    plan = PlanVanAanpak.objects.create(case=case, drawn_up_on=D(2026, 2, 23), goal="Terug in eigen werk")
    PlanEvaluation.objects.create(plan=plan, date=D(2026, 4, 1), summary="Loopt volgens plan")
    PlanEvaluation.objects.create(plan=plan, date=D(2026, 5, 10), summary="Uren uitgebreid")
    annotated = selectors.cases_with_wvp_facts(AbsenceCase.objects.filter(pk=case.pk)).get()
    with django_assert_num_queries(0):
        facts = wvp.facts_of(annotated)
    assert facts == Facts(
        first_day=FIRST_DAY,
        problem_analysis_on=D(2026, 2, 10),
        plan_on=D(2026, 2, 23),
        last_evaluation_on=D(2026, 5, 10),
    )
    # The plain case (queries) gives the same facts.
    assert wvp.facts_of(AbsenceCase.objects.get(pk=case.pk)) == facts


def test_R20_uwv_report_moves_to_the_first_working_day_of_week_42():
    # First day Wednesday 2026-01-07: week 42 starts on day 287 = Wednesday
    # 2026-10-21, a working day. First day Saturday 2026-01-10: week 42 starts
    # on Saturday 2026-10-24, so the report is due Monday 2026-10-26.
    def uwv_due(first):
        return {m.step: m.due for m in wvp.milestones(Facts(first_day=first), first)}[Step.UWV_REPORT]

    assert uwv_due(D(2026, 1, 7)) == D(2026, 10, 21)
    assert uwv_due(D(2026, 1, 10)) == D(2026, 10, 26)
    assert uwv_due(D(2026, 1, 11)) == D(2026, 10, 26)  # a Sunday start: Sunday + 287 days
