"""The three-level network at province size (issue 16), on SQLite (default) or DATABASE_URL.

    python -m bench.network [--townships 100] [--villages 1000] [--cases 1000000] [--repeat 30] [--rebuild]

Builds a county hall with 35 departments, 100 township centers and 1,000 village points, and
1M cases over 23 months (kept in bench/data/network.db between runs): county cases, township
cases finished on site, and township cases reported up (上报) with their county child and a
delivery (送达); plus village requests (transfers) from every point's agent. Then measures,
in-process after a warm-up: a township clerk's case list (page 1, open cases), a county
window's list, the county's network sheet and the county's whole monthly report build.

The sheet is what the county's build (services/reports.generate) adds for it: network_summary
given the month's figures that monthly_report.compute has just counted (so its per-center counts
cost nothing more). The whole build is what the user waits for when the county's report is
built: the figures, the sheet and the workbook (rolled back after each run).
Targets: DESIGN.md §10 list targets for the sheet (p95 ≤ 50 ms SQLite, ≤ 80 ms PostgreSQL;
≤ 12 SQL a page) and the monthly report's (≤ 2 s) for the whole build.
"""

import argparse
import random
import time
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from app.models import Case
from bench.cases import PlainCaseView
from bench.common import MAX_STATEMENTS, bench_app, database_url, login, page_getter, statements, timed

START = datetime(2025, 1, 1, 9, 0)
NOW = datetime(2026, 11, 24, 10, 0)
MONTH = date(2026, 10, 1)
PASSWORD = "Bench@12345"
TARGET_P95_MS = {"sqlite": 50, "postgresql": 80}
REPORT_TARGET_MS = 2000  # DESIGN.md §10: a monthly report of a 100k-case month


def _tables():
    from app.models import Center, Department, Matter, Staff, Window
    from app.models.transfer import Transfer

    return Center.__table__, Department.__table__, Window.__table__, Matter.__table__, Staff.__table__, Transfer


def build_network(conn, townships, villages):
    """Centers, departments, windows, matters and staff; returns what the cases need."""
    center, department, window, matter, staff, _ = _tables()
    centers = [{"id": 1, "code": "SX", "name": "示范县政务服务中心", "level": "county", "parent_id": None}]
    for t in range(townships):
        centers.append(
            {"id": 2 + t, "code": f"T{t:03d}", "name": f"第{t + 1}镇便民服务中心", "level": "township", "parent_id": 1}
        )
    for v in range(villages):
        town = 2 + v % townships
        centers.append(
            {
                "id": 2 + townships + v,
                "code": f"V{v:04d}",
                "name": f"第{v + 1}村便民服务站",
                "level": "village",
                "parent_id": town,
            }
        )
    conn.execute(sa.insert(center), [{**c, "sort_order": c["id"], "version": 1} for c in centers])
    departments = [{"id": d + 1, "code": f"D{d:02d}", "name": f"县第{d + 1}局", "center_id": 1} for d in range(35)]
    departments += [
        {"id": 36 + t, "code": f"G{t:03d}", "name": f"第{t + 1}镇人民政府", "center_id": 2 + t}
        for t in range(townships)
    ]
    conn.execute(
        sa.insert(department), [{**d, "status": "active", "sort_order": d["id"], "version": 1} for d in departments]
    )
    windows = [
        {
            "id": d + 1,
            "code": f"W{d:02d}",
            "name": f"第{d + 1}局窗口",
            "kind": "dedicated",
            "center_id": 1,
            "department_id": d + 1,
        }
        for d in range(35)
    ]
    windows += [
        {
            "id": 36 + t,
            "code": "Z01",
            "name": "综合窗口",
            "kind": "comprehensive",
            "center_id": 2 + t,
            "department_id": 36 + t,
        }
        for t in range(townships)
    ]
    conn.execute(sa.insert(window), [{**w, "status": "active", "version": 1} for w in windows])
    handlings = ["report_up"] * 6 + ["full_service"] * 2 + ["on_site"] * 2
    matters = [
        {
            "id": m + 1,
            "code": f"M{m:04d}",
            "name": f"事项{m + 1}",
            "category": "licensing",
            "department_id": m % 35 + 1,
            "handling_level": "county",
            "case_kind": "promised",
            "township_handling": handlings[m % 10],
            "legal_limit_days": 20,
            "promised_limit_days": 10,
            "fee_standard": 0,
            "status": "active",
            "version": 1,
        }
        for m in range(350)
    ]
    conn.execute(sa.insert(matter), matters)
    people = [
        {
            "id": d + 1,
            "staff_no": f"C{d:04d}",
            "name": f"县窗口{d + 1}",
            "department_id": d + 1,
            "center_id": 1,
            "window_id": d + 1,
        }
        for d in range(35)
    ]
    for t in range(townships):
        for k in range(2):
            n = 36 + 2 * t + k
            people.append(
                {
                    "id": n,
                    "staff_no": f"T{n:05d}",
                    "name": f"乡镇{n}",
                    "department_id": 36 + t,
                    "center_id": 2 + t,
                    "window_id": 36 + t,
                }
            )
    first_agent = len(people) + 1
    for v in range(villages):
        n = first_agent + v
        town = v % townships
        people.append(
            {
                "id": n,
                "staff_no": f"A{n:05d}",
                "name": f"代办员{n}",
                "department_id": 36 + town,
                "center_id": 2 + townships + v,
                "window_id": None,
            }
        )
    conn.execute(
        sa.insert(staff),
        [{**p, "position": "a_post", "status": "active", "joined_on": date(2024, 1, 1), "version": 1} for p in people],
    )
    return {"handling": {m["id"]: m["township_handling"] for m in matters}, "first_agent": first_agent}


def _case(i, number, center_id, matter_id, accepted, rng, **extra):
    finished = accepted + timedelta(hours=rng.randint(2, 300))
    open_ = finished > NOW
    row = {
        "id": i,
        "number": number,
        "center_id": center_id,
        "matter_id": matter_id,
        "department_id": (matter_id - 1) % 35 + 1,
        "window_id": None,
        "step_seq": 1,
        "applicant_type": "person",
        "applicant_name": f"申请人{i % 5000}",
        "applicant_id_number": f"1401{i:014d}",
        "applicant_phone": f"139{i:08d}",
        "channel": "window",
        "kind": "promised",
        "status": "in_progress" if open_ else "completed",
        "result": None if open_ else "approved",
        "submitted_at": accepted,
        "accepted_at": accepted,
        "deadline_at": accepted + timedelta(days=14),
        "warn_at": accepted + timedelta(days=11),
        "light": "green",
        "finished_at": None if open_ else finished,
        "limit_days": 10,
        "paused_workdays": 0,
        "extension_days": 0,
        "supplement_count": 0,
        "calendar_unconfirmed": False,
        "parent_id": None,
        "handoff_workdays": None,
        "suspend_reason": None,
        "suspended_at": None,
        "delivered_at": None,
        "delivery_method": None,
        "delivery_receiver": None,
        "version": 1,
    }
    row.update(extra)
    return row


def build_cases(conn, count, townships, network, work_calendar, batch=20_000, seed=16):
    """`count` cases: 40 % county, 60 % township; township cases of report-up matters come as a
    pair (the township case and its county child) and are delivered when the child is done; a
    decided child holds its working days from `work_calendar`, as the case flow stores them."""
    rng = random.Random(seed)
    span = (NOW - START).total_seconds()
    handling = network["handling"]
    rows, i = [], 0
    report_up = [m for m, h in handling.items() if h == "report_up"]
    others = [m for m, h in handling.items() if h != "report_up"]
    while i < count:
        accepted = START + timedelta(seconds=span * i / count)
        if rng.random() < 0.4 or i + 2 > count:
            i += 1
            rows.append(_case(i, f"SX-{i:08d}", 1, rng.randint(1, 350), accepted, rng))
        elif rng.random() < 0.5:
            i += 1
            rows.append(_case(i, f"T-{i:08d}", 2 + rng.randrange(townships), rng.choice(others), accepted, rng))
        else:
            town, matter_id = 2 + rng.randrange(townships), rng.choice(report_up)
            parent = _case(i + 1, f"T-{i + 1:08d}", town, matter_id, accepted, rng, channel="proxy")
            sent = accepted + timedelta(hours=rng.randint(1, 24))
            child = _case(i + 2, f"SX-{i + 2:08d}", 1, matter_id, sent + timedelta(hours=rng.randint(1, 20)), rng)
            child.update(parent_id=i + 1, channel="township", submitted_at=sent)
            if child["finished_at"] is None:
                parent.update(
                    status="suspended", suspend_reason="escalation", suspended_at=sent, finished_at=None, result=None
                )
            else:
                child["handoff_workdays"] = work_calendar.workdays_between(sent.date(), child["finished_at"].date())
                delivered = child["finished_at"] + timedelta(hours=rng.randint(2, 72))
                if delivered > NOW:
                    parent.update(status="in_progress", finished_at=None, result=None)
                else:
                    parent.update(
                        finished_at=delivered,
                        delivered_at=delivered,
                        delivery_method="in_person",
                        delivery_receiver="本人",
                    )
            rows += [parent, child]
            i += 2
        if len(rows) >= batch:
            _insert(conn, Case.__table__, rows)
            rows = []
            print(f"\rcases: {i}/{count}", end="", flush=True)
    if rows:
        _insert(conn, Case.__table__, rows)
    return i


def _insert(conn, table, rows):
    """Bulk rows: PostgreSQL's COPY (an INSERT of a million rows takes most of an hour), else executemany."""
    if conn.dialect.name != "postgresql":
        conn.execute(sa.insert(table), rows)
        return
    columns = list(rows[0])
    names = ", ".join(f'"{name}"' for name in columns)
    with conn.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[name] for name in columns])


def build_transfers(conn, per_agent_month, townships, villages, network, seed=17):
    *_, transfer = _tables()
    rng = random.Random(seed)
    rows, n = [], 0
    months = 23
    for m in range(months):
        base = START + timedelta(days=30.4 * m)
        for v in range(villages):
            for _ in range(per_agent_month):
                n += 1
                sent = base + timedelta(hours=rng.randint(0, 700))
                returned = rng.random() < 0.05
                rows.append(
                    {
                        "id": n,
                        "number": f"ZJ-{n:08d}",
                        "kind": "village_request",
                        "status": "returned" if returned else "accepted",
                        "from_center_id": 2 + townships + v,
                        "from_staff_id": network["first_agent"] + v,
                        "to_center_id": 2 + v % townships,
                        "registered_at": sent,
                        "sent_at": sent,
                        "received_at": sent + timedelta(hours=rng.randint(1, 30)),
                        "returned_at": sent + timedelta(hours=40) if returned else None,
                        "version": 1,
                    }
                )
        _insert(conn, transfer.__table__, rows)
        rows = []
    return n


def build(app, args):
    from flask_migrate import downgrade, upgrade

    from app.cli import init_database
    from app.extensions import db
    from app.models import Staff
    from app.services import calendar
    from app.services.id_sequences import reset_id_sequences

    with app.app_context():
        upgrade()
        present = db.session.scalar(sa.text('SELECT count(*) FROM "case"'))
        db.session.remove()
        if present < args.cases or args.rebuild:
            downgrade(revision="base")
            upgrade()
            init_database()
            work_calendar = calendar.load(db.session)
            db.session.remove()
            started = time.perf_counter()
            with db.engine.begin() as conn:
                network = build_network(conn, args.townships, args.villages)
                total = build_cases(conn, args.cases, args.townships, network, work_calendar)
                requests = build_transfers(conn, 4, args.townships, args.villages, network)
                reset_id_sequences(conn)
            print(f"\ngenerated {total} cases, {requests} village requests in {time.perf_counter() - started:.1f} s")
            statement = "VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text(statement))
        sm = app.appbuilder.sm
        for username, role, staff_id in (
            ("town_bench", "TownshipStaff", 36),
            ("county_bench", "WindowStaff", 1),
            ("admin_bench", "Admin", None),
        ):
            if sm.find_user(username=username) is None:
                user = sm.add_user(username, username, "基准", f"{username}@localhost", [sm.find_role(role)], PASSWORD)
                if staff_id:
                    db.session.get(Staff, staff_id).user_id = user.id
                    db.session.commit()
        total = db.session.scalar(sa.text('SELECT count(*) FROM "case"'))
        town_cases = db.session.scalar(sa.text('SELECT count(*) FROM "case" WHERE center_id = 2'))
        db.session.remove()
    return total, town_cases


def database_time(app, call, repeat):
    """(p50, p95) in ms of the time one call spends in its SQL statements (the database's share)."""
    import statistics

    from app.extensions import db

    with app.app_context():
        engine = db.engine
    spent = []

    def before(conn, cursor, statement, parameters, context, executemany):
        context.bench_started = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        spent.append(time.perf_counter() - context.bench_started)

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    samples = []
    try:
        for _ in range(repeat):
            spent.clear()
            call()
            samples.append(sum(spent) * 1000)
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--townships", type=int, default=100)
    parser.add_argument("--villages", type=int, default=1000)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--only-build", action="store_true", help="build the data and stop")
    args = parser.parse_args()
    url = database_url("network.db")
    app = bench_app(url, PlainCaseView)
    total, town_cases = build(app, args)
    if args.only_build:
        return
    dialect = sa.engine.make_url(url).get_backend_name()
    target = TARGET_P95_MS.get(dialect, 50)
    town, county = login(app, "town_bench", PASSWORD), login(app, "county_bench", PASSWORD)
    # The baseline view is registered ad hoc: only Admin's ".*" role reaches it.
    admin = login(app, "admin_bench", PASSWORD)
    print(f"\n{dialect}: {total} cases, {town_cases} at the measured township; p50/p95 ms (target p95 ≤ {target})")
    print("(page: the whole request in-process; db: the time its SQL statements took)")
    print(f"{'measure':<44}{'p50':>8}{'p95':>8}{'db p50':>8}{'db p95':>8}{'SQL':>5}  verdict")
    for label, client, url_, is_target in (
        ("township list, page 1", town, "/caseview/list/", True),
        ("township list, open cases", town, "/caseview/list/?quick=open", True),
        ("township list, page 20 (deep paging)", town, "/caseview/list/?page_CaseView=20", False),
        ("county window list, page 1", county, "/caseview/list/", True),
        ("county window list, open cases", county, "/caseview/list/?quick=open", True),
        ("plain FAB list, page 1 (baseline)", admin, "/plaincaseview/list/", False),
    ):
        get = page_getter(client, url_)
        p50, p95 = timed(get, args.repeat)
        db50, db95 = database_time(app, get, args.repeat)
        count = statements(app, get)
        if not is_target:
            verdict = "baseline" if "baseline" in label else "not a target"
        else:
            verdict = "ok" if p95 <= target and count <= MAX_STATEMENTS else "MISSES TARGET"
        print(f"{label:<44}{p50:>8.1f}{p95:>8.1f}{db50:>8.1f}{db95:>8.1f}{count:>5}  {verdict}")

    from app.extensions import db
    from app.models import Center
    from app.services import calendar, monthly_report, reports
    from app.services.network_report import network_summary

    with app.app_context():
        figures = monthly_report.compute(db.session, 1, MONTH)
        db.session.remove()

    def sheet():
        # What the county's build adds for the sheet: it passes the month's figures just computed.
        with app.app_context():
            summary = network_summary(db.session, 1, MONTH, figures)
            db.session.remove()
            return summary

    def build_report():
        # What the user waits for: the county's monthly report built (figures, the network sheet,
        # the workbook), then rolled back so every run builds it anew.
        with app.app_context():
            report = reports.generate(
                db.session,
                db.session.get(Center, 1),
                MONTH,
                NOW,
                "bench",
                calendar=calendar.load(db.session),
                due_workday=5,
            )
            size = len(report.file)
            db.session.rollback()
            db.session.remove()
            return size

    p50, p95 = timed(sheet, args.repeat)
    db50, db95 = database_time(app, sheet, args.repeat)
    count = statements(app, sheet)
    summary = sheet()
    verdict = "ok" if p95 <= target else "MISSES TARGET"
    print(f"{'network sheet (county, a month)':<44}{p50:>8.1f}{p95:>8.1f}{db50:>8.1f}{db95:>8.1f}{count:>5}  {verdict}")
    runs = max(5, args.repeat // 3)
    p50, p95 = timed(build_report, runs)
    db50, db95 = database_time(app, build_report, runs)
    count = statements(app, build_report)
    verdict = "ok" if p95 <= REPORT_TARGET_MS else "MISSES TARGET"
    label = "county monthly report build (whole)"
    print(f"{label:<44}{p50:>8.0f}{p95:>8.0f}{db50:>8.0f}{db95:>8.0f}{count:>5}  {verdict} (≤ {REPORT_TARGET_MS})")
    sent = sum(line.sent for line in summary.handoffs)
    print(
        f"  {MONTH:%Y-%m}: {len(summary.centers)} centers with cases, {sent} hand-offs from "
        f"{len(summary.handoffs)} townships, {len(summary.agents)} agents; levels "
        + ", ".join(f"{level.name} {v['accepted']}" for level, v in summary.levels.items())
    )


if __name__ == "__main__":
    main()
