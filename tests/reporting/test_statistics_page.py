"""The statistics page (reporting/views_statistics.py; R18, R19): who sees
which departments, disclosure control on the page, no individual data, the
period presets and granularity, the links to the presentation and the
downloads, and a constant number of queries.

Data: tests/reporting/statistics_data.py (Zorg 20 employees with 6 spells,
Keuken 12 with 2 spells (suppressed), Schoonmaak 3 and Receptie 8 pooled).
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from casefiles import services
from casefiles.models import AbsenceCase
from reporting.views_statistics import preset_period
from smo.roles import Role
from tests.factories import AbsenceCaseFactory, DepartmentFactory

from .statistics_data import PERIOD, D, client_for, make_org, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return make_org()


def _values(section, row) -> dict:
    return {c.key: v for c, v in zip(section.columns, row.values, strict=True)}


class Shown:
    """A department's row of the report: its counts and its rates."""

    def __init__(self, report, index):
        counts, rates = report.section("counts"), report.section("rates")
        row = counts.rows[index]
        self.label, self.kind, self.size = row.label, row.kind, row.size
        self.cells = _values(counts, row)
        self.rates = _values(rates, rates.rows[index])


def rows(response) -> dict[str, Shown]:
    report = response.context["report"]
    if not report.sections:
        return {}
    counts = report.section("counts")
    return {r.label: Shown(report, i) for i, r in enumerate(counts.rows) if r.kind != "total"}


def total(response) -> Shown:
    report = response.context["report"]
    return Shown(report, len(report.section("counts").rows) - 1)


def test_arbeidsdeskundige_sees_the_table_without_names(org):
    response = client_for(org, Role.ARBEIDSDESKUNDIGE).get(reverse("statistics"), PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Zorg" in html and "Keuken" in html
    assert '<th scope="col">' in html and '<th scope="row">' in html
    for person in org.people:
        assert person.last_name not in html
        assert person.personnel_number not in html
    # Definitions of every figure are on the page.
    for word in ("Verzuimpercentage", "Meldingsfrequentie", "Gemiddelde verzuimduur", "Nulverzuim"):
        assert f"<dt>{word}" in html
    zorg = rows(response)["Zorg"].cells
    assert zorg["new_spells"] == 6 and zorg["kort"] == 6
    # The organisation: 9 spells of 3 days over 43 employees * 366 days (equal
    # contract hours): 27 / 15738 = 0.17 %.
    assert f"{total(response).rates['verzuimpercentage']:.4f}" == f"{27 / 15738 * 100:.4f}"
    # Zorg's own percentage (6 absent) is hidden too: with the total shown, it
    # would give that of Keuken and the pooled row together, 3 absent people (R19).
    assert rows(response)["Zorg"].rates["verzuimpercentage"] is None
    assert "<svg" in html and "<script" not in html


def test_small_departments_are_pooled_not_shown_alone(org):
    response = client_for(org, Role.HR).get(reverse("statistics"), PERIOD)
    shown = rows(response)
    assert "Schoonmaak" not in shown and "Receptie" not in shown
    pooled = shown["Overige afdelingen (samengevoegd)"]
    assert pooled.kind == "pooled" and pooled.size == 11
    assert all(value is None for value in pooled.rates.values())
    html = response.content.decode()
    assert "Schoonmaak" not in html and "Receptie" not in html
    assert "te klein om te tonen" in html


def test_small_count_is_suppressed(org):
    response = client_for(org, Role.ARBEIDSDESKUNDIGE).get(reverse("statistics"), PERIOD)
    keuken = rows(response)["Keuken"]
    cells = keuken.cells
    assert cells["new_spells"] is None and cells["kort"] is None
    # Its meldingsfrequentie would reveal the suppressed count.
    assert keuken.rates["meldingsfrequentie"] is None
    # Neither can the suppressed count be recomputed from the totals.
    assert total(response).cells["new_spells"] is None or any(
        r.cells["new_spells"] is None for label, r in rows(response).items() if label != "Keuken"
    )
    assert "\u2013" in response.content.decode()  # the en dash of a suppressed cell


def test_manager_sees_only_own_departments(org):
    client = client_for(org, Role.LEIDINGGEVENDE)
    services.make_department_manager(actor=None, department=org.depts["Zorg"], manager=client.user)
    response = client.get(reverse("statistics"), PERIOD)
    assert response.status_code == 200
    assert set(rows(response)) == {"Zorg"}
    html = response.content.decode()
    assert "Keuken" not in html
    assert total(response).label == "Uw afdelingen samen"


def test_manager_of_a_small_department_sees_nothing(org):
    client = client_for(org, Role.LEIDINGGEVENDE)
    services.make_department_manager(actor=None, department=org.depts["Schoonmaak"], manager=client.user)
    response = client.get(reverse("statistics"), PERIOD)
    assert response.context["report"].too_small and rows(response) == {}
    assert "Te klein om te tonen" in response.content.decode()


def test_employee_and_physician_are_refused(org):
    for role in (Role.MEDEWERKER, Role.BEDRIJFSARTS, Role.CASEMANAGER, Role.PRIVACY_OFFICER):
        assert client_for(org, role).get(reverse("statistics")).status_code == 403
    assert Client().get(reverse("statistics")).status_code == 302


def test_default_period_is_last_calendar_year(org):
    response = client_for(org, Role.HR).get(reverse("statistics"))
    year = datetime.date.today().year - 1
    assert response.context["start"] == D(year, 1, 1)
    assert response.context["end"] == D(year, 12, 31)


def test_end_before_start_is_an_error(org):
    response = client_for(org, Role.HR).get(reverse("statistics"), {"van": "2024-12-31", "tot": "2024-01-01"})
    assert response.status_code == 200
    assert response.context["report"] is None
    assert "ligt voor het begin" in response.content.decode()


def test_constant_number_of_queries(org, django_assert_max_num_queries):
    client = client_for(org, Role.ARBEIDSDESKUNDIGE)
    client.get(reverse("statistics"), {"van": "2023-01-01", "tot": "2023-12-31"})  # warm up (session, ...)
    # Figures not cached yet.
    with django_assert_max_num_queries(14) as first:
        client.get(reverse("statistics"), PERIOD)
    extra = DepartmentFactory(organisation=org, name="Nieuw")
    staff(org, 15, extra, spells=7)
    staff(org, 10, org.depts["Keuken"], spells=4)
    # The new data drops the cached figures: computed again, in as many queries.
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(reverse("statistics"), PERIOD)
    assert "Nieuw" in rows(response)
    # Shown again (or as presentation, PDF, CSV): the figures come from the cache.
    with django_assert_max_num_queries(len(first.captured_queries) - 3):
        again = client.get(reverse("statistics"), PERIOD)
    counts = [r.values for r in response.context["report"].section("counts").rows]
    assert [r.values for r in again.context["report"].section("counts").rows] == counts


# --- charts, presets, links ----------------------------------------------------


def _section_html(html: str, key: str) -> str:
    start = html.index(f'id="sectie-{key}"')
    return html[start : html.index("</section>", start)]


def test_the_period_fields_show_the_chosen_dates_in_the_date_picker_format(org):
    html = client_for(org, Role.HR).get(reverse("statistics"), PERIOD).content.decode()
    # <input type="date"> only accepts yyyy-mm-dd; a Dutch 01-01-2024 would show empty.
    assert 'type="date" name="van" value="2024-01-01"' in html
    assert 'type="date" name="tot" value="2024-12-31"' in html


def test_every_section_has_an_accessible_chart_beside_its_table(org):
    # Five more absent in Keuken: enough shown rates for the comparison to draw.
    keuken = [p for p in org.people if p.department_id == org.depts["Keuken"].pk]
    for person in keuken[2:7]:
        AbsenceCaseFactory(
            employee=person,
            first_day=D(2024, 5, 6),
            end_date=D(2024, 5, 8),
            closed_reason=AbsenceCase.ClosedReason.RECOVERED,
        )
    response = client_for(org, Role.ARBEIDSDESKUNDIGE).get(reverse("statistics"), PERIOD)
    html = response.content.decode()
    for section in response.context["report"].sections:
        part = _section_html(html, section.key)
        assert "<svg" in part and 'role="img"' in part and "<table" in part
        assert f'<title id="stat-{section.key}-screen-title">{section.title}</title>' in part
    # No script anywhere, no style attribute (CSP); the chart's <style> carries the CSP nonce.
    assert "<script" not in html and " style=" not in html
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert html.count(f'<style type="text/css" nonce="{nonce}">') == len(response.context["report"].sections)


def test_r19_suppressed_row_is_marked_in_the_chart_not_drawn_as_zero(org):
    response = client_for(org, Role.ARBEIDSDESKUNDIGE).get(reverse("statistics"), PERIOD)
    counts = _section_html(response.content.decode(), "counts")
    chart = counts[counts.index("<svg") : counts.index("</svg>")]
    # Keuken's kort count is hidden: its category says so, and no printed value is 2 (the true count).
    assert "Keuken (\u2013)" in chart and ">Zorg<" in chart
    printed = [t.split(">")[-1] for t in chart.split("</text>") if 'class="value"' in t.split("<text")[-1]]
    assert "6" in printed and "2" not in printed


def test_period_presets(org):
    client = client_for(org, Role.HR)
    today = datetime.date.today()
    response = client.get(
        reverse("statistics"), {"periode": "dit-jaar", "van": "2020-01-01", "tot": "2020-12-31"}
    )
    assert (response.context["start"], response.context["end"]) == (D(today.year, 1, 1), today)
    response = client.get(reverse("statistics"), {"periode": "12-maanden"})
    assert (response.context["start"], response.context["end"]) == preset_period("12-maanden", today)
    response = client.get(reverse("statistics"), {"periode": "eigen", **PERIOD})
    assert (response.context["start"], response.context["end"]) == (D(2024, 1, 1), D(2024, 12, 31))


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 11, 25), (D(2025, 11, 1), D(2026, 10, 31))),
        (D(2026, 1, 1), (D(2025, 1, 1), D(2025, 12, 31))),
        (D(2024, 3, 31), (D(2023, 3, 1), D(2024, 2, 29))),
    ],
)
def test_last_twelve_full_months(today, expected):
    assert preset_period("12-maanden", today) == expected


def test_links_to_presentation_and_downloads_carry_the_same_choice(org):
    response = client_for(org, Role.ARBEIDSDESKUNDIGE).get(
        reverse("statistics"), {**PERIOD, "indeling": "quarter"}
    )
    html = response.content.decode()
    query = f"organisatie={org.pk}&amp;van=2024-01-01&amp;tot=2024-12-31&amp;indeling=quarter"
    for name in ("statistics_presentation", "statistics_pdf", "statistics_csv"):
        assert f'href="{reverse(name)}?{query}"' in html


def test_unknown_granularity_is_an_error(org):
    response = client_for(org, Role.HR).get(reverse("statistics"), {**PERIOD, "indeling": "week"})
    assert response.context["report"] is None
    assert "statistics_pdf" not in response.content.decode()


def test_definitions_include_the_new_sections(org):
    html = client_for(org, Role.HR).get(reverse("statistics"), PERIOD).content.decode()
    for word in ("Verloop in de tijd", "Vergelijking tussen afdelingen", "Oorzaken (beïnvloedbare factoren)"):
        assert f"<dt>{word}</dt>" in html
    assert "nooit diagnoses" in html  # R17: causes as influenceable factors only
