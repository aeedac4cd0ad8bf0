"""What every spreadsheet importer shares: row-level errors and reading .xlsx/.csv rows.

Importers report problems as `RowError(row, column, message)` (row is the
spreadsheet's own row number, 1 being the header) and write all rows or none.
"""

import csv
import io
import zipfile
from dataclasses import dataclass

import openpyxl
from flask_babel import lazy_gettext as _l

# Tried in order: Excel and WPS save UTF-8 with a BOM; Chinese devices export GBK,
# which GB18030 contains.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass
class RowError:
    row: int | None
    column: str
    message: str


def normalise_header(text) -> str:
    """Header text as importers compare it: trimmed, no required-marker star, full-width brackets."""
    text = str(text or "").strip().rstrip("*＊").strip()
    return text.replace("(", "（").replace(")", "）")


def _table(rows):
    header = next(rows, None) or ()
    positions = {}
    for index, cell in enumerate(header):
        if cell is not None and str(cell).strip():
            positions.setdefault(normalise_header(cell), index)
    return positions, [(number, list(values)) for number, values in enumerate(rows, start=2)]


def read_xlsx_rows(source):
    """(header → column index, [(row number, [cell values])]) of the first sheet; raises ValueError."""
    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValueError(str(_l("The file is not a valid Excel (.xlsx) workbook."))) from exc
    try:
        return _table(iter(workbook.worksheets[0].iter_rows(values_only=True)))
    finally:
        workbook.close()


def decode_csv(data: bytes) -> str:
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError(str(_l("The .csv file is neither UTF-8 nor GBK text.")))


def read_csv_rows(data: bytes):
    """Like read_xlsx_rows for a .csv file (UTF-8 with or without BOM, or GBK/GB18030)."""
    text = decode_csv(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return _table(iter(csv.reader(io.StringIO(text, newline=""), dialect)))


def read_table(filename: str, data: bytes):
    """.xlsx or .csv by name, falling back to the content (an .xlsx is a zip: starts with PK)."""
    name = (filename or "").lower()
    if name.endswith(".csv") or (not name.endswith((".xlsx", ".xlsm")) and not data.startswith(b"PK")):
        return read_csv_rows(data)
    return read_xlsx_rows(io.BytesIO(data))
