"""Demo comprehensive-window duty (demo/duty.py): through the real actions, immediate cases
finished on the spot by the desk, the others handed over (a few late, with their violation), once."""

from datetime import datetime

import sqlalchemy as sa

from app.cli import seed_demo_data
from app.extensions import db
from app.models import Case, CaseStatus, Violation, ViolationKind
from app.models.matter import CaseKind
from app.models.org import Staff
from app.models.transfer import Transfer, TransferKind, TransferStatus
from app.services.demo.duty import seed_duty

NOW = datetime(2026, 11, 24, 10, 0)


def test_duty_cases_finished_or_handed_over(scratch_app):
    with scratch_app.app_context():
        seed_demo_data()
        totals = seed_duty(db.session, NOW, count=10)
        assert totals["duty_cases"] >= 8 and totals["immediate"] >= 3 and totals["late"] == 2
        assert totals["duty_cases"] == totals["immediate"] + totals["handed_over"]
        cases = db.session.scalars(sa.select(Case).order_by(Case.id)).all()
        assert len(cases) == totals["duty_cases"]
        for case in cases:
            acceptor = db.session.get(Staff, case.accepted_by_id)
            assert acceptor.department_id != case.department_id and acceptor.window_id == case.window_id
            entry = db.session.scalar(sa.select(Transfer).where(Transfer.case_id == case.id))
            if case.kind is CaseKind.immediate:
                assert case.status is CaseStatus.completed and entry is None
                assert case.events[-1].actor_id == acceptor.user_id  # completed on the spot by the desk
            else:
                assert entry.kind is TransferKind.duty_handoff and entry.status is TransferStatus.received
                assert case.assignee.department_id == case.department_id == entry.received_by.department_id
        late = db.session.execute(
            sa.select(Violation.staff_id, Case.accepted_by_id)
            .join(Case, Case.id == Violation.case_id)
            .where(Violation.kind == ViolationKind.duty_handoff_overdue)
        ).all()
        assert len(late) == 2 and all(staff == acceptor for staff, acceptor in late)
        assert seed_duty(db.session, NOW, count=10) == {"duty_cases": 0}  # a second run adds nothing
