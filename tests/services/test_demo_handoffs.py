"""Demo 上报 chains (demo/handoffs.py): made through the real actions, every stage present, once."""

from collections import Counter
from datetime import datetime

import sqlalchemy as sa

from app.cli import seed_demo_data
from app.extensions import db
from app.models import Case, CaseStatus
from app.models.org import CenterLevel
from app.services import calendar
from app.services.demo.handoffs import seed_handoffs

NOW = datetime(2026, 11, 24, 10, 0)


def test_chains_at_every_stage(scratch_app):
    with scratch_app.app_context():
        seed_demo_data()
        assert seed_handoffs(db.session, NOW, count=8) == {"chains": 8}
        children = db.session.scalars(sa.select(Case).where(Case.parent_id.is_not(None))).all()
        assert len(children) == 8
        for child in children:
            assert child.center.level is CenterLevel.county and child.parent.center.level is CenterLevel.township
            assert child.submitted_at < NOW and all(event.at <= NOW for event in child.parent.events)
        stages = Counter((child.status, child.parent.status) for child in children)
        assert stages[(CaseStatus.submitted, CaseStatus.suspended)] == 1
        assert stages[(CaseStatus.accepted, CaseStatus.suspended)] == 1
        assert stages[(CaseStatus.completed, CaseStatus.in_progress)] == 2  # back, awaiting delivery
        assert stages[(CaseStatus.returned, CaseStatus.returned)] == 1  # the county's return, delivered
        assert stages[(CaseStatus.completed, CaseStatus.completed)] == 3
        assert all(c.parent.delivered_at for c in children if c.parent.status is CaseStatus.completed)
        # Through the real actions: the county's decision stored the hand-off's working days.
        work_calendar = calendar.load(db.session)
        for child in children:
            decided = child.status in (CaseStatus.completed, CaseStatus.returned)
            days = (
                work_calendar.workdays_between(child.submitted_at.date(), child.finished_at.date()) if decided else None
            )
            assert child.handoff_workdays == days
        assert seed_handoffs(db.session, NOW, count=8) == {"chains": 0}  # a second run adds nothing
