"""R20: the Wet Verbetering Poortwachter timeline of an absence case.

Pure functions of the first day of absence and the dates of the steps taken,
so a list of thousands of cases computes "next milestone" from annotated rows
without a query per row (see casefiles.selectors.cases_with_wvp_facts).

Week N of absence runs from day 7(N-1) to day 7N-1 after the first day
(the first day is day 0 of week 1). Deadlines, from the WVP and UWV practice:

- probleemanalyse by the bedrijfsarts: by the end of week 6;
- plan van aanpak: by the end of week 8, and at most 2 weeks after the
  probleemanalyse when that came earlier;
- evaluations of the plan: at least every 6 weeks after the plan or the last
  evaluation;
- ziekmelding UWV (42e-weeksmelding): on the first working day of week 42;
- eerstejaarsevaluatie: by the end of week 52;
- re-integratieverslag and WIA application: by the end of week 91 (UWV sends
  the form around week 87);
- end of wage payment (loondoorbetaling): at the end of week 104.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

SOON_DAYS = 14  # a milestone within this many days is "due"


def end_of_week(first_day: datetime.date, week: int) -> datetime.date:
    return first_day + datetime.timedelta(days=7 * week - 1)


def start_of_week(first_day: datetime.date, week: int) -> datetime.date:
    return first_day + datetime.timedelta(days=7 * (week - 1))


def first_working_day(day: datetime.date) -> datetime.date:
    """The day itself, or the Monday after when it falls in a weekend."""
    return day + datetime.timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


class Step(StrEnum):
    PROBLEM_ANALYSIS = "probleemanalyse"
    PLAN = "plan_van_aanpak"
    EVALUATION = "evaluatie"
    UWV_REPORT = "ziekmelding_uwv"
    FIRST_YEAR = "eerstejaarsevaluatie"
    WIA = "wia_aanvraag"
    END_OF_WAGE_PAYMENT = "einde_loondoorbetaling"


STEP_LABELS = {
    Step.PROBLEM_ANALYSIS: _("Probleemanalyse bedrijfsarts"),
    Step.PLAN: _("Plan van aanpak"),
    Step.EVALUATION: _("Evaluatie plan van aanpak"),
    Step.UWV_REPORT: _("Ziekmelding UWV (42e week)"),
    Step.FIRST_YEAR: _("Eerstejaarsevaluatie"),
    Step.WIA: _("Re-integratieverslag en WIA-aanvraag"),
    Step.END_OF_WAGE_PAYMENT: _("Einde loondoorbetaling"),
}


class Status(StrEnum):
    DONE = "done"
    OVERDUE = "overdue"
    DUE = "due"
    UPCOMING = "upcoming"


STATUS_LABELS = {
    Status.DONE: _("gedaan"),
    Status.OVERDUE: _("te laat"),
    Status.DUE: _("binnenkort"),
    Status.UPCOMING: _("gepland"),
}


@dataclass(frozen=True)
class Facts:
    """What happened in a case, as dates (None: not yet)."""

    first_day: datetime.date
    problem_analysis_on: datetime.date | None = None
    plan_on: datetime.date | None = None
    last_evaluation_on: datetime.date | None = None
    uwv_reported_on: datetime.date | None = None
    first_year_evaluation_on: datetime.date | None = None
    wia_applied_on: datetime.date | None = None


@dataclass(frozen=True)
class Milestone:
    step: Step
    due: datetime.date
    done_on: datetime.date | None
    status: Status

    @property
    def label(self) -> str:
        return STEP_LABELS[self.step]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _status(due: datetime.date, done_on: datetime.date | None, today: datetime.date) -> Status:
    if done_on is not None:
        return Status.DONE
    if today > due:
        return Status.OVERDUE
    if (due - today).days <= SOON_DAYS:
        return Status.DUE
    return Status.UPCOMING


def milestones(facts: Facts, today: datetime.date) -> list[Milestone]:
    """All WVP milestones of an open case, in date order."""
    first = facts.first_day
    plan_due = end_of_week(first, 8)
    if facts.problem_analysis_on is not None:
        plan_due = min(plan_due, facts.problem_analysis_on + datetime.timedelta(days=14))
    rows = [
        (Step.PROBLEM_ANALYSIS, end_of_week(first, 6), facts.problem_analysis_on),
        (Step.PLAN, plan_due, facts.plan_on),
    ]
    if facts.plan_on is not None:
        # The next evaluation is open until held; it is never "done".
        since = max(d for d in (facts.plan_on, facts.last_evaluation_on) if d is not None)
        rows.append((Step.EVALUATION, since + datetime.timedelta(weeks=6), None))
    rows += [
        (Step.UWV_REPORT, first_working_day(start_of_week(first, 42)), facts.uwv_reported_on),
        (Step.FIRST_YEAR, end_of_week(first, 52), facts.first_year_evaluation_on),
        (Step.WIA, end_of_week(first, 91), facts.wia_applied_on),
        (Step.END_OF_WAGE_PAYMENT, end_of_week(first, 104), None),
    ]
    result = [Milestone(step, due, done, _status(due, done, today)) for step, due, done in rows]
    return sorted(result, key=lambda m: m.due)


def next_milestone(facts: Facts, today: datetime.date) -> Milestone | None:
    """The first milestone not yet done (overdue ones first, by due date)."""
    open_ones = [m for m in milestones(facts, today) if m.status != Status.DONE]
    return open_ones[0] if open_ones else None


def facts_of(case) -> Facts:
    """Facts from a case annotated by selectors.cases_with_wvp_facts (or a
    plain case, at the cost of queries for the plan)."""
    plan_on = getattr(case, "plan_on", None)
    last_evaluation_on = getattr(case, "last_evaluation_on", None)
    if not hasattr(case, "plan_on"):
        plan = getattr(case, "plan", None) if _has_plan(case) else None
        plan_on = plan.drawn_up_on if plan else None
        last = plan.evaluations.order_by("-date").first() if plan else None
        last_evaluation_on = last.date if last else None
    return Facts(
        first_day=case.first_day,
        problem_analysis_on=case.problem_analysis_on,
        plan_on=plan_on,
        last_evaluation_on=last_evaluation_on,
        uwv_reported_on=case.uwv_reported_on,
        first_year_evaluation_on=case.first_year_evaluation_on,
        wia_applied_on=case.wia_applied_on,
    )


def _has_plan(case) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        case.plan  # noqa: B018
    except ObjectDoesNotExist:
        return False
    return True
