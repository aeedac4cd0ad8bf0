"""The action table: every action declared once, and the buttons it offers per state and actor."""

from datetime import datetime

import pytest
import yaml

from app.extensions import db
from app.models import Case, CaseAction, CaseTask, Matter
from app.models.matter import CaseKind
from app.services.case_flow import available_actions
from app.services.case_flow.actions import ACTIONS
from app.views.case import ACTION_FORMS, CaseApi
from tests.services.test_case_action_matrix import seat_duty_desk
from tests.services.test_case_flow import NOW, act, actor, new_case

LATER = datetime(2026, 10, 30, 9, 0)  # after the 16 Oct deadline of a case accepted at NOW
RUNNING = ["forward", "request_supplement", "start_special", "escalate", "return_case", "complete", "withdraw"]
RUNNING_CHIEF = [*RUNNING[:4], "extend", *RUNNING[4:]]

# (state, who, when): the buttons, in order
OFFERED = [
    ("submitted", "staff_a", NOW, ["receive_supplement", "return_case", "withdraw"]),
    ("submitted", "chief_b", NOW, []),
    ("accepted", "staff_a", NOW, RUNNING),
    ("accepted", "chief_a", NOW, RUNNING_CHIEF),
    ("accepted", "staff_b", NOW, []),
    ("accepted", "supervisor", NOW, []),
    ("accepted", "supervisor", LATER, ["issue_default_approval"]),
    ("accepted", "leader", LATER, []),
    ("extended", "supervisor", LATER, []),
    ("supplement", "staff_a", NOW, ["receive_supplement", "return_case", "withdraw"]),
    ("supplement", "chief_a", NOW, ["receive_supplement", "extend", "return_case", "withdraw"]),
    ("special", "staff_a", NOW, ["end_special", "return_case", "withdraw"]),
    ("escalated", "chief_a", NOW, ["receive_escalation_result", "extend", "return_case", "withdraw"]),
    ("joint", "staff_b", NOW, ["complete_task"]),
    ("joint", "staff_a", NOW, RUNNING),
    # Seed 002: B's task is past its deadline, as is the case: the center may default either.
    ("joint", "supervisor", LATER, ["issue_default_approval", "default_task"]),
    ("joint", "supervisor", NOW, []),
    ("joint", "chief_a", LATER, RUNNING_CHIEF),
    ("joint_done", "supervisor", LATER, ["issue_default_approval"]),
    ("joint_done", "staff_b", NOW, []),
    ("returned", "chief_a", LATER, []),
    # Seed 003: B's clerk on duty at C01 accepted A's promised case.
    ("duty", "staff_b", NOW, ["return_case", "withdraw", "hand_over"]),
    ("duty", "staff_a", NOW, [*RUNNING, "receive_handoff"]),
    ("duty", "chief_b", NOW, []),
]


def prepare(world_ids, state):
    if state == "duty":
        seat_duty_desk(world_ids)
        return new_case(world_ids, who="staff_b")
    if state in ("joint", "joint_done"):
        db.session.get(Matter, world_ids["matter_a"]).case_kind = CaseKind.joint
        db.session.commit()
        case = new_case(world_ids, co_department_ids=(world_ids["dept_b"],))
        if state == "joint_done":
            task_id = db.session.query(CaseTask.id).filter_by(case_id=case.id).scalar()
            act(case, "complete_task", who="staff_b", task_id=task_id)
        return case
    if state == "submitted":
        matter = db.session.get(Matter, world_ids["matter_a"])
        return new_case(world_ids, received=[matter.materials[0].id])
    case = new_case(world_ids)
    opener = {
        "supplement": ("request_supplement", "staff_a", {"materials": ["说明"]}),
        "special": ("start_special", "staff_a", {"note": "听证"}),
        "escalated": ("escalate", "staff_a", {}),
        "extended": ("extend", "chief_a", {"days": 2, "reason": "需现场核查"}),
        "returned": ("return_case", "staff_a", {"reason": "不符合条件"}),
    }.get(state)
    if opener:
        act(case, opener[0], who=opener[1], **opener[2])
    return case


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


def test_every_action_declared_once():
    names = [action.name for action in ACTIONS]
    assert len(names) == len(set(names))
    # The overdue event is the clock's, escalation_received a county case's first (written by escalate),
    # correct an approved data correction's (services/corrections.py): not actions.
    assert set(names) == {a.name for a in CaseAction} - {"overdue", "escalation_received", "correct"}


def test_views_name_the_declared_actions():
    """The case page's forms (a button each) and the REST API's documented names follow the table."""
    spec = yaml.safe_load(CaseApi.act.__doc__.split("---", 1)[1])
    documented = next(p for p in spec["post"]["parameters"] if p["name"] == "action")["schema"]["enum"]
    assert sorted(documented) == sorted(action.name for action in ACTIONS)
    assert set(ACTION_FORMS) == {action.name for action in ACTIONS if action.button}


@pytest.mark.parametrize(("state", "who", "when", "expected"), OFFERED)
def test_offered(ctx, world_ids, state, who, when, expected):
    case = prepare(world_ids, state)
    db.session.expire_all()
    assert available_actions(actor(who), db.session.get(Case, case.id), when) == expected
