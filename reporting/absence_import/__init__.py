"""Import of absence spells exported by an HR system (issue 7, item 1).

A CSV file (UTF-8, ``;`` or ``,`` as delimiter) or an Excel workbook (.xlsx,
first sheet) with a header row; see ``reading`` for how each is read. Columns,
Dutch or English names:

- ``personeelsnummer`` (personnel_number): an existing employee of the
  organisation; employees are master data and are never created here;
- ``afdeling`` (department): a department name of the organisation;
- ``eerste_verzuimdag`` (first_day) and ``laatste_verzuimdag`` (last_day,
  empty while the spell is ongoing): JJJJ-MM-DD or DD-MM-JJJJ, or a real
  Excel date;
- ``percentage`` (optional, default 100): ``50``, or changes as
  ``2026-03-01:50|2026-04-01:100``; before the first change the spell is 100%;
- ``contracturen`` (contract_hours, optional): the contract hours per week
  during the spell (0 < uren <= 60, rounded to one decimal), stored on the
  spell (``AbsenceCase.contract_hours``, used by the R18 figures). An empty
  cell stores nothing: the employee's current contract hours apply. A file
  without this column leaves the stored hours of existing spells alone.

A spell is keyed on personnel number + first day: an existing case with that
key is updated (end date, percentages, contract hours), anything else is
created, so importing the same file twice changes nothing. Every error is
collected with its line (the CSV line or spreadsheet row) and column; a file
with any error imports nothing, and a file without errors is written in one
transaction with a constant number of bulk queries, whatever the number of
rows (100,000 rows well within half a minute on PostgreSQL: see
``make bench``).

Modules: ``reading`` (CSV/XLSX into text cells), ``validation`` (checks and
Dutch messages), ``writing`` (bulk writes and the audit entry); this module
is the service that ties them together.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casefiles.models import Organisation
from smo import permissions
from smo.roles import Role, has_role

from .reading import UnreadableFile, read_table
from .validation import COLUMNS, Row, RowError, check_against_database, header_map, parse_date, parse_row
from .writing import AUDIT_WHAT, ImportResult, audit, existing_spells, write_spells

__all__ = [
    "AUDIT_WHAT",
    "IMPORT_ROLES",
    "ImportResult",
    "PermissionDenied",
    "RowError",
    "import_absence",
    "may_import",
    "parse",
    "parse_date",
]

IMPORT_ROLES = (Role.HR, Role.BEHEERDER)


def parse(data: bytes, filename: str = "") -> tuple[list[Row], list[RowError], dict[str, int]]:
    """Rows, every error of the file itself (formats, dates, percentages), and
    the columns found (canonical name -> position)."""
    errors: list[RowError] = []
    try:
        header, records = read_table(data, filename)
        columns = header_map(header, errors)
        if errors:
            return [], errors, columns
        rows: list[Row] = []
        today = timezone.localdate()
        for line, values in records:
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                errors.append(
                    RowError(
                        line,
                        "",
                        _("verwacht %(expected)s kolommen, gevonden %(found)s")
                        % {"expected": len(header), "found": len(values)},
                    )
                )
                continue
            rows.append(parse_row(line, values, columns, errors, today))
    except UnreadableFile as exc:
        return [], [exc.error], {}
    return rows, errors, columns


def may_import(user, organisation: Organisation) -> bool:
    return (
        has_role(user, *IMPORT_ROLES)
        and permissions.organisations_of(user).filter(pk=organisation.pk).exists()
    )


def import_absence(
    *, actor, organisation: Organisation, data: bytes, dry_run: bool, filename: str = ""
) -> ImportResult:
    """Check the file and, unless ``dry_run`` or on any error, write it.
    ``actor`` None is the system (the management command). ``filename`` only
    helps to tell the format when the content does not."""
    if actor is not None and not may_import(actor, organisation):
        raise PermissionDenied
    result = ImportResult(dry_run=dry_run)
    rows, result.errors, columns = parse(data, filename)
    result.rows = len(rows)
    if result.errors and not rows:
        return result
    with transaction.atomic():
        if not dry_run:
            # One import per organisation at a time.
            Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        existing, percentages = existing_spells(organisation)
        check_against_database(organisation, rows, existing, result.errors)
        order = list(COLUMNS)
        result.errors.sort(key=lambda e: (e.line, order.index(e.column) if e.column in order else -1))
        if result.errors:
            return result
        write_spells(
            rows, existing, percentages, result, hours_given="contracturen" in columns, write=not dry_run
        )
        if not dry_run:
            audit(organisation, actor, result)
    return result
