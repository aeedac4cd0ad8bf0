"""The hostile-spreadsheet corpus (tests/hostile.py) against every importer, through the service, the
CLI and the upload page: each file gets a clear Chinese refusal, stays under a memory bound and writes
nothing.

The bound is on the peak of Python's traced allocations (tracemalloc), which covers openpyxl, the
XML parser's buffers (pyexpat allocates through Python) and zlib's output. Before the streaming
reader, the dimension bomb alone asked for 17 billion cells.
"""

import functools
import html
import io
import re
import tracemalloc
import zipfile
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AttendanceRecord, AuditLog, Matter, MatterMaterial, Setting, WorkCalendarDay
from app.services.attendance_import import import_attendance
from app.services.calendar_import import read_schedule
from app.services.import_rows import Limits
from app.services.matter_import import import_matters
from tests import hostile
from tests.conftest import login
from tests.services.test_matter_import import row as matter_row
from tests.services.test_matter_import import workbook as matter_workbook

MEMORY_BOUND_MB = 64
TODAY = date(2026, 11, 30)
KINDS = ("matters", "attendance", "calendar")


def _kinds(name):
    wanted = EXPECTED[name]
    return wanted if isinstance(wanted, dict) else KINDS


# What each refusal says (in Chinese).
EXPECTED = {
    "dimension_bomb.xlsx": "行，超出单次导入的上限",
    "zip_bomb.xlsx": "单次最多可导入 100.0 MB",
    "entity_bomb.xlsx": "XML 实体",
    "doctype_workbook.xlsx": "XML 实体",
    "malformed.xlsx": "无法读取该工作簿",
    "not_a_zip.xlsx": "不是有效的 Excel",
    "lying_size.xlsx": "无法读取该工作簿",
    "styles_bomb.xlsx": "xl/styles.xml 解压后为",
    "many_parts.xlsx": "部件",
    "shared_strings_bomb.xlsx": "不同的文本",
    "utf16.csv": {"matters": "不是有效的 Excel", "attendance": "既不是 UTF-8", "calendar": "既不是 UTF-8"},
    "million_rows.xlsx": "行，超出单次导入的上限",
    "dates_out_of_range.xlsx": {"attendance": "早于工作日历的起始日", "calendar": "不在 2000 年至 2099 年之间"},
}
CASES = [(name, kind) for name in hostile.CORPUS for kind in KINDS if kind in _kinds(name)]


@functools.cache
def corpus(name, kind) -> bytes:
    return hostile.CORPUS[name](kind)


def traced(work):
    """(work's result, peak traced allocation in MB while it ran)."""
    tracemalloc.start()
    try:
        result = work()
        return result, tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()


def counts(session):
    tables = (Matter, MatterMaterial, AttendanceRecord, WorkCalendarDay, AuditLog)
    return [session.scalar(sa.select(sa.func.count()).select_from(table)) for table in tables]


def expected(name, kind):
    wanted = EXPECTED[name]
    return wanted[kind] if isinstance(wanted, dict) else wanted


def _chinese(text):
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def service(session, kind, name, data):
    """The importer's messages for the file, as the service reports them (the import is not a dry run)."""
    if kind == "matters":
        report = import_matters(session, io.BytesIO(data), dry_run=False)
        return [e.message for e in report.errors]
    if kind == "attendance":
        report = import_attendance(session, data, name, dry_run=False, today=TODAY)
        return [e.message for e in report.errors]
    _exceptions, errors = read_schedule(name, data, Limits.from_settings(session, "calendar_import_max_rows"))
    return errors


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_the_service_refuses_each_hostile_file(db_session, name, kind):
    data = corpus(name, kind)
    _lower_limits(db_session, 10_000)
    before = counts(db_session)
    messages, peak = traced(lambda: service(db_session, kind, name, data))
    db_session.commit()
    assert messages and all(_chinese(m) for m in messages)
    assert any(expected(name, kind) in m for m in messages), messages[:3]
    assert len(messages) <= 1000
    assert peak < MEMORY_BOUND_MB, f"{name}: {peak:.0f} MB"
    assert counts(db_session) == before


CLI = {"matters": ["import", "matters"], "attendance": ["import", "attendance"], "calendar": ["calendar", "import"]}
PAGES = {"matters": "/matter-import/", "attendance": "/attendance-import/"}  # the calendar has no upload page


def _lower_limits(session, rows):
    """At the default 200,000 rows, openpyxl parses that much of the million-row file before
    refusing it: ~30 s, three times that under tracemalloc. The service test reads 10,000 rows of
    it for each importer; the CLI and the pages, which share the reader, 2,000.
    bench/import_limits.py measures the defaults."""
    keys = ("attendance_import_max_rows", "matter_import_max_rows")
    session.execute(sa.update(Setting).where(Setting.key.in_(keys)).values(value=str(rows)))
    session.commit()


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_the_cli_refuses_each_hostile_file(app, tmp_path, name, kind):
    path = tmp_path / name
    path.write_bytes(corpus(name, kind))
    with app.app_context():
        _lower_limits(db.session, 2_000)
        before = counts(db.session)
    result, peak = traced(lambda: app.test_cli_runner().invoke(args=[*CLI[kind], str(path)]))
    assert isinstance(result.exception, SystemExit) and result.exit_code == 1, result.output[-2000:]
    assert expected(name, kind) in result.output and "Traceback" not in result.output
    assert peak < MEMORY_BOUND_MB, f"{name}: {peak:.0f} MB"
    with app.app_context():
        assert counts(db.session) == before


@pytest.mark.parametrize(("name", "kind"), [case for case in CASES if case[1] in PAGES])
def test_the_upload_page_refuses_each_hostile_file(app, client, name, kind):
    with app.app_context():
        _lower_limits(db.session, 2_000)
        before = counts(db.session)
    login(client, "manager")
    upload = {"mode": "import", "file": (io.BytesIO(corpus(name, kind)), name)}
    response, peak = traced(lambda: client.post(PAGES[kind], data=upload, content_type="multipart/form-data"))
    assert response.status_code == 422
    assert expected(name, kind) in html.unescape(response.get_data(as_text=True))
    assert peak < MEMORY_BOUND_MB, f"{name}: {peak:.0f} MB"
    with app.app_context():
        assert counts(db.session) == before


def _declaring_everything(data: bytes) -> bytes:
    """The same workbook, its sheet declaring A1:XFD1048576 (17 billion cells)."""
    source, buffer = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content, found = re.subn(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD1048576"/>', content)
                assert found == 1
            archive.writestr(info, content)
    return buffer.getvalue()


def _book(headers, *rows) -> bytes:
    book = openpyxl.Workbook()
    for values in (headers, *rows):
        book.active.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_declared_dimension_is_ignored_by_every_importer(db_session):
    """The reader once padded every row to the declared width and height: 8 GB for one cell."""
    matters = _declaring_everything(matter_workbook(matter_row()).getvalue())
    report, peak = traced(lambda: import_matters(db_session, io.BytesIO(matters), dry_run=False))
    assert report.ok and report.created == 1 and peak < MEMORY_BOUND_MB
    attendance = _declaring_everything(
        _book(hostile.HEADERS["attendance"], ["T006", "", "2026-11-02", "08:20", "17:40"])
    )
    report, peak = traced(lambda: import_attendance(db_session, attendance, "kq.xlsx", dry_run=False, today=TODAY))
    assert report.ok and report.created == 1 and peak < MEMORY_BOUND_MB
    schedule = _declaring_everything(_book(hostile.HEADERS["calendar"], ["2027-01-01", "休", "元旦"]))
    limits = Limits.from_settings(db_session, "calendar_import_max_rows")
    (exceptions, errors), peak = traced(lambda: read_schedule("2027.xlsx", schedule, limits))
    assert not errors and [e.day for e in exceptions] == [date(2027, 1, 1)] and peak < MEMORY_BOUND_MB
