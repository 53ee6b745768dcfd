"""The statistics report (R18, R19): what the statistics page, the presentation
mode, the handout PDF and the CSV export show, computed once.

``build_report`` returns a :class:`Report`: a list of :class:`Section` s, each a
small table (rows x columns) that is *already* through disclosure control, with
an optional :class:`ChartSpec` saying which columns to draw. Every output
channel renders the same sections, so a value suppressed on the page is
suppressed in the PDF and the CSV as well, and nothing is computed twice.

Sections, in order: ``counts`` (per department), ``rates`` (per department),
``trend`` (the scope per month or quarter), ``comparison`` (each department
against the organisation and the other departments) and ``causes`` (R17
factors of the long-term files); the last three are built in
:mod:`reporting.report_sections`.

Who sees what: the arbeidsdeskundige and HR see every department of their
organisation (rows: the top-level departments, each with its
sub-departments), a manager only the departments they manage (rows: the
managed departments that are not below another managed one). The rows are
disjoint and add up to the scope.

Counts go through :func:`reporting.disclosure.disclose` with the organisation's
threshold and minimum count; the trend's counts are protected *together with*
the period totals of the counts section (:func:`disclosure.protect_parts`).
Rates follow one rule everywhere (:func:`rates_for`, R19): shown only for
the scope as a whole and for a row that is a single department of at least
the threshold, whose counts in the same table are all shown; the
verzuimpercentage only when none or at least ``min_count`` employees were
absent; the mean duration only over at least ``min_count`` ended spells;
nulverzuim only when the absent and the present employees are each none or
at least ``min_count``. Never an individual row or name: only aggregated
Totals are read.

Queries: a constant number -- the departments, statistics.period_figures'
three for the period and all its sub-periods together (none when the
organisation's totals for these periods are cached, see
:mod:`reporting.stats_cache`), the factor counts of the causes, plus the
user's roles, organisations and managed departments.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casefiles.models import Department, Organisation
from smo.permissions import managed_departments
from smo.roles import Role, roles_of

from . import disclosure, statistics

# Roles that see every department of their organisations.
ORGANISATION_WIDE_ROLES = frozenset({Role.ARBEIDSDESKUNDIGE, Role.HR})

# Units of a column: how a value is formatted on every channel.
COUNT, PERCENT, PER_YEAR, DAYS = "count", "percent", "per_year", "days"
# A difference in percentage points (signed) and a ratio; their values are
# rounded already (0.1 and 0.01).
POINTS, RATIO = "points", "ratio"

# Row kinds.
ROW, POOLED, TOTAL = "row", "pooled", "total"


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    unit: str = COUNT


@dataclass
class SectionRow:
    label: str
    values: list  # one per column: int / Decimal, or None = not shown
    kind: str = ROW  # ROW, POOLED or TOTAL
    size: int | None = None  # employees in the group, where meaningful

    def value(self, key: str, columns: list[Column]):
        return self.values[[c.key for c in columns].index(key)]


@dataclass(frozen=True)
class ChartSpec:
    """Which columns of a section to draw: ``bar`` (rows as categories, one
    series per column), ``stacked`` (stacked bars) or ``line`` (rows in order,
    e.g. months, one line per column). ``include_total`` also draws the total
    row (for comparison)."""

    kind: str
    columns: tuple[str, ...]
    include_total: bool = False


@dataclass
class Section:
    key: str
    title: str | Promise
    row_heading: str | Promise
    columns: list[Column]
    rows: list[SectionRow] = field(default_factory=list)
    chart: ChartSpec | None = None
    description: str | Promise = ""  # what the section shows, in one or two sentences
    note: str | Promise = ""  # why values are missing, when any are

    @property
    def body_rows(self) -> list[SectionRow]:
        return [r for r in self.rows if r.kind != TOTAL]

    @property
    def total_row(self) -> SectionRow | None:
        return next((r for r in self.rows if r.kind == TOTAL), None)

    @property
    def any_hidden(self) -> bool:
        return any(v is None for r in self.rows for v in r.values)


@dataclass
class Report:
    organisation: Organisation
    start: datetime.date
    end: datetime.date
    threshold: int
    min_count: int
    in_scope: bool  # the user has departments to report on in this organisation
    too_small: bool  # in scope, but the whole scope is below the threshold
    sections: list[Section] = field(default_factory=list)
    any_suppressed: bool = False  # a count was suppressed (R19)
    any_pooled: bool = False  # small departments were pooled (R19)
    granularity: str = ""  # the trend's sub-periods: "month" or "quarter"

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


# --- counts --------------------------------------------------------------------

COUNT_COLUMNS = (
    Column("new_spells", gettext_lazy("Nieuwe meldingen")),
    Column("kort", gettext_lazy("Kort (1-7 dagen)")),
    Column("middellang", gettext_lazy("Middellang (8-42 dagen)")),
    Column("lang", gettext_lazy("Lang (43-365 dagen)")),
    Column("extra_lang", gettext_lazy("Extra lang (> 365 dagen)")),
    Column("long_term_files", gettext_lazy("Langdurige dossiers (> 42 dagen open)")),
)
COUNT_KEYS = [c.key for c in COUNT_COLUMNS]

RATE_COLUMNS = (
    Column("verzuimpercentage", gettext_lazy("Verzuimpercentage"), PERCENT),
    Column("meldingsfrequentie", gettext_lazy("Meldingsfrequentie"), PER_YEAR),
    Column("gemiddelde_verzuimduur", gettext_lazy("Gemiddelde verzuimduur (dagen)"), DAYS),
    Column("nulverzuim", gettext_lazy("Nulverzuim"), PERCENT),
)


def shown_count(value: int, min_count: int) -> int | None:
    """Primary suppression (R19): a count 0 < n < min_count is not shown."""
    return None if 0 < value < max(min_count, 3) else value


def rates_for(
    figures: statistics.Figures, size: int, threshold: int, min_count: int, new_spells_hidden: bool
) -> list:
    """The rates of a group (RATE_COLUMNS order) under R19, or None where not shown.

    Nothing below the threshold. Then per rate: the verzuimpercentage only
    when no employee or at least ``min_count`` employees were absent (a
    percentage of one or two absent people describes those people); the
    meldingsfrequentie not when the group's new spells are hidden (it is
    their number per head); the mean duration only over at least
    ``min_count`` ended spells (else it is close to one person's duration);
    nulverzuim only when the absent and the present employees are each none
    or at least ``min_count`` (it reveals their number). A rate left out here
    could still follow from the total and the other rows: see
    :func:`protect_rates`.
    """
    if size < threshold:
        return [None] * len(RATE_COLUMNS)
    t = figures.totals
    min_count = max(min_count, 3)
    absent, present = t.employees_absent, t.employees - t.employees_absent
    return [
        None if 0 < absent < min_count else figures.verzuimpercentage,
        None if new_spells_hidden else figures.meldingsfrequentie,
        figures.gemiddelde_verzuimduur if t.ended_spells >= min_count else None,
        None if (0 < absent < min_count or 0 < present < min_count) else figures.nulverzuim,
    ]


# What a rate reveals of its group when the total and the other rows are known:
# the absent employees (their weighted days, their number) or the ended spells.
RATE_QUANTITIES = {
    "verzuimpercentage": "employees_absent",
    "nulverzuim": "employees_absent",
    "gemiddelde_verzuimduur": "ended_spells",
}


def protect_rates(section: Section, totals: list[statistics.Totals], min_count: int) -> None:
    """Complementary protection of rates (R19), in place.

    The total's rate is a weighted mean of the rows' rates, so with the total
    and all rows but one shown, the one row's hidden value follows (e.g. its
    absent days, from the organisation's verzuimpercentage and the others').
    For each rate column whose total is shown: while exactly one body row
    hides it, or the hidden rows together concern fewer than ``min_count``
    absent employees (ended spells for the mean duration), the shown row with
    the fewest is hidden as well; if no row is left to hide, the total is.
    ``totals`` are the rows' totals, body rows in order, for the counts.
    (The meldingsfrequentie follows the new spells, whose counts are
    protected the same way in the counts section.)
    """
    keys = [c.key for c in section.columns]
    body = [i for i, r in enumerate(section.rows) if r.kind != TOTAL]
    total = next((i for i, r in enumerate(section.rows) if r.kind == TOTAL), None)
    quantity = dict(zip(body, totals, strict=True))
    min_count = max(min_count, 3)
    for key, attribute in RATE_QUANTITIES.items():
        if key not in keys or total is None:
            continue
        j = keys.index(key)
        while section.rows[total].values[j] is not None:
            hidden = [i for i in body if section.rows[i].values[j] is None]
            concerned = sum(getattr(quantity[i], attribute) for i in hidden)
            if not hidden or (len(hidden) >= 2 and concerned >= min_count):
                break
            shown = [i for i in body if section.rows[i].values[j] is not None]
            if not shown:
                section.rows[total].values[j] = None
                break
            fewest = min(shown, key=lambda i: (getattr(quantity[i], attribute), i))
            section.rows[fewest].values[j] = None


def scope_roots(user, organisation: Organisation, departments: dict[int, Department]) -> list[int]:
    """The top departments of the user's scope in ``organisation``."""
    if roles_of(user) & ORGANISATION_WIDE_ROLES:
        return [pk for pk, d in departments.items() if d.parent_id is None]
    managed = set(managed_departments(user).filter(organisation=organisation).values_list("pk", flat=True))
    return [pk for pk in managed if departments[pk].parent_id not in managed]


def scope_department_ids(roots: list[int], departments: dict[int, Department]) -> set[int]:
    """The roots and every department below them."""
    children: dict[int | None, list[int]] = {}
    for pk, d in departments.items():
        children.setdefault(d.parent_id, []).append(pk)
    result, todo = set(), list(roots)
    while todo:
        pk = todo.pop()
        if pk not in result:
            result.add(pk)
            todo.extend(children.get(pk, ()))
    return result


@dataclass
class Context:
    """What the sections are built from (already scoped to the user)."""

    user: object
    organisation: Organisation
    start: datetime.date
    end: datetime.date
    granularity: str  # of the sub-periods: "month" or "quarter"
    threshold: int
    min_count: int
    organisation_wide: bool
    total_label: str
    departments: dict[int, Department]
    roots: list[int]
    organisation_figures: statistics.Figures
    per_department: dict[int, statistics.Figures]
    scope: statistics.Figures
    sub_periods: list[tuple[statistics.Figures, statistics.Figures]]  # (scope, organisation) per sub-period
    table: disclosure.DisclosedTable


def build_report(
    user, organisation: Organisation, start: datetime.date, end: datetime.date, granularity: str = "auto"
) -> Report:
    """The report for ``user`` over ``[start, end]``; ``granularity`` ("month",
    "quarter" or "auto": months up to 13 months, else quarters) sets the
    trend's sub-periods."""
    granularity = statistics.resolve_granularity(start, end, granularity)
    periods = [(start, end), *statistics.sub_periods(start, end, granularity)]
    departments = {
        d.pk: d for d in Department.objects.filter(organisation=organisation).only("pk", "name", "parent_id")
    }
    figures = statistics.period_figures(
        organisation, periods, parents={pk: d.parent_id for pk, d in departments.items()}
    )
    org_figures, per_department = figures[0]
    roots = scope_roots(user, organisation, departments)
    threshold = organisation.statistics_group_threshold
    min_count = max(organisation.statistics_min_count, 3)
    report = Report(organisation, start, end, threshold, min_count, in_scope=bool(roots), too_small=False)
    report.granularity = granularity
    if not roots:
        return report

    groups = []
    scope_totals = statistics.Totals()
    for pk in roots:
        totals = per_department[pk].totals
        scope_totals = scope_totals + totals
        groups.append(disclosure.Group(pk, departments[pk].name, totals.employees, _cells(totals)))
    table = disclosure.disclose(groups, COUNT_KEYS, threshold, min_count)
    if not table.rows:
        report.too_small = True
        return report

    organisation_wide = bool(roles_of(user) & ORGANISATION_WIDE_ROLES)

    def scope_of(per_dept: dict[int, statistics.Figures], s, e) -> statistics.Figures:
        total = statistics.Totals()
        for pk in roots:
            total = total + per_dept[pk].totals
        return statistics.Figures(s, e, total)

    context = Context(
        user=user,
        organisation=organisation,
        start=start,
        end=end,
        granularity=granularity,
        threshold=threshold,
        min_count=min_count,
        organisation_wide=organisation_wide,
        total_label=_("Organisatie totaal") if organisation_wide else _("Uw afdelingen samen"),
        departments=departments,
        roots=roots,
        organisation_figures=org_figures,
        per_department=per_department,
        scope=statistics.Figures(start, end, scope_totals),
        sub_periods=[(scope_of(per, f.start, f.end), f) for f, per in figures[1:]],
        table=table,
    )
    counts, rates = _counts_and_rates(context, report)
    from . import report_sections  # the sections module imports this one

    report.sections = [
        counts,
        rates,
        report_sections.trend(context, counts),
        report_sections.comparison(context, counts, rates),
        report_sections.causes(context),
    ]
    # A count was hidden (R19) in a section of counts (not a value left out of a rate or ratio).
    report.any_suppressed = any(
        v is None
        for section in report.sections
        if section.key in ("counts", "trend", "causes")
        for r in section.rows
        for c, v in zip(section.columns, r.values, strict=True)
        if c.unit == COUNT
    )
    return report


def _counts_and_rates(context: Context, report: Report) -> tuple[Section, Section]:
    table, threshold, min_count = context.table, context.threshold, context.min_count
    size = sum(r.size for r in table.rows)
    counts = Section(
        "counts",
        gettext_lazy("Aantallen per afdeling"),
        gettext_lazy("Afdeling"),
        [Column("size", gettext_lazy("Medewerkers")), *COUNT_COLUMNS],
        chart=ChartSpec("stacked", ("kort", "middellang", "lang", "extra_lang")),
        description=gettext_lazy(
            "Nieuwe meldingen, beëindigde verzuimgevallen naar duurklasse en lopende langdurige dossiers."
        ),
    )
    rates = Section(
        "rates",
        gettext_lazy("Kengetallen per afdeling"),
        gettext_lazy("Afdeling"),
        list(RATE_COLUMNS),
        chart=ChartSpec("bar", ("verzuimpercentage",), include_total=True),
        description=gettext_lazy("Verzuimpercentage, meldingsfrequentie, verzuimduur en nulverzuim."),
    )
    row_totals: list[statistics.Totals] = []
    for shown in table.rows:
        pooled = shown.label == disclosure.OTHERS or len(shown.members) != 1
        label = _("Overige afdelingen (samengevoegd)") if pooled else shown.label
        kind = POOLED if pooled else ROW
        cells = [shown.cells[k] for k in COUNT_KEYS]
        counts.rows.append(SectionRow(label, [shown.size, *cells], kind, shown.size))
        rate_values = (
            [None] * len(RATE_COLUMNS)
            if pooled
            else rates_for(
                context.per_department[shown.members[0]],
                shown.size,
                threshold,
                min_count,
                shown.cells["new_spells"] is None,
            )
        )
        rates.rows.append(SectionRow(label, rate_values, kind, shown.size))
        row_totals.append(sum((context.per_department[m].totals for m in shown.members), statistics.Totals()))
        report.any_pooled |= pooled
    total_cells = [table.column_totals[k] for k in COUNT_KEYS]
    counts.rows.append(SectionRow(context.total_label, [size, *total_cells], TOTAL, size))
    rates.rows.append(
        SectionRow(
            context.total_label,
            rates_for(context.scope, size, threshold, min_count, table.column_totals["new_spells"] is None),
            TOTAL,
            size,
        )
    )
    protect_rates(rates, row_totals, min_count)
    if counts.any_hidden:
        counts.note = gettext_lazy(
            "– = te klein om te tonen: kleine aantallen en enkele andere cellen worden niet getoond, zodat "
            "een verborgen aantal niet uit de totalen kan worden teruggerekend."
        )
    if rates.any_hidden:
        rates.note = _(
            "Kengetallen worden alleen getoond voor het geheel en voor een afdeling die op zichzelf staat en "
            "groot genoeg is; het verzuimpercentage alleen als geen of ten minste %(n)s medewerkers verzuimden, "
            "en nooit zo dat een verborgen kengetal uit het totaal en de andere afdelingen is terug te rekenen. "
            "– = niet getoond (te klein om te tonen of niet te berekenen)."
        ) % {"n": min_count}
    return counts, rates


def _cells(totals: statistics.Totals) -> dict[str, int]:
    return {key: getattr(totals, key) for key in COUNT_KEYS}
