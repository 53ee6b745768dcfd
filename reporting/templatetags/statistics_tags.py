"""Formatting of statistics values, the same on every channel (page, PDF)."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from reporting import charts, report

register = template.Library()


def format_value(value, column: report.Column) -> str:
    """The display text of a value; a dash for a value that is not shown."""
    if value is None:
        return "–"
    if column.unit == report.PERCENT:
        return f"{floatformat(value, 1)}%"
    if column.unit == report.PER_YEAR:
        return floatformat(value, 2)
    if column.unit == report.DAYS:
        return floatformat(value, 1)
    if column.unit == report.POINTS:  # a difference in percentage points, with its sign
        return f"+{floatformat(value, 1)}" if value > 0 else floatformat(value, 1)
    if column.unit == report.RATIO:
        return floatformat(value, 2)
    if isinstance(value, int):
        return str(value)
    return floatformat(value, -2)  # a unit this module does not know yet: up to two decimals


@dataclass(frozen=True)
class Table:
    """A section's rows with their cells ready to show."""

    body: list[tuple[report.SectionRow, list[str]]]  # (row, cells)
    total_row: report.SectionRow | None
    total_cells: list[str]


@register.simple_tag
def stat_table(section: report.Section) -> Table:
    """Every value of the section formatted once per table, rather than by a
    tag per cell: a value that is not shown is an en dash with an explanation
    (R19)."""
    hidden = format_html('<abbr title="{}">–</abbr>', _("te klein om te tonen of niet te berekenen"))
    columns = section.columns

    def cells(row: report.SectionRow) -> list[str]:
        return [hidden if v is None else format_value(v, c) for v, c in zip(row.values, columns, strict=True)]

    total = section.total_row
    return Table([(row, cells(row)) for row in section.body_rows], total, cells(total) if total else [])


@register.simple_tag(takes_context=True)
def stat_chart(context, section, size="screen"):
    """The section's chart as inline SVG (reporting.charts). On screen its
    ``<style>`` carries the request's CSP nonce; the PDF has no request."""
    request = getattr(context, "request", None)  # a RequestContext on screen; None for the PDF
    # django-csp's lazy nonce is falsy until read: compare with None, then read it (it goes into the header).
    nonce = getattr(request, "csp_nonce", None)
    # The SVG is serialised by ElementTree, which escapes every label and text.
    return mark_safe(charts.chart_svg(section, nonce=None if nonce is None else str(nonce), size=size))  # noqa: S308
