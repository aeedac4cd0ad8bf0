"""Step authority and the notices around it (000 第十一、十二、十五条; 行政许可法 §38), each rule at a fixed `now`.

- A step with a handler position is acted on only by staff holding it, or the department's chief
  representative; anyone else is refused and the attempt recorded as 越权 (beyond_authority).
- Forwarding a case to a colleague leaves the receiver a 受件提醒 in the inbox.
- A denial needs a written reason; a return keeps the applicant's opinion.
- A case entered more than `late_entry_workdays` after its reception is a late entry (a violation).
"""

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, Matter, Notice, Violation, ViolationKind
from app.models.case import CaseResult
from app.models.matter import MatterStep
from app.models.notice import NoticeKind
from app.models.org import StaffPosition
from app.models.system import Setting
from app.services.case_flow import CaseError, available_actions
from tests.services.test_case_flow import act, actor, new_case

NOW = datetime(2026, 9, 28, 9, 0)  # Monday
LATER = datetime(2026, 9, 28, 11, 0)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield db.session
        db.session.remove()


def handled_by(world_ids, seq, position):
    """matter_a's step `seq` is handled by `position`."""
    step = db.session.scalar(
        sa.select(MatterStep).where(MatterStep.matter_id == world_ids["matter_a"], MatterStep.seq == seq)
    )
    step.handler_position = position
    db.session.commit()


def violations(case_id, kind):
    return db.session.scalars(sa.select(Violation).where(Violation.case_id == case_id, Violation.kind == kind)).all()


def test_staff_not_holding_the_steps_position_is_refused_and_the_attempt_recorded_as_beyond_authority(ctx, world_ids):
    handled_by(world_ids, 1, StaffPosition.b_post)
    case = new_case(world_ids)
    with pytest.raises(CaseError, match="B岗|B post"):
        act(case, "forward", who="staff_a", now=LATER)
    db.session.expire_all()
    assert db.session.get(Case, case.id).step_seq == 1  # nothing moved
    [recorded] = violations(case.id, ViolationKind.beyond_authority)
    assert recorded.staff_id == world_ids["staff_staff_a"] and recorded.department_id == world_ids["dept_a"]
    assert recorded.at == LATER and "越权" in recorded.detail and "受理" in recorded.detail
    # The case page offers the step's actions to nobody else.
    assert "forward" not in available_actions(actor("staff_a"), db.session.get(Case, case.id), LATER)


def test_the_chief_representative_acts_on_every_step(ctx, world_ids):
    handled_by(world_ids, 1, StaffPosition.b_post)
    case = new_case(world_ids)
    act(case, "forward", who="chief_a", now=LATER)
    assert db.session.get(Case, case.id).step_seq == 2
    assert violations(case.id, ViolationKind.beyond_authority) == []


def test_staff_holding_the_position_act_and_a_step_without_one_is_anyones(ctx, world_ids):
    handled_by(world_ids, 1, StaffPosition.a_post)
    case = new_case(world_ids)
    act(case, "forward", who="staff_a", now=LATER)  # a_post holds 受理
    act(case, "forward", who="staff_a", now=LATER)  # 审查 has no handler position
    handled_by(world_ids, 3, StaffPosition.chief_rep)
    with pytest.raises(CaseError):
        act(case, "complete", who="staff_a", now=LATER, approved=True)
    act(case, "complete", who="chief_a", now=LATER, approved=True)
    assert db.session.get(Case, case.id).result is CaseResult.approved
    assert len(violations(case.id, ViolationKind.beyond_authority)) == 1


def test_a_case_is_assigned_at_a_step_only_to_staff_holding_its_position(ctx, world_ids):
    handled_by(world_ids, 2, StaffPosition.b_post)
    case = new_case(world_ids)
    with pytest.raises(CaseError, match="审查"):
        act(case, "forward", who="staff_a", now=LATER, assignee_id=world_ids["staff_staff_a"])
    act(case, "forward", who="staff_a", now=LATER, assignee_id=world_ids["staff_chief_a"])
    assert db.session.get(Case, case.id).assignee_id == world_ids["staff_chief_a"]


def test_forwarding_to_a_colleague_notifies_the_receiver_once(ctx, world_ids):
    case = new_case(world_ids)
    act(case, "forward", who="staff_a", now=LATER, assignee_id=world_ids["staff_chief_a"])
    [notice] = db.session.scalars(sa.select(Notice).where(Notice.case_id == case.id)).all()
    assert notice.user_id == world_ids["user_chief_a"] and notice.kind is NoticeKind.case_forwarded
    assert notice.created_at == LATER and case.number in notice.detail and "审查" in notice.detail
    # A forward without a receiver, or to oneself, notifies nobody.
    act(case, "forward", who="chief_a", now=LATER, assignee_id=world_ids["staff_chief_a"], next_step=False)
    act(case, "forward", who="chief_a", now=LATER)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice).where(Notice.case_id == case.id)) == 1


def test_a_denial_without_a_written_reason_is_refused(ctx, world_ids):
    case = new_case(world_ids)
    for blank in (None, "", "   "):
        with pytest.raises(CaseError, match="理由|reason"):
            act(case, "complete", who="chief_a", now=LATER, approved=False, note=blank)
    assert db.session.get(Case, case.id).status.name == "accepted"
    act(case, "complete", who="chief_a", now=LATER, approved=False, note="经现场核查，经营场所不符合食品安全要求")
    done = db.session.get(Case, case.id)
    assert done.result is CaseResult.denied and done.events[-1].note.startswith("经现场核查")


def test_a_return_keeps_the_applicants_opinion(ctx, world_ids):
    case = new_case(world_ids)
    act(case, "return_case", now=LATER, reason="主要材料缺失", applicant_opinion="知悉，补齐后重新申请")
    event = db.session.get(Case, case.id).events[-1]
    assert event.note == "主要材料缺失" and event.data["applicant_opinion"] == "知悉，补齐后重新申请"


def test_a_case_entered_a_working_day_after_reception_is_flagged_late(ctx, world_ids):
    # Received Thursday 24 Sept 16:00; Friday 25 is the Mid-Autumn holiday, so one working day of
    # office time ends Monday 28 Sept 16:00.
    case = new_case(world_ids, now=datetime(2026, 9, 28, 16, 30), received_at=datetime(2026, 9, 24, 16, 0))
    assert case.received_at == datetime(2026, 9, 24, 16, 0) and case.submitted_at == datetime(2026, 9, 28, 16, 30)
    [late] = violations(case.id, ViolationKind.late_entry)
    assert late.staff_id == world_ids["staff_staff_a"] and late.at == datetime(2026, 9, 28, 16, 30)
    assert "2026-09-24 16:00" in late.detail


def test_a_timely_entry_is_not_flagged(ctx, world_ids):
    case = new_case(world_ids, now=datetime(2026, 9, 28, 15, 30), received_at=datetime(2026, 9, 24, 16, 0))
    assert violations(case.id, ViolationKind.late_entry) == []
    now_entered = new_case(world_ids, now=NOW)
    assert now_entered.received_at == NOW and violations(now_entered.id, ViolationKind.late_entry) == []


def test_the_late_entry_limit_is_a_setting(ctx, world_ids):
    db.session.execute(sa.update(Setting).where(Setting.key == "late_entry_workdays").values(value="3"))
    db.session.commit()
    case = new_case(world_ids, now=datetime(2026, 9, 28, 16, 30), received_at=datetime(2026, 9, 24, 16, 0))
    assert violations(case.id, ViolationKind.late_entry) == []


def test_a_reception_time_in_the_future_is_refused(ctx, world_ids):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Case))
    with pytest.raises(CaseError):
        new_case(world_ids, now=NOW, received_at=datetime(2026, 9, 28, 9, 1))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == before
    assert db.session.get(Matter, world_ids["matter_a"]) is not None


def test_a_townships_own_denial_at_delivery_needs_its_reason_too(app, world_ids):
    from app.models.matter import TownshipHandling
    from tests.services.test_handoff import LATER as DELIVERY
    from tests.services.test_handoff import act as act_at
    from tests.services.test_handoff import add_township, fresh, township_case

    with app.app_context():
        town = add_township(app, None, None, world_ids["town"], "town_a")
        case_id = township_case({**world_ids, "town": town}, TownshipHandling.full_service)
        with pytest.raises(CaseError, match="理由|reason"):
            act_at(case_id, "deliver", "town_a", DELIVERY, method="in_person", receiver="李四", approved=False)
        assert fresh(case_id).status.name == "accepted"
        act_at(
            case_id,
            "deliver",
            "town_a",
            DELIVERY,
            method="in_person",
            receiver="李四",
            approved=False,
            note="申请人不具备法定条件",
        )
        assert fresh(case_id).result is CaseResult.denied
        db.session.remove()
