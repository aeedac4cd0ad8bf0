"""Case benchmarks at scale (DESIGN.md §10), on SQLite (default) or DATABASE_URL.

    python -m bench.cases [--cases 1000000] [--per-year 100000] [--repeat 30] [--rebuild]

Builds the demo county and N cases once (kept in bench/data/ between runs),
then measures, in-process and after a warm-up: the case list (page 1 and the
everyday filters) beside plain FAB on the same table, SQL statements per page,
exact lookups, a name search inside three months, and 100k deadline computations.
"""

import argparse
import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.models import Case
from bench.common import bench_app, database_url, login, page_getter, statements, timed

NOW = datetime(2026, 11, 24, 10, 0)
TARGETS = {"sqlite": {"list": 50, "lookup": 20, "search": 300}, "postgresql": {"list": 80, "lookup": 20, "search": 300}}


class PlainCaseView(ModelView):
    """Baseline: FAB as shipped on the same table and columns."""

    datamodel = SQLAInterface(Case)
    list_columns = [
        "number",
        "matter.name",
        "applicant_name",
        "department.name",
        "kind",
        "status",
        "accepted_at",
        "deadline_at",
    ]
    search_columns = ["number", "applicant_name", "status", "department", "accepted_at"]
    base_order = ("accepted_at", "desc")


def build(app, count, rebuild, per_year=100_000):
    from flask_migrate import downgrade, upgrade

    from app.cli import init_database, seed_demo_data
    from app.extensions import db
    from app.services.case_flow import Clock
    from app.services.demo.cases import generate_cases

    with app.app_context():
        upgrade()
        present = db.session.scalar(sa.text('SELECT count(*) FROM "case"'))
        db.session.remove()  # end the read transaction: PostgreSQL's DDL below would wait on its lock
        if present >= count and not rebuild:
            return present
        downgrade(revision="base")
        upgrade()
        init_database()
        seed_demo_data()
        clock = Clock.load(db.session)
        started = time.perf_counter()
        with db.engine.begin() as conn:
            # Spread N cases over as many years as a county (100k a year) or a province
            # (--per-year 10000000) needs.
            years = max(1, -(-count // per_year))
            generate_cases(
                conn,
                year_start=datetime(NOW.year - years + 1, 1, 1),
                count=count,
                clock=clock,
                now=NOW,
                progress=_progress,
            )
        print(f"\ngenerated {count} cases in {time.perf_counter() - started:.1f} s")
        # As autovacuum would leave a live database: statistics, and (PostgreSQL) a visibility
        # map, without which index-only scans still read the heap.
        statement = "VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text(statement))
        return count


def _progress(step, done, total):
    print(f"\r{step}: {done}/{total}", end="", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--per-year", type=int, default=100_000, help="cases a year (a province: 10000000)")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    url = database_url("cases.db")
    app = bench_app(url, PlainCaseView)
    total = build(app, args.cases, args.rebuild, args.per_year)
    dialect = sa.engine.make_url(url).get_backend_name()
    target = TARGETS[dialect]

    from app.extensions import db
    from app.models import Case, Staff, StaffPosition

    with app.app_context():
        sample = db.session.scalars(sa.select(Case).order_by(Case.id).offset(total // 2).limit(1)).one()
        number, id_number, phone = sample.number, sample.applicant_id_number, sample.applicant_phone
        busiest = db.session.execute(
            sa.text('SELECT department_id FROM "case" GROUP BY department_id ORDER BY count(*) DESC LIMIT 1')
        ).scalar()
        chief = db.session.scalar(
            sa.select(Staff).where(Staff.position == StaffPosition.chief_rep, Staff.department_id == busiest)
        )
        chief_name = chief.user.username
        surname = sample.applicant_name[:2]
        matter_id = sample.matter_id
    # The baseline view is registered ad hoc: only Admin's ".*" role reaches it.
    manager, admin, chief_client = login(app, "manager"), login(app, "admin"), login(app, chief_name)
    since = (NOW - timedelta(days=90)).strftime("%Y-%m-%d %H:%M:%S")
    pages = [
        ("list, page 1", manager, "/caseview/list/", "list"),
        ("plain FAB, page 1", admin, "/plaincaseview/list/", None),
        ("list, own department (chief rep)", chief_client, "/caseview/list/", "list"),
        ("list, open cases", manager, "/caseview/list/?quick=open", "list"),
        ("list, overdue", manager, "/caseview/list/?quick=overdue", "list"),
        ("list, accepted in last 3 months", manager, f"/caseview/list/?_flt_1_accepted_at={since}", "list"),
        ("list, one matter", manager, f"/caseview/list/?matter_id={matter_id}", "list"),
        ("plain FAB, status filter", admin, "/plaincaseview/list/?_flt_0_status=in_progress", None),
        ("list, page 400 (deep paging)", manager, "/caseview/list/?page_CaseView=400", None),
        ("lookup, case number", manager, f"/caseview/list/?_flt_3_number={number}", "lookup"),
        ("lookup, ID number", manager, f"/caseview/list/?_flt_3_applicant_id_number={id_number}", "lookup"),
        ("lookup, phone", manager, f"/caseview/list/?_flt_3_applicant_phone={phone}", "lookup"),
        (
            "name search in 3 months",
            manager,
            f"/caseview/list/?_flt_0_applicant_name={surname}&_flt_1_accepted_at={since}",
            "search",
        ),
    ]
    print(
        f"\n{dialect}: {total} cases; p50/p95 ms (targets: list {target['list']}, lookup {target['lookup']}, "
        f"search {target['search']}; ≤ 12 SQL per page)"
    )
    print(f"{'page':<36}{'p50':>8}{'p95':>8}{'SQL':>5}  verdict")
    for label, client, url_, kind in pages:
        get = page_getter(client, url_)
        p50, p95 = timed(get, args.repeat)
        count = statements(app, get)
        if kind is None:
            verdict = "baseline" if label.startswith("plain") else "not a target"
        else:
            verdict = "ok" if p95 <= target[kind] and count <= 12 else "MISSES TARGET"
        print(f"{label:<36}{p50:>8.1f}{p95:>8.1f}{count:>5}  {verdict}")

    with app.app_context():
        from app.services.case_flow import Clock

        clock = Clock.load(db.session)
    report_deadlines(clock)


def report_deadlines(clock, repeat=5):
    """100k deadlines: the calendar arithmetic alone, and the full rule with instants and flags."""
    from app.services.deadlines import deadline

    # 100k acceptance instants spread over 2025–2026, limits 0–29 working days.
    accepted = [datetime(2025, 1, 2, 8, 0) + timedelta(minutes=9 * i) for i in range(100_000)]
    days = [(when.date(), i % 30, when.time() >= clock.hours.closes) for i, when in enumerate(accepted)]
    count_from = clock.calendar.count_from

    def arithmetic():
        for day, n, over in days:
            count_from(day, n, day_is_over=over)

    def full_rule():
        for i, when in enumerate(accepted):
            deadline(when, i % 30, clock.calendar, clock.hours)

    for label, run in (
        ("100k deadlines: working-day arithmetic", arithmetic),
        ("100k deadlines: full rule", full_rule),
    ):
        best = min(_once(run) for _ in range(repeat))
        print(f"{label:<44}{best:>8.1f} ms (best of {repeat})  {'ok' if best <= 100 else 'MISSES TARGET'}")


def _once(run):
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    main()
