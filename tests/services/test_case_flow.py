"""Case lifecycle: every action allowed and refused; a refusal changes nothing."""

from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, CaseAction, CaseEvent, CaseStatus, CaseTask, Matter, User, Violation, ViolationKind
from app.models.matter import CaseKind
from app.security import actor_for
from app.services import case_flow
from app.services.case_flow import Application, CaseError, Clock, StaleCase, perform

ID_A = "11010519491231002X"
NOW = datetime(2026, 9, 28, 9, 0)  # Monday before National Day 2026


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield db.session
        db.session.remove()


def actor(name):
    return actor_for(db.session.scalar(sa.select(User).where(User.username == name)))


def new_case(world_ids, *, who="staff_a", matter="matter_a", received=None, now=NOW, **extra):
    matter_obj = db.session.get(Matter, world_ids[matter])
    ids = received if received is not None else [m.id for m in matter_obj.materials]
    outcome = case_flow.intake(
        db.session,
        actor(who),
        now,
        Application(
            matter_id=matter_obj.id,
            applicant_name="张三",
            applicant_id_number=ID_A,
            applicant_phone="13800001234",
            received_material_ids=tuple(ids),
            **extra,
        ),
        Clock.load(db.session),
    )
    db.session.commit()
    return outcome.case


def snapshot(case_id):
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    events = db.session.scalar(sa.select(sa.func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case_id))
    return (
        case.status,
        case.version,
        case.deadline_at,
        case.step_seq,
        case.paused_workdays,
        case.extension_days,
        case.result,
        events,
    )


def act(case, action, who="staff_a", now=NOW, version=None, **inputs):
    db.session.expire_all()
    current = db.session.get(Case, case.id)
    return perform(
        db.session, actor(who), case.id, current.version if version is None else version, now, action, **inputs
    )


def test_intake_with_all_materials_accepts_and_starts_the_clock(ctx, world_ids):
    case = new_case(world_ids)
    assert case.status is CaseStatus.accepted and case.number.startswith("XZ-20260928-")
    assert case.deadline_at == datetime(2026, 10, 16, 17, 30)  # 10 working days, National Day skipped
    assert [e.action for e in case.events] == [CaseAction.accept]
    second = new_case(world_ids)
    assert int(second.number[-5:]) == int(case.number[-5:]) + 1


def test_intake_with_missing_materials_sends_one_notice_then_accepts(ctx, world_ids):
    matter = db.session.get(Matter, world_ids["matter_a"])
    case = new_case(world_ids, received=[matter.materials[0].id])
    assert case.status is CaseStatus.submitted and case.deadline_at is None
    notice = case.events[0]
    assert notice.action is CaseAction.request_supplement and notice.materials == ["营业执照"]
    act(case, "receive_supplement", now=datetime(2026, 9, 29, 10, 0))
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status is CaseStatus.accepted and case.accepted_at == datetime(2026, 9, 29, 10, 0)


def test_intake_refusals(ctx, world_ids):
    with pytest.raises(CaseError, match="."):
        new_case(world_ids, who="staff_b")  # matter of department A
    with pytest.raises(CaseError):
        case_flow.intake(
            db.session,
            actor("staff_a"),
            NOW,
            Application(
                matter_id=world_ids["matter_a"], applicant_name="张三", applicant_id_number="110105194912310021"
            ),
            Clock.load(db.session),
        )
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0


def test_full_walk_supplement_extension_completion(ctx, world_ids):
    case = new_case(world_ids)
    act(case, "forward", now=datetime(2026, 9, 29, 9, 0))
    act(case, "request_supplement", now=datetime(2026, 9, 30, 9, 0), materials=["补充说明"])
    before = snapshot(case.id)[2]
    act(case, "receive_supplement", now=datetime(2026, 10, 12, 9, 0))  # paused: 8, 9, 10 Oct (makeup), 12 Oct
    case = db.session.get(Case, case.id)
    assert case.paused_workdays == 4
    assert case.deadline_at == datetime(2026, 10, 22, 17, 30) and case.deadline_at > before
    with pytest.raises(CaseError):
        act(case, "extend", days=5, reason="需现场核查")  # window staff may not approve
    act(case, "extend", who="chief_a", days=5, reason="需现场核查")
    case = db.session.get(Case, case.id)
    assert case.extension_days == 5 and case.deadline_at == datetime(2026, 10, 29, 17, 30)
    act(case, "forward", now=datetime(2026, 10, 13, 9, 0))
    act(case, "complete", now=datetime(2026, 10, 14, 9, 0), approved=True, fee="0")
    case = db.session.get(Case, case.id)
    assert case.status is CaseStatus.completed and case.finished_at == datetime(2026, 10, 14, 9, 0)
    assert [e.action for e in case.events] == [
        CaseAction.accept,
        CaseAction.forward,
        CaseAction.request_supplement,
        CaseAction.receive_supplement,
        CaseAction.extend,
        CaseAction.forward,
        CaseAction.complete,
    ]


REFUSALS = [
    ("wrong state", lambda c: act(c, "receive_supplement")),
    ("wrong state: end special", lambda c: act(c, "end_special")),
    ("wrong role: staff extends", lambda c: act(c, "extend", days=3, reason="x")),
    ("wrong role: staff default approval", lambda c: act(c, "issue_default_approval", now=datetime(2026, 12, 1))),
    ("not overdue: default approval", lambda c: act(c, "issue_default_approval", who="supervisor")),
    ("other department", lambda c: act(c, "forward", who="staff_b")),
    ("other department chief", lambda c: act(c, "extend", who="chief_b", days=2, reason="x")),
    ("stale version", lambda c: act(c, "forward", version=0)),
    ("return without reason", lambda c: act(c, "return_case", reason="  ")),
    ("supplement without materials", lambda c: act(c, "request_supplement", materials=[])),
    ("fee outside standard", lambda c: act(c, "complete", approved=True, fee="15")),
    ("completion without a decision", lambda c: act(c, "complete", fee="0")),
    ("completion with a decision that is not yes or no", lambda c: act(c, "complete", approved="approve")),
    ("extension beyond the law", lambda c: act(c, "extend", who="chief_a", days=11, reason="x")),
    ("special procedure without note", lambda c: act(c, "start_special", note="")),
    ("withdraw without note", lambda c: act(c, "withdraw", note="")),
    ("forward past the last step", lambda c: [act(c, "forward"), act(c, "forward"), act(c, "forward")]),
    ("assign to another department", lambda c: act(c, "forward", assignee_id=-1)),
    ("unknown action", lambda c: act(c, "approve_everything")),
    ("note over 1000 characters", lambda c: act(c, "forward", note="长" * 1001)),
    ("version not a number", lambda c: act(c, "forward", version="abc")),
    ("version empty", lambda c: act(c, "forward", version="")),
    ("version a fraction", lambda c: act(c, "forward", version=1.5)),
]


@pytest.mark.parametrize(("label", "attempt"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refused_actions_change_nothing(ctx, world_ids, label, attempt):
    case = new_case(world_ids)
    before = snapshot(case.id)
    with pytest.raises(CaseError):
        attempt(case)
    after = snapshot(case.id)
    if label == "forward past the last step":
        assert after[3] == 3  # two forwards went through, the third changed nothing
    else:
        assert after == before


def test_other_department_attempt_is_recorded_as_violation(ctx, world_ids):
    case = new_case(world_ids)
    with pytest.raises(CaseError):
        act(case, "complete", who="chief_b", approved=True)
    violation = db.session.scalar(sa.select(Violation))
    assert violation.kind is ViolationKind.cross_department and violation.case_id == case.id
    assert violation.department_id == world_ids["dept_b"] and violation.staff_id == world_ids["staff_chief_b"]


def test_fee_mismatch_blocked_and_recorded(ctx, world_ids):
    case = new_case(world_ids, who="staff_b", matter="matter_b", received=None)
    with pytest.raises(CaseError):
        act(case, "complete", who="staff_b", approved=True, fee="30")
    assert db.session.scalar(sa.select(Violation.kind)) is ViolationKind.fee_mismatch
    act(case, "complete", who="staff_b", approved=True, fee="20")
    assert db.session.get(Case, case.id).fee == Decimal("20.00")


def test_second_supplement_request_is_a_violation_but_allowed(ctx, world_ids):
    case = new_case(world_ids)
    act(case, "request_supplement", materials=["说明"])
    act(case, "receive_supplement", now=datetime(2026, 9, 29, 9, 0))
    # Issue 14 §5: a further request states its reason (test_pending_violations.py has the rest).
    act(case, "request_supplement", now=datetime(2026, 9, 29, 10, 0), materials=["说明2"], note="说明不完整")
    assert db.session.scalars(sa.select(Violation.kind)).all() == [ViolationKind.second_supplement]
    assert db.session.get(Case, case.id).status is CaseStatus.suspended


def test_step_held_too_long_is_a_violation(ctx, world_ids):
    case = new_case(world_ids)  # step 1 受理 has 1 working day
    act(case, "forward", now=datetime(2026, 10, 9, 9, 0))  # 29, 30 Sep, 8, 9 Oct = 4 working days
    assert db.session.scalar(sa.select(Violation.kind)) is ViolationKind.step_overdue


def test_return_and_withdraw_and_immediate_case(ctx, world_ids):
    case = new_case(world_ids, who="staff_b", matter="matter_b")
    assert case.deadline_at == datetime(2026, 9, 28, 17, 30)  # immediate: end of the acceptance day
    act(case, "return_case", who="staff_b", reason="申请人不符合条件")
    assert db.session.get(Case, case.id).status is CaseStatus.returned
    other = new_case(world_ids)
    act(other, "withdraw", note="申请人书面申请撤回")
    assert db.session.get(Case, other.id).status is CaseStatus.withdrawn


def test_default_approval_for_overdue_case_by_the_center(ctx, world_ids):
    case = new_case(world_ids)
    act(case, "issue_default_approval", who="supervisor", now=datetime(2026, 10, 19, 9, 0))
    case = db.session.get(Case, case.id)
    assert case.status is CaseStatus.completed and case.result.name == "default_approved"


def test_special_procedure_and_escalation_pause_the_clock(ctx, world_ids):
    case = new_case(world_ids)
    act(case, "start_special", note="组织专家评审")
    act(case, "end_special", now=datetime(2026, 9, 30, 9, 0))
    act(case, "escalate", now=datetime(2026, 9, 30, 10, 0))
    act(case, "receive_escalation_result", now=datetime(2026, 10, 9, 10, 0))
    case = db.session.get(Case, case.id)
    assert case.paused_workdays == 2 + 2  # (28 Sep, 30 Sep] and (30 Sep, 9 Oct]
    assert case.status is CaseStatus.in_progress


def test_joint_case_needs_every_task(ctx, world_ids):
    db.session.get(Matter, world_ids["matter_a"]).case_kind = CaseKind.joint
    db.session.commit()
    case = new_case(world_ids, co_department_ids=(world_ids["dept_b"],))
    task = db.session.scalar(sa.select(CaseTask).where(CaseTask.case_id == case.id))
    assert task.department_id == world_ids["dept_b"] and task.deadline_at == case.deadline_at
    with pytest.raises(CaseError):
        act(case, "complete", approved=True)
    with pytest.raises(CaseError):
        act(case, "complete_task", task_id=task.id)  # department A may not do B's task
    act(case, "complete_task", who="staff_b", task_id=task.id)
    act(case, "complete", approved=True)
    assert db.session.get(Case, case.id).status is CaseStatus.completed


def test_joint_case_without_co_department_is_refused(ctx, world_ids):
    db.session.get(Matter, world_ids["matter_a"]).case_kind = CaseKind.joint
    db.session.commit()
    with pytest.raises(CaseError):
        new_case(world_ids)


@pytest.mark.parametrize(
    ("co", "message"),
    [
        ((), "联办件至少需要一个协办部门"),
        ((999999,), "请从列表中选择协办部门"),
        ((None,), "请从列表中选择协办部门"),
        (("1",), "请从列表中选择协办部门"),
    ],
)
def test_a_joint_case_held_for_materials_is_refused_without_known_co_departments(ctx, world_ids, co, message):
    db.session.get(Matter, world_ids["matter_a"]).case_kind = CaseKind.joint
    db.session.commit()
    matter = db.session.get(Matter, world_ids["matter_a"])
    case = new_case(world_ids, received=[matter.materials[0].id])
    before = snapshot(case.id)
    with pytest.raises(CaseError, match=message):
        act(case, "receive_supplement", now=datetime(2026, 9, 29, 10, 0), co_department_ids=co)
    assert snapshot(case.id) == before and before[0] is CaseStatus.submitted
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseTask)) == 0


def test_a_joint_case_held_for_materials_is_accepted_naming_its_co_departments(ctx, world_ids):
    db.session.get(Matter, world_ids["matter_a"]).case_kind = CaseKind.joint
    db.session.commit()
    matter = db.session.get(Matter, world_ids["matter_a"])
    case = new_case(world_ids, received=[matter.materials[0].id])
    co = (world_ids["dept_b"], world_ids["dept_c"], world_ids["dept_a"])  # the lead itself is dropped
    act(case, "receive_supplement", now=datetime(2026, 9, 29, 10, 0), co_department_ids=co)
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status is CaseStatus.accepted and case.accepted_at == datetime(2026, 9, 29, 10, 0)
    assert sorted((t.department_id, t.deadline_at) for t in case.tasks) == sorted(
        (d, case.deadline_at) for d in (world_ids["dept_b"], world_ids["dept_c"])
    )
    assert [e.action for e in case.events] == [CaseAction.request_supplement, CaseAction.accept]


def test_stale_case_error_type(ctx, world_ids):
    case = new_case(world_ids)
    with pytest.raises(StaleCase):
        act(case, "forward", version=case.version + 5)


def test_unconfirmed_year_flag_then_recomputed(ctx, world_ids):
    from app.services import calendar as calendar_service
    from app.services.workdays import CalendarException

    case = new_case(world_ids, now=datetime(2026, 12, 24, 10, 0))  # 10 working days run into 2027
    assert case.calendar_unconfirmed and case.deadline_at == datetime(2027, 1, 7, 17, 30)
    calendar_service.import_exceptions(db.session, [CalendarException(date(2027, 1, 1), False, "元旦")])
    changed = case_flow.recompute_unconfirmed(db.session, Clock.load(db.session), datetime(2027, 1, 2, 9, 0))
    db.session.commit()
    case = db.session.get(Case, case.id)
    assert changed == 1 and not case.calendar_unconfirmed
    assert case.deadline_at == datetime(2027, 1, 8, 17, 30)  # New Year's Day no longer counts
