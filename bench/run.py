"""Catalogue and staff list benchmarks, on SQLite (default) or DATABASE_URL.

    python -m bench.run [--matters 50000] [--staff 5000] [--repeat 30] [--rebuild]

Each list page is requested in-process (no network) as a global user after a
warm-up; p50/p95 in ms and the SQL statements one request runs are printed
beside plain FAB (an unmodified ModelView on the same table).
"""

import argparse
import time

import sqlalchemy as sa
from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.models import Matter
from bench.common import MAX_STATEMENTS, bench_app, database_url, login, page_getter, statements, timed

TARGET_P95_MS = {"sqlite": 50, "postgresql": 80}


class PlainMatterView(ModelView):
    """Baseline: FAB as shipped, same columns."""

    datamodel = SQLAInterface(Matter)
    list_columns = [
        "code",
        "name",
        "category",
        "department",
        "case_kind",
        "legal_limit_days",
        "promised_limit_days",
        "online_available",
        "status",
    ]
    search_columns = ["code", "name", "department", "status"]


def prepare(app, args):
    from flask_migrate import downgrade, upgrade

    from app.cli import init_database
    from app.extensions import db
    from bench import generate

    with app.app_context():
        upgrade()
        present = db.session.scalar(sa.text("SELECT count(*) FROM matter"))
        db.session.remove()  # end the read transaction: PostgreSQL's DDL below would wait on its lock
        if args.rebuild or not present:
            downgrade(revision="base")
            upgrade()
            init_database()
            started = time.perf_counter()
            with db.engine.begin() as conn:
                generate.build(conn, matters=args.matters, staff=args.staff)
                conn.execute(sa.text("ANALYZE"))
            print(f"generated {args.matters} matters, {args.staff} staff in {time.perf_counter() - started:.1f} s")
        sm = app.appbuilder.sm
        if sm.find_user(username="bench") is None:
            sm.add_user("bench", "基准", "测试", "bench@localhost", [sm.find_role("Admin")], password="Bench@12345")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--matters", type=int, default=50_000)
    parser.add_argument("--staff", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data even if present")
    args = parser.parse_args()
    url = database_url("bench.db")
    app = bench_app(url, PlainMatterView)
    prepare(app, args)
    client = login(app, "bench", "Bench@12345")
    dialect = sa.engine.make_url(url).get_backend_name()
    target = TARGET_P95_MS.get(dialect, 50)
    pages = [
        ("matter list, page 1", "/matterview/list/"),
        ("plain FAB, page 1", "/plainmatterview/list/"),
        ("matter list, one department", "/matterview/list/?_flt_0_department=7"),
        ("plain FAB, one department", "/plainmatterview/list/?_flt_0_department=7"),
        ("matter list, status filter", "/matterview/list/?_flt_0_status=active"),
        ("matter list, page 1000", "/matterview/list/?page_MatterView=1000"),
        ("matter exact code", "/matterview/list/?_flt_3_code=BX-00012345"),
        ("staff list, page 1", "/staffview/list/"),
    ]
    print(
        f"\n{dialect}: {args.matters} matters, {args.staff} staff; target p95 ≤ {target} ms, "
        f"≤ {MAX_STATEMENTS} statements"
    )
    print(f"{'page':<32}{'p50 ms':>9}{'p95 ms':>9}{'SQL':>6}  verdict")
    for label, page in pages:
        get = page_getter(client, page)
        p50, p95 = timed(get, args.repeat)
        count = statements(app, get)
        verdict = (
            "baseline"
            if label.startswith("plain")
            else ("ok" if p95 <= target and count <= MAX_STATEMENTS else "MISSES TARGET")
        )
        print(f"{label:<32}{p50:>9.1f}{p95:>9.1f}{count:>6}  {verdict}")


if __name__ == "__main__":
    main()
