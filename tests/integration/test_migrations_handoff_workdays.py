"""Migration 0029 (hand-off working days): decided children already in place get the working
days the case flow stores with the county's decision, filled in SQL by the upgrade."""

from datetime import datetime

import sqlalchemy as sa

from app.cli import seed_demo_data
from app.extensions import db
from app.models import Case
from app.services import calendar
from app.services.demo.handoffs import seed_handoffs

NOW = datetime(2026, 11, 24, 10, 0)


def test_upgrade_fills_the_decided_hand_offs_as_the_case_flow_stores_them(scratch_app):
    from flask_migrate import downgrade, upgrade

    with scratch_app.app_context():
        seed_demo_data()
        seed_handoffs(db.session, NOW, count=12)
        work_calendar = calendar.load(db.session)
        query = sa.select(Case.id, Case.handoff_workdays).where(Case.parent_id.is_not(None)).order_by(Case.id)
        stored = db.session.execute(query).all()
        decided = [
            work_calendar.workdays_between(child.submitted_at.date(), child.finished_at.date())
            for child in db.session.scalars(sa.select(Case).where(Case.handoff_workdays.is_not(None)))
        ]
        assert len(decided) == 10 and decided == [days for _, days in stored if days is not None]
        db.session.remove()
        downgrade(revision="0028")
        upgrade()
        assert db.session.execute(query).all() == stored
        db.session.remove()
