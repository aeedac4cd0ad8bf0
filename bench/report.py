"""Monthly report and case export at a 100k-case month (DESIGN.md §10), SQLite or DATABASE_URL.

    python -m bench.report [--cases 100000] [--rebuild]

Builds the demo county with N cases all accepted in October 2026 (kept in
bench/data/month.db), then measures: the month's figures (SQL aggregates), the
whole workbook, and the case list's Excel export of the month (time, and peak
Python memory by tracemalloc plus the process's peak RSS).
"""

import argparse
import io
import resource
import time
import tracemalloc
from datetime import date, datetime

import openpyxl
import sqlalchemy as sa

from bench.cases import PlainCaseView
from bench.common import bench_app, database_url, login

MONTH = date(2026, 10, 1)
NOW = datetime(2026, 10, 31, 20, 0)


def build(app, count, rebuild):
    from flask_migrate import downgrade, upgrade

    from app.cli import init_database, seed_demo_data
    from app.extensions import db
    from app.services.case_flow import Clock
    from app.services.demo.cases import generate_cases

    with app.app_context():
        upgrade()
        present = db.session.scalar(sa.text('SELECT count(*) FROM "case"'))
        db.session.remove()
        if present >= count and not rebuild:
            return present
        downgrade(revision="base")
        upgrade()
        init_database()
        seed_demo_data()
        started = time.perf_counter()
        with db.engine.begin() as conn:
            generate_cases(
                conn,
                year_start=datetime(MONTH.year, MONTH.month, 1),
                count=count,
                clock=Clock.load(db.session),
                now=NOW,
                progress=lambda step, done, total: print(f"\r{step}: {done}/{total}", end="", flush=True),
            )
            conn.execute(sa.text("ANALYZE"))
        print(f"\ngenerated {count} cases in {time.perf_counter() - started:.1f} s")
        return count


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    app = bench_app(database_url("month.db"), PlainCaseView)
    build(app, args.cases, args.rebuild)

    from app.extensions import db
    from app.models import Case, Center
    from app.services import monthly_report, report_workbook

    with app.app_context():
        county = db.session.scalar(sa.select(Center).where(Center.parent_id.is_(None)))
        in_month = db.session.scalar(
            sa.select(sa.func.count()).select_from(Case).where(Case.accepted_at >= datetime(2026, 10, 1))
        )
        print(f"{db.engine.dialect.name}: {in_month} cases accepted in {MONTH:%Y-%m}")
        for attempt in range(3):
            started = time.perf_counter()
            figures = monthly_report.compute(db.session, county.id, MONTH)
            aggregates = (time.perf_counter() - started) * 1000
            content = report_workbook.build(db.session, figures, county.name, NOW)
            whole = (time.perf_counter() - started) * 1000
            print(
                f"monthly report, run {attempt + 1}: aggregates {aggregates:.0f} ms, whole workbook {whole:.0f} ms "
                f"({len(content) // 1024} KB, {figures.total.values['overdue']} overdue rows) (target ≤ 2000 ms)"
            )
        db.session.remove()

    client = login(app, "manager")
    export_url = "/caseview/export/?_flt_1_accepted_at=2026-10-01 00:00:00"
    started = time.perf_counter()
    body = client.get(export_url).get_data()
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    rows = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active.max_row - 1
    print(f"case export: {rows} rows, {len(body) // 1024} KB in {seconds:.1f} s (target ≤ 15 s); peak RSS {rss} MB")
    # Again under tracemalloc (slower): the peak of what the export itself holds.
    tracemalloc.start()
    client.get(export_url).get_data()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"case export, peak Python memory while exporting: {peak / 2**20:.1f} MB (target ≤ 60 MB)")


if __name__ == "__main__":
    main()
