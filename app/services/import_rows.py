"""What every spreadsheet importer shares: row-level errors and reading .xlsx/.csv rows within limits.

Importers report problems as `RowError(row, column, message)` (row is the
spreadsheet's own row number, 1 being the header) and write all rows or none.

Files come from anyone with an import role, so the reader assumes hostility
(issue 12 found a 4.9 KB workbook that took 8 GB):

- rows are streamed and the sheet's declared dimension is ignored: openpyxl pads
  every row to the declared width and height (A1:XFD1048576 is 17 billion cells);
- a file past the row limit, or whose parts unpack past the size limit, is
  refused whole with a Chinese message (both limits are settings);
- parts openpyxl parses into a tree in one go (styles, workbook, content types)
  may hold at most WHOLE_PART_BYTES: a tree costs ~15 bytes of memory per byte
  of XML (5 MB of styles took 70 MB). Only worksheets, which are streamed, and
  the shared-string table may be larger, and no part may hold more than
  MAX_SHARED_STRINGS strings;
- XML entity declarations are refused: openpyxl parses through defusedxml when
  it is installed (it is a requirement), so an entity bomb never expands.

Memory is what the importer keeps per row plus the shared strings. Measured
(bench/import_limits.py, peak Python allocations by tracemalloc): a 200,000-row
attendance file, the default limit, 77 MB (17 s for its dry run); a 20,000-row
catalogue 30 MB; every hostile file of tests/hostile.py at most 16 MB. The
bound the tests hold each hostile file to is 64 MB
(tests/services/test_hostile_spreadsheets.py).
"""

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import defusedxml
import openpyxl
import openpyxl.reader.excel
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.services import settings

# Tried in order: Excel and WPS save UTF-8 with a BOM; Chinese devices export GBK,
# which GB18030 contains.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
# Columns past this one are not read: no form the importers take is half as wide,
# and a cell in column XFD would otherwise widen every row to 16,384 values.
MAX_COLUMNS = 100
WHOLE_PART_BYTES = 4 * 1024 * 1024
# An .xlsx holds a dozen parts; each listed part costs memory before anything is read.
MAX_PARTS = 10_000
_STREAMED_PARTS = ("xl/worksheets/", "xl/sharedstrings.xml")
# openpyxl keeps every shared string, and an element for each, in memory: 91 MB of tiny strings
# took 560 MB. A 20,000-row catalogue has a few hundred thousand; any part may hold at most this many.
MAX_SHARED_STRINGS = 500_000
_SHARED_STRING_END = re.compile(rb"</(?:[\w.-]+:)?si>|<(?:[\w.-]+:)?si\s*/>")
# A page or a terminal listing 600k bad rows helps no one (it was a 44 MB page).
LISTED = 1000


@dataclass
class RowError:
    row: int | None
    column: str
    message: str


class ProblemList(list):
    """Row problems as listed: the first LISTED, and how many more were found."""

    def __init__(self, *problems):
        super().__init__()
        self.more = 0
        for problem in problems:
            self.append(problem)

    def append(self, problem):
        """Keeps the problem, its message made text; past LISTED only counts it, so a message
        given lazily (a lazy_gettext string) is never formatted for a row no one will see."""
        if len(self) < LISTED:
            problem.message = str(problem.message)
            super().append(problem)
        else:
            self.more += 1

    @property
    def total(self) -> int:
        return len(self) + self.more


class FileRefused(ValueError):
    """A file refused whole (unreadable, too large, too many rows); the message says why, in Chinese."""


@dataclass(frozen=True)
class Limits:
    rows: int  # data rows below the header
    unpacked_bytes: int  # the file, or for an .xlsx the sum of its parts once unzipped

    @classmethod
    def from_settings(cls, session: Session, rows_key: str) -> "Limits":
        megabytes = int(settings.get(session, "import_max_megabytes"))
        return cls(rows=int(settings.get(session, rows_key)), unpacked_bytes=megabytes * 1024 * 1024)


def normalise_header(text) -> str:
    """Header text as importers compare it: trimmed, no required-marker star, full-width brackets."""
    text = str(text or "").strip().rstrip("*＊").strip()
    return text.replace("(", "（").replace(")", "）")


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"


def _blank(values) -> bool:
    # At C speed: the dimension bomb's million padded rows took 45 s in a Python loop.
    # 0 and False are values, not blanks.
    return not any(values) and values.count(None) + values.count("") == len(values)


def _table(rows: Iterator, limits: Limits):
    header = next(rows, None) or ()
    positions = {}
    for index, cell in enumerate(header):
        if cell is not None and str(cell).strip():
            positions.setdefault(normalise_header(cell), index)
    return positions, _data_rows(rows, limits)


def _data_rows(rows, limits):
    """(row number, values) of the non-blank rows under the header; refuses the file past the row limit.

    Rows count by position, blank ones too: a sheet can number a row 1,048,576 (or a billion)
    and openpyxl hands over every blank row before it, so only a bound on positions bounds time.
    """
    for number, values in enumerate(rows, start=2):
        if number > limits.rows + 1:
            raise FileRefused(
                str(
                    _l(
                        "The file has more than %(limit)s rows, the most one import takes (a setting). "
                        "Split it into smaller files.",
                        limit=limits.rows,
                    )
                )
            )
        if not _blank(values):
            yield number, values


def _size_of(handle) -> int:
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    return size


def _refuse_size(size, limit):
    if size > limit:
        raise FileRefused(
            str(
                _l(
                    "The file holds %(size)s MB of data; at most %(limit)s MB can be imported at once (a setting).",
                    size=_megabytes(size),
                    limit=_megabytes(limit),
                )
            )
        )


def _declared_parts(handle) -> int | None:
    """The part count in the zip's end record, read before zipfile lists (and allocates) every part."""
    size = _size_of(handle)
    handle.seek(max(0, size - 22 - 0xFFFF))
    tail = handle.read()
    handle.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    return int.from_bytes(tail[at + 10 : at + 12], "little") if at >= 0 and len(tail) >= at + 12 else None


def _check_package(handle, limits):
    """Refuse a workbook whose parts would unpack past the limits, before openpyxl opens it.

    zipfile stops reading a part at its declared size (and then fails its CRC), so a
    part that lies about its size cannot unpack more than it declares.
    """
    parts = _declared_parts(handle)
    if parts is not None and parts >= min(MAX_PARTS, 0xFFFF):
        raise FileRefused(str(_l("The workbook has %(count)s parts; it is not an ordinary spreadsheet.", count=parts)))
    try:
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
            _refuse_size(sum(info.file_size for info in infos), limits.unpacked_bytes)
            for info in infos:
                _check_part(archive, info)
    except FileRefused:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError) as exc:
        raise FileRefused(str(_l("The file is not a valid Excel (.xlsx) workbook."))) from exc
    handle.seek(0)


def _check_part(archive, info):
    name = info.filename.lower()
    if not name.endswith((".xml", ".rels")):
        return
    if info.file_size > WHOLE_PART_BYTES and not name.startswith(_STREAMED_PARTS):
        raise FileRefused(
            str(
                _l(
                    "The workbook part %(name)s unpacks to %(size)s MB; at most %(limit)s MB is accepted.",
                    name=info.filename,
                    size=_megabytes(info.file_size),
                    limit=_megabytes(WHOLE_PART_BYTES),
                )
            )
        )
    # Any part large enough to hold that many strings (<si/> is 5 bytes) is counted,
    # whatever the manifest names as the string table.
    if info.file_size > MAX_SHARED_STRINGS * 5 and _shared_strings(archive, info) > MAX_SHARED_STRINGS:
        raise FileRefused(
            str(
                _l(
                    "The workbook holds more than %(limit)s different texts; it is not an ordinary export.",
                    limit=MAX_SHARED_STRINGS,
                )
            )
        )


def _shared_strings(archive, info) -> int:
    """How many shared-string entries the part holds, read as a stream."""
    count, tail = 0, b""
    with archive.open(info) as part:
        while chunk := part.read(1024 * 1024):
            data = tail + chunk
            # A match ending in the tail was counted with the chunk before.
            count += sum(1 for match in _SHARED_STRING_END.finditer(data) if match.end() > len(tail))
            tail = data[-64:]
    return count


def _unreadable(exc) -> FileRefused:
    cause = exc
    while cause is not None and not isinstance(cause, defusedxml.DefusedXmlException):
        cause = cause.__cause__ or cause.__context__  # openpyxl rewraps parse errors in its own
    if cause is not None:
        return FileRefused(str(_l("The workbook declares XML entities (DOCTYPE); such files are not accepted.")))
    return FileRefused(str(_l("The workbook cannot be read: its content is damaged or it is not an Excel workbook.")))


class _UnsizedSheet(openpyxl.reader.excel.ReadOnlyWorksheet):
    """A read-only sheet that never looks for its declared size, which the reader ignores anyway.

    openpyxl looks for it when it opens the workbook and, in a sheet without a <dimension>,
    parses the whole sheet to find out, keeping an element per row: a million rows took
    90 s and 84 MB before the first row was read.
    """

    def _get_size(self):
        pass


@contextmanager
def _unsized_sheets():
    # Only while one workbook opens: other readers (bench/report.py) use the declared size.
    module = openpyxl.reader.excel
    original, module.ReadOnlyWorksheet = module.ReadOnlyWorksheet, _UnsizedSheet
    try:
        yield
    finally:
        module.ReadOnlyWorksheet = original


def _xlsx_rows(handle):
    # Any exception from here is openpyxl's or zipfile's answer to a damaged or hostile
    # file (ParseError, KeyError, IndexError, BadZipFile, a bad CRC...): one plain answer.
    try:
        with _unsized_sheets():
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as exc:  # noqa: BLE001
        raise _unreadable(exc) from exc
    try:
        rows = sheet.iter_rows(min_row=1, min_col=1, max_col=MAX_COLUMNS, values_only=True)
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001 - see above
                raise _unreadable(exc) from exc
            yield values
    finally:
        workbook.close()


def read_xlsx_rows(source, limits: Limits):
    """(header → column index, iterator of (row number, [cell values])) of the first sheet.

    Raises FileRefused, at once for the file as a whole and while iterating for its rows.
    """
    handle = _binary(source)
    _refuse_size(_size_of(handle), limits.unpacked_bytes)
    _check_package(handle, limits)
    return _table(_xlsx_rows(handle), limits)


def _encoding_of(handle) -> str:
    """The first of CSV_ENCODINGS the whole file decodes in, checked a chunk at a time."""
    for encoding in CSV_ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        handle.seek(0)
        try:
            while chunk := handle.read(1024 * 1024):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        handle.seek(0)
        return encoding
    raise FileRefused(str(_l("The .csv file is neither UTF-8 nor GBK text.")))


def _csv_rows(text):
    try:
        yield from csv.reader(text, _dialect(text))
    except csv.Error as exc:
        raise FileRefused(
            str(_l("The .csv file cannot be read: a quote is not closed or a cell is too long."))
        ) from exc


def _dialect(text):
    sample = text.read(4096)
    text.seek(0)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def read_csv_rows(source, limits: Limits):
    """Like read_xlsx_rows for a .csv file (UTF-8 with or without BOM, or GBK/GB18030)."""
    handle = _binary(source)
    _refuse_size(_size_of(handle), limits.unpacked_bytes)
    text = io.TextIOWrapper(handle, encoding=_encoding_of(handle), newline="")
    return _table(_csv_rows(text), limits)


def _binary(source):
    return io.BytesIO(source) if isinstance(source, bytes) else source


def read_table(filename: str, source, limits: Limits):
    """.xlsx or .csv by name, falling back to the content (an .xlsx is a zip: starts with PK).

    `source` is the file's bytes or a seekable binary file."""
    handle = _binary(source)
    name = (filename or "").lower()
    starts_as_zip = handle.read(2) == b"PK"
    handle.seek(0)
    if name.endswith(".csv") or (not name.endswith((".xlsx", ".xlsm")) and not starts_as_zip):
        return read_csv_rows(handle, limits)
    return read_xlsx_rows(handle, limits)
