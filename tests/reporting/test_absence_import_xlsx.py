"""The absence import of Excel workbooks (issue 7, item 1): the same columns,
checks and Dutch messages as CSV, with row numbers as the spreadsheet shows
them, real Excel dates and numbers, the first sheet only; through the
service, the page and the management command."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from casefiles.models import AbsenceCase
from reporting.absence_import import import_absence

from ..factories import DepartmentFactory, EmployeeFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

d = datetime.date
HEADER = [
    "personeelsnummer",
    "afdeling",
    "eerste_verzuimdag",
    "laatste_verzuimdag",
    "percentage",
    "contracturen",
]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(*rows, header=HEADER, percent_cells=(), extra_sheet=None) -> bytes:
    """An .xlsx file built by openpyxl, as Excel would save it. ``percent_cells``
    get Excel's percentage format (the value 0.5 shows as 50%)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Verzuim"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for ref in percent_cells:
        sheet[ref].number_format = "0%"
    if extra_sheet is not None:
        other = book.create_sheet("Toelichting")
        for row in extra_sheet:
            other.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def org():
    organisation = OrganisationFactory(slug="xlsx-org")
    department = DepartmentFactory(organisation=organisation, name="Zorg")
    for number in ("1001", "1002", "1003"):
        EmployeeFactory(organisation=organisation, department=department, personnel_number=number)
    return organisation


def run(org, data: bytes, *, filename: str = "verzuim.xlsx", dry_run: bool = False):
    return import_absence(actor=None, organisation=org, data=data, dry_run=dry_run, filename=filename)


def messages(result) -> list[str]:
    return [str(error) for error in result.errors]


def stored(org):
    return sorted(
        (
            c.employee.personnel_number,
            c.first_day,
            c.end_date,
            c.contract_hours,
            list(c.percentages.values_list("valid_from", "percentage")),
        )
        for c in AbsenceCase.objects.filter(employee__organisation=org).select_related("employee")
    )


GOOD = workbook(
    # Numbers as Excel keeps them (floats), dates as real Excel dates.
    [1001.0, "Zorg", d(2025, 1, 6), d(2025, 1, 10), None, 36.0],
    # Dates typed as text, percentage changes as text, hours with a comma.
    [1001, "Zorg", "03-02-2025", None, "2025-02-03:100|2025-03-01:50", "24,5"],
    # A datetime cell, a percentage-formatted cell (0.5 = 50%), hours as a float.
    ["1002", "Zorg", datetime.datetime(2025, 1, 15, 0, 0), "2025-02-15", 0.5, 24.5],
    [],  # an empty row is skipped
    ["1003", "Zorg", d(2025, 4, 1), None, 75, None],
    percent_cells=["E4"],
)


def test_xlsx_with_excel_dates_and_numbers_imports_like_csv(org):
    result = run(org, GOOD)
    assert result.ok, messages(result)
    assert (result.rows, result.created) == (4, 4)
    assert stored(org) == [
        ("1001", d(2025, 1, 6), d(2025, 1, 10), Decimal("36.0"), [(d(2025, 1, 6), 100)]),
        ("1001", d(2025, 2, 3), None, Decimal("24.5"), [(d(2025, 2, 3), 100), (d(2025, 3, 1), 50)]),
        ("1002", d(2025, 1, 15), d(2025, 2, 15), Decimal("24.5"), [(d(2025, 1, 15), 50)]),
        ("1003", d(2025, 4, 1), None, None, [(d(2025, 4, 1), 75)]),
    ]


def test_xlsx_twice_changes_nothing(org):
    run(org, GOOD)
    before = list(AbsenceCase.objects.order_by("pk").values_list("pk", "end_date", "contract_hours"))
    result = run(org, GOOD)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    assert list(AbsenceCase.objects.order_by("pk").values_list("pk", "end_date", "contract_hours")) == before


def test_xlsx_errors_name_the_spreadsheet_row_and_column(org):
    data = workbook(
        [1001, "Zorg", d(2025, 1, 6), None, None, 36],
        [1002, "Zorg", "31-02-2025", None, None, 36],  # row 3
        [9999, "Kantine", d(2025, 1, 6), None, 150, 99.5],  # row 4
        [1003, "Zorg", 45678, None, None, None],  # row 5: a number, not a date
    )
    result = run(org, data)
    assert messages(result) == [
        "Regel 3, kolom eerste_verzuimdag: '31-02-2025' is geen geldige datum (verwacht JJJJ-MM-DD of DD-MM-JJJJ)",
        "Regel 4, kolom personeelsnummer: onbekend personeelsnummer '9999' (medewerkers worden niet via de "
        "import aangemaakt)",
        "Regel 4, kolom afdeling: afdeling 'Kantine' bestaat niet in deze organisatie",
        "Regel 4, kolom percentage: '150' is geen geldig percentage (verwacht een geheel getal van 1 tot en met 100)",
        "Regel 4, kolom contracturen: '99.5' is geen geldig aantal uren (meer dan 0, hoogstens 60)",
        "Regel 5, kolom eerste_verzuimdag: '45678' is geen geldige datum (verwacht JJJJ-MM-DD of DD-MM-JJJJ)",
    ]
    assert not AbsenceCase.objects.exists()


def test_xlsx_header_errors_and_extra_cells(org):
    data = workbook(
        ["1001", "Zorg", d(2025, 1, 6)], header=["personeelsnummer", "afdling", "eerste_verzuimdag"]
    )
    assert messages(run(org, data)) == [
        "Regel 1, kolom afdling: onbekende kolom",
        "Regel 1, kolom afdeling: verplichte kolom ontbreekt",
    ]
    data = workbook([1001, "Zorg", d(2025, 1, 6), None, None, 36, "extra"])
    assert messages(run(org, data)) == ["Regel 2: verwacht 6 kolommen, gevonden 7"]


def test_only_the_first_sheet_is_read(org):
    data = workbook(
        [1001, "Zorg", d(2025, 1, 6), None, None, 36], extra_sheet=[["dit is geen verzuim"], ["x"]]
    )
    result = run(org, data)
    assert result.ok, messages(result)
    assert result.rows == 1


def test_a_broken_or_old_excel_file_is_refused_in_dutch(org):
    not_a_workbook = io.BytesIO()
    with zipfile.ZipFile(not_a_workbook, "w") as archive:
        archive.writestr("iets.txt", "geen werkmap")
    assert messages(run(org, not_a_workbook.getvalue())) == [
        "Regel 1: het bestand is geen geldig Excel-bestand (.xlsx)"
    ]
    assert messages(run(org, b"personeelsnummer;afdeling", filename="verzuim.xlsx")) == [
        "Regel 1: het bestand is geen geldig Excel-bestand (.xlsx)"
    ]
    old = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    assert messages(run(org, old, filename="verzuim.xls")) == [
        "Regel 1: het oude Excel-formaat (.xls) wordt niet ondersteund; sla het op als .xlsx of CSV"
    ]


def test_the_format_is_recognised_by_content_not_by_name(org):
    result = run(org, GOOD, filename="verzuim.csv")
    assert result.ok and result.created == 4, messages(result)


# --- page and command -----------------------------------------------------------


def test_page_imports_an_xlsx_file(cast):
    number = cast.other_employee_record.personnel_number
    data = workbook([number, "Facilitair", d(2024, 1, 8), d(2024, 1, 12), None, 32.0])
    response = cast.client("hr").post(
        reverse("absence_import"),
        {
            "organisatie": cast.organisation.pk,
            "bestand": SimpleUploadedFile("verzuim.xlsx", data, content_type=XLSX_TYPE),
            "actie": "importeren",
        },
    )
    assert response.status_code == 302
    case = AbsenceCase.objects.get(employee__personnel_number=number, first_day=d(2024, 1, 8))
    assert case.contract_hours == Decimal("32.0")


def test_page_refuses_other_file_types(cast):
    response = cast.client("hr").post(
        reverse("absence_import"),
        {
            "organisatie": cast.organisation.pk,
            "bestand": SimpleUploadedFile("verzuim.pdf", b"%PDF-1.4", content_type="application/pdf"),
            "actie": "importeren",
        },
    )
    assert response.status_code == 200
    assert "Kies een CSV-bestand (.csv) of een Excel-bestand (.xlsx)." in response.content.decode()


def test_command_imports_an_xlsx_file(org, tmp_path, capsys):
    path = tmp_path / "verzuim.xlsx"
    path.write_bytes(GOOD)
    call_command("import_absence", str(path), "--organisation", "xlsx-org")
    assert "Import voltooid (4 regels): 4 nieuw, 0 bijgewerkt, 0 ongewijzigd" in capsys.readouterr().out
    assert AbsenceCase.objects.count() == 4
