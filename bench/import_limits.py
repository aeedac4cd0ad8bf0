"""Imports at their default limits (issue 12): time, peak Python memory and peak RSS, as dry runs.

    python -m bench.import_limits [--case NAME]

Each case runs in a process of its own, so its peak RSS (ru_maxrss) is its own: the demo
county (bench/data/imports.db, built once, or DATABASE_URL), then one dry run:

- attendance_200k: 200,000 valid rows, the default limit (the demo's staff over five years,
  confirmed as old dates);
- matters_20k: 20,000 valid catalogue rows, the default limit;
- million_<importer>: the hostile million-row file, refused at the importer's limit;
- the rest of the hostile corpus (tests/hostile.py) against the attendance importer.

Peak Python memory is tracemalloc's (a second run of the case: tracing slows it down); time
and the growth of the process's RSS over the import (peak RSS reset through /proc/self/clear_refs
once the file is built; base is the RSS before) are from the untraced run.
"""

import argparse
import io
import json
import subprocess
import sys
import time
import tracemalloc
from datetime import date, timedelta

import sqlalchemy as sa
import xlsxwriter

from bench.common import database_url
from tests import hostile

TODAY = date(2026, 11, 30)
MILLION = {f"million_{kind}": kind for kind in hostile.HEADERS}
CASES = ["attendance_200k", "matters_20k", *MILLION, *(name for name in hostile.CORPUS if name != "million_rows.xlsx")]


def _app():
    from flask_migrate import upgrade

    from app import create_app
    from app.cli import init_database, seed_demo_data
    from app.extensions import db
    from app.models import Center

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url("imports.db")})
    with app.app_context():
        upgrade()
        if not db.session.scalar(sa.select(sa.func.count()).select_from(Center)):
            init_database()
            seed_demo_data()
    return app


def _xlsx(headers, rows):
    """Shared strings, as Excel and WPS write them (openpyxl parses inline strings 3x slower)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, headers)
    for number, values in enumerate(rows, 1):
        sheet.write_row(number, 0, values)
    book.close()
    return buffer.getvalue()


def _attendance_200k(session):
    from app.models import Staff

    numbers = list(session.scalars(sa.select(Staff.staff_no).order_by(Staff.staff_no)))
    days = [TODAY - timedelta(days=n) for n in range(1, 200_000 // len(numbers) + 2)]
    rows = ([number, "", day.isoformat(), "08:25", "17:35"] for day in days for number in numbers)
    return _xlsx(["工号", "姓名", "日期", "上班", "下班"], (row for _, row in zip(range(200_000), rows, strict=False)))


def _matters_20k(session):
    from app.models import Department
    from app.services.matter_import import COLUMNS

    department = session.scalar(sa.select(Department.name).order_by(Department.id))
    values = {
        "事项名称": "食品经营许可（新办）",
        "事项类型": "行政许可",
        "实施部门": department,
        "法定时限（工作日）": 20,
        "承诺时限（工作日）": 10,
        "申请材料": "申请书（原件1份）\n营业执照（复印件2份）\n法定代表人身份证明（原件1份，复印件1份）",
        "办理流程": "受理(1)→审查(6)→决定(2)",
        "设定依据": "《中华人民共和国食品安全法》第三十五条" * 4,
    }
    rows = ([{"事项编码": f"BENCH-{n:05d}", **values}.get(c.header) for c in COLUMNS] for n in range(20_000))
    return _xlsx([c.header for c in COLUMNS], rows)


def _run(app, case):
    """(what to import, the call) for a case; the call returns the report's one-line summary."""
    from app.extensions import db
    from app.services.attendance_import import import_attendance
    from app.services.calendar_import import read_schedule
    from app.services.import_rows import Limits
    from app.services.matter_import import import_matters

    session = db.session
    kind = "attendance"
    if case == "attendance_200k":
        data = _attendance_200k(session)
    elif case == "matters_20k":
        data, kind = _matters_20k(session), "matters"
    elif case in MILLION:
        kind = MILLION[case]
        data = hostile.million_rows(kind)
    else:
        data = hostile.CORPUS[case]("attendance")

    def call():
        if kind == "matters":
            report = import_matters(session, io.BytesIO(data), dry_run=True)
            summary = (report.created, report.errors.total, report.errors[:1])
        elif kind == "attendance":
            report = import_attendance(session, data, case, dry_run=True, today=TODAY, allow_old=True)
            summary = (report.created, report.absences, report.errors.total, report.errors[:1])
        else:
            summary = read_schedule(case, data, Limits.from_settings(session, "calendar_import_max_rows"))[1][:1]
        session.rollback()
        return str(summary)[:160]

    return len(data), call


def _status(field):
    """VmRSS or VmHWM (peak RSS) of this process, in MB."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def measure(case):
    app = _app()
    with app.app_context():
        size, call = _run(app, case)
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # resets the peak RSS: what building the file took does not count
        before = _status("VmRSS")
        started = time.perf_counter()
        summary = call()
        seconds = time.perf_counter() - started
        rss = _status("VmHWM") - before
        tracemalloc.start()
        call()
        peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    return {
        "case": case,
        "file_kb": size // 1024,
        "seconds": round(seconds, 1),
        "peak_mb": round(peak, 1),
        "rss_mb": round(rss),
        "base_mb": round(before),
        "summary": summary,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", choices=CASES)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(measure(args.case), ensure_ascii=False))
        return
    _app()  # build the database once, before the cases
    print(f"{'case':24} {'file KB':>8} {'s':>6} {'peak MB':>8} {'+RSS MB':>8} {'base MB':>8}  result")
    for case in CASES:
        out = subprocess.run(
            [sys.executable, "-m", "bench.import_limits", "--case", case], capture_output=True, text=True, check=True
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{r['case']:24} {r['file_kb']:>8} {r['seconds']:>6} {r['peak_mb']:>8} {r['rss_mb']:>8} {r['base_mb']:>8}"
            f"  {r['summary']}"
        )


if __name__ == "__main__":
    main()
