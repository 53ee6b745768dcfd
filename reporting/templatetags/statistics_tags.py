"""Formatting of statistics values, the same on every channel (page, PDF)."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.translation import gettext as _

from reporting import report

register = template.Library()


def format_value(value, column: report.Column) -> str:
    """The display text of a value; a dash for a value that is not shown."""
    if value is None:
        return "\u2013"
    if column.unit == report.PERCENT:
        return f"{floatformat(value, 1)}%"
    if column.unit == report.PER_YEAR:
        return floatformat(value, 2)
    if column.unit == report.DAYS:
        return floatformat(value, 1)
    return str(value)


@register.simple_tag
def stat_value(value, column):
    if value is None:
        return format_html('<abbr title="{}">\u2013</abbr>', _("te klein om te tonen of niet te berekenen"))
    return format_value(value, column)


@register.filter
def index(sequence, i):
    return sequence[i]
