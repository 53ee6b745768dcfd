"""Handout PDF and CSV export of the statistics (reporting/views_statistics_export.py;
R18, R19, R13): the same sections and values as the page, nothing suppressed
leaks, no employee name, safe for spreadsheets, and every download in the
audit trail without figures.

Data: tests/reporting/statistics_data.py (Keuken's 2 new spells are suppressed).
"""

from __future__ import annotations

import csv
import io
import subprocess

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import translation

from casefiles import services
from reporting.templatetags.statistics_tags import format_value
from reporting.views_statistics_export import safe_cell
from smo import audit
from smo.roles import Role
from tests.factories import DepartmentFactory

from .statistics_data import PERIOD, client_for, identifying_strings, make_org, staff

pytestmark = pytest.mark.django_db

FILE_STEM = "verzuimstatistieken-zorgcentrum-statistiek-20240101-20241231"


@pytest.fixture
def org():
    return make_org()


def pdf_text(content: bytes, tmp_path, *, layout: bool = False) -> str:
    path = tmp_path / "hand-out.pdf"
    path.write_bytes(content)
    args = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def page_report(client):
    return client.get(reverse("statistics"), PERIOD).context["report"]


def downloads(org):
    return LogEntry.objects.filter(
        additional_data__what=audit.STATISTICS_DOWNLOAD, additional_data__organisation_id=org.pk
    )


# --- handout PDF -------------------------------------------------------------


def test_handout_pdf_has_every_section_and_the_shown_values(org, tmp_path):
    client = client_for(org, Role.ARBEIDSDESKUNDIGE)
    response = client.get(reverse("statistics_pdf"), PERIOD)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{FILE_STEM}.pdf"'
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content, tmp_path)
    assert "Verzuimstatistieken" in text and "Zorgcentrum Statistiek" in text
    assert "1 januari 2024 tot en met 31 december 2024" in text
    assert "vertrouwelijk \u2013 geanonimiseerde groepscijfers" in text
    report = page_report(client)
    for section in report.sections:
        assert str(section.title) in text
    for word in ("Definities", "Verzuimpercentage", "Meldingsfrequentie", "Nulverzuim", "Oorzaken"):
        assert word in text
    # Every chart is in the PDF (its axis title), and the rows read as on the page.
    layout = pdf_text(response.content, tmp_path, layout=True)
    counts = report.section("counts")
    for row in counts.rows:
        if row.label not in ("Zorg", "Keuken", "Organisatie totaal"):
            continue  # the pooled label wraps over lines in the PDF table
        expected = [format_value(v, c) for v, c in zip(row.values, counts.columns, strict=True)]
        table_lines = [
            line.strip().removeprefix(row.label).split()
            for line in layout.splitlines()
            if line.strip().startswith(f"{row.label}  ")
        ]
        assert expected in table_lines


def test_r19_handout_never_shows_a_suppressed_value_or_a_name(org, tmp_path):
    client = client_for(org, Role.ARBEIDSDESKUNDIGE)
    content = client.get(reverse("statistics_pdf"), PERIOD).content
    text, layout = pdf_text(content, tmp_path), pdf_text(content, tmp_path, layout=True)
    for secret in identifying_strings(org):
        assert secret not in text
    assert "Schoonmaak" not in text and "Receptie" not in text  # pooled, never alone
    keuken = next(line for line in layout.splitlines() if line.strip().startswith("Keuken  "))
    assert keuken.split()[1:4] == ["12", "\u2013", "\u2013"]  # size shown; new spells and kort hidden
    assert "2" not in keuken.split()


def test_handout_for_a_manager_holds_only_their_departments(org, tmp_path):
    client = client_for(org, Role.LEIDINGGEVENDE)
    services.make_department_manager(actor=None, department=org.depts["Zorg"], manager=client.user)
    text = pdf_text(client.get(reverse("statistics_pdf"), PERIOD).content, tmp_path)
    assert "Zorg" in text and "Keuken" not in text and "Uw afdelingen samen" in text


def test_handout_of_a_too_small_scope_says_so(org, tmp_path):
    client = client_for(org, Role.LEIDINGGEVENDE)
    services.make_department_manager(actor=None, department=org.depts["Schoonmaak"], manager=client.user)
    text = pdf_text(client.get(reverse("statistics_pdf"), PERIOD).content, tmp_path)
    assert "Te klein om te tonen" in text and "Schoonmaak" not in text


def test_r13_downloads_are_logged_without_figures(org):
    client = client_for(org, Role.HR)
    assert not downloads(org).exists()
    client.get(reverse("statistics_pdf"), PERIOD)
    client.get(reverse("statistics_csv"), PERIOD)
    entries = list(downloads(org))
    assert len(entries) == 2
    assert all(e.actor == client.user and e.action == LogEntry.Action.ACCESS for e in entries)
    assert all(not e.changes_dict for e in entries)
    # Viewing the page or presenting is not a download.
    client.get(reverse("statistics"), PERIOD)
    client.get(reverse("statistics_presentation"), PERIOD)
    assert downloads(org).count() == 2


def test_invalid_period_is_refused_and_not_logged(org):
    client = client_for(org, Role.HR)
    for name in ("statistics_pdf", "statistics_csv"):
        response = client.get(reverse(name), {"van": "2024-12-31", "tot": "2024-01-01"})
        assert response.status_code == 400
        assert "ligt voor het begin" in response.content.decode()
    assert not downloads(org).exists()


# --- CSV ----------------------------------------------------------------------


def csv_lines(response) -> list[list[str]]:
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Dutch Excel
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_csv_has_the_same_sections_and_values_as_the_page(org):
    client = client_for(org, Role.ARBEIDSDESKUNDIGE)
    response = client.get(reverse("statistics_csv"), PERIOD)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{FILE_STEM}.csv"'
    lines = csv_lines(response)
    assert lines[0] == ["Verzuimstatistieken", "Zorgcentrum Statistiek"]
    assert lines[1] == ["Periode", "2024-01-01", "2024-12-31"]
    report = page_report(client)
    with translation.override("nl"):
        for section in report.sections:
            start = lines.index([str(section.title)])
            header = next(line for line in lines[start:] if line and line[0] == str(section.row_heading))
            at = lines.index(header, start)
            assert header == [
                str(section.row_heading),
                *[str(c.label) for c in section.columns],
                "Niet getoond",
            ]
            for offset, row in enumerate(section.rows, start=1):
                expected = [
                    "" if v is None else format_value(v, c)
                    for v, c in zip(row.values, section.columns, strict=True)
                ]
                hidden = ", ".join(
                    str(c.label) for v, c in zip(row.values, section.columns, strict=True) if v is None
                )
                assert lines[at + offset] == [row.label, *expected, hidden]


def test_r19_csv_never_holds_a_suppressed_value_or_a_name(org):
    text = client_for(org, Role.HR).get(reverse("statistics_csv"), PERIOD).content.decode("utf-8-sig")
    for secret in identifying_strings(org):
        assert secret not in text
    assert "Schoonmaak" not in text and "Receptie" not in text
    keuken = next(
        line for line in csv.reader(io.StringIO(text), delimiter=";") if line and line[0] == "Keuken"
    )
    assert keuken[:4] == ["Keuken", "12", "", ""]  # new spells and kort hidden: empty, not 2 and not 0
    assert keuken[-1] == "Nieuwe meldingen, Kort (1-7 dagen)"
    assert "2" not in keuken


def test_csv_cells_cannot_run_as_formulas(org):
    staff(
        org, 12, DepartmentFactory(organisation=org, name='=HYPERLINK("http://x.example","klik")'), spells=6
    )
    text = client_for(org, Role.HR).get(reverse("statistics_csv"), PERIOD).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    labels = [row[0] for row in rows if row]
    assert '\'=HYPERLINK("http://x.example","klik")' in labels
    assert not any(cell.startswith(("=", "@")) for row in rows for cell in row)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+31 6 1234", "'+31 6 1234"),
        ("-2+3", "'-2+3"),
        ("\tx", "'\tx"),
        ("-0,4", "-0,4"),  # a negative difference stays a number
        ("+1,2", "+1,2"),
        ("12,5%", "12,5%"),
        ("Zorg", "Zorg"),
        (None, ""),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected
