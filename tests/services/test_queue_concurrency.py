"""Two windows calling next at once never get one ticket; two kiosks at once never share a number."""

import threading
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models.queue import QueueTicket, TicketStatus
from app.services import queue
from app.services.queue import Desk
from tests.services.test_queue import make_groups

NOW = datetime(2026, 12, 3, 9, 0)


def _run(workers):
    threads = [threading.Thread(target=worker) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)


def test_two_windows_calling_next_at_once_never_share_a_ticket(app, world_ids):
    with app.app_context():
        groups = make_groups(db.session, world_ids)
        for minute in range(6):
            queue.issue(db.session, world_ids["county"], groups["A"], NOW + timedelta(minutes=minute))
        db.session.commit()
        db.session.remove()
    # A01 (staff_a) and C01 (chief_a) both serve group A.
    desks = [
        Desk(staff_id=world_ids["staff_staff_a"], window_id=world_ids["win_a"]),
        Desk(staff_id=world_ids["staff_chief_a"], window_id=world_ids["win_c"]),
    ]
    called, errors = {0: [], 1: []}, []
    barrier = threading.Barrier(2)

    def caller(index):
        def run():
            with app.app_context():
                barrier.wait()
                for step in range(4):
                    try:
                        ticket = queue.call_next(db.session, desks[index], NOW + timedelta(minutes=10 + step))
                        db.session.commit()
                    except Exception as exc:  # noqa: BLE001 (a refusal is reported, not swallowed)
                        db.session.rollback()
                        errors.append(repr(exc))
                        continue
                    if ticket is not None:
                        called[index].append(ticket.id)
                db.session.remove()

        return run

    _run([caller(0), caller(1)])
    assert not errors
    both = called[0] + called[1]
    assert len(both) == 6 and len(set(both)) == 6, "every ticket called exactly once"
    with app.app_context():
        rows = db.session.execute(sa.select(QueueTicket.id, QueueTicket.window_id, QueueTicket.status)).all()
        by_window = {world_ids["win_a"]: set(called[0]), world_ids["win_c"]: set(called[1])}
        for ticket_id, window_id, status in rows:
            assert ticket_id in by_window[window_id] and status in (TicketStatus.called, TicketStatus.done)
        db.session.remove()


def test_two_kiosks_issuing_at_once_never_share_a_number(app, world_ids):
    with app.app_context():
        groups = make_groups(db.session, world_ids)
        db.session.remove()
    numbers, errors = [], []
    barrier = threading.Barrier(2)

    def kiosk():
        with app.app_context():
            barrier.wait()
            for _ in range(10):
                try:
                    numbers.append(queue.issue(db.session, world_ids["county"], groups["A"], NOW).number)
                    db.session.commit()
                except Exception as exc:  # noqa: BLE001
                    db.session.rollback()
                    errors.append(repr(exc))
            db.session.remove()

    _run([kiosk, kiosk])
    assert not errors
    assert sorted(numbers) == [f"A{n:03d}" for n in range(1, 21)]
