"""Import of absence spells exported by an HR system (issue 7, item 1).

CSV in UTF-8 with a header row; ``;`` or ``,`` as delimiter (sniffed from the
header). Columns, Dutch or English names:

- ``personeelsnummer`` (personnel_number): an existing employee of the
  organisation; employees are master data and are never created here;
- ``afdeling`` (department): a department name of the organisation;
- ``eerste_verzuimdag`` (first_day) and ``laatste_verzuimdag`` (last_day,
  empty while the spell is ongoing): JJJJ-MM-DD or DD-MM-JJJJ;
- ``percentage`` (optional, default 100): ``50``, or changes as
  ``2026-03-01:50|2026-04-01:100``; before the first change the spell is 100%;
- ``contracturen`` (contract_hours, optional): checked (0 < uren <= 60), not
  stored: contract hours belong to the employee's master data.

A spell is keyed on personnel number + first day: an existing case with that
key is updated (end date, percentages), anything else is created, so
importing the same file twice changes nothing. Every error is collected with
its line and column; a file with any error imports nothing, and a file
without errors is written in one transaction with a constant number of bulk
queries, whatever the number of rows.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from casefiles.models import AbsenceCase, AbsencePercentage, Department, Employee, Organisation
from smo import permissions
from smo.roles import Role, has_role

IMPORT_ROLES = (Role.HR, Role.BEHEERDER)
BATCH_SIZE = 2000
AUDIT_WHAT = "absence_import"

# Canonical (Dutch) column name -> accepted header names after normalising.
COLUMNS: dict[str, set[str]] = {
    "personeelsnummer": {"personeelsnummer", "personeelsnr", "personnel_number", "employee_number"},
    "afdeling": {"afdeling", "department"},
    "eerste_verzuimdag": {"eerste_verzuimdag", "eerste_dag", "first_day", "start_date"},
    "laatste_verzuimdag": {"laatste_verzuimdag", "laatste_dag", "last_day", "end_date"},
    "percentage": {"percentage", "verzuimpercentage", "absence_percentage"},
    "contracturen": {"contracturen", "contract_hours"},
}
REQUIRED = ("personeelsnummer", "afdeling", "eerste_verzuimdag")
DATE_HINT = "verwacht JJJJ-MM-DD of DD-MM-JJJJ"


@dataclass(frozen=True)
class RowError:
    line: int
    column: str  # canonical column name; "" for the whole line
    message: str

    def __str__(self) -> str:
        where = f"Regel {self.line}, kolom {self.column}" if self.column else f"Regel {self.line}"
        return f"{where}: {self.message}"


@dataclass
class Row:
    line: int
    personnel_number: str
    department: str
    first_day: datetime.date | None
    end_date: datetime.date | None
    percentages: list[tuple[datetime.date, int]] | None
    valid: bool = True  # False: errors reported; still checked against the database
    employee_id: int | None = None


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = True
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- parsing ----------------------------------------------------------------


def _normalise(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").lower())


def _header_map(header: list[str], errors: list[RowError]) -> dict[str, int]:
    alias = {a: canonical for canonical, names in COLUMNS.items() for a in names}
    found: dict[str, int] = {}
    for index, raw in enumerate(header):
        canonical = alias.get(_normalise(raw))
        if canonical is None:
            errors.append(RowError(1, raw.strip(), "onbekende kolom"))
        elif canonical in found:
            errors.append(RowError(1, raw.strip(), "kolom komt twee keer voor"))
        else:
            found[canonical] = index
    for name in REQUIRED:
        if name not in found:
            errors.append(RowError(1, name, "verplichte kolom ontbreekt"))
    return found


def parse_date(value: str) -> datetime.date | None:
    for fmt in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _percentage(value: str) -> int | None:
    value = value.strip().rstrip("%").strip()
    if not value.isdigit() or not 1 <= int(value) <= 100:
        return None
    return int(value)


def _parse_percentages(value: str, first_day, end_date, error) -> list[tuple[datetime.date, int]] | None:
    """``50`` or ``2026-03-01:50|2026-04-01:100``; None after reporting errors."""
    value = value.strip()
    if not value:
        return [(first_day, 100)]
    if ":" not in value:
        number = _percentage(value)
        if number is None:
            error(f"'{value}' is geen geldig percentage (verwacht een geheel getal van 1 tot en met 100)")
            return None
        return [(first_day, number)]
    changes: dict[datetime.date, int] = {}
    valid = True
    for part in value.split("|"):
        day_text, _, number_text = part.strip().partition(":")
        day, number = parse_date(day_text.strip()), _percentage(number_text)
        if day is None:
            error(f"'{day_text.strip()}' in '{part.strip()}' is geen geldige datum ({DATE_HINT})")
            valid = False
        elif number is None:
            error(f"'{number_text.strip()}' in '{part.strip()}' is geen geldig percentage (1 tot en met 100)")
            valid = False
        elif day in changes:
            error(f"de datum {day:%d-%m-%Y} staat twee keer in de percentages")
            valid = False
        elif day < first_day or (end_date is not None and day > end_date):
            error(f"de wijziging per {day:%d-%m-%Y} valt buiten de verzuimperiode")
            valid = False
        else:
            changes[day] = number
    if not valid:
        return None
    if first_day not in changes:
        changes[first_day] = 100
    return sorted(changes.items())


class _Semicolon(csv.excel):
    delimiter = ";"


def _dialect(header_line: str) -> type[csv.Dialect]:
    """Sniff the delimiter from the header: whichever of ``;`` and ``,`` it uses most."""
    return csv.excel if header_line.count(",") > header_line.count(";") else _Semicolon


def parse(data: bytes) -> tuple[list[Row], list[RowError]]:
    """Rows and every error of the file itself (formats, dates, percentages)."""
    errors: list[RowError] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [], [RowError(line, "", "het bestand is geen UTF-8; sla het op als CSV UTF-8")]
    header_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), _dialect(header_line))
    try:
        header = next(reader)
    except StopIteration:
        return [], [RowError(1, "", "het bestand is leeg")]
    columns = _header_map(header, errors)
    if errors:
        return [], errors
    today = timezone.localdate()
    rows: list[Row] = []
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            errors.append(RowError(line, "", f"verwacht {len(header)} kolommen, gevonden {len(values)}"))
            continue
        rows.append(_parse_row(line, values, columns, today, errors))
    return rows, errors


def _parse_row(line, values, columns, today, errors) -> Row:
    def value(name: str) -> str:
        return values[columns[name]].strip() if name in columns else ""

    count = len(errors)

    def error(column: str):
        return lambda message: errors.append(RowError(line, column, message))

    number, department = value("personeelsnummer"), value("afdeling")
    if not number:
        error("personeelsnummer")("personeelsnummer ontbreekt")
    if not department:
        error("afdeling")("afdeling ontbreekt")
    first_text, end_text = value("eerste_verzuimdag"), value("laatste_verzuimdag")
    first_day = parse_date(first_text)
    if not first_text:
        error("eerste_verzuimdag")("eerste verzuimdag ontbreekt")
    elif first_day is None:
        error("eerste_verzuimdag")(f"'{first_text}' is geen geldige datum ({DATE_HINT})")
    elif first_day > today:
        error("eerste_verzuimdag")(f"{first_day:%d-%m-%Y} ligt in de toekomst")
    end_date = parse_date(end_text) if end_text else None
    if end_text and end_date is None:
        error("laatste_verzuimdag")(f"'{end_text}' is geen geldige datum ({DATE_HINT})")
    elif first_day and end_date and end_date < first_day:
        error("laatste_verzuimdag")(
            f"{end_date:%d-%m-%Y} ligt voor de eerste verzuimdag {first_day:%d-%m-%Y}"
        )
    hours = value("contracturen").replace(",", ".")
    if hours:
        try:
            valid_hours = Decimal(hours).is_finite() and Decimal("0") < Decimal(hours) <= Decimal("60")
        except InvalidOperation:
            valid_hours = False
        if not valid_hours:
            error("contracturen")(
                f"'{value('contracturen')}' is geen geldig aantal uren (meer dan 0, hoogstens 60)"
            )
    percentages = None
    if first_day is not None:
        percentages = _parse_percentages(value("percentage"), first_day, end_date, error("percentage"))
    valid = len(errors) == count and first_day is not None and percentages is not None
    return Row(line, number, department, first_day, end_date, percentages, valid)


# --- checks against the database ----------------------------------------------

FAR_FUTURE = datetime.date.max


def _check_against_database(organisation, rows, existing, errors) -> None:
    employees = dict(Employee.objects.filter(organisation=organisation).values_list("personnel_number", "pk"))
    departments = set(Department.objects.filter(organisation=organisation).values_list("name", flat=True))
    seen: dict[tuple[str, datetime.date], int] = {}
    for row in rows:
        if row.department and row.department not in departments:
            errors.append(
                RowError(
                    row.line, "afdeling", f"afdeling '{row.department}' bestaat niet in deze organisatie"
                )
            )
        row.employee_id = employees.get(row.personnel_number)
        if row.employee_id is None and row.personnel_number:
            errors.append(
                RowError(
                    row.line,
                    "personeelsnummer",
                    f"onbekend personeelsnummer '{row.personnel_number}' (medewerkers worden niet via de "
                    "import aangemaakt)",
                )
            )
        key = (row.personnel_number, row.first_day)
        if not row.valid:
            continue
        if key in seen:
            errors.append(
                RowError(
                    row.line,
                    "eerste_verzuimdag",
                    f"dubbele regel: zelfde personeelsnummer en eerste verzuimdag als regel {seen[key]}",
                )
            )
        else:
            seen[key] = row.line
    _check_overlaps([row for row in rows if row.valid], existing, errors)


def _check_overlaps(rows, existing, errors) -> None:
    """Spells of one employee may not overlap, and only one may be ongoing:
    the file's spells together with the cases the file does not mention."""
    spells: dict[int, list[tuple[datetime.date, datetime.date | None, int | None]]] = defaultdict(list)
    in_file = set()
    for row in rows:
        if row.employee_id is not None:
            spells[row.employee_id].append((row.first_day, row.end_date, row.line))
            in_file.add((row.employee_id, row.first_day))
    for (employee_id, first_day), case in existing.items():
        if employee_id in spells and (employee_id, first_day) not in in_file:
            spells[employee_id].append((first_day, case["end_date"], None))
    for items in spells.values():
        items.sort(key=lambda s: (s[0], s[2] or 0))
        reach = items[0]  # the spell reaching furthest so far
        for spell in items[1:]:
            reach_end = reach[1] or FAR_FUTURE
            line = spell[2] or reach[2]
            if spell[0] <= reach_end and line is not None:
                errors.append(_overlap_error(line, spell, reach))
            if (spell[1] or FAR_FUTURE) > reach_end:
                reach = spell


def _overlap_error(line: int, spell, other) -> RowError:
    if other[2] == line:
        other = spell
    where = f" (regel {other[2]})" if other[2] else " (al vastgelegd)"
    if spell[1] is None and other[1] is None:
        message = f"tweede lopend verzuim: er loopt al een verzuim vanaf {other[0]:%d-%m-%Y}{where}"
        return RowError(line, "laatste_verzuimdag", message)
    end = f"{other[1]:%d-%m-%Y}" if other[1] else "nu (lopend)"
    message = f"overlapt met het verzuim van {other[0]:%d-%m-%Y} tot {end}{where}"
    return RowError(line, "eerste_verzuimdag", message)


# --- the import ---------------------------------------------------------------


def may_import(user, organisation: Organisation) -> bool:
    return (
        has_role(user, *IMPORT_ROLES)
        and permissions.organisations_of(user).filter(pk=organisation.pk).exists()
    )


def _existing(organisation) -> tuple[dict, dict]:
    cases = {
        (c["employee_id"], c["first_day"]): c
        for c in AbsenceCase.objects.filter(employee__organisation=organisation).values(
            "pk", "employee_id", "first_day", "end_date", "closed_reason"
        )
    }
    percentages: dict[int, list[tuple[datetime.date, int]]] = defaultdict(list)
    for case_id, day, number in (
        AbsencePercentage.objects.filter(case__employee__organisation=organisation)
        .order_by("case_id", "valid_from")
        .values_list("case_id", "valid_from", "percentage")
    ):
        percentages[case_id].append((day, number))
    return cases, percentages


def import_absence(*, actor, organisation: Organisation, data: bytes, dry_run: bool) -> ImportResult:
    """Check the file and, unless ``dry_run`` or on any error, write it.
    ``actor`` None is the system (the management command)."""
    if actor is not None and not may_import(actor, organisation):
        raise PermissionDenied
    result = ImportResult(dry_run=dry_run)
    rows, result.errors = parse(data)
    result.rows = len(rows)
    if result.errors and not rows:
        return result
    with transaction.atomic():
        if not dry_run:
            # One import per organisation at a time.
            Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        existing, percentages = _existing(organisation)
        _check_against_database(organisation, rows, existing, result.errors)
        order = list(COLUMNS)
        result.errors.sort(key=lambda e: (e.line, order.index(e.column) if e.column in order else -1))
        if result.errors:
            return result
        _write(rows, existing, percentages, result, write=not dry_run)
        if not dry_run:
            _audit(organisation, actor, result)
    return result


def _audit(organisation: Organisation, actor, result: ImportResult) -> None:
    """R13: one entry per import (bulk writes bypass the per-row trail)."""
    summary = f"{result.created} nieuw, {result.updated} bijgewerkt, {result.unchanged} ongewijzigd"
    LogEntry.objects.log_create(
        organisation,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes={AUDIT_WHAT: ["", summary]},
        actor=actor,
        additional_data={**organisation.get_additional_data(), "what": AUDIT_WHAT},
    )


def _write(rows, existing, percentages, result: ImportResult, *, write: bool) -> None:
    new_cases, closing, opening, changed_rows, new_rows = [], [], [], [], []
    for row in rows:
        case = existing.get((row.employee_id, row.first_day))
        if case is None:
            new_rows.append(row)
            new_cases.append(
                AbsenceCase(
                    employee_id=row.employee_id,
                    first_day=row.first_day,
                    end_date=row.end_date,
                    closed_reason=AbsenceCase.ClosedReason.OTHER if row.end_date else "",
                )
            )
            continue
        same_end = case["end_date"] == row.end_date
        same_percentages = percentages.get(case["pk"], []) == row.percentages
        if same_end and same_percentages:
            result.unchanged += 1
            continue
        result.updated += 1
        changed_rows.append((case["pk"], row))
        if not same_end:
            reason = (case["closed_reason"] or AbsenceCase.ClosedReason.OTHER) if row.end_date else ""
            update = AbsenceCase(pk=case["pk"], end_date=row.end_date, closed_reason=reason)
            (closing if row.end_date else opening).append(update)
    result.created = len(new_cases)
    if not write:
        return
    # Close before opening: one ongoing case per employee at every moment.
    for batch in (closing, opening):
        AbsenceCase.objects.bulk_update(batch, ["end_date", "closed_reason"], batch_size=BATCH_SIZE)
    AbsenceCase.objects.bulk_create(new_cases, batch_size=BATCH_SIZE)
    pairs = [(pk, row) for pk, row in changed_rows if percentages.get(pk, []) != row.percentages]
    with disable_auditlog():  # one summary entry below instead of one per row
        AbsencePercentage.objects.filter(case_id__in=[pk for pk, _row in pairs]).delete()
    pairs += [(case.pk, row) for case, row in zip(new_cases, new_rows, strict=True)]
    AbsencePercentage.objects.bulk_create(
        [
            AbsencePercentage(case_id=pk, valid_from=day, percentage=number)
            for pk, row in pairs
            for day, number in row.percentages
        ],
        batch_size=BATCH_SIZE,
    )
