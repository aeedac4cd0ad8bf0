"""Every action × (allowed, wrong state, wrong role, other department, stale version).

Each refusal must leave the case and its history exactly as they were.
"""

from datetime import datetime

import pytest

from app.extensions import db
from app.models import Case, CaseTask, Matter
from app.models.matter import CaseKind
from app.services.case_flow import CaseError, perform
from tests.services.test_case_flow import NOW, act, actor, new_case, snapshot

LATER = datetime(2026, 10, 30, 9, 0)  # after the 16 Oct deadline of a case accepted at NOW

# action: (how to prepare a case in a state that allows it, who may do it, inputs, when)
SETUPS = {
    "accept": ("submitted", "staff_a", {}, NOW),
    "forward": ("accepted", "staff_a", {"next_step": True}, NOW),
    "request_supplement": ("accepted", "staff_a", {"materials": ["营业执照"]}, NOW),
    "receive_supplement": ("supplement", "staff_a", {}, NOW),
    "start_special": ("accepted", "staff_a", {"note": "专家评审"}, NOW),
    "end_special": ("special", "staff_a", {}, NOW),
    "escalate": ("accepted", "staff_a", {}, NOW),
    "receive_escalation_result": ("escalated", "staff_a", {}, NOW),
    "extend": ("accepted", "chief_a", {"days": 5, "reason": "需现场核查"}, NOW),
    "return_case": ("accepted", "staff_a", {"reason": "不符合条件"}, NOW),
    "complete": ("accepted", "staff_a", {"approved": True, "fee": "0"}, NOW),
    "withdraw": ("accepted", "staff_a", {"note": "申请人申请撤回"}, NOW),
    "issue_default_approval": ("accepted", "supervisor", {}, LATER),
    "complete_task": ("joint", "staff_b", {}, NOW),
    # Seed 002: the center defaults B's overdue task on A's joint case.
    "default_task": ("joint", "supervisor", {}, LATER),
    # A's case accepted by B's clerk on duty at the comprehensive window C01 (seed 003).
    "hand_over": ("duty", "staff_b", {}, NOW),
    "receive_handoff": ("duty", "staff_a", {}, NOW),
}
# Who lacks the role for each action (the department is right where it matters).
WRONG_ROLE = {"extend": "staff_a", "issue_default_approval": "chief_a", "default_task": "chief_a"}
OTHER_DEPARTMENT = {"complete_task": "staff_a", "issue_default_approval": None, "default_task": None}
TASK_ACTIONS = ("complete_task", "default_task")


def seat_duty_desk(world_ids):
    """B on duty at C01 (whose member is A) in NOW's week, staff_b seated there."""
    from datetime import date

    from app.models.org import Staff
    from app.models.personnel import WindowRotation

    db.session.add(
        WindowRotation(window_id=world_ids["win_c"], week_start=date(2026, 9, 28), department_id=world_ids["dept_b"])
    )
    db.session.get(Staff, world_ids["staff_staff_b"]).window_id = world_ids["win_c"]
    db.session.commit()


def prepare(world_ids, state):
    if state == "duty":
        seat_duty_desk(world_ids)
        return new_case(world_ids, who="staff_b")
    if state == "joint":
        db.session.get(Matter, world_ids["matter_a"]).case_kind = CaseKind.joint
        db.session.commit()
        return new_case(world_ids, co_department_ids=(world_ids["dept_b"],))
    if state == "submitted":
        matter = db.session.get(Matter, world_ids["matter_a"])
        return new_case(world_ids, received=[matter.materials[0].id])
    case = new_case(world_ids)
    opener = {
        "supplement": ("request_supplement", {"materials": ["说明"]}),
        "special": ("start_special", {"note": "听证"}),
        "escalated": ("escalate", {}),
    }.get(state)
    if opener:
        act(case, opener[0], **opener[1])
    return case


def inputs_for(action, case, given):
    if action in TASK_ACTIONS:
        return {"task_id": db.session.query(CaseTask.id).filter_by(case_id=case.id).scalar()}
    return dict(given)


def attempt(case, action, who, when, inputs, version=None):
    db.session.expire_all()
    current = db.session.get(Case, case.id)
    return perform(
        db.session, actor(who), case.id, current.version if version is None else version, when, action, **inputs
    )


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.mark.parametrize("action", SETUPS)
def test_allowed(ctx, world_ids, action):
    state, who, given, when = SETUPS[action]
    case = prepare(world_ids, state)
    before = snapshot(case.id)
    outcome = attempt(case, action, who, when, inputs_for(action, case, given))
    after = snapshot(case.id)
    assert outcome.event.action.name == ("accept" if action == "accept" else action)
    assert after[1] == before[1] + 1 and after[-1] == before[-1] + 1  # one version, one event


@pytest.mark.parametrize("action", SETUPS)
def test_stale_version_refused(ctx, world_ids, action):
    state, who, given, when = SETUPS[action]
    case = prepare(world_ids, state)
    before = snapshot(case.id)
    with pytest.raises(CaseError):
        attempt(case, action, who, when, inputs_for(action, case, given), version=before[1] - 1)
    assert snapshot(case.id) == before


@pytest.mark.parametrize("action", SETUPS)
def test_wrong_state_refused(ctx, world_ids, action):
    _state, who, given, when = SETUPS[action]
    case = prepare(world_ids, "joint" if action in TASK_ACTIONS else "accepted")
    if action in TASK_ACTIONS:
        act(case, "withdraw", note="撤回")  # a closed case takes no task
    else:
        act(case, "return_case", reason="不符合条件")  # returned: closed for every action
    before = snapshot(case.id)
    with pytest.raises(CaseError):
        attempt(case, action, who, when, inputs_for(action, case, given))
    assert snapshot(case.id) == before


@pytest.mark.parametrize("action", SETUPS)
def test_wrong_role_refused(ctx, world_ids, action):
    state, _who, given, when = SETUPS[action]
    case = prepare(world_ids, state)
    before = snapshot(case.id)
    with pytest.raises(CaseError):
        attempt(case, action, WRONG_ROLE.get(action, "leader"), when, inputs_for(action, case, given))
    assert snapshot(case.id) == before


@pytest.mark.parametrize("action", [a for a in SETUPS if OTHER_DEPARTMENT.get(a, "chief_b")])
def test_other_department_refused(ctx, world_ids, action):
    state, _who, given, when = SETUPS[action]
    case = prepare(world_ids, state)
    before = snapshot(case.id)
    with pytest.raises(CaseError):
        attempt(case, action, OTHER_DEPARTMENT.get(action, "chief_b"), when, inputs_for(action, case, given))
    assert snapshot(case.id) == before
