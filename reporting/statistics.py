"""Absence figures (R18) with the standard Dutch definitions, per organisation
and per department (a department includes all its sub-departments).

All figures are for a period ``[start, end]`` (both days included; ``P`` is the
number of calendar days in it). An employee belongs to the group of their
current department; an employee counts for the days of their employment that
fall in the period (``employment_start``..``employment_end``, open = still
employed).

verzuimpercentage
    ``Σ_e Σ_d pct(e, d)/100 * hours(e)  /  Σ_e D(e) * hours(e)  * 100``

    where ``d`` runs over the calendar days in the period, within employment,
    on which employee ``e`` is absent; ``pct(e, d)`` is the absence percentage
    valid on day ``d`` (the latest ``AbsencePercentage.valid_from`` on or
    before ``d``; 100 when the case has none yet); ``hours(e)`` the contract
    hours (the weight for contract size) and ``D(e)`` the available days: the
    calendar days of employment within the period. Calendar days, not
    working days, as in the Verzuimregistratie standard.

meldingsfrequentie
    ``N_new / H * 365 / P`` — ``N_new`` spells with their first day in the
    period, ``H`` the average headcount ``Σ_e D(e) / P``; annualised so that
    a month and a year are comparable.

gemiddelde verzuimduur
    ``Σ (end_date - first_day + 1) / N_ended`` over the spells whose
    ``end_date`` (hersteldatum) lies in the period; whole spell duration, also
    the part before the period. ``None`` when no spell ended.

nulverzuim
    ``employees with no spell overlapping the period within their employment
    / employees employed at some day of the period * 100``.

duration classes
    The spells ended in the period (as for the mean duration) by their total
    duration in calendar days: kort 1-7, middellang 8-42, lang 43-365,
    extra lang > 365. Open spells are not classified (their duration is not
    known yet); they show up as long-term files.

long-term files (langdurig verzuim)
    Spells open at the end of the period (``first_day <= end`` and no
    ``end_date`` or ``end_date > end``) that have lasted more than 42 days on
    the end day: ``end - first_day + 1 > 42``.

Queries: a constant number (five) whatever the number of employees, spells
or departments. Counts and sums of spells (new, ended, duration sum, classes,
long-term files) are aggregated in the database per department; the
day-weighted verzuimpercentage and the headcounts are summed in Python over
the rows of one query each, because the overlap of percentage periods with
employment and the period needs date arithmetic that differs per database.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field, fields
from decimal import Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum

from casefiles.models import AbsenceCase, AbsencePercentage, Department, Employee, Organisation

ONE_DAY = datetime.timedelta(days=1)
# Duration classes: name, lowest and highest total duration in days (None = no bound).
DURATION_CLASSES = (
    ("kort", 1, 7),
    ("middellang", 8, 42),
    ("lang", 43, 365),
    ("extra_lang", 366, None),
)
LONG_TERM_DAYS = 42


@dataclass
class Totals:
    """Additive components of the figures; a group's totals are the sum of its members'."""

    available_weighted: Decimal = Decimal(0)  # Σ D(e) * hours(e)
    absent_weighted: Decimal = Decimal(0)  # Σ absent days * pct/100 * hours(e)
    employment_days: int = 0  # Σ D(e)
    employees: int = 0
    employees_absent: int = 0
    new_spells: int = 0
    ended_spells: int = 0
    ended_duration_days: int = 0
    kort: int = 0
    middellang: int = 0
    lang: int = 0
    extra_lang: int = 0
    long_term_files: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


@dataclass
class Figures:
    start: datetime.date
    end: datetime.date
    totals: Totals = field(default_factory=Totals)

    @property
    def period_days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def verzuimpercentage(self) -> Decimal | None:
        t = self.totals
        if not t.available_weighted:
            return None
        return t.absent_weighted / t.available_weighted * 100

    @property
    def average_headcount(self) -> Decimal:
        return Decimal(self.totals.employment_days) / self.period_days

    @property
    def meldingsfrequentie(self) -> Decimal | None:
        if not self.totals.employment_days:
            return None
        return Decimal(self.totals.new_spells) / self.average_headcount * 365 / self.period_days

    @property
    def gemiddelde_verzuimduur(self) -> Decimal | None:
        if not self.totals.ended_spells:
            return None
        return Decimal(self.totals.ended_duration_days) / self.totals.ended_spells

    @property
    def nulverzuim(self) -> Decimal | None:
        t = self.totals
        if not t.employees:
            return None
        return Decimal(t.employees - t.employees_absent) / t.employees * 100

    @property
    def duration_classes(self) -> dict[str, int]:
        return {name: getattr(self.totals, name) for name, _low, _high in DURATION_CLASSES}

    @property
    def long_term_files(self) -> int:
        return self.totals.long_term_files


def _overlap(a_start, a_end, b_start, b_end) -> int:
    """Days in both [a_start, a_end] and [b_start, b_end] (None = open end)."""
    first = max(a_start, b_start)
    last = min(d for d in (a_end, b_end) if d is not None) if (a_end or b_end) else None
    if last is None:
        raise ValueError("at least one interval must be closed")
    return max(0, (last - first).days + 1)


def _duration(low: int, high: int | None) -> Q:
    """Spells whose total duration (end_date - first_day + 1) is in [low, high]."""
    q = Q(duration__gte=datetime.timedelta(days=low - 1))
    if high is not None:
        q &= Q(duration__lte=datetime.timedelta(days=high - 1))
    return q


def _own_totals(organisation: Organisation, start: datetime.date, end: datetime.date) -> dict[int, Totals]:
    """Totals per department of the department's own employees (no sub-departments)."""
    own: dict[int, Totals] = defaultdict(Totals)
    employed = Q(employment_start__lte=end) & (Q(employment_end__isnull=True) | Q(employment_end__gte=start))

    # Query 1: the employees employed in the period.
    employees = {
        row["pk"]: row
        for row in Employee.objects.filter(employed, organisation=organisation).values(
            "pk", "department_id", "contract_hours", "employment_start", "employment_end"
        )
    }
    for row in employees.values():
        days = _overlap(row["employment_start"], row["employment_end"], start, end)
        t = own[row["department_id"]]
        t.employees += 1
        t.employment_days += days
        t.available_weighted += days * row["contract_hours"]

    # Queries 2 and 3: the spells overlapping the period, and their percentages.
    overlapping = AbsenceCase.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start),
        employee__organisation=organisation,
        first_day__lte=end,
    )
    cases = list(overlapping.values("pk", "employee_id", "first_day", "end_date"))
    percentages: dict[int, list[tuple[datetime.date, int]]] = defaultdict(list)
    for row in (
        AbsencePercentage.objects.filter(case__in=overlapping)
        .order_by("case_id", "valid_from")
        .values_list("case_id", "valid_from", "percentage")
    ):
        percentages[row[0]].append((row[1], row[2]))

    absent_employees: set[int] = set()
    for case in cases:
        employee = employees.get(case["employee_id"])
        if employee is None:  # not employed in the period
            continue
        # The days that count: the spell within the period and the employment.
        lo = max(case["first_day"], start, employee["employment_start"])
        hi = min(d for d in (case["end_date"], end, employee["employment_end"]) if d is not None)
        if hi < lo:
            continue
        absent_employees.add(employee["pk"])
        # Percentage segments: 100% until the first valid_from, then each until the next.
        segments = [(case["first_day"], 100)] + percentages[case["pk"]]
        weighted = Decimal(0)
        for i, (seg_start, pct) in enumerate(segments):
            seg_end = segments[i + 1][0] - ONE_DAY if i + 1 < len(segments) else hi
            weighted += _overlap(seg_start, seg_end, lo, hi) * Decimal(pct) / 100
        own[employee["department_id"]].absent_weighted += weighted * employee["contract_hours"]
    for pk in absent_employees:
        own[employees[pk]["department_id"]].employees_absent += 1

    # Query 4: counts of spells, aggregated in the database per department.
    ended = Q(end_date__gte=start, end_date__lte=end)
    long_term = (Q(end_date__isnull=True) | Q(end_date__gt=end)) & Q(
        first_day__lte=end - datetime.timedelta(days=LONG_TERM_DAYS)
    )
    aggregates = {
        "new_spells": Count("pk", filter=Q(first_day__gte=start, first_day__lte=end)),
        "ended_spells": Count("pk", filter=ended),
        "ended_duration": Sum("duration", filter=ended),
        "long_term_files": Count("pk", filter=long_term),
    }
    for name, low, high in DURATION_CLASSES:
        aggregates[name] = Count("pk", filter=ended & _duration(low, high))
    rows = (
        AbsenceCase.objects.filter(employee__organisation=organisation)
        .annotate(duration=ExpressionWrapper(F("end_date") - F("first_day"), output_field=DurationField()))
        .values("employee__department_id")
        .order_by()
        .annotate(**aggregates)
    )
    for row in rows:
        t = own[row["employee__department_id"]]
        t.new_spells += row["new_spells"]
        t.ended_spells += row["ended_spells"]
        # Σ (end - first + 1) = Σ (end - first) + number of spells.
        t.ended_duration_days += (row["ended_duration"] or datetime.timedelta()).days + row["ended_spells"]
        t.long_term_files += row["long_term_files"]
        for name, _low, _high in DURATION_CLASSES:
            setattr(t, name, getattr(t, name) + row[name])
    return own


def department_figures(
    organisation: Organisation, start: datetime.date, end: datetime.date
) -> tuple[Figures, dict[int, Figures]]:
    """The organisation's figures and each department's (with its sub-departments).

    Five queries in all, whatever the size of the organisation.
    """
    if end < start:
        raise ValueError("end before start")
    own = _own_totals(organisation, start, end)
    # Query 5: the department tree.
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Department.objects.filter(organisation=organisation).values_list("pk", "parent_id"):
        children[parent_id].append(pk)

    result: dict[int, Figures] = {}

    def roll_up(pk: int) -> Totals:
        total = own.get(pk, Totals())
        for child in children.get(pk, ()):
            total = total + roll_up(child)
        result[pk] = Figures(start, end, total)
        return total

    organisation_total = Totals()
    for root in children.get(None, ()):
        organisation_total = organisation_total + roll_up(root)
    return Figures(start, end, organisation_total), result


def organisation_figures(organisation: Organisation, start: datetime.date, end: datetime.date) -> Figures:
    return department_figures(organisation, start, end)[0]
