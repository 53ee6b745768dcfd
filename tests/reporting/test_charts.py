"""Charts of the statistics sections (reporting/charts.py; R18, R19): pygal
SVG, inline on the page and in the PDF.

A hidden value (None, R19) must never look like a zero nor leak into the
SVG; the SVG must be accessible (role img, title, desc) and carry nothing a
Content-Security-Policy refuses (script, style attributes), with the CSP
nonce on its <style> when given.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import translation

from reporting.charts import chart_svg
from reporting.report import PERCENT, TOTAL, ChartSpec, Column, Section, SectionRow


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


def section(kind="bar", rows=None, columns=None, chart_columns=("a",), include_total=False, key="test"):
    columns = columns or [Column("a", "Alfa"), Column("b", "Bèta")]
    rows = rows or [
        SectionRow("Zorg", [7, 4]),
        SectionRow("Keuken", [None, 0]),
        SectionRow("Receptie", [0, 5]),
        SectionRow("Totaal", [19, 9], TOTAL),
    ]
    return Section(
        key,
        "Testfiguur",
        "Afdeling",
        columns,
        rows,
        chart=ChartSpec(kind, tuple(chart_columns), include_total),
        description="Omschrijving",
    )


def printed(svg: str) -> list[str]:
    """The values pygal prints on the bars."""
    return re.findall(r'<text[^>]*class="value"[^>]*>([^<]*)</text>', svg)


def bars(svg: str) -> int:
    return len(re.findall(r'<rect [^>]*class="rect reactive', svg))


def test_accessible_and_without_script_or_style_attributes():
    svg = chart_svg(section(), nonce="n0nce")
    assert svg.startswith("<svg ") and not svg.startswith("<?xml")
    assert 'role="img"' in svg and 'aria-labelledby="stat-test-screen-title stat-test-screen-desc"' in svg
    assert '<title id="stat-test-screen-title">Testfiguur</title>' in svg
    assert re.search(r'<desc id="stat-test-screen-desc">Staafdiagram van “Testfiguur”\.', svg)
    assert "<script" not in svg and "javascript" not in svg.lower()
    assert " style=" not in svg and "<!--" not in svg
    assert "activate-serie" not in svg.replace(
        'class="legend reactive activate-serie"', ""
    )  # no repeated ids
    assert svg.count("<style") == 1 and '<style type="text/css" nonce="n0nce">' in svg


def test_without_nonce_the_style_has_none():
    assert "nonce=" not in chart_svg(section())


def test_r19_hidden_value_is_a_gap_marked_in_the_label_not_a_zero():
    svg = chart_svg(section("bar"))
    # Zorg 7 and Receptie 0 drawn and printed; Keuken's hidden value neither.
    assert bars(svg) == 2
    assert printed(svg) == ["7", "0"]
    assert ">Keuken (\u2013)<" in svg and ">Zorg<" in svg and ">Receptie<" in svg
    assert "zijn geen nul" in svg  # the description says what the dash means


def test_r19_stacked_bars_leave_hidden_segments_out():
    """pygal's own StackedBar would draw None as 0 and print "0"."""
    svg = chart_svg(section("stacked", chart_columns=("a", "b")))
    assert bars(svg) == 5  # 6 cells, one hidden
    assert sorted(printed(svg)) == ["4", "5", "7"]  # zeros are not labelled inside a stack
    assert ">Keuken (\u2013)<" in svg


def test_stacked_axis_reaches_the_highest_stack():
    # Zorg's stack is 7 + 4 = 11: ticks in steps of 2 up to 12 (not up to the highest single value, 7).
    svg = chart_svg(section("stacked", chart_columns=("a", "b")))
    axis = svg[svg.index('class="axis y') :]
    assert ">12<" in axis and ">10<" in axis


def test_r19_line_has_a_gap_for_a_hidden_month():
    rows = [
        SectionRow(m, [v])
        for m, v in [("januari", Decimal("3.1")), ("februari", None), ("maart", Decimal("4.25"))]
    ]
    svg = chart_svg(section("line", rows=rows, columns=[Column("a", "Verzuimpercentage", PERCENT)]))
    assert svg.count('class="dot reactive tooltip-trigger"') == 2
    assert ">februari (\u2013)<" in svg
    # Dutch percent formatting on the axis.
    assert re.search(r">\d+(,\d+)?%<", svg)
    assert "Lijndiagram" in svg


def test_total_row_only_when_asked():
    assert ">Totaal<" not in chart_svg(section("bar"))
    svg = chart_svg(section("bar", include_total=True))
    assert ">Totaal<" in svg and "19" in printed(svg)


def test_dutch_units_in_values():
    rows = [SectionRow("Zorg", [Decimal("0.2459")]), SectionRow("Keuken", [Decimal("12.5")])]
    svg = chart_svg(section(rows=rows, columns=[Column("a", "Verzuimpercentage", PERCENT)]))
    assert printed(svg) == ["0,2%", "12,5%"]
    assert ">procent<" in svg


def test_labels_are_escaped():
    rows = [SectionRow('<script>alert("x")</script> & Co', [3])]
    svg = chart_svg(section(rows=rows, columns=[Column("a", "Alfa")]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&amp; Co" in svg


@pytest.mark.parametrize(("size", "width"), [("screen", 760), ("slide", 1200), ("a4", 680)])
def test_sizes(size, width):
    svg = chart_svg(section(), size=size)
    assert f'viewBox="0 0 {width} ' in svg and f'id="stat-test-{size}-title"' in svg


def test_nothing_to_draw():
    assert chart_svg(Section("x", "X", "Afdeling", [Column("a", "A")], [SectionRow("Zorg", [3])])) == ""
    hidden = [SectionRow("Zorg", [None, None]), SectionRow("Keuken", [None, None])]
    assert chart_svg(section(rows=hidden)) == ""


def test_many_long_labels_become_horizontal_bars_in_table_order():
    rows = [SectionRow(f"werkbelasting/soort werk/taakverdeling {i}", [i + 10]) for i in range(8)]
    svg = chart_svg(section(rows=rows, columns=[Column("a", "Dossiers")]))
    assert "horizontal" in svg and bars(svg) == 8
    # The first row of the table is at the top: pygal draws categories bottom-up.
    positions = {
        int(m.group(2)): float(m.group(1))
        for m in re.finditer(r'y="([\d.]+)"[^>]*>werkbelasting/soort werk/taakverdeling (\d)<', svg)
    }
    assert positions[0] < positions[7]


def test_r19_a_long_label_keeps_its_hidden_mark():
    rows = [SectionRow("Overige afdelingen (samengevoegd)", [None, 4]), SectionRow("Zorg", [3, 2])]
    svg = chart_svg(section("stacked", rows=rows, chart_columns=("a", "b")))
    assert re.search(r">Overige afdelingen[^<]*\u2026 \(\u2013\)<", svg)


def test_a_chart_is_drawn_once_and_served_per_request_with_its_own_nonce(monkeypatch):
    """Drawn charts are cached under a digest of what they show (pygal takes
    ~10 ms per chart); each request still gets its own CSP nonce, and any
    change of a figure, a label or the language draws anew."""
    import uuid

    from reporting import charts

    key = f"cache-{uuid.uuid4().hex[:12]}"  # nothing cached for it yet, also in a shared Redis
    drawn = []
    real_draw = charts._draw

    def counting_draw(*args, **kwargs):
        drawn.append(kwargs.get("size"))
        return real_draw(*args, **kwargs)

    monkeypatch.setattr(charts, "_draw", counting_draw)
    first = chart_svg(section(key=key), nonce="first")
    second = chart_svg(section(key=key), nonce="second")
    assert len(drawn) == 1
    assert 'nonce="first"' in first and 'nonce="second"' in second and "first" not in second
    assert first.replace('nonce="first"', 'nonce="second"') == second
    assert "placeholder" not in second
    assert "nonce=" not in chart_svg(section(key=key))  # the PDF: no nonce, drawn without one
    assert len(drawn) == 2

    changed = section(rows=[SectionRow("Zorg", [8, 4]), SectionRow("Receptie", [0, 5])], key=key)
    assert printed(chart_svg(changed, nonce="x")) != printed(first)
    with translation.override("en"):
        english = chart_svg(section(key=key), nonce="x")
    assert len(drawn) == 4
    assert english != first.replace('nonce="first"', 'nonce="x"')
