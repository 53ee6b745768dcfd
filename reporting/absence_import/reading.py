"""Reading an uploaded absence file into a header and rows of text cells.

Two formats, decided by content (a ZIP archive is an Excel workbook) and
otherwise by the file name's extension:

- CSV in UTF-8, ``;`` or ``,`` as delimiter (sniffed from the header line);
- XLSX (Excel 2007 and later), read with openpyxl in read-only mode (streamed,
  so 100,000 rows fit in little memory): the first sheet, the first row is the
  header. Real Excel dates become ``JJJJ-MM-DD``, numbers become text without
  a trailing ``.0``, and a cell formatted as a percentage (0.5 shown as 50%)
  becomes ``50``, so the checks that follow are the same for both formats.

Line numbers are those the user sees: the CSV line, or the spreadsheet row.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext as _

from .validation import RowError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
Records = Iterator[tuple[int, list[str]]]


class UnreadableFile(Exception):
    """The file as a whole cannot be read; carries the one error to show."""

    def __init__(self, error: RowError):
        super().__init__(str(error))
        self.error = error


def file_format(data: bytes, filename: str = "") -> str:
    """``"xlsx"`` or ``"csv"``: by content first, then by extension."""
    name = filename.lower()
    if data.startswith(OLE_MAGIC) or name.endswith(".xls"):
        raise UnreadableFile(
            RowError(
                1, "", _("het oude Excel-formaat (.xls) wordt niet ondersteund; sla het op als .xlsx of CSV")
            )
        )
    if data.startswith(ZIP_MAGIC) or name.endswith(".xlsx"):
        return "xlsx"
    return "csv"


def read_table(data: bytes, filename: str = "") -> tuple[list[str], Records]:
    """The header cells and an iterator over (line, cells) of the other rows."""
    if file_format(data, filename) == "xlsx":
        return _read_xlsx(data)
    return _read_csv(data)


# --- CSV ----------------------------------------------------------------------


class _Semicolon(csv.excel):
    delimiter = ";"


def _dialect(header_line: str) -> type[csv.Dialect]:
    """Sniff the delimiter from the header: whichever of ``;`` and ``,`` it uses most."""
    return csv.excel if header_line.count(",") > header_line.count(";") else _Semicolon


def _read_csv(data: bytes) -> tuple[list[str], Records]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UnreadableFile(
            RowError(line, "", _("het bestand is geen UTF-8; sla het op als CSV UTF-8"))
        ) from exc
    reader = csv.reader(io.StringIO(text), _dialect(text.split("\n", 1)[0]))
    try:
        header = next(reader)
    except StopIteration:
        raise UnreadableFile(RowError(1, "", _("het bestand is leeg"))) from None

    def records() -> Records:
        for values in reader:
            yield reader.line_num, values

    return header, records()


# --- XLSX ---------------------------------------------------------------------

XLSX_ERRORS = (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, ParseError, IndexError)


def _cell_text(cell) -> str:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        if "%" in (getattr(cell, "number_format", None) or ""):
            value = value * 100
        number = float(value)
        return str(int(number)) if number.is_integer() else format(number, ".10g")
    return str(value)


def _trimmed(cells) -> list[str]:
    values = [_cell_text(cell) for cell in cells]
    while values and not values[-1].strip():
        values.pop()
    return values


def _read_xlsx(data: bytes) -> tuple[list[str], Records]:
    from openpyxl import load_workbook

    unreadable = RowError(1, "", _("het bestand is geen geldig Excel-bestand (.xlsx)"))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except XLSX_ERRORS as exc:
        raise UnreadableFile(unreadable) from exc
    if not workbook.worksheets:
        workbook.close()
        raise UnreadableFile(RowError(1, "", _("het Excel-bestand heeft geen werkblad")))
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()  # do not trust the stored dimensions of the sheet
    rows = sheet.iter_rows(min_row=1)
    try:
        header = _trimmed(next(rows))
    except StopIteration:
        workbook.close()
        raise UnreadableFile(RowError(1, "", _("het bestand is leeg"))) from None
    except XLSX_ERRORS as exc:
        workbook.close()
        raise UnreadableFile(unreadable) from exc

    def records() -> Records:
        line = 1
        try:
            for line, cells in enumerate(rows, start=2):
                values = _trimmed(cells)
                # Trailing empty cells are not columns; pad short rows.
                yield line, values + [""] * (len(header) - len(values))
        except XLSX_ERRORS as exc:
            raise UnreadableFile(
                RowError(line + 1, "", _("het Excel-bestand kan vanaf hier niet worden gelezen"))
            ) from exc
        finally:
            workbook.close()

    return header, records()
