"""Checks of the absence import: the header, every cell of every row, and the
rows against the organisation's data (employees, departments, overlapping
spells). Every error is collected with its line and column, in Dutch."""

from __future__ import annotations

import datetime
import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from casefiles.models import Department, Employee

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
MAX_HOURS = Decimal("60")
ONE_DECIMAL = Decimal("0.1")
FAR_FUTURE = datetime.date.max


def date_hint() -> str:
    return _("verwacht JJJJ-MM-DD of DD-MM-JJJJ")


@dataclass(frozen=True)
class RowError:
    line: int
    column: str  # canonical column name; "" for the whole line
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("Regel %(line)s, kolom %(column)s: %(message)s") % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        return _("Regel %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class Row:
    line: int
    personnel_number: str
    department: str
    first_day: datetime.date | None
    end_date: datetime.date | None
    percentages: list[tuple[datetime.date, int]] | None
    # The contract hours during the spell; None = the employee's current hours.
    contract_hours: Decimal | None = None
    valid: bool = True  # False: errors reported; still checked against the database
    employee_id: int | None = None


# --- the header ---------------------------------------------------------------


def _normalise(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").lower())


def header_map(header: list[str], errors: list[RowError]) -> dict[str, int]:
    """Canonical column name -> position; unknown, doubled or missing columns are errors."""
    alias = {a: canonical for canonical, names in COLUMNS.items() for a in names}
    found: dict[str, int] = {}
    for index, raw in enumerate(header):
        canonical = alias.get(_normalise(raw))
        if canonical is None:
            errors.append(RowError(1, raw.strip(), _("onbekende kolom")))
        elif canonical in found:
            errors.append(RowError(1, raw.strip(), _("kolom komt twee keer voor")))
        else:
            found[canonical] = index
    for name in REQUIRED:
        if name not in found:
            errors.append(RowError(1, name, _("verplichte kolom ontbreekt")))
    return found


# --- cells ----------------------------------------------------------------------


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_DUTCH = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})", re.ASCII)


@functools.lru_cache(maxsize=8192)
def parse_date(value: str) -> datetime.date | None:
    """JJJJ-MM-DD or DD-MM-JJJJ (cached: an HR export repeats its dates)."""
    if match := _ISO.fullmatch(value):
        year, month, day = match.groups()
    elif match := _DUTCH.fullmatch(value):
        day, month, year = match.groups()
    else:
        return None
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _percentage(value: str) -> int | None:
    value = value.strip().rstrip("%").strip()
    if not value.isdigit() or not 1 <= int(value) <= 100:
        return None
    return int(value)


def parse_percentages(
    value: str, first_day: datetime.date, end_date: datetime.date | None, error: Callable[[str], None]
) -> list[tuple[datetime.date, int]] | None:
    """``50`` or ``2026-03-01:50|2026-04-01:100``; None after reporting errors."""
    value = value.strip()
    if not value:
        return [(first_day, 100)]
    if ":" not in value:
        number = _percentage(value)
        if number is None:
            error(
                _("'%(value)s' is geen geldig percentage (verwacht een geheel getal van 1 tot en met 100)")
                % {"value": value}
            )
            return None
        return [(first_day, number)]
    changes: dict[datetime.date, int] = {}
    valid = True
    for part in value.split("|"):
        day_text, _sep, number_text = part.strip().partition(":")
        day, number = parse_date(day_text.strip()), _percentage(number_text)
        if day is None:
            error(
                _("'%(day)s' in '%(part)s' is geen geldige datum (%(hint)s)")
                % {"day": day_text.strip(), "part": part.strip(), "hint": date_hint()}
            )
            valid = False
        elif number is None:
            error(
                _("'%(number)s' in '%(part)s' is geen geldig percentage (1 tot en met 100)")
                % {"number": number_text.strip(), "part": part.strip()}
            )
            valid = False
        elif day in changes:
            error(_("de datum %(day)s staat twee keer in de percentages") % {"day": f"{day:%d-%m-%Y}"})
            valid = False
        elif day < first_day or (end_date is not None and day > end_date):
            error(_("de wijziging per %(day)s valt buiten de verzuimperiode") % {"day": f"{day:%d-%m-%Y}"})
            valid = False
        else:
            changes[day] = number
    if not valid:
        return None
    if first_day not in changes:
        changes[first_day] = 100
    return sorted(changes.items())


def parse_hours(value: str, error: Callable[[str], None]) -> Decimal | None:
    """Contract hours per week, rounded to one decimal: 0 < uren <= 60."""
    try:
        hours = Decimal(value.replace(",", ".")).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        hours = None
    if hours is None or not Decimal("0") < hours <= MAX_HOURS:
        error(_("'%(value)s' is geen geldig aantal uren (meer dan 0, hoogstens 60)") % {"value": value})
        return None
    return hours


def parse_row(
    line: int, values: list[str], columns: dict[str, int], errors: list[RowError], today: datetime.date
) -> Row:
    """One row of text cells -> a Row; its errors are appended to ``errors``."""

    def value(name: str) -> str:
        return values[columns[name]].strip() if name in columns else ""

    count = len(errors)

    def error(column: str) -> Callable[[str], None]:
        return lambda message: errors.append(RowError(line, column, message))

    number, department = value("personeelsnummer"), value("afdeling")
    if not number:
        error("personeelsnummer")(_("personeelsnummer ontbreekt"))
    if not department:
        error("afdeling")(_("afdeling ontbreekt"))
    first_text, end_text = value("eerste_verzuimdag"), value("laatste_verzuimdag")
    first_day = parse_date(first_text)
    if not first_text:
        error("eerste_verzuimdag")(_("eerste verzuimdag ontbreekt"))
    elif first_day is None:
        error("eerste_verzuimdag")(
            _("'%(value)s' is geen geldige datum (%(hint)s)") % {"value": first_text, "hint": date_hint()}
        )
    elif first_day > today:
        error("eerste_verzuimdag")(_("%(day)s ligt in de toekomst") % {"day": f"{first_day:%d-%m-%Y}"})
    end_date = parse_date(end_text) if end_text else None
    if end_text and end_date is None:
        error("laatste_verzuimdag")(
            _("'%(value)s' is geen geldige datum (%(hint)s)") % {"value": end_text, "hint": date_hint()}
        )
    elif first_day and end_date and end_date < first_day:
        error("laatste_verzuimdag")(
            _("%(end)s ligt voor de eerste verzuimdag %(first)s")
            % {"end": f"{end_date:%d-%m-%Y}", "first": f"{first_day:%d-%m-%Y}"}
        )
    hours_text = value("contracturen")
    hours = parse_hours(hours_text, error("contracturen")) if hours_text else None
    percentages = None
    if first_day is not None:
        percentages = parse_percentages(value("percentage"), first_day, end_date, error("percentage"))
    valid = len(errors) == count and first_day is not None and percentages is not None
    return Row(line, number, department, first_day, end_date, percentages, hours, valid)


# --- checks against the database ----------------------------------------------


def check_against_database(organisation, rows: list[Row], existing: dict, errors: list[RowError]) -> None:
    """Employees and departments exist; no duplicate keys; no overlapping spells."""
    employees = dict(Employee.objects.filter(organisation=organisation).values_list("personnel_number", "pk"))
    departments = set(Department.objects.filter(organisation=organisation).values_list("name", flat=True))
    seen: dict[tuple[str, datetime.date], int] = {}
    for row in rows:
        if row.department and row.department not in departments:
            errors.append(
                RowError(
                    row.line,
                    "afdeling",
                    _("afdeling '%(name)s' bestaat niet in deze organisatie") % {"name": row.department},
                )
            )
        row.employee_id = employees.get(row.personnel_number)
        if row.employee_id is None and row.personnel_number:
            errors.append(
                RowError(
                    row.line,
                    "personeelsnummer",
                    _(
                        "onbekend personeelsnummer '%(number)s' (medewerkers worden niet via de "
                        "import aangemaakt)"
                    )
                    % {"number": row.personnel_number},
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
                    _("dubbele regel: zelfde personeelsnummer en eerste verzuimdag als regel %(line)s")
                    % {"line": seen[key]},
                )
            )
        else:
            seen[key] = row.line
    check_overlaps([row for row in rows if row.valid], existing, errors)


Spell = tuple[datetime.date, datetime.date | None, int | None]  # first day, end, line (None: stored)


def check_overlaps(rows: Iterable[Row], existing: dict, errors: list[RowError]) -> None:
    """Spells of one employee may not overlap, and only one may be ongoing:
    the file's spells together with the cases the file does not mention."""
    spells: dict[int, list[Spell]] = defaultdict(list)
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


def _overlap_error(line: int, spell: Spell, other: Spell) -> RowError:
    if other[2] == line:
        other = spell
    where = (_(" (regel %(line)s)") % {"line": other[2]}) if other[2] else _(" (al vastgelegd)")
    if spell[1] is None and other[1] is None:
        message = _("tweede lopend verzuim: er loopt al een verzuim vanaf %(first)s%(where)s") % {
            "first": f"{other[0]:%d-%m-%Y}",
            "where": where,
        }
        return RowError(line, "laatste_verzuimdag", message)
    end = f"{other[1]:%d-%m-%Y}" if other[1] else _("nu (lopend)")
    message = _("overlapt met het verzuim van %(first)s tot %(end)s%(where)s") % {
        "first": f"{other[0]:%d-%m-%Y}",
        "end": end,
        "where": where,
    }
    return RowError(line, "eerste_verzuimdag", message)
