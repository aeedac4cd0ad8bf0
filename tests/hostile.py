"""A hostile-spreadsheet corpus, generated at test time (issue 12).

Each file is small on disk and once cost a worker gigabytes, a 500 or a
44 MB page. Sheets are written by hand (inline strings, no styles) so that a
file can say what no spreadsheet program would: a dimension of A1:XFD1048576,
an entity bomb, a part that lies about its size.
"""

import io
import struct
import zipfile
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

HEADERS = {
    "matters": ["事项编码", "事项名称", "事项类型", "实施部门", "法定时限（工作日）", "承诺时限（工作日）"],
    "attendance": ["工号", "姓名", "日期", "上班", "下班"],
    "calendar": ["日期", "类型", "名称"],
}
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}">'
    f'<Relationship Id="rId1" Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}">'
    f'<Relationship Id="rId1" Type="{_DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)

_SST_OVERRIDE = (
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
_SST_RELATIONSHIP = f'<Relationship Id="rId2" Type="{_DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'


def _workbook_xml(prolog=""):
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def cell(column: int, row: int, value) -> str:
    ref = f"{get_column_letter(column)}{row}"
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def row(number: int, values) -> str:
    cells = "".join(cell(column, number, value) for column, value in enumerate(values, 1) if value is not None)
    return f'<row r="{number}">{cells}</row>'


def sheet(rows, *, dimension=None, prolog=""):
    """A worksheet's XML, as chunks: `rows` is an iterable of row XML strings."""
    yield f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{_MAIN}">'.encode()
    if dimension:
        yield f'<dimension ref="{dimension}"/>'.encode()
    yield b"<sheetData>"
    batch = []
    for text in rows:
        batch.append(text)
        if len(batch) == 10_000:
            yield "".join(batch).encode()
            batch = []
    yield ("".join(batch) + "</sheetData></worksheet>").encode()


def package(sheet_chunks, *, workbook_xml=None, extra=(), shared_strings=None) -> bytes:
    """An .xlsx: the minimal parts around one sheet, written as a stream (a bomb never sits in memory).
    `shared_strings` (chunks) becomes the workbook's string table."""
    content_types, workbook_rels = _CONTENT_TYPES, _WORKBOOK_RELS
    if shared_strings is not None:
        content_types = content_types.replace("</Types>", f"{_SST_OVERRIDE}</Types>")
        workbook_rels = workbook_rels.replace("</Relationships>", f"{_SST_RELATIONSHIP}</Relationships>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook_xml or _workbook_xml())
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        if shared_strings is not None:
            with archive.open("xl/sharedStrings.xml", "w") as member:
                for chunk in shared_strings:
                    member.write(chunk)
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for chunk in sheet_chunks:
                member.write(chunk)
        for name, content in extra:
            archive.writestr(name, content)
    return buffer.getvalue()


def _header(kind):
    return row(1, HEADERS[kind])


def dimension_bomb(kind):
    """4.9 KB in the issue: a declared A1:XFD1048576 and one cell in the very last row and column."""
    return package(sheet([_header(kind), row(1_048_576, [None] * 16_383 + ["x"])], dimension="A1:XFD1048576"))


def zip_bomb(kind, megabytes=101):
    """One cell of `megabytes` MB of one letter: ~100 KB zipped, past the unpacked-size limit."""

    def rows():
        yield _header(kind)
        yield '<row r="2"><c r="A2" t="inlineStr"><is><t>'
        for _ in range(megabytes):
            yield "a" * (1024 * 1024)
        yield "</t></is></c></row>"

    return package(sheet(rows()))


_LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY l0 "ha">'
    + "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    + "]>"
)


def entity_bomb(kind):
    """Billion laughs in the sheet: 10⁹ × "ha" if anything expanded it."""
    return package(
        sheet([_header(kind), '<row r="2"><c r="A2" t="inlineStr"><is><t>&l9;</t></is></c></row>'], prolog=_LAUGHS)
    )


def doctype_workbook(kind):
    """The entity bomb in workbook.xml, which openpyxl parses while opening the file."""
    return package(sheet([_header(kind)]), workbook_xml=_workbook_xml(_LAUGHS.replace("worksheet", "workbook")))


def malformed_xml(kind):
    return package(sheet([_header(kind), '<row r="2"><c r="A2"><v>1</v></row>']))


def not_a_zip(kind):
    return b"This is a plain text file with an .xlsx name.\n" * 20


def lying_size(kind):
    """A sheet of ~20 MB whose central directory says 2 KB: zipfile must stop at the declared size."""
    data = bytearray(package(sheet([_header(kind), *(row(n, ["T1"] * 5) for n in range(2, 100_000))])))
    at = data.find(b"PK\x01\x02")
    while data[at + 46 : at + 46 + struct.unpack("<H", data[at + 28 : at + 30])[0]] != b"xl/worksheets/sheet1.xml":
        at = data.find(b"PK\x01\x02", at + 4)
    data[at + 24 : at + 28] = struct.pack("<I", 2048)  # the uncompressed size
    return bytes(data)


def styles_bomb(kind):
    """5 MB of cell formats: openpyxl parses styles.xml into one tree (~70 MB)."""
    formats = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>' * (5 * 1024 * 1024 // 52)
    styles = f'<styleSheet xmlns="{_MAIN}"><cellXfs>'.encode() + formats + b"</cellXfs></styleSheet>"
    return package(sheet([_header(kind)]), extra=[("xl/styles.xml", styles)])


def shared_strings_bomb(kind, count=500_001):
    """Half a million tiny distinct texts (~9 MB unpacked): openpyxl keeps each, and an element for it."""

    def table():
        yield f'<sst xmlns="{_MAIN}">'.encode()
        for start in range(0, count, 50_000):
            yield "".join(f"<si><t>{n}</t></si>" for n in range(start, min(count, start + 50_000))).encode()
        yield b"</sst>"

    return package(sheet([_header(kind), '<row r="2"><c r="A2" t="s"><v>0</v></c></row>']), shared_strings=table())


def many_parts(kind, count=10_001):
    buffer = io.BytesIO(package(sheet([_header(kind)])))
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_STORED) as archive:
        for n in range(count):
            archive.writestr(f"x/{n}", b"")
    return buffer.getvalue()


def utf16_csv(kind):
    return (",".join(HEADERS[kind]) + "\r\n").encode("utf-16")


def million_rows(kind, rows=1_000_000):
    """A header the importer knows and a million one-number rows: ~3 MB zipped."""
    return package(
        sheet([_header(kind), *(f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>' for n in range(2, rows + 2))])
    )


def dates_out_of_range(kind):
    """Year 1, year 9999 and a year early: once a 500 (outside the calendar) and 24,920 absences."""
    rows = {
        "attendance": [
            ["T005", "", "0001-01-01", "08:30", "17:30"],
            ["T005", "", "9999-12-31", "08:30", "17:30"],
            ["T006", "", "2025-11-03", "08:30", "17:30"],
        ],
        "calendar": [["0001-01-01", "休", "元旦"], ["9999-12-31", "班", ""]],
    }[kind]
    return package(sheet([_header(kind), *(row(n, values) for n, values in enumerate(rows, 2))]))


CORPUS = {
    "dimension_bomb.xlsx": dimension_bomb,
    "zip_bomb.xlsx": zip_bomb,
    "entity_bomb.xlsx": entity_bomb,
    "doctype_workbook.xlsx": doctype_workbook,
    "malformed.xlsx": malformed_xml,
    "not_a_zip.xlsx": not_a_zip,
    "lying_size.xlsx": lying_size,
    "styles_bomb.xlsx": styles_bomb,
    "many_parts.xlsx": many_parts,
    "shared_strings_bomb.xlsx": shared_strings_bomb,
    "utf16.csv": utf16_csv,
    "million_rows.xlsx": million_rows,
    "dates_out_of_range.xlsx": dates_out_of_range,
}
