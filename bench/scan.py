"""Warning scan at scale (DESIGN.md §10), on the case benchmark's data.

    python -m bench.scan [--cases 1000000] [--per-year 100000] [--rebuild]

Full rebuild (and its longest single write transaction), a second full rebuild,
the routine run for the last five minutes, and that run again; then the job's
follow-up (notices by escalation tier, step shares, supplement limits) first and
routine.
"""

import argparse
import time
from datetime import timedelta

import sqlalchemy as sa

from app.models import Case
from bench.cases import NOW, PlainCaseView, build
from bench.common import bench_app, database_url


def timed(call):
    started = time.perf_counter()
    result = call()
    return result, (time.perf_counter() - started) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--per-year", type=int, default=100_000, help="cases a year (a province: 10000000)")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    app = bench_app(database_url("cases.db"), PlainCaseView)
    build(app, args.cases, args.rebuild, args.per_year)

    from app.extensions import db
    from app.jobs import follow_up
    from app.models.case import OPEN_STATUSES
    from app.models.notice import Notice
    from app.services import warning_scan

    with app.app_context():
        session = db.session
        # As on a first run: no yellow/green light stored yet (red ones keep their overdue events).
        session.execute(sa.update(Case.__table__).where(Case.__table__.c.light != "red").values(light=None))
        session.commit()
        commits, last = [], [time.perf_counter()]
        original_commit = session.commit

        def timed_commit():
            original_commit()
            now = time.perf_counter()
            commits.append((now - last[0]) * 1000)
            last[0] = now

        session.commit = timed_commit
        last[0] = time.perf_counter()
        rows, ms = timed(lambda: warning_scan.rebuild(session, NOW))
        print(
            f"full rebuild: {rows} rows in {ms:.0f} ms; longest write transaction {max(commits):.0f} ms "
            f"(target ≤ 5000 ms, ≤ 1000 ms per transaction)"
        )
        session.commit = original_commit
        rows, ms = timed(lambda: warning_scan.rebuild(session, NOW))
        print(f"second full rebuild: {rows} rows in {ms:.0f} ms (target 0 rows)")
        later = NOW + timedelta(minutes=5)
        rows, ms = timed(lambda: (warning_scan.scan(session, later, NOW), session.commit())[0])
        print(f"routine run (5 minutes): {rows} rows in {ms:.1f} ms (target ≤ 100 ms)")
        rows, ms = timed(lambda: (warning_scan.scan(session, later, NOW), session.commit())[0])
        print(f"routine run again: {rows} rows in {ms:.1f} ms (target 0 rows)")
        rows, ms = timed(lambda: (warning_scan.scan(session, NOW + timedelta(days=1), later), session.commit())[0])
        print(f"routine run over the next day: {rows} rows in {ms:.1f} ms")
        # What the job does after the lights: notices by tier, step shares, supplement limits.
        session.execute(sa.delete(Notice))
        session.commit()
        rows, ms = timed(lambda: (follow_up(session, later, None), session.commit())[0])
        print(f"follow-up, first run (every red case's notices): {rows} rows in {ms:.0f} ms")
        rows, ms = timed(lambda: (follow_up(session, later, None), session.commit())[0])
        print(f"follow-up, first run again: {rows} rows in {ms:.0f} ms (target 0 rows)")
        after = later + timedelta(minutes=5)
        rows, ms = timed(lambda: (follow_up(session, after, later), session.commit())[0])
        print(f"follow-up, routine run (5 minutes): {rows} rows in {ms:.1f} ms (target ≤ 100 ms with the lights)")
        rows, ms = timed(lambda: (follow_up(session, NOW + timedelta(days=1), after), session.commit())[0])
        print(f"follow-up over the next day: {rows} rows in {ms:.1f} ms")
        open_red = session.scalar(
            sa.select(sa.func.count()).select_from(Case).where(Case.status.in_(OPEN_STATUSES), Case.light == "red")
        )
        print(f"(open cases: red {open_red})")


if __name__ == "__main__":
    main()
