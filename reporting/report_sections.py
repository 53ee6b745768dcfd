"""The trend, comparison and causes sections of the statistics report (R17,
R18, R19); see :mod:`reporting.report` for the report as a whole.

trend (``key="trend"``)
    The user's scope as a whole per month or quarter of the period (the last
    row, kind ``total``, is the whole period, with the same values as the
    total rows of the counts and rates sections): verzuimpercentage and
    meldingsfrequentie of the sub-period (as defined in
    :mod:`reporting.statistics`; the frequency annualised, so months and
    years compare), new spells (first day in the sub-period) and long-term
    files open at the end of the sub-period. R19: the new spells of the
    sub-periods add up to the period's new spells shown in the counts
    section, so they are protected together with that total
    (:func:`reporting.disclosure.protect_parts`); the long-term files at the
    end of the last sub-period *are* the period's long-term files, so that
    cell is hidden exactly when the counts section hides its total; the other
    months are separate counts (stocks, no sum), suppressed when small. The
    rates of a sub-period follow :func:`reporting.report.rates_for` (hidden
    with a hidden count in the same row, or below the threshold).

comparison (``key="comparison"``)
    Each department row of the counts section against the organisation and
    the other departments: its verzuimpercentage (exactly as in the rates
    section), the difference with the organisation in percentage points,
    its rank among the departments with a shown verzuimpercentage (1 = the
    highest), and the ratio of short (kort) to medium-long and longer
    (middellang + lang + extra lang) ended spells (R18). A value is shown only
    where everything it is computed from is shown: a ratio of hidden counts
    is not shown. The reference row is the organisation: for the
    arbeidsdeskundige and HR that is their whole scope; for a manager the
    organisation's verzuimpercentage is shown only when the rest of the
    organisation (organisation minus the manager's departments, which it
    would reveal by subtraction) would itself pass the rate rule.

causes (``key="causes"``)
    The long-term files of the scope (open at the end of the period, more
    than 42 days) by influenceable factor (R17, belasting/belastbaarheid,
    ``meetings.services.running.SRO_FACTORS``): the number of those files
    for which the factor was tagged on an SRO agenda item of that file (a
    *case* item of an SRO meeting, not cancelled, held on or before the last
    day of the period). SRO items are per case (``AgendaItem.case``), so the
    count is per file, each file counted once per factor however often it
    was discussed. A file can have several factors: the rows are not a
    partition and do not add up to the total (the note says so). Never a
    diagnosis (the factors are a fixed list), never a name. R19: primary
    suppression of every count; the row "files with a factor" is hidden as
    well when any factor count is hidden (with all other factors known, a
    single hidden factor could otherwise be bounded by it).
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

from django.db.models import Count, F, Func, Q, TextField
from django.db.models.sql.where import OR, WhereNode
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consent.types import MeetingType
from meetings.models import AgendaItem, Meeting
from meetings.services.running import SRO_FACTORS

from . import disclosure, statistics
from .report import (
    COUNT,
    PER_YEAR,
    PERCENT,
    POINTS,
    POOLED,
    RATIO,
    ROW,
    TOTAL,
    ChartSpec,
    Column,
    Context,
    Section,
    SectionRow,
    protect_rates,
    rates_for,
    scope_department_ids,
    shown_count,
)
from .sql import ListContains

LONGER_CLASSES = ("middellang", "lang", "extra_lang")


def _period_label(start: datetime.date, end: datetime.date, granularity: str) -> str:
    if granularity == "quarter":
        return _("K%(quarter)s %(year)s") % {"quarter": (start.month - 1) // 3 + 1, "year": start.year}
    return date_format(start, "F Y")


def trend(context: Context, counts: Section) -> Section:
    section = Section(
        "trend",
        gettext_lazy("Verloop in de periode"),
        gettext_lazy("Periode"),
        [
            Column("verzuimpercentage", gettext_lazy("Verzuimpercentage"), PERCENT),
            Column("meldingsfrequentie", gettext_lazy("Meldingsfrequentie"), PER_YEAR),
            Column("new_spells", gettext_lazy("Nieuwe meldingen")),
            Column("long_term_files", gettext_lazy("Langdurige dossiers aan het eind")),
        ],
        chart=ChartSpec("line", ("verzuimpercentage",)),
        description=gettext_lazy(
            "Alle getoonde afdelingen samen per maand of kwartaal: verzuimpercentage, meldingsfrequentie (per jaar), "
            "nieuwe meldingen en de langdurige dossiers die aan het eind van de maand of het kwartaal liepen."
        ),
    )
    total = counts.total_row
    total_new = total.value("new_spells", counts.columns)
    total_long = total.value("long_term_files", counts.columns)
    scopes = [scope for scope, _org in context.sub_periods]
    new = disclosure.protect_parts(
        [s.totals.new_spells for s in scopes], total_new is None, context.min_count
    )
    long_term = [shown_count(s.totals.long_term_files, context.min_count) for s in scopes]
    # The last sub-period ends on the period's last day: its long-term files are the total's.
    long_term[-1] = total_long
    for scope, n_new, n_long in zip(scopes, new, long_term, strict=True):
        rates = rates_for(
            scope,
            scope.totals.employees,
            context.threshold,
            context.min_count,
            n_new is None,
        )
        section.rows.append(
            SectionRow(
                _period_label(scope.start, scope.end, context.granularity), [*rates[:2], n_new, n_long], ROW
            )
        )
    size = total.size
    rates = rates_for(context.scope, size, context.threshold, context.min_count, total_new is None)
    section.rows.append(SectionRow(context.total_label, [*rates[:2], total_new, total_long], TOTAL, size))
    protect_rates(section, [scope.totals for scope in scopes], context.min_count)
    if section.any_hidden:
        section.note = gettext_lazy(
            "– = niet getoond: kleine aantallen, en zoveel andere maanden of kwartalen dat een verborgen "
            "aantal niet uit het totaal van de periode kan worden teruggerekend; kengetallen niet bij een "
            "verborgen aantal."
        )
    return section


def _quantize(value: Decimal | None, places: str) -> Decimal | None:
    return None if value is None else value.quantize(Decimal(places))


def _ratio(cells: dict) -> Decimal | None:
    """kort : (middellang + lang + extra lang), only when all four are shown."""
    if any(cells[k] is None for k in ("kort", *LONGER_CLASSES)):
        return None
    longer = sum(cells[k] for k in LONGER_CLASSES)
    return _quantize(Decimal(cells["kort"]) / longer, "0.01") if longer else None


def comparison(context: Context, counts: Section, rates: Section) -> Section:
    section = Section(
        "comparison",
        gettext_lazy("Afdelingen vergeleken"),
        gettext_lazy("Afdeling"),
        [
            Column("verzuimpercentage", gettext_lazy("Verzuimpercentage"), PERCENT),
            Column("difference", gettext_lazy("Verschil met de organisatie (procentpunt)"), POINTS),
            Column("rank", gettext_lazy("Rang (1 = hoogste verzuim)"), COUNT),
            Column("ratio", gettext_lazy("Verhouding kort : middellang en langer"), RATIO),
        ],
        chart=ChartSpec("bar", ("difference",)),
        description=gettext_lazy(
            "Elke afdeling tegenover de organisatie en de andere afdelingen: verzuimpercentage, verschil in "
            "procentpunten, rangorde, en de verhouding tussen kort en (middel)lang beëindigd verzuim."
        ),
    )
    reference = _reference_percentage(context, rates)
    percentages = [r.value("verzuimpercentage", rates.columns) for r in rates.body_rows]
    ranked = sorted((p for p in percentages if p is not None), reverse=True)
    for count_row, pct in zip(counts.body_rows, percentages, strict=True):
        cells = {c.key: v for c, v in zip(counts.columns, count_row.values, strict=True)}
        difference = None if pct is None or reference is None else _quantize(pct - reference, "0.1")
        rank = None if pct is None else ranked.index(pct) + 1
        ratio = None if count_row.kind == POOLED else _ratio(cells)
        section.rows.append(
            SectionRow(count_row.label, [pct, difference, rank, ratio], count_row.kind, count_row.size)
        )
    total_cells = {c.key: v for c, v in zip(counts.columns, counts.total_row.values, strict=True)}
    label = context.total_label if context.organisation_wide else _("Organisatie totaal")
    section.rows.append(
        SectionRow(
            label, [reference, None, None, _ratio(total_cells) if context.organisation_wide else None], TOTAL
        )
    )
    section.note = gettext_lazy(
        "Alleen berekend uit getoonde getallen: – = niet getoond omdat het onderliggende getal verborgen is."
    )
    return section


def _reference_percentage(context: Context, rates: Section) -> Decimal | None:
    """The organisation's verzuimpercentage as far as this user may see it (R19)."""
    if context.organisation_wide:  # the scope is the organisation: exactly the rates section's total
        return rates.total_row.value("verzuimpercentage", rates.columns)
    # For a manager, the organisation minus their departments would follow
    # from the two percentages: show it only if that rest passes the rule.
    rest = statistics.Figures(
        context.start, context.end, context.organisation_figures.totals - context.scope.totals
    )
    rest_rates = rates_for(rest, rest.totals.employees, context.threshold, context.min_count, False)
    if rest.totals.employees and rest_rates[0] is None:
        return None
    figures = context.organisation_figures
    return rates_for(figures, figures.totals.employees, context.threshold, context.min_count, False)[0]


class _FactorCounts(Func):
    """``COUNT(DISTINCT case)`` of the rows whose JSON list holds each factor,
    and of those that hold any of them, as one JSON array (text).

    The same SQL as a ``Count(case, distinct=True, filter=...)`` per factor
    in ``aggregate()``, but built from the two columns after they are
    resolved: Django resolves, copies and hashes every aggregate's expression
    tree, which for fifteen aggregates cost about 3 ms per report."""

    contains_aggregate = True
    output_field = TextField()

    def __init__(self, case, listed, factors: list[str]):
        super().__init__(case, listed)
        self.factors = tuple(factors)
        # As Count's 0 each: the query is left out when it cannot match.
        self.empty_result_set_value = json.dumps([0] * (len(self.factors) + 1))

    def get_group_by_cols(self):
        return []

    def _counts(self, compiler) -> tuple[str, list]:
        case, listed = self.get_source_expressions()
        has = [ListContains(listed, factor) for factor in self.factors]
        counts = [Count(case, distinct=True, filter=WhereNode([condition])) for condition in has]
        counts.append(Count(case, distinct=True, filter=WhereNode(has, OR)))
        compiled = [compiler.compile(count) for count in counts]
        return ", ".join(sql for sql, _params in compiled), [p for _sql, params in compiled for p in params]

    def as_sql(self, compiler, connection, **extra_context):  # PostgreSQL
        sql, params = self._counts(compiler)
        return f"json_build_array({sql})::text", params

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = self._counts(compiler)
        return f"json_array({sql})", params


def factor_counts(context: Context) -> tuple[dict[str, int], int]:
    """Per R17 factor, the long-term files of the scope it was tagged on (one query)."""
    end = context.end
    factors = [f for group in SRO_FACTORS.values() for f in group]
    row = (
        AgendaItem.objects.filter(
            meeting__organisation=context.organisation,
            meeting__meeting_type=MeetingType.SRO,
            meeting__starts_at__date__lte=end,
            kind=AgendaItem.Kind.CASE,
            case__employee__department_id__in=scope_department_ids(context.roots, context.departments),
            case__first_day__lte=end - datetime.timedelta(days=statistics.LONG_TERM_DAYS),
        )
        .exclude(meeting__status=Meeting.Status.CANCELLED)
        .filter(Q(case__end_date__isnull=True) | Q(case__end_date__gt=end))
        .aggregate(counts=_FactorCounts(F("case"), F("sro_factors"), factors))
    )
    *per_factor, with_any = json.loads(row["counts"])
    return dict(zip(factors, per_factor, strict=True)), with_any


GROUP_LABELS = {"belasting": gettext_lazy("belasting"), "belastbaarheid": gettext_lazy("belastbaarheid")}


def causes(context: Context) -> Section:
    section = Section(
        "causes",
        gettext_lazy("Beïnvloedbare factoren bij langdurig verzuim"),
        gettext_lazy("Factor"),
        [Column("files", gettext_lazy("Langdurige dossiers"))],
        chart=ChartSpec("bar", ("files",)),
        description=gettext_lazy(
            "De langdurige dossiers (meer dan 42 dagen, open aan het eind van de periode) naar de beïnvloedbare "
            "factoren die in het SRO bij het dossier zijn vastgelegd (belasting en belastbaarheid); geen "
            "diagnoses."
        ),
    )
    per_factor, with_any = factor_counts(context)
    for group, factors in SRO_FACTORS.items():
        for factor in factors:
            label = f"{factor} ({GROUP_LABELS[group]})"
            section.rows.append(SectionRow(label, [shown_count(per_factor[factor], context.min_count)], ROW))
    any_hidden = section.any_hidden
    total = None if any_hidden else shown_count(with_any, context.min_count)
    section.rows.append(SectionRow(_("Dossiers met ten minste één factor"), [total], TOTAL))
    note = _(
        "Een dossier kan bij meer factoren horen: de factoren tellen niet op tot het totaal, en het totaal is "
        "het aantal dossiers met ten minste één vastgelegde factor."
    )
    if section.any_hidden:
        note += " " + _(
            "– = te klein om te tonen (minder dan %(n)s dossiers); het totaal wordt dan ook niet getoond."
        ) % {"n": context.min_count}
    section.note = note
    return section
