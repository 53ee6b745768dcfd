"""The statistics report (R18, R19): what the statistics page, the presentation
mode, the handout PDF and the CSV export show, computed once.

``build_report`` returns a :class:`Report`: a list of :class:`Section` s, each a
small table (rows x columns) that is *already* through disclosure control, with
an optional :class:`ChartSpec` saying which columns to draw. Every output
channel renders the same sections, so a value suppressed on the page is
suppressed in the PDF and the CSV as well, and nothing is computed twice.

Who sees what: the arbeidsdeskundige and HR see every department of their
organisation (rows: the top-level departments, each with its
sub-departments), a manager only the departments they manage (rows: the
managed departments that are not below another managed one). The rows are
disjoint and add up to the scope.

Counts go through :func:`reporting.disclosure.disclose` with the organisation's
threshold and minimum count. Rates are shown only for the scope as a whole
and for a row that is a single department of at least the threshold; a rate
is also left out where it would reveal a suppressed or small count (see
``_rates``). Never an individual row or name: only aggregated Totals are read.

Queries: a constant number (statistics.department_figures' five plus the
user's roles, organisations and managed departments).
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


def _rates(figures: statistics.Figures, size: int, new_spells_cell, threshold: int, min_count: int) -> list:
    """The rates of a group (RATE_COLUMNS order); all None below the threshold.

    A rate that would reveal a count that is suppressed or small is left out:
    the meldingsfrequentie when the group's new spells are suppressed; the
    mean duration when fewer than ``min_count`` spells ended (it would be
    close to one person's duration); nulverzuim when fewer than ``min_count``
    employees were absent or present (it would reveal their number).
    """
    if size < threshold:
        return [None] * len(RATE_COLUMNS)
    t = figures.totals
    min_count = max(min_count, 3)
    absent, present = t.employees_absent, t.employees - t.employees_absent
    return [
        figures.verzuimpercentage,
        figures.meldingsfrequentie if new_spells_cell is not None else None,
        figures.gemiddelde_verzuimduur if t.ended_spells >= min_count else None,
        None if (0 < absent < min_count or 0 < present < min_count) else figures.nulverzuim,
    ]


def scope_roots(user, organisation: Organisation, departments: dict[int, Department]) -> list[int]:
    """The top departments of the user's scope in ``organisation``."""
    if roles_of(user) & ORGANISATION_WIDE_ROLES:
        return [pk for pk, d in departments.items() if d.parent_id is None]
    managed = set(managed_departments(user).filter(organisation=organisation).values_list("pk", flat=True))
    return [pk for pk in managed if departments[pk].parent_id not in managed]


def build_report(user, organisation: Organisation, start: datetime.date, end: datetime.date) -> Report:
    _org_figures, per_department = statistics.department_figures(organisation, start, end)
    departments = {
        d.pk: d for d in Department.objects.filter(organisation=organisation).only("pk", "name", "parent_id")
    }
    roots = scope_roots(user, organisation, departments)
    threshold = organisation.statistics_group_threshold
    min_count = max(organisation.statistics_min_count, 3)
    report = Report(organisation, start, end, threshold, min_count, in_scope=bool(roots), too_small=False)
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
    total_label = _("Organisatie totaal") if organisation_wide else _("Uw afdelingen samen")
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
    for shown in table.rows:
        pooled = shown.label == disclosure.OTHERS or len(shown.members) != 1
        label = _("Overige afdelingen (samengevoegd)") if pooled else shown.label
        kind = POOLED if pooled else ROW
        counts.rows.append(
            SectionRow(label, [shown.size, *[shown.cells[k] for k in COUNT_KEYS]], kind, shown.size)
        )
        rate_values = (
            [None] * len(RATE_COLUMNS)
            if pooled
            else _rates(
                per_department[shown.members[0]], shown.size, shown.cells["new_spells"], threshold, min_count
            )
        )
        rates.rows.append(SectionRow(label, rate_values, kind, shown.size))
        report.any_pooled |= pooled
    counts.rows.append(
        SectionRow(total_label, [size, *[table.column_totals[k] for k in COUNT_KEYS]], TOTAL, size)
    )
    rates.rows.append(
        SectionRow(
            total_label,
            _rates(
                statistics.Figures(start, end, scope_totals),
                size,
                table.column_totals["new_spells"],
                threshold,
                min_count,
            ),
            TOTAL,
            size,
        )
    )
    report.any_suppressed = counts.any_hidden
    if counts.any_hidden:
        counts.note = gettext_lazy(
            "\u2013 = te klein om te tonen: kleine aantallen en enkele andere cellen worden niet getoond, zodat "
            "een verborgen aantal niet uit de totalen kan worden teruggerekend."
        )
    if rates.any_hidden:
        rates.note = gettext_lazy(
            "Kengetallen worden alleen getoond voor het geheel en voor een afdeling die op zichzelf staat en "
            "groot genoeg is; \u2013 = niet getoond (te klein om te tonen of niet te berekenen)."
        )
    report.sections = [counts, rates]
    return report


def _cells(totals: statistics.Totals) -> dict[str, int]:
    return {key: getattr(totals, key) for key in COUNT_KEYS}
