"""Queue tickets at scale (issue 18.3): issuing and calling with a year of history, one display refresh.

    python -m bench.queue [--tickets 250000] [--rebuild]

Targets: issuing and calling a ticket ≤ 50 ms p95 with ≈ 250k tickets of history on SQLite; one
display refresh (the JSON the hall screen polls) ≤ 10 ms server time.
"""

import argparse
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from bench.common import database_url, timed

NOW = datetime(2026, 12, 3, 10, 0)
GROUPS = 4


def build(app, tickets: int, rebuild: bool) -> None:
    from flask_migrate import upgrade

    from app.cli import init_database
    from app.extensions import db
    from app.models import Center, CenterLevel, Department, Staff, Window
    from app.models.appointment import WindowGroup
    from app.models.queue import QueueTicket

    with app.app_context():
        upgrade()
        init_database()
        if db.session.scalar(sa.select(sa.func.count()).select_from(QueueTicket)) and not rebuild:
            return
        center = db.session.scalar(sa.select(Center).where(Center.code == "QB"))
        if center is None:
            center = Center(code="QB", name="排队测试中心", level=CenterLevel.county)
            department = Department(code="QB1", name="排队测试部门", center=center)
            windows = [
                Window(code=f"Q{n:02d}", name=f"{n}号窗口", center=center, department=department) for n in range(8)
            ]
            groups = [
                WindowGroup(center=center, name=f"队列{n}", prefix="ABCD"[n], windows=windows[2 * n : 2 * n + 2])
                for n in range(GROUPS)
            ]
            staff = [
                Staff(staff_no=f"QB{n}", name=f"窗口{n}", department=department, center=center, window=window)
                for n, window in enumerate(windows)
            ]
            db.session.add_all([center, department, *windows, *groups, *staff])
            db.session.commit()
        db.session.execute(sa.delete(QueueTicket))
        db.session.commit()
        group_ids = db.session.scalars(sa.select(WindowGroup.id).where(WindowGroup.center_id == center.id)).all()
        window_ids = db.session.scalars(sa.select(Window.id).where(Window.center_id == center.id)).all()
        first = NOW.date() - timedelta(days=365)
        per_day = max(1, tickets // 250)
        rows, day = [], first
        while len(rows) < tickets and day < NOW.date():
            if day.weekday() < 5:
                for n in range(per_day):
                    issued = datetime.combine(day, datetime.min.time()) + timedelta(hours=8, minutes=30, seconds=n * 40)
                    group = n % GROUPS
                    rows.append(
                        {
                            "center_id": center.id,
                            "group_id": group_ids[group],
                            "service_day": day,
                            "seq": n // GROUPS + 1,
                            "number": f"{'ABCD'[group]}{n // GROUPS + 1:03d}",
                            "source": "walk_in",
                            "priority": 0,
                            "status": "done",
                            "issued_at": issued,
                            "issued_hour": issued.hour,
                            "called_at": issued + timedelta(minutes=12),
                            "last_called_at": issued + timedelta(minutes=12),
                            "recalls": 0,
                            "window_id": window_ids[2 * group],
                            "wait_seconds": 720,
                            "service_seconds": 300,
                        }
                    )
            day += timedelta(days=1)
        for start in range(0, len(rows), 20_000):
            db.session.execute(sa.insert(QueueTicket), rows[start : start + 20_000])
            db.session.commit()
        print(f"history: {len(rows)} tickets")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=250_000)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url("queue.db"), "RATELIMIT_ENABLED": False})
    build(app, args.tickets, args.rebuild)

    from app.extensions import db
    from app.models import Center, Staff
    from app.models.appointment import WindowGroup
    from app.services import queue

    with app.app_context():
        center_id = db.session.scalar(sa.select(Center.id).where(Center.code == "QB"))
        group_id = db.session.scalar(
            sa.select(WindowGroup.id).where(WindowGroup.center_id == center_id, WindowGroup.prefix == "A")
        )
        staff = db.session.execute(
            sa.select(Staff.id, Staff.window_id).where(Staff.center_id == center_id).order_by(Staff.id).limit(1)
        ).one()
        desk = queue.Desk(staff_id=staff.id, window_id=staff.window_id)
        clock = {"now": NOW}

        def issue_and_call():
            clock["now"] += timedelta(seconds=5)
            queue.issue(db.session, center_id, group_id, clock["now"])
            db.session.commit()
            queue.call_next(db.session, desk, clock["now"])
            db.session.commit()

        def refresh():
            queue.display_state(db.session, center_id, date(NOW.year, NOW.month, NOW.day))
            db.session.rollback()

        p50, p95 = timed(issue_and_call, 200)
        print(f"issue + call next (two commits): p50 {p50:.1f} ms, p95 {p95:.1f} ms (target p95 ≤ 50)")
        p50, p95 = timed(refresh, 300)
        print(f"display refresh: p50 {p50:.1f} ms, p95 {p95:.1f} ms (target ≤ 10)")


if __name__ == "__main__":
    main()
