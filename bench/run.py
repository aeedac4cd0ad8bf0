"""Benchmarks against DESIGN.md §10, on SQLite (default) or DATABASE_URL.

    python -m bench.run [--matters 50000] [--staff 5000] [--repeat 30] [--rebuild]

Each list page is requested in-process (no network) as the Admin user after a
warm-up; p50/p95 in ms and the SQL statements one request runs are printed
beside plain FAB (an unmodified ModelView on the same table).
"""

import argparse
import os
import statistics
import time
from pathlib import Path

import sqlalchemy as sa

DATA_DIR = Path(__file__).resolve().parent / "data"
TARGET_P95_MS = {"sqlite": 50, "postgresql": 80}
TARGET_STATEMENTS = 12


def make_app(url):
    from flask_appbuilder import ModelView
    from flask_appbuilder.models.sqla.interface import SQLAInterface

    from app import create_app
    from app.models import Matter

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

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "FAB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    with app.app_context():
        app.appbuilder.add_view_no_menu(PlainMatterView)
    return app


def prepare(app, args):
    from flask_migrate import downgrade, upgrade

    from app.cli import init_database
    from app.extensions import db
    from bench import generate

    with app.app_context():
        upgrade()
        has_rows = db.session.scalar(sa.text("SELECT count(*) FROM matter"))
        if args.rebuild or not has_rows:
            downgrade(revision="base")
            upgrade()
            init_database()
            started = time.perf_counter()
            with db.engine.begin() as conn:
                generate.build(conn, matters=args.matters, staff=args.staff)
            print(f"generated {args.matters} matters, {args.staff} staff in {time.perf_counter() - started:.1f} s")
            if db.engine.dialect.name == "postgresql":
                with db.engine.begin() as conn:
                    conn.execute(sa.text("ANALYZE"))
        sm = app.appbuilder.sm
        if sm.find_user(username="bench") is None:
            sm.add_user("bench", "基准", "测试", "bench@localhost", [sm.find_role("Admin")], password="Bench@12345")


def measure(app, client, url, repeat):
    from app.extensions import db

    statements = []

    def count(*_args):
        statements.append(1)

    for _ in range(3):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    client.get(url)
    sa.event.remove(engine, "before_cursor_execute", count)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(statements)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--matters", type=int, default=50_000)
    parser.add_argument("--staff", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data even if present")
    args = parser.parse_args()
    DATA_DIR.mkdir(exist_ok=True)
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'bench.db'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    app = make_app(url)
    prepare(app, args)
    client = app.test_client()
    client.post("/login/", data={"username": "bench", "password": "Bench@12345"})
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
        f"≤ {TARGET_STATEMENTS} statements (cases will join with the case engine)"
    )
    print(f"{'page':<32}{'p50 ms':>9}{'p95 ms':>9}{'SQL':>6}  verdict")
    for label, url_ in pages:
        p50, p95, statements = measure(app, client, url_, args.repeat)
        baseline = label.startswith("plain")
        verdict = (
            "baseline" if baseline else ("ok" if p95 <= target and statements <= TARGET_STATEMENTS else "MISSES TARGET")
        )
        print(f"{label:<32}{p50:>9.1f}{p95:>9.1f}{statements:>6}  {verdict}")


if __name__ == "__main__":
    main()
