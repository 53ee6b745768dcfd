"""The statistics page (issue 7, items 2-3; R18, R19): absence figures per
department for the arbeidsdeskundige and HR (every department of the
organisation) and managers (only the departments they manage).

The rows are the *top* departments of the user's scope (for AD/HR the
top-level departments, for a manager the managed departments that are not
below another managed one), each with its sub-departments, so the rows are
disjoint and add up to the scope. Counts go through
:func:`reporting.disclosure.disclose` with the organisation's threshold and
minimum count. Rates are shown only for the scope as a whole and for a row
that is a single department of at least the threshold; a rate is also left
out where it would reveal a suppressed or small count (see ``_rates``).
Never an individual row or name: the page only reads aggregated Totals.

Queries: a constant number (statistics.department_figures' five plus the
user's roles, organisations and managed departments).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from casefiles.models import Department, Organisation
from smo.permissions import managed_departments, organisations_of, require_roles
from smo.roles import Role, roles_of

from . import disclosure, statistics

STATISTICS_ROLES = (Role.ARBEIDSDESKUNDIGE, Role.HR, Role.LEIDINGGEVENDE)
# Roles that see every department of their organisations.
ORGANISATION_WIDE_ROLES = frozenset({Role.ARBEIDSDESKUNDIGE, Role.HR})
MAX_PERIOD_DAYS = 5 * 366

# The counted columns (passed through disclosure control): key, heading.
COLUMNS = (
    ("new_spells", _("Nieuwe meldingen")),
    ("kort", _("Kort (1-7 dagen)")),
    ("middellang", _("Middellang (8-42 dagen)")),
    ("lang", _("Lang (43-365 dagen)")),
    ("extra_lang", _("Extra lang (> 365 dagen)")),
    ("long_term_files", _("Langdurige dossiers (> 42 dagen open)")),
)
COLUMN_KEYS = [key for key, _label in COLUMNS]


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last full calendar year."""
    return datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)


class StatisticsForm(forms.Form):
    organisatie = forms.ModelChoiceField(
        label=_("Organisatie"), queryset=Organisation.objects.none(), empty_label=None
    )
    van = forms.DateField(label=_("Periode van"), widget=forms.DateInput(attrs={"type": "date"}))
    tot = forms.DateField(
        label=_("tot en met"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, data, *, organisations, today: datetime.date):
        organisations = list(organisations)
        start, end = default_period(today)
        initial = {"van": start, "tot": end, "organisatie": organisations[0].pk if organisations else None}
        # An empty form (first visit) uses the defaults.
        merged = {
            **{k: v for k, v in initial.items() if v is not None},
            **{k: v for k, v in data.items() if v},
        }
        super().__init__(merged)
        self.fields["organisatie"].queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in organisations]
        )
        self.fields["organisatie"].choices = [(o.pk, o.name) for o in organisations]
        self.show_organisation = len(organisations) > 1

    def clean(self):
        data = super().clean()
        start, end = data.get("van"), data.get("tot")
        if start and end:
            if end < start:
                self.add_error("tot", _("Het einde van de periode ligt voor het begin."))
            elif (end - start).days + 1 > MAX_PERIOD_DAYS:
                self.add_error("tot", _("Kies een periode van hoogstens vijf jaar."))
        return data


@dataclass
class Rates:
    verzuimpercentage: Decimal | None = None
    meldingsfrequentie: Decimal | None = None
    gemiddelde_verzuimduur: Decimal | None = None
    nulverzuim: Decimal | None = None


@dataclass
class Row:
    label: str
    size: int
    cells: list  # [(key, value or None)] in COLUMNS order; None = suppressed
    pooled: bool
    rates: Rates | None  # None = not shown for this row


def _rates(
    figures: statistics.Figures, size: int, new_spells_cell, threshold: int, min_count: int
) -> Rates | None:
    """The rates of a group, or None when the group is below the threshold.

    A rate that would reveal a count that is suppressed or small is left out:
    the meldingsfrequentie when the group's new spells are suppressed; the
    mean duration when fewer than ``min_count`` spells ended (it would be
    close to one person's duration); nulverzuim when fewer than ``min_count``
    employees were absent or present (it would reveal their number).
    """
    if size < threshold:
        return None
    t = figures.totals
    min_count = max(min_count, 3)
    absent, present = t.employees_absent, t.employees - t.employees_absent
    return Rates(
        verzuimpercentage=figures.verzuimpercentage,
        meldingsfrequentie=figures.meldingsfrequentie if new_spells_cell is not None else None,
        gemiddelde_verzuimduur=figures.gemiddelde_verzuimduur if t.ended_spells >= min_count else None,
        nulverzuim=None if (0 < absent < min_count or 0 < present < min_count) else figures.nulverzuim,
    )


def _scope_roots(user, organisation: Organisation, departments: dict[int, Department]) -> list[int] | None:
    """The top departments of the user's scope in ``organisation``; None = all."""
    if roles_of(user) & ORGANISATION_WIDE_ROLES:
        return [pk for pk, d in departments.items() if d.parent_id is None]
    managed = set(managed_departments(user).filter(organisation=organisation).values_list("pk", flat=True))
    return [pk for pk in managed if departments[pk].parent_id not in managed]


def build_table(user, organisation: Organisation, start: datetime.date, end: datetime.date) -> dict:
    _org_figures, per_department = statistics.department_figures(organisation, start, end)
    departments = {
        d.pk: d for d in Department.objects.filter(organisation=organisation).only("pk", "name", "parent_id")
    }
    roots = _scope_roots(user, organisation, departments)
    threshold = organisation.statistics_group_threshold
    min_count = organisation.statistics_min_count

    groups = []
    scope_totals = statistics.Totals()
    for pk in roots:
        figures = per_department[pk]
        scope_totals = scope_totals + figures.totals
        cells = {key: getattr(figures.totals, key) for key in COLUMN_KEYS}
        groups.append(disclosure.Group(pk, departments[pk].name, figures.totals.employees, cells))
    table = disclosure.disclose(groups, COLUMN_KEYS, threshold, min_count)

    rows = []
    for shown in table.rows:
        pooled = shown.label == disclosure.OTHERS or len(shown.members) != 1
        rates = None
        if not pooled:
            rates = _rates(
                per_department[shown.members[0]], shown.size, shown.cells["new_spells"], threshold, min_count
            )
        rows.append(
            Row(
                label=str(_("Overige afdelingen (samengevoegd)")) if pooled else shown.label,
                size=shown.size,
                cells=[(key, shown.cells[key]) for key in COLUMN_KEYS],
                pooled=pooled,
                rates=rates,
            )
        )
    total_row = None
    if table.rows:
        scope_figures = statistics.Figures(start, end, scope_totals)
        size = sum(r.size for r in table.rows)
        total_row = Row(
            label=str(_("Organisatie totaal"))
            if roots_are_organisation(user)
            else str(_("Uw afdelingen samen")),
            size=size,
            cells=[(key, table.column_totals[key]) for key in COLUMN_KEYS],
            pooled=False,
            rates=_rates(scope_figures, size, table.column_totals["new_spells"], threshold, min_count),
        )
    return {
        "rows": rows,
        "total_row": total_row,
        "in_scope": bool(roots),
        "threshold": threshold,
        "min_count": max(min_count, 3),
        "any_suppressed": any(
            v is None for r in rows + ([total_row] if total_row else []) for _k, v in r.cells
        ),
        "any_pooled": any(r.pooled for r in rows),
        "chart": _chart(rows),
    }


def roots_are_organisation(user) -> bool:
    return bool(roles_of(user) & ORGANISATION_WIDE_ROLES)


# Bar chart geometry (SVG user units).
CHART_LABEL_WIDTH = 220
CHART_BAR_WIDTH = 360
CHART_ROW_HEIGHT = 28


def _chart(rows: list[Row]) -> dict | None:
    """Bars of the verzuimpercentage of the rows that show it (server-side SVG)."""
    bars = [r for r in rows if r.rates and r.rates.verzuimpercentage is not None]
    if not bars:
        return None
    top = max(max(r.rates.verzuimpercentage for r in bars), Decimal(1))
    items = []
    for i, r in enumerate(bars):
        value = r.rates.verzuimpercentage
        items.append(
            {
                "label": r.label,
                "value": value,
                "y": i * CHART_ROW_HEIGHT,
                "text_y": i * CHART_ROW_HEIGHT + 18,
                "width": int(value / top * CHART_BAR_WIDTH),
                "value_x": CHART_LABEL_WIDTH + int(value / top * CHART_BAR_WIDTH) + 6,
            }
        )
    return {
        "items": items,
        "height": len(items) * CHART_ROW_HEIGHT,
        "width": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 60,
        "bar_x": CHART_LABEL_WIDTH,
        "label_x": CHART_LABEL_WIDTH - 8,
    }


@require_roles(*STATISTICS_ROLES)
@require_GET
def statistics_view(request):
    organisations = list(organisations_of(request.user).order_by("name"))
    if not organisations:
        raise PermissionDenied
    form = StatisticsForm(request.GET, organisations=organisations, today=datetime.date.today())
    context = {"form": form, "columns": COLUMNS, "table": None}
    if form.is_valid():
        organisation = form.cleaned_data["organisatie"]
        start, end = form.cleaned_data["van"], form.cleaned_data["tot"]
        context.update(
            organisation=organisation,
            start=start,
            end=end,
            table=build_table(request.user, organisation, start, end),
        )
    return render(request, "reporting/statistics/statistics.html", context)


urlpatterns = [path("statistieken/", statistics_view, name="statistics")]
