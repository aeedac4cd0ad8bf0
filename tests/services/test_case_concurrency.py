"""Many threads acting on the same cases: no lost update, no event without its state change."""

import random
import threading
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import Case, CaseEvent, Staff
from app.services.case_flow import CaseError, StaleCase, perform
from tests.services.test_case_flow import NOW, actor, new_case


def test_parallel_actions_on_shared_cases(app, world_ids):
    with app.app_context():
        case_ids = [new_case(world_ids).id for _ in range(4)]
        assignees = [world_ids["staff_staff_a"], world_ids["staff_chief_a"]]
        db.session.remove()
    wins, stale, errors = [], [], []
    start = threading.Barrier(6)

    def worker(seed):
        rng = random.Random(seed)
        with app.app_context():
            me = actor("staff_a" if seed % 2 else "chief_a")
            start.wait()
            for attempt in range(12):
                case_id = rng.choice(case_ids)
                db.session.expire_all()
                version = db.session.get(Case, case_id).version
                try:
                    perform(
                        db.session,
                        me,
                        case_id,
                        version,
                        datetime(2026, 9, 28, 10, attempt),
                        "forward",
                        next_step=False,
                        assignee_id=rng.choice(assignees),
                        note=f"t{seed}-{attempt}",
                    )
                    wins.append(case_id)
                except StaleCase:
                    stale.append(case_id)
                except CaseError as exc:  # anything else is a bug
                    errors.append(str(exc))
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert len(wins) + len(stale) == 6 * 12 and wins, "every attempt either won or was told the case changed"
    with app.app_context():
        for case_id in case_ids:
            case = db.session.get(Case, case_id)
            events = db.session.scalars(
                sa.select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
            ).all()
            # accept + one event per winning forward; the version moved once per event.
            assert len(events) == 1 + wins.count(case_id)
            assert case.version == len(events)
            assert case.assignee_id == events[-1].data["assignee_id"]
            assert db.session.get(Staff, case.assignee_id) is not None
        db.session.remove()


def test_two_people_one_version_exactly_one_wins(app, world_ids):
    with app.app_context():
        case = new_case(world_ids)
        case_id, version = case.id, case.version
        db.session.remove()
    results = []
    barrier = threading.Barrier(2)

    def attempt(name):
        with app.app_context():
            me = actor(name)
            barrier.wait()
            try:
                perform(db.session, me, case_id, version, NOW, "forward", next_step=True)
                results.append("won")
            except StaleCase:
                results.append("stale")
            db.session.remove()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in ("staff_a", "chief_a")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["stale", "won"]
    with app.app_context():
        assert db.session.get(Case, case_id).step_seq == 2
        db.session.remove()
