"""Absence figures (R18) with the standard Dutch definitions, per organisation
and per department (a department includes all its sub-departments).

All figures are for a period ``[start, end]`` (both days included; ``P`` is the
number of calendar days in it). An employee belongs to the group of their
current department; an employee counts for the days of their employment that
fall in the period (``employment_start``..``employment_end``, open = still
employed).

verzuimpercentage
    ``Σ_e Σ_d pct(e, d)/100 * hours(s, e)  /  Σ_e D(e) * hours(e)  * 100``

    where ``d`` runs over the calendar days in the period, within employment,
    on which employee ``e`` is absent in spell ``s``; ``pct(e, d)`` is the
    absence percentage valid on day ``d`` (the latest
    ``AbsencePercentage.valid_from`` on or before ``d``; 100 before the
    first one and when the case has none); ``hours(s, e)`` the contract
    hours during the spell (``AbsenceCase.contract_hours`` from the HR
    import, else the employee's ``contract_hours``) and ``hours(e)`` the
    employee's contract hours: the weights for contract size. ``D(e)`` is the
    available days: the calendar days of employment within the period.
    Calendar days, not working days, as in the Verzuimregistratie standard.
    (No contract history is kept, so the available side uses the current
    contract; a spell with more hours than the current contract can weigh
    more than the days it covers.)

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

Everything is aggregated in the database (no loop over employee or spell
rows in Python): four queries whatever the number of employees, spells,
departments or periods -- employees (headcount, employment days, weighted
available days), spells (counts, durations, absent employees, and every
absent day at 100 %), percentage segments (each ``AbsencePercentage`` below
100 up to the next ``valid_from``, found with a subquery, takes off
``100 - percentage`` of its days) and the department tree. Several periods
(a trend) are computed in the same four queries with one conditional
aggregate per period; the first three are cached per organisation and
periods (:mod:`reporting.stats_cache`).
"""

from __future__ import annotations

import calendar
import datetime
import operator
from collections import defaultdict
from dataclasses import astuple, dataclass, field, fields
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Least, Round
from django.db.models.lookups import GreaterThanOrEqual

from casefiles.models import AbsenceCase, AbsencePercentage, Department, Employee, Organisation

from . import stats_cache
from .sql import DaysBetween, date_value

# Duration classes: name, lowest and highest total duration in days (None = no bound).
DURATION_CLASSES = (
    ("kort", 1, 7),
    ("middellang", 8, 42),
    ("lang", 43, 365),
    ("extra_lang", 366, None),
)
LONG_TERM_DAYS = 42
FAR_FUTURE = datetime.date(9999, 12, 31)  # "no next percentage row"

Period = tuple[datetime.date, datetime.date]


@dataclass
class Totals:
    """Additive components of the figures; a group's totals are the sum of its members'."""

    available_weighted: Decimal = Decimal(0)  # Σ D(e) * hours(e)
    absent_weighted: Decimal = Decimal(0)  # Σ absent days * pct/100 * hours(s, e)
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

    # Field by field, positionally (a roll-up adds some 200 Totals per report).
    def __add__(self, other: Totals) -> Totals:
        return Totals(*map(operator.add, _values(self), _values(other)))

    def __sub__(self, other: Totals) -> Totals:
        return Totals(*map(operator.sub, _values(self), _values(other)))


# A Totals' values in field order.
_values = operator.attrgetter(*(f.name for f in fields(Totals)))


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


def resolve_granularity(start: datetime.date, end: datetime.date, granularity: str) -> str:
    """ "month" or "quarter"; "auto" is months up to 13 calendar months, else quarters."""
    if granularity == "auto":
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        return "month" if months <= 13 else "quarter"
    if granularity not in ("month", "quarter"):
        raise ValueError(f"unknown granularity {granularity!r}")
    return granularity


def sub_periods(start: datetime.date, end: datetime.date, granularity: str = "auto") -> list[Period]:
    """The calendar months or quarters of ``[start, end]``, cut to the period.

    ``auto``: months when the period touches at most 13 calendar months,
    else quarters. The sub-periods partition the period exactly.
    """
    granularity = resolve_granularity(start, end, granularity)
    step = 1 if granularity == "month" else 3
    result = []
    year, month = start.year, start.month - (start.month - 1) % step
    while datetime.date(year, month, 1) <= end:
        last_month = month + step - 1
        last = datetime.date(year, last_month, calendar.monthrange(year, last_month)[1])
        result.append((max(start, datetime.date(year, month, 1)), min(end, last)))
        year, month = (year + 1, 1) if last_month == 12 else (year, last_month + 1)
    return result


def _tenths(hours) -> Cast:
    """Contract hours in tenths: an exact integer on every database."""
    scaled = ExpressionWrapper(hours * 10, output_field=DecimalField(max_digits=6, decimal_places=1))
    return Cast(Round(scaled), IntegerField())


def _in_spell(prefix: str, start: datetime.date, end: datetime.date, first) -> tuple:
    """(lo, hi): the first and last day of a spell segment beginning at ``first``
    that lie in the period and in the employment; absent days exist iff hi >= lo.
    ``prefix`` leads from the queried model to the AbsenceCase."""
    s, e = date_value(start), date_value(end)
    lo = Greatest(first, F(f"{prefix}first_day"), s, F(f"{prefix}employee__employment_start"))
    hi = Least(Coalesce(F(f"{prefix}end_date"), e), e, Coalesce(F(f"{prefix}employee__employment_end"), e))
    return lo, hi


def _segment_weight(lo, hi, next_start, percentage):
    """Σ over the days of [lo, hi] before ``next_start`` of percentage * hours (tenths)."""
    days = Least(DaysBetween(lo, hi) + 1, DaysBetween(lo, next_start))
    return Greatest(days, 0) * percentage * F("tenths")


def _employee_rows(organisation, periods: list[Period]):
    aggregates = {}
    for k, (start, end) in enumerate(periods):
        employed = Q(employment_start__lte=end) & (
            Q(employment_end__isnull=True) | Q(employment_end__gte=start)
        )
        lo = Greatest(F("employment_start"), date_value(start))
        hi = Least(Coalesce(F("employment_end"), date_value(end)), date_value(end))
        days = DaysBetween(lo, hi) + 1
        aggregates[f"employees_{k}"] = Count("pk", filter=employed)
        aggregates[f"days_{k}"] = Sum(days, filter=employed)
        aggregates[f"available_{k}"] = Sum(days * F("tenths"), filter=employed)
    first, last = min(p[0] for p in periods), max(p[1] for p in periods)
    return (
        Employee.objects.filter(organisation=organisation, employment_start__lte=last)
        .filter(Q(employment_end__isnull=True) | Q(employment_end__gte=first))
        .alias(tenths=_tenths(F("contract_hours")))
        .values("department_id")
        .order_by()
        .annotate(**aggregates)
    )


def _case_rows(organisation, periods: list[Period]):
    aggregates = {}
    for k, (start, end) in enumerate(periods):
        ended = Q(end_date__gte=start, end_date__lte=end)
        aggregates[f"new_spells_{k}"] = Count("pk", filter=Q(first_day__gte=start, first_day__lte=end))
        aggregates[f"ended_spells_{k}"] = Count("pk", filter=ended)
        aggregates[f"ended_duration_{k}"] = Sum("duration", filter=ended)
        aggregates[f"long_term_files_{k}"] = Count(
            "pk",
            filter=(Q(end_date__isnull=True) | Q(end_date__gt=end))
            & Q(first_day__lte=end - datetime.timedelta(days=LONG_TERM_DAYS)),
        )
        for name, low, high in DURATION_CLASSES:
            in_class = ended & Q(duration__gte=low - 1)
            if high is not None:
                in_class &= Q(duration__lte=high - 1)
            aggregates[f"{name}_{k}"] = Count("pk", filter=in_class)
        lo, hi = _in_spell("", start, end, F("first_day"))
        absent = Q(GreaterThanOrEqual(hi, lo))
        aggregates[f"employees_absent_{k}"] = Count("employee_id", distinct=True, filter=absent)
        # Every absent day at 100 %; the percentage rows take off what was not absent.
        aggregates[f"full_{k}"] = Sum((DaysBetween(lo, hi) + 1) * 100 * F("tenths"), filter=absent)
    first, last = min(p[0] for p in periods), max(p[1] for p in periods)
    return (
        AbsenceCase.objects.filter(employee__organisation=organisation, first_day__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .alias(
            duration=DaysBetween(F("first_day"), F("end_date")),
            tenths=_tenths(Coalesce(F("contract_hours"), F("employee__contract_hours"))),
        )
        .values("employee__department_id")
        .order_by()
        .annotate(**aggregates)
    )


def _percentage_rows(organisation, periods: list[Period]):
    """Per percentage row: (100 - percentage) on the days of its segment (up to
    the next row's ``valid_from``), to subtract from the spells' 100 %."""
    next_percentage = (
        AbsencePercentage.objects.filter(case=OuterRef("case"), valid_from__gt=OuterRef("valid_from"))
        .order_by("valid_from")
        .values("valid_from")[:1]
    )
    aggregates = {}
    for k, (start, end) in enumerate(periods):
        lo, hi = _in_spell("case__", start, end, F("valid_from"))
        aggregates[f"not_absent_{k}"] = Sum(
            _segment_weight(lo, hi, F("next_from"), 100 - F("percentage")),
            filter=Q(GreaterThanOrEqual(hi, lo)),
        )
    first, last = min(p[0] for p in periods), max(p[1] for p in periods)
    return (
        AbsencePercentage.objects.filter(
            case__employee__organisation=organisation, case__first_day__lte=last, percentage__lt=100
        )
        .filter(Q(case__end_date__isnull=True) | Q(case__end_date__gte=first))
        .alias(
            next_from=Coalesce(Subquery(next_percentage), date_value(FAR_FUTURE)),
            tenths=_tenths(Coalesce(F("case__contract_hours"), F("case__employee__contract_hours"))),
        )
        .values("case__employee__department_id")
        .order_by()
        .annotate(**aggregates)
    )


def _own_totals(organisation: Organisation, periods: list[Period]) -> list[dict[int, Totals]]:
    """Per period, the totals per department of the department's own employees
    (no sub-departments): three queries, whatever the number of periods, or
    none when the same organisation's totals for the same periods are in the
    cache (:mod:`reporting.stats_cache`: only these aggregated totals are
    kept, and dropped as soon as absence data of the organisation changes)."""
    stored = stats_cache.cached(
        organisation.pk,
        "own_totals",
        tuple((s.isoformat(), e.isoformat()) for s, e in periods),
        lambda: [
            {pk: astuple(t) for pk, t in per_department.items()}
            for per_department in _own_totals_from_db(organisation, periods)
        ],
    )
    return [{pk: Totals(*values) for pk, values in per_department.items()} for per_department in stored]


def _own_totals_from_db(organisation: Organisation, periods: list[Period]) -> list[dict[int, Totals]]:
    own: list[dict[int, Totals]] = [defaultdict(Totals) for _ in periods]
    for row in _employee_rows(organisation, periods):  # query 1
        for k, per_department in enumerate(own):
            t = per_department[row["department_id"]]
            t.employees += row[f"employees_{k}"]
            t.employment_days += row[f"days_{k}"] or 0
            t.available_weighted += Decimal(row[f"available_{k}"] or 0) / 10
    for row in _case_rows(organisation, periods):  # query 2
        for k, per_department in enumerate(own):
            t = per_department[row["employee__department_id"]]
            t.new_spells += row[f"new_spells_{k}"]
            t.ended_spells += row[f"ended_spells_{k}"]
            # Σ (end - first + 1) = Σ (end - first) + number of spells.
            t.ended_duration_days += (row[f"ended_duration_{k}"] or 0) + row[f"ended_spells_{k}"]
            t.long_term_files += row[f"long_term_files_{k}"]
            t.employees_absent += row[f"employees_absent_{k}"]
            # days * percentage * tenths of hours -> days * pct/100 * hours: / 1000.
            t.absent_weighted += Decimal(row[f"full_{k}"] or 0) / 1000
            for name, _low, _high in DURATION_CLASSES:
                setattr(t, name, getattr(t, name) + row[f"{name}_{k}"])
    for row in _percentage_rows(organisation, periods):  # query 3
        for k, per_department in enumerate(own):
            t = per_department[row["case__employee__department_id"]]
            t.absent_weighted -= Decimal(row[f"not_absent_{k}"] or 0) / 1000
    return own


def period_figures(
    organisation: Organisation, periods: list[Period], parents: dict[int, int | None] | None = None
) -> list[tuple[Figures, dict[int, Figures]]]:
    """For each period: the organisation's figures and each department's (with
    its sub-departments). Four queries in all, whatever the size of the
    organisation and the number of periods (one when the totals are cached);
    one fewer when the caller passes the department tree (``parents``:
    department id -> parent id, every department of the organisation)."""
    if not periods:
        return []
    if any(end < start for start, end in periods):
        raise ValueError("end before start")
    own = _own_totals(organisation, periods)
    if parents is None:  # query 4: the department tree
        parents = dict(Department.objects.filter(organisation=organisation).values_list("pk", "parent_id"))
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in parents.items():
        children[parent_id].append(pk)

    result = []
    for (start, end), own_k in zip(periods, own, strict=True):
        per_department: dict[int, Figures] = {}

        def roll_up(pk: int, own_k=own_k, per_department=per_department, start=start, end=end) -> Totals:
            total = own_k.get(pk, Totals())
            for child in children.get(pk, ()):
                total = total + roll_up(child)
            per_department[pk] = Figures(start, end, total)
            return total

        organisation_total = Totals()
        for root in children.get(None, ()):
            organisation_total = organisation_total + roll_up(root)
        result.append((Figures(start, end, organisation_total), per_department))
    return result


def department_figures(
    organisation: Organisation, start: datetime.date, end: datetime.date
) -> tuple[Figures, dict[int, Figures]]:
    """The organisation's figures and each department's (with its sub-departments)."""
    return period_figures(organisation, [(start, end)])[0]


def organisation_figures(organisation: Organisation, start: datetime.date, end: datetime.date) -> Figures:
    return department_figures(organisation, start, end)[0]
