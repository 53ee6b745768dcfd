"""Charts of the statistics sections (R18, R19): server-side SVG with pygal.

One rendering path for every channel: the statistics page and the
presentation mode include the SVG inline, the handout PDF (WeasyPrint) too.
A chart draws only what the section's table shows, so it cannot reveal more
than the table (R19):

* a value that is not shown (``None``) is a gap, never a zero: no bar, no
  point, no printed value, and its category label carries the same dash as
  the table (an en dash after the label); the ``<desc>`` says what it means;
* the SVG holds no data beyond the shown values: pygal's tooltip data, its
  configuration script and its comments are removed;
* no JavaScript and no ``style`` attributes (Content-Security-Policy); the
  one ``<style>`` element carries the request's CSP nonce on screen.

Accessible: ``role="img"`` with a ``<title>`` and ``<desc>`` naming the
figure; the data table sits beside the chart in every template.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from decimal import Decimal
from xml.etree import ElementTree as ET

import pygal
from django.core.cache import cache
from django.template.defaultfilters import floatformat
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pygal.graph.stackedbar import StackedBar
from pygal.style import Style

from . import report

logger = logging.getLogger(__name__)

SVG_NS = "{http://www.w3.org/2000/svg}"
HIDDEN_MARK = "–"  # the en dash of the table

# Colours with at least 3:1 contrast against white (WCAG 1.4.11), told apart
# also in grey scale and with the common colour-vision deficiencies.
COLOURS = ("#0b5394", "#b35806", "#1b7837", "#762a83", "#7f3b08", "#4d4d4d", "#2166ac", "#8e0152")
FONT = "'DejaVu Sans', Verdana, Arial, sans-serif"


@dataclass(frozen=True)
class Size:
    width: int
    height: int
    label: int  # axis labels
    value: int  # printed values
    legend: int


SIZES = {
    "screen": Size(760, 380, 13, 13, 13),
    "slide": Size(1200, 560, 20, 20, 20),
    "a4": Size(680, 330, 11, 10, 11),
}


class _GapStackedBar(StackedBar):
    """A stacked bar chart that leaves a ``None`` out instead of drawing it
    as zero (pygal's StackedBar turns ``None`` into 0, and prints "0")."""

    _adapters = []


_CHART_CLASSES = {"bar": pygal.Bar, "stacked": _GapStackedBar, "line": pygal.Line}

_KIND_NAMES = {
    "bar": gettext_lazy("Staafdiagram"),
    "stacked": gettext_lazy("Gestapeld staafdiagram"),
    "line": gettext_lazy("Lijndiagram"),
}


def _unit_title(unit: str) -> str:
    return {
        report.PERCENT: _("procent"),
        report.PER_YEAR: _("per medewerker per jaar"),
        report.DAYS: _("dagen"),
        report.POINTS: _("procentpunt"),
        report.RATIO: _("verhouding"),
    }.get(unit, _("aantal"))


def _number(value) -> float | None:
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal) else value


def _formatter(column: report.Column):
    # Late import: the template tag library imports this module's siblings.
    from .templatetags.statistics_tags import format_value

    return lambda value: "" if value is None else format_value(value, column)


def _axis_formatter(column: report.Column):
    """Axis ticks: up to two decimals (ticks fall between the rounded values)."""
    suffix = "%" if column.unit == report.PERCENT else ""
    return lambda value: f"{floatformat(value, -2)}{suffix}"


def _count_ticks(series, stacked: bool = False) -> list[int] | None:
    """Whole-number ticks for counts (no "0,2 meldingen"), up to the highest
    bar (for a stacked chart: the highest stack)."""
    shown = [v for _column, values in series for v in values if v is not None]
    if any(column.unit != report.COUNT for column, _values in series) or not shown:
        return None
    if stacked:
        shown = [sum(v or 0 for v in stack) for stack in zip(*(values for _c, values in series), strict=True)]
    top = max(1, int(max(shown)))
    step = max(1, math.ceil(top / 8))
    return list(range(0, top + step, step))


def chart_rows(section: report.Section) -> list[report.SectionRow]:
    """The rows drawn: the body rows in order (line: the sub-periods), and
    the total row where the chart asks for it (not on a line chart)."""
    spec = section.chart
    rows = list(section.body_rows)
    if spec is not None and spec.include_total and spec.kind != "line" and section.total_row is not None:
        rows.append(section.total_row)
    return rows


# Rendered charts are kept in the cache under a digest of everything drawn
# (see _drawing_key), so a figure is drawn once, not on every view: pygal
# takes about 10 ms per chart. The key is the content itself, so a cached
# chart is only ever served for the same figures, labels and language, and
# what it shows was shown to whoever drew it: no scope or suppression (R19)
# can be bypassed through it. The CSP nonce differs per request: the cached
# SVG has a placeholder in its place.
CACHE_PREFIX = "smo:chart:v1"
CACHE_TIMEOUT = 3600
_NONCE_PLACEHOLDER = "smo-chart-nonce-placeholder"


def chart_svg(section: report.Section, *, nonce: str | None = None, size: str = "screen") -> str:
    """The section's chart as an inline ``<svg>`` element (no XML
    declaration), or "" when the section has no chart or nothing to draw."""
    if section.chart is None:
        return ""
    key = _drawing_key(section, size, with_nonce=nonce is not None)
    try:
        svg = cache.get(key)
    except Exception:  # the cache is an optimisation only
        logger.warning("chart cache unavailable", exc_info=True)
        svg = None
    if svg is None:
        svg = _draw(section, nonce=None if nonce is None else _NONCE_PLACEHOLDER, size=size)
        try:
            cache.set(key, svg, CACHE_TIMEOUT)
        except Exception:
            logger.warning("chart cache: not stored", exc_info=True)
    if nonce is None:
        return svg
    return svg.replace(f'nonce="{_NONCE_PLACEHOLDER}"', f'nonce="{escape(nonce)}"')


def _drawing_key(section: report.Section, size: str, *, with_nonce: bool) -> str:
    """A digest of everything _draw reads: the figure, its columns, rows and
    values, the size, the language (labels, formats) and whether a nonce goes
    on the style element."""
    spec = section.chart
    parts = (
        size,
        translation.get_language(),
        with_nonce,
        section.key,
        str(section.title),
        (spec.kind, tuple(spec.columns), spec.include_total),
        tuple((c.key, str(c.label), c.unit) for c in section.columns),
        tuple((str(r.label), r.kind, tuple(repr(v) for v in r.values)) for r in section.rows),
    )
    return f"{CACHE_PREFIX}:{hashlib.sha256(repr(parts).encode()).hexdigest()}"


def _draw(section: report.Section, *, nonce: str | None, size: str) -> str:
    spec = section.chart
    if spec is None:
        return ""
    by_key = {c.key: (i, c) for i, c in enumerate(section.columns)}
    columns = [by_key[key] for key in spec.columns if key in by_key]
    rows = chart_rows(section)
    if not columns or not rows:
        return ""
    series = [(column, [_number(row.values[i]) for row in rows]) for i, column in columns]
    if all(v is None for _column, values in series for v in values):
        return ""  # everything hidden: the table says why

    dims = SIZES.get(size, SIZES["screen"])
    kind = spec.kind if spec.kind in _CHART_CLASSES else "bar"
    horizontal = kind == "bar" and (len(rows) > 6 or max(len(str(row.label)) for row in rows) > 20)
    labels = [_category(row, [i for i, _c in columns], 60 if horizontal else 24) for row in rows]
    height = dims.height
    if horizontal:  # long or many category labels: bars across, labels readable
        height = max(dims.height, int(len(rows) * dims.label * 2.4) + 6 * dims.legend)
        # pygal draws the first category at the bottom: reverse, so the chart reads like the table.
        labels, series = labels[::-1], [(column, values[::-1]) for column, values in series]
    units = {column.unit for column, _values in series}
    chart_id = f"stat-{section.key}-{size}"
    unit_title = _unit_title(units.pop()) if len(units) == 1 else None
    chart_class = pygal.HorizontalBar if horizontal else _CHART_CLASSES[kind]
    chart = chart_class(
        style=_style(dims, inside=kind == "stacked"),
        width=dims.width,
        height=height,
        js=[],  # no script: no tooltips, nothing for a CSP to refuse
        disable_xml_declaration=True,
        show_legend=len(series) > 1 or kind == "line",
        legend_at_bottom=True,
        legend_at_bottom_columns=min(len(series), 4),
        print_values=kind != "line",
        print_zeroes=kind == "bar",  # stacked: a zero segment has no height to label
        print_values_position="top" if kind == "bar" else "center",
        allow_interruptions=True,  # line: a hidden value is a gap
        show_dots=True,
        dots_size=4,
        y_title=None if horizontal else unit_title,
        x_title=unit_title if horizontal else None,
        value_formatter=_axis_formatter(series[0][0]),
        y_labels=_count_ticks(series, stacked=kind == "stacked"),
        x_label_rotation=30 if len(rows) > 6 and not horizontal else 0,
        truncate_label=-1,  # _category shortens, keeping the hidden-value mark
        truncate_legend=40,
        include_x_axis=True,
        show_x_guides=False,
        margin=16,
        margin_right=16 + (dims.label * 3 if kind == "line" or horizontal else 0),  # room for the last label
        min_scale=4,
        max_scale=8,
    )
    chart.uuid = chart_id
    chart.add_xml_filter(_Accessible(section, kind, chart_id, nonce))
    chart.x_labels = labels
    for column, values in series:
        chart.add(str(column.label), values, formatter=_formatter(column))
    return chart.render(is_unicode=True)


def _category(row: report.SectionRow, indexes: list[int], max_length: int) -> str:
    """The row label (shortened), marked when one of its drawn values is hidden (R19)."""
    label = str(row.label)
    if len(label) > max_length:
        label = label[: max_length - 1].rstrip() + "\u2026"
    hidden = any(row.values[i] is None for i in indexes)
    return f"{label} ({HIDDEN_MARK})" if hidden else label


def _style(dims: Size, *, inside: bool) -> Style:
    """Printed values sit inside stacked segments (white on the dark
    colours) and above plain bars (dark on white)."""
    return Style(
        value_colors=("#ffffff",) * len(COLOURS) if inside else ("#1b1b1b",) * len(COLOURS),
        font_family=FONT,
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#1b1b1b",
        foreground_strong="#1b1b1b",
        foreground_subtle="#595959",
        colors=COLOURS,
        opacity="1",
        opacity_hover="1",
        transition="0s",
        label_font_size=dims.label,
        major_label_font_size=dims.label,
        value_font_size=dims.value,
        value_label_font_size=dims.value,
        legend_font_size=dims.legend,
        title_font_size=dims.legend,
        tooltip_font_size=dims.label,
        no_data_font_size=dims.legend,
        stroke_width=str(max(2, dims.label // 6)),
        stroke_opacity="1",
        stroke_opacity_hover="1",
        stroke_width_hover=str(max(2, dims.label // 6)),
        guide_stroke_color="#8c8c8c",
        major_guide_stroke_color="#595959",
    )


class _Accessible:
    """pygal ``xml_filter``: strip what is not figure (comments, script,
    tooltip data, style attributes, ids that repeat across charts) and add
    the accessible name and description."""

    def __init__(self, section: report.Section, kind: str, chart_id: str, nonce: str | None):
        self.section, self.kind, self.chart_id, self.nonce = section, kind, chart_id, nonce

    def __call__(self, root: ET.Element) -> ET.Element:
        self._strip(root)
        root.set("role", "img")
        root.set("aria-labelledby", f"{self.chart_id}-title {self.chart_id}-desc")
        root.set("class", "statistics-chart")
        root.set("preserveAspectRatio", "xMidYMid meet")
        for element in root.iter():
            if self.nonce and isinstance(element.tag, str) and element.tag.removeprefix(SVG_NS) == "style":
                element.set("nonce", self.nonce)
        title = ET.Element("title", {"id": f"{self.chart_id}-title"})
        title.text = str(self.section.title)
        desc = ET.Element("desc", {"id": f"{self.chart_id}-desc"})
        desc.text = self._description()
        root.insert(0, desc)
        root.insert(0, title)
        return root

    def _description(self) -> str:
        text = _("%(kind)s van “%(title)s”. De cijfers staan in de tabel bij deze figuur.") % {
            "kind": _KIND_NAMES[self.kind],
            "title": self.section.title,
        }
        if self.section.any_hidden:
            text += " " + _(
                "Een categorie met (–) heeft een of meer waarden die te klein zijn om te tonen: die ontbreken "
                "in de figuur en zijn geen nul."
            )
        return text

    def _strip(self, root: ET.Element) -> None:
        for parent in list(root.iter()):
            for child in list(parent):
                if not isinstance(child.tag, str):  # comments
                    parent.remove(child)
                    continue
                tag = child.tag.removeprefix(SVG_NS)
                classes = set(child.get("class", "").split())
                if tag in {"script", "title", "desc"} or "tooltip-overlay" in classes:
                    parent.remove(child)
                    continue
                child.attrib.pop("style", None)
                if child.get("id", "").startswith("activate-serie"):
                    del child.attrib["id"]
