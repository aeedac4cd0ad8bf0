"""The demo year as a reviewer reads it: every case is taken in while its center is open, and a
center that supervises daily has no case open long past its deadline."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.cli import seed_demo_data
from app.extensions import db
from app.models import Case
from app.models.case import OPEN_STATUSES
from app.models.transfer import Transfer
from app.services.case_flow import Clock
from app.services.demo import network
from app.services.demo.cases import OPEN_OVERDUE_WORKDAYS, generate_cases
from app.services.demo.handoffs import seed_handoffs
from app.services.demo.transfers import seed_transfers

# Late in the evening: the day's cases must still have been taken in during office hours.
NOW = datetime(2026, 11, 24, 21, 40)


def _in_office(clock, at):
    return clock.calendar.is_workday(at.date()) and any(start <= at.time() < end for start, end in clock.hours.periods)


def test_every_case_is_taken_in_during_office_hours_and_none_is_left_long_overdue(scratch_app):
    with scratch_app.app_context():
        seed_demo_data()
        clock = Clock.load(db.session)
        start = NOW - timedelta(days=200)
        with db.engine.begin() as connection:
            generate_cases(connection, year_start=start, count=3000, clock=clock, now=NOW)
            network.generate_cases(connection, year_start=start, now=NOW, clock=clock, count=600)
            seed_transfers(connection, now=NOW, clock=clock)
        seed_handoffs(db.session, NOW, count=8)
        db.session.commit()

        cases = db.session.execute(sa.select(Case.channel, Case.submitted_at, Case.accepted_at)).all()
        accepted = [case for case in cases if case.accepted_at is not None]
        assert len(accepted) > 3500
        outside = [case for case in accepted if not _in_office(clock, case.accepted_at)]
        assert outside == []
        assert all(case.submitted_at <= case.accepted_at for case in accepted)
        # Online applications still arrive at any hour; the window takes them in when it opens.
        online = [case for case in accepted if case.channel.name == "online"]
        assert any(not _in_office(clock, case.submitted_at) for case in online)

        transfers = db.session.execute(sa.select(Transfer.registered_at, Transfer.accepted_at)).all()
        assert transfers
        for registered_at, accepted_at in transfers:
            assert _in_office(clock, registered_at)
            assert accepted_at is None or (_in_office(clock, accepted_at) and registered_at < accepted_at)

        overdue = db.session.scalars(
            sa.select(Case.deadline_at).where(Case.status.in_(OPEN_STATUSES), Case.deadline_at < NOW)
        ).all()
        assert overdue, "a few recent cases are overdue"
        past = [clock.calendar.workdays_between(due.date(), NOW.date()) for due in overdue]
        assert max(past) <= OPEN_OVERDUE_WORKDAYS
        open_cases = db.session.scalar(sa.select(sa.func.count()).where(Case.status.in_(OPEN_STATUSES)))
        assert len(overdue) < 0.1 * open_cases
