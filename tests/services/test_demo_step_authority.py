"""The demo county keeps step authority (000 第十五条(3)): a promised matter's 决定 step is the chief
representative's; the generated histories act at it through him, the cases waiting at it are his,
and on a demo case the live case flow refuses a window clerk there and lets the chief decide."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.cli import seed_demo_data
from app.extensions import db
from app.models import Case, CaseEvent, CaseStatus, Matter, Staff, User, Violation, ViolationKind
from app.models.matter import MatterStep
from app.models.org import StaffPosition
from app.security import actor_for
from app.services.case_flow import CaseError, Clock, perform
from app.services.demo.cases import generate_cases

NOW = datetime(2026, 11, 24, 10, 0)


def test_demo_cases_act_at_the_chief_representatives_step_through_him(scratch_app):
    with scratch_app.app_context():
        seed_demo_data()
        clock = Clock.load(db.session)
        with db.engine.begin() as conn:
            generate_cases(conn, year_start=datetime(2026, 1, 1), count=1500, clock=clock, now=NOW)
        # Entered as received: the generated year has no late entries.
        assert not db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Case)
            .where(sa.or_(Case.received_at.is_(None), Case.received_at != Case.submitted_at))
        )
        chief_steps = db.session.execute(
            sa.select(MatterStep.matter_id, MatterStep.seq).where(
                MatterStep.handler_position == StaffPosition.chief_rep
            )
        ).all()
        assert chief_steps and all(seq == 3 for _m, seq in chief_steps)
        assert db.session.scalar(
            sa.select(sa.func.count()).select_from(MatterStep).where(MatterStep.handler_position.is_not(None))
        ) == len(chief_steps)
        at_chief_step = sa.tuple_(Case.matter_id, Case.step_seq).in_([tuple(row) for row in chief_steps])
        chiefs = {
            s.department_id: s
            for s in db.session.scalars(sa.select(Staff).where(Staff.position == StaffPosition.chief_rep))
        }
        waiting = db.session.scalars(
            sa.select(Case).where(at_chief_step, Case.status.in_([CaseStatus.accepted, CaseStatus.in_progress]))
        ).all()
        assert waiting, "some open cases wait at the decision step"
        assert all(case.assignee_id == chiefs[case.department_id].id for case in waiting)
        decided = db.session.scalars(sa.select(Case).where(at_chief_step, Case.status == CaseStatus.completed)).all()
        assert decided
        for case in decided:
            last = db.session.scalars(
                sa.select(CaseEvent)
                .where(CaseEvent.case_id == case.id)
                .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())
            ).first()
            assert last.action.name == "complete" and last.actor_id == chiefs[case.department_id].user_id
            if case.result.name == "denied":
                assert last.note  # a denial has its written reason

        # Live: a window clerk of the department is refused at the step (越权), the chief decides.
        clerks = {
            department_id: user
            for department_id, user in db.session.execute(
                sa.select(Staff.department_id, User)
                .join(User, Staff.user_id == User.id)
                .where(Staff.position == StaffPosition.a_post)
            )
        }
        case = next((case for case in waiting if case.department_id in clerks), None)
        assert case is not None, "a case waits at the decision step in a department with an A post"
        clerk = clerks[case.department_id]
        chief = db.session.get(User, chiefs[case.department_id].user_id)
        now = max(NOW, case.accepted_at)
        with pytest.raises(CaseError):
            perform(db.session, actor_for(clerk), case.id, case.version, now, "complete", clock, approved=True)
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Violation)
                .where(Violation.case_id == case.id, Violation.kind == ViolationKind.beyond_authority)
            )
            == 1
        )
        db.session.expire_all()
        case = db.session.get(Case, case.id)
        fee = db.session.get(Matter, case.matter_id).fee_standard
        perform(db.session, actor_for(chief), case.id, case.version, now, "complete", clock, approved=True, fee=fee)
        assert db.session.get(Case, case.id).status is CaseStatus.completed
