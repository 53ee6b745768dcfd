"""The absence import (issue 7, item 1): parsing, validation with Dutch
messages by line and column, atomicity, idempotency, bulk performance, the
page and the management command."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from casefiles.models import AbsenceCase, AbsencePercentage
from reporting import absence_import
from reporting.absence_import import import_absence, writing

from ..factories import AbsenceCaseFactory, DepartmentFactory, EmployeeFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

HEADER = "personeelsnummer;afdeling;eerste_verzuimdag;laatste_verzuimdag;percentage;contracturen\n"


@pytest.fixture
def org():
    organisation = OrganisationFactory(slug="import-org")
    department = DepartmentFactory(organisation=organisation, name="Zorg")
    for number in ("1001", "1002", "1003"):
        EmployeeFactory(organisation=organisation, department=department, personnel_number=number)
    return organisation


def run(org, text: str, *, dry_run: bool = False):
    return import_absence(actor=None, organisation=org, data=text.encode(), dry_run=dry_run)


def messages(result) -> list[str]:
    return [str(error) for error in result.errors]


def spells(org):
    return sorted(
        (
            c.employee.personnel_number,
            c.first_day,
            c.end_date,
            [(p.valid_from, p.percentage) for p in c.percentages.all()],
        )
        for c in AbsenceCase.objects.filter(employee__organisation=org).prefetch_related("percentages")
    )


GOOD = (
    HEADER
    + "1001;Zorg;2025-01-06;2025-01-10;;36\n"
    + "1001;Zorg;03-02-2025;;2025-02-03:100|2025-03-01:50;36\n"
    + "1002;Zorg;2025-01-15;2025-02-15;50;24,5\n"
)


def test_happy_path_creates_spells_with_percentages(org):
    result = run(org, GOOD)
    assert result.ok, messages(result)
    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
    d = datetime.date
    assert spells(org) == [
        ("1001", d(2025, 1, 6), d(2025, 1, 10), [(d(2025, 1, 6), 100)]),
        ("1001", d(2025, 2, 3), None, [(d(2025, 2, 3), 100), (d(2025, 3, 1), 50)]),
        ("1002", d(2025, 1, 15), d(2025, 2, 15), [(d(2025, 1, 15), 50)]),
    ]
    closed = AbsenceCase.objects.get(employee__personnel_number="1001", first_day=d(2025, 1, 6))
    assert closed.closed_reason == AbsenceCase.ClosedReason.OTHER


def test_english_headers_and_comma_delimiter(org):
    text = "personnel_number,department,first_day,last_day,percentage,contract_hours\n1003,Zorg,2025-04-01,,,32\n"
    result = run(org, text)
    assert result.ok, messages(result)
    assert AbsenceCase.objects.get(employee__personnel_number="1003").end_date is None


def test_reimport_changes_nothing(org):
    run(org, GOOD)
    before = list(AbsenceCase.objects.values_list("pk", "end_date", "closed_reason"))
    percentage_pks = list(AbsencePercentage.objects.values_list("pk", flat=True))
    result = run(org, GOOD)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert list(AbsenceCase.objects.values_list("pk", "end_date", "closed_reason")) == before
    assert list(AbsencePercentage.objects.values_list("pk", flat=True)) == percentage_pks


def test_existing_case_with_same_key_is_updated(org):
    run(org, GOOD)
    changed = GOOD.replace("03-02-2025;;2025-02-03:100|2025-03-01:50", "03-02-2025;2025-04-30;75")
    result = run(org, changed)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    case = AbsenceCase.objects.get(employee__personnel_number="1001", first_day=datetime.date(2025, 2, 3))
    assert case.end_date == datetime.date(2025, 4, 30)
    assert case.closed_reason == AbsenceCase.ClosedReason.OTHER
    assert list(case.percentages.values_list("percentage", flat=True)) == [75]


def hours(org) -> dict:
    return {
        (c.employee.personnel_number, c.first_day): c.contract_hours
        for c in AbsenceCase.objects.filter(employee__organisation=org).select_related("employee")
    }


def test_contract_hours_are_stored_per_spell(org):
    run(org, GOOD.replace("2025-01-15;2025-02-15;50;24,5", "2025-01-15;2025-02-15;50;"))
    d = datetime.date
    assert hours(org) == {
        ("1001", d(2025, 1, 6)): Decimal("36.0"),
        ("1001", d(2025, 2, 3)): Decimal("36.0"),
        ("1002", d(2025, 1, 15)): None,  # empty: the employee's current contract hours apply
    }


def test_changed_contract_hours_update_the_spell_and_nothing_else(org):
    run(org, GOOD)
    percentage_pks = list(AbsencePercentage.objects.values_list("pk", flat=True))
    result = run(org, GOOD.replace("2025-01-15;2025-02-15;50;24,5", "2025-01-15;2025-02-15;50;32"))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert hours(org)[("1002", datetime.date(2025, 1, 15))] == Decimal("32.0")
    assert list(AbsencePercentage.objects.values_list("pk", flat=True)) == percentage_pks
    emptied = run(org, GOOD.replace("2025-01-15;2025-02-15;50;24,5", "2025-01-15;2025-02-15;50;"))
    assert (emptied.updated, emptied.unchanged) == (1, 2)
    assert hours(org)[("1002", datetime.date(2025, 1, 15))] is None


def test_a_file_without_the_hours_column_keeps_the_stored_hours(org):
    run(org, GOOD)
    before = hours(org)
    without = "\n".join(line.rsplit(";", 1)[0] for line in GOOD.splitlines()) + "\n"
    result = run(org, without)
    assert (result.updated, result.unchanged) == (0, 3), messages(result)
    assert hours(org) == before


def test_contract_hours_are_rounded_to_one_decimal_then_checked(org):
    result = run(org, HEADER + "1003;Zorg;2025-04-01;;;24,25\n")
    assert result.ok, messages(result)
    assert hours(org)[("1003", datetime.date(2025, 4, 1))] == Decimal("24.3")
    result = run(org, HEADER + "1002;Zorg;2025-04-01;;;0,04\n")
    assert messages(result) == [
        "Regel 2, kolom contracturen: '0,04' is geen geldig aantal uren (meer dan 0, hoogstens 60)"
    ]


def test_dry_run_writes_nothing(org):
    result = run(org, GOOD, dry_run=True)
    assert result.ok and result.created == 3
    assert not AbsenceCase.objects.exists()


ERROR_CASES = [
    (
        "1001;Zorg;31-02-2026;;;36",
        "Regel 2, kolom eerste_verzuimdag: '31-02-2026' is geen geldige datum (verwacht JJJJ-MM-DD of DD-MM-JJJJ)",
    ),
    ("1001;Zorg;;;;36", "Regel 2, kolom eerste_verzuimdag: eerste verzuimdag ontbreekt"),
    (
        "1001;Zorg;2025-01-06;gisteren;;36",
        "Regel 2, kolom laatste_verzuimdag: 'gisteren' is geen geldige datum",
    ),
    (
        "1001;Zorg;2025-01-06;2025-01-01;;36",
        "Regel 2, kolom laatste_verzuimdag: 01-01-2025 ligt voor de eerste verzuimdag 06-01-2025",
    ),
    ("1001;Zorg;2999-01-06;;;36", "Regel 2, kolom eerste_verzuimdag: 06-01-2999 ligt in de toekomst"),
    ("1001;Zorg;2025-01-06;;150;36", "Regel 2, kolom percentage: '150' is geen geldig percentage"),
    (
        "1001;Zorg;2025-01-06;2025-01-20;2025-02-01:50;36",
        "Regel 2, kolom percentage: de wijziging per 01-02-2025 valt buiten de verzuimperiode",
    ),
    (
        "1001;Zorg;2025-01-06;;2025-13-01:50;36",
        "Regel 2, kolom percentage: '2025-13-01' in '2025-13-01:50' is geen geldige datum",
    ),
    ("1001;Zorg;2025-01-06;;;99", "Regel 2, kolom contracturen: '99' is geen geldig aantal uren"),
    ("1001;Zorg;2025-01-06;;", "Regel 2: verwacht 6 kolommen, gevonden 5"),
    (";Zorg;2025-01-06;;;36", "Regel 2, kolom personeelsnummer: personeelsnummer ontbreekt"),
    ("9999;Zorg;2025-01-06;;;36", "Regel 2, kolom personeelsnummer: onbekend personeelsnummer '9999'"),
    (
        "1001;Kantine;2025-01-06;;;36",
        "Regel 2, kolom afdeling: afdeling 'Kantine' bestaat niet in deze organisatie",
    ),
]


@pytest.mark.parametrize(("line", "expected"), ERROR_CASES)
def test_each_error_in_dutch_with_line_and_column(org, line, expected):
    result = run(org, HEADER + line + "\n")
    assert any(message.startswith(expected) for message in messages(result)), messages(result)
    assert not AbsenceCase.objects.exists()


def test_header_errors():
    org = OrganisationFactory()
    result = run(org, "personeelsnummer;afdling;eerste_verzuimdag\n1;A;2025-01-01\n")
    assert messages(result) == [
        "Regel 1, kolom afdling: onbekende kolom",
        "Regel 1, kolom afdeling: verplichte kolom ontbreekt",
    ]


def test_not_utf8(org):
    result = import_absence(
        actor=None, organisation=org, data=HEADER.encode() + "1001;Zörg".encode("latin-1"), dry_run=False
    )
    assert messages(result) == ["Regel 2: het bestand is geen UTF-8; sla het op als CSV UTF-8"]


def test_overlaps_second_open_spell_and_duplicates(org):
    AbsenceCaseFactory(
        employee=org.employees.get(personnel_number="1003"), first_day=datetime.date(2025, 3, 1)
    )
    text = (
        HEADER
        + "1001;Zorg;2025-01-01;2025-01-31;;36\n"  # 2
        + "1001;Zorg;2025-01-20;2025-02-10;;36\n"  # 3 overlaps 2
        + "1002;Zorg;2025-01-01;;;36\n"  # 4
        + "1002;Zorg;2025-02-01;;;36\n"  # 5 second open spell
        + "1001;Zorg;2025-01-01;2025-01-31;;36\n"  # 6 duplicate of 2
        + "1003;Zorg;2025-03-10;2025-03-12;;36\n"  # 7 overlaps the open case in the database
    )
    result = run(org, text)
    found = messages(result)
    assert (
        "Regel 3, kolom eerste_verzuimdag: overlapt met het verzuim van 01-01-2025 tot 31-01-2025 (regel 2)"
        in found
    )
    assert (
        "Regel 5, kolom laatste_verzuimdag: tweede lopend verzuim: er loopt al een verzuim vanaf 01-01-2025 (regel 4)"
        in found
    )
    assert (
        "Regel 6, kolom eerste_verzuimdag: dubbele regel: zelfde personeelsnummer en eerste verzuimdag als regel 2"
        in found
    )
    assert (
        "Regel 7, kolom eerste_verzuimdag: overlapt met het verzuim van 01-03-2025 tot nu (lopend) (al vastgelegd)"
        in found
    )
    assert [e.line for e in result.errors] == sorted(e.line for e in result.errors)
    assert AbsenceCase.objects.filter(employee__organisation=org).count() == 1


def test_every_error_is_reported_not_just_the_first(org):
    text = HEADER + "1001;Zorg;31-02-2026;;;36\n1002;Kantine;2025-01-01;;abc;0\n"
    found = messages(import_absence(actor=None, organisation=org, data=text.encode(), dry_run=False))
    assert [m.split(":")[0] for m in found] == [
        "Regel 2, kolom eerste_verzuimdag",
        "Regel 3, kolom afdeling",
        "Regel 3, kolom percentage",
        "Regel 3, kolom contracturen",
    ]


def test_one_bad_row_imports_nothing(org):
    result = run(org, GOOD + "9999;Zorg;2025-01-06;;;36\n")
    assert not result.ok
    assert not AbsenceCase.objects.exists()


def test_a_failure_while_writing_rolls_everything_back(org, monkeypatch):
    insert = writing._insert

    def fail(model, objects, key=()):
        if model is AbsencePercentage:  # after the cases were written
            raise RuntimeError("schijf vol")
        return insert(model, objects, key)

    monkeypatch.setattr(writing, "_insert", fail)
    with pytest.raises(RuntimeError):
        run(org, GOOD)
    assert not AbsenceCase.objects.exists()


def _generated(rows: int) -> str:
    lines = [HEADER]
    for n in range(rows):
        first = datetime.date(2020, 1, 1) + datetime.timedelta(days=10 * (n % 100))
        lines.append(
            f"E{n // 100};Zorg;{first:%Y-%m-%d};{first + datetime.timedelta(days=5):%Y-%m-%d};50;36\n"
        )
    return "".join(lines)


@pytest.mark.parametrize("rows", [20, 2000])
def test_query_count_does_not_grow_with_rows(org, rows, django_assert_max_num_queries):
    department = org.departments.get()
    EmployeeFactory.create_batch(
        rows // 100 or 1,
        organisation=org,
        department=department,
        personnel_number=factory.Iterator([f"E{i}" for i in range(100)]),
    )
    text = _generated(rows)
    # A fixed number of queries; only SQLite's limit on parameters per query
    # (max_query_params) splits the two bulk inserts into batches.
    fields = [f for f in AbsenceCase._meta.concrete_fields if not f.primary_key]
    batches = -(-rows // connection.ops.bulk_batch_size(fields, [None] * rows))
    with django_assert_max_num_queries(10 + 2 * batches):
        result = run(org, text)
    assert result.ok, messages(result)[:5]
    assert AbsenceCase.objects.filter(employee__organisation=org).count() == rows
    with django_assert_max_num_queries(10):
        assert run(org, text).unchanged == rows


def test_service_refuses_users_without_import_role(cast):
    with pytest.raises(absence_import.PermissionDenied):
        import_absence(actor=cast.users["manager"], organisation=cast.organisation, data=b"", dry_run=True)
    with pytest.raises(absence_import.PermissionDenied):  # HR, but of another organisation
        import_absence(
            actor=cast.users["other_org_user"], organisation=cast.organisation, data=b"", dry_run=True
        )


# --- the page ---------------------------------------------------------------


def upload(cast, text: str, action: str, role: str = "hr"):
    return cast.client(role).post(
        reverse("absence_import"),
        {
            "organisatie": cast.organisation.pk,
            "bestand": SimpleUploadedFile("verzuim.csv", text.encode(), content_type="text/csv"),
            "actie": action,
        },
    )


def test_page_shows_errors_by_line(cast):
    response = upload(
        cast, HEADER + f"{cast.employee.personnel_number};Verpleging;31-02-2026;;;36\n", "importeren"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 fout gevonden" in html
    assert "<td>2</td><td>eerste_verzuimdag</td>" in html
    assert "&#x27;31-02-2026&#x27; is geen geldige datum (verwacht JJJJ-MM-DD of DD-MM-JJJJ)" in html
    assert "Er is niets geïmporteerd" in html


def test_page_checks_then_imports(cast):
    number = cast.other_employee_record.personnel_number
    text = HEADER + f"{number};Facilitair;2024-01-08;2024-01-12;;36\n"
    response = upload(cast, text, "controleren")
    assert response.status_code == 200
    assert "Geen fouten gevonden" in response.content.decode()
    assert not AbsenceCase.objects.filter(first_day=datetime.date(2024, 1, 8)).exists()
    response = upload(cast, text, "importeren", role="admin")
    assert response.status_code == 302
    assert AbsenceCase.objects.filter(
        employee__personnel_number=number, first_day=datetime.date(2024, 1, 8)
    ).exists()


def test_other_organisations_user_cannot_choose_our_organisation(cast):
    response = upload(cast, HEADER, "importeren", role="other_org_user")
    assert response.status_code == 200
    assert "organisatie" in response.context["form"].errors


@pytest.mark.parametrize("role", ["manager", "arbeidsdeskundige", "privacy_officer", "employee_concerned"])
def test_page_is_refused_to_other_roles(cast, role):
    assert upload(cast, HEADER, "importeren", role=role).status_code == 403


# --- the command --------------------------------------------------------------


def test_command_imports_and_reports_in_dutch(org, tmp_path, capsys):
    path = tmp_path / "verzuim.csv"
    path.write_text(GOOD, encoding="utf-8")
    call_command("import_absence", str(path), "--organisation", "import-org", "--dry-run")
    assert "Controle geslaagd (3 regels): 3 nieuw, 0 bijgewerkt, 0 ongewijzigd" in capsys.readouterr().out
    assert not AbsenceCase.objects.exists()
    call_command("import_absence", str(path), "--organisation", "import-org")
    assert "Import voltooid (3 regels): 3 nieuw" in capsys.readouterr().out
    assert AbsenceCase.objects.count() == 3


def test_command_prints_every_error(org, tmp_path, capsys):
    path = tmp_path / "verzuim.csv"
    path.write_text(HEADER + "9999;Zorg;2025-01-06;;;36\n1001;Zorg;xx;;;36\n", encoding="utf-8")
    with pytest.raises(CommandError, match="2 fout"):
        call_command("import_absence", str(path), "--organisation", "import-org")
    err = capsys.readouterr().err
    assert "Regel 2, kolom personeelsnummer: onbekend personeelsnummer '9999'" in err
    assert "Regel 3, kolom eerste_verzuimdag: 'xx' is geen geldige datum" in err


def test_command_unknown_organisation(tmp_path):
    with pytest.raises(CommandError, match="bestaat niet"):
        call_command("import_absence", str(tmp_path / "x.csv"), "--organisation", "nergens")
