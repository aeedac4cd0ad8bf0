"""急办件 through the green channel (seed 004): an urgent case's own, shorter limit (the matter's,
else the setting), routed to the center's green window; the center leads an urgent joint case."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, CaseAction, CaseTask, Matter, Notice, Window
from app.models.matter import CaseKind
from app.models.notice import NoticeKind
from app.models.org import Staff, WindowKind
from app.models.system import Setting
from app.services import green_channel
from app.services.case_flow import CaseError, coordination
from app.services.catalogue import matter_errors, urgent_limit_errors
from app.services.deadlines import case_limit_days, urgent_limit_days
from tests.services.test_case_flow import act, new_case, snapshot

THU = datetime(2026, 11, 5, 10, 0)  # Thursday, no holiday near


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield db.session
        db.session.remove()


def set_urgent(world_ids, days):
    db.session.get(Matter, world_ids["matter_a"]).urgent_limit_days = days
    db.session.commit()


def set_setting(value):
    db.session.execute(sa.update(Setting).where(Setting.key == "urgent_limit_days").values(value=value))
    db.session.commit()


@pytest.mark.parametrize(
    ("kind", "promised", "own", "fallback", "expected"),
    [
        (CaseKind.promised, 10, 3, 3, 10),
        (CaseKind.immediate, 10, 3, 3, 0),
        (CaseKind.urgent, 10, 3, 5, 3),  # the matter's own urgent limit
        (CaseKind.urgent, 10, None, 5, 5),  # the setting as fallback
        (CaseKind.urgent, 2, None, 5, 1),  # never as long as the promise
        (CaseKind.urgent, 0, None, 5, 0),  # an on-the-spot matter stays on the spot
    ],
)
def test_a_case_limit_by_kind(kind, promised, own, fallback, expected):
    assert case_limit_days(kind, promised, own, fallback) == expected
    if kind is CaseKind.urgent:
        assert urgent_limit_days(promised, own, fallback) == expected


def test_an_urgent_case_is_due_sooner_than_promised_across_a_weekend(ctx, world_ids):
    set_urgent(world_ids, 3)
    promised = new_case(world_ids, now=THU)
    urgent = new_case(world_ids, now=THU, urgent=True)
    assert promised.deadline_at == datetime(2026, 11, 19, 17, 30)  # 10 working days
    # Fri 6 (1), Sat and Sun skipped, Mon 9 (2), Tue 10 (3).
    assert urgent.kind is CaseKind.urgent and urgent.limit_days == 3
    assert urgent.deadline_at == datetime(2026, 11, 10, 17, 30)


def test_without_its_own_urgent_limit_a_matter_takes_the_setting(ctx, world_ids):
    set_setting("2")
    urgent = new_case(world_ids, now=THU, urgent=True)
    assert urgent.limit_days == 2 and urgent.deadline_at == datetime(2026, 11, 9, 17, 30)


def test_the_urgent_limit_must_be_shorter_than_the_promised_one(ctx, world_ids):
    assert urgent_limit_errors(10, 9) == []
    assert urgent_limit_errors(10, None) == []
    (message,) = urgent_limit_errors(10, 10)
    assert "急办时限" in message and "必须短于承诺时限" in message
    assert urgent_limit_errors(0, 1) and urgent_limit_errors(10, -1)
    matter = db.session.get(Matter, world_ids["matter_a"])
    matter.urgent_limit_days = 12
    assert any("急办时限" in error for error in matter_errors(matter))
    db.session.rollback()


def test_an_urgent_case_goes_to_the_centers_green_window(ctx, world_ids):
    # No green window yet: it stays at the accepting window.
    assert new_case(world_ids, now=THU, urgent=True).window_id == world_ids["win_a"]
    green = Window(code="G01", name="绿色通道窗口", kind=WindowKind.green, center_id=world_ids["county"])
    db.session.add(green)
    db.session.commit()
    assert green_channel.green_window_id(db.session, world_ids["county"]) == green.id
    assert green_channel.green_window_id(db.session, world_ids["town"]) is None
    assert new_case(world_ids, now=THU, urgent=True).window_id == green.id
    # A plain case is not rerouted.
    assert new_case(world_ids, now=THU).window_id == world_ids["win_a"]


def urgent_joint(world_ids):
    case = new_case(world_ids, now=THU, urgent=True, co_department_ids=(world_ids["dept_b"],))
    return case, db.session.scalar(sa.select(CaseTask).where(CaseTask.case_id == case.id))


def test_the_center_reminds_a_co_department_of_an_urgent_joint_task(ctx, world_ids):
    case, task = urgent_joint(world_ids)
    assert task.deadline_at == case.deadline_at
    outcome = act(case, "remind_task", who="supervisor", now=THU, task_id=task.id, note="请优先办理")
    assert outcome.event.action is CaseAction.remind_task and outcome.event.data["task_id"] == task.id
    told = db.session.execute(sa.select(Notice.user_id, Notice.kind, Notice.case_id)).all()
    assert told == [(world_ids["user_chief_b"], NoticeKind.task_reminded, case.id)]
    # Twice the same day: one notice still.
    act(case, "remind_task", who="manager", now=THU, task_id=task.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 1


def test_the_center_reassigns_an_urgent_joint_task_within_its_department(ctx, world_ids):
    case, task = urgent_joint(world_ids)
    act(case, "reassign_task", who="supervisor", now=THU, task_id=task.id, assignee_id=world_ids["staff_staff_b"])
    db.session.expire_all()
    assert db.session.get(CaseTask, task.id).assignee_id == world_ids["staff_staff_b"]
    before = snapshot(case.id)
    with pytest.raises(CaseError, match="只能交给"):
        act(case, "reassign_task", who="supervisor", now=THU, task_id=task.id, assignee_id=world_ids["staff_staff_a"])
    assert snapshot(case.id) == before


@pytest.mark.parametrize("who", ["chief_a", "chief_b", "staff_b", "leader"])
def test_only_the_center_coordinates(ctx, world_ids, who):
    case, task = urgent_joint(world_ids)
    before = snapshot(case.id)
    with pytest.raises(CaseError):
        act(case, "remind_task", who=who, now=THU, task_id=task.id)
    assert snapshot(case.id) == before
    assert "remind_task" not in green_channel_offers(case, who)


def green_channel_offers(case, who):
    from app.services.case_flow import available_actions
    from tests.services.test_case_flow import actor

    db.session.expire_all()
    return available_actions(actor(who), db.session.get(Case, case.id), THU)


def test_a_plain_joint_case_is_not_coordinated_this_way(ctx, world_ids):
    db.session.get(Matter, world_ids["matter_a"]).case_kind = CaseKind.joint
    db.session.commit()
    case = new_case(world_ids, now=THU, co_department_ids=(world_ids["dept_b"],))
    task = db.session.scalar(sa.select(CaseTask).where(CaseTask.case_id == case.id))
    with pytest.raises(CaseError, match="急办件"):
        act(case, "remind_task", who="supervisor", now=THU, task_id=task.id)
    assert "remind_task" not in green_channel_offers(case, "supervisor")
    urgent, _task = urgent_joint(world_ids)
    assert {"remind_task", "reassign_task"} <= set(green_channel_offers(urgent, "supervisor"))


def test_center_staff_of_another_center_may_not_coordinate(ctx, world_ids):
    from app.services.case_flow.guards import Actor

    case, task = urgent_joint(world_ids)
    town_head = Actor(user_id=None, name="镇主任", roles=frozenset({"TownshipHead"}), center_id=world_ids["town"])
    with pytest.raises(CaseError, match="不是本中心"):
        coordination.coordinator(town_head, db.session.get(Case, case.id), THU, {"task_id": task.id})
    county_head = Actor(user_id=None, name="中心", roles=frozenset({"Supervisor"}), center_id=world_ids["county"])
    coordination.coordinator(county_head, db.session.get(Case, case.id), THU, {"task_id": task.id})


def test_counts_of_urgent_cases(ctx, world_ids):
    set_urgent(world_ids, 3)
    on_time = new_case(world_ids, now=THU, urgent=True)
    new_case(world_ids, now=THU, urgent=True)
    new_case(world_ids, now=THU)
    act(on_time, "complete", now=datetime(2026, 11, 9, 10, 0), approved=True)
    got = green_channel.counts(db.session, datetime(2026, 11, 1), datetime(2026, 12, 1))
    assert got == {"urgent": 2, "urgent_on_time": 1, "proxy": 0, "callbacks": 0}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Staff)) > 0


def test_the_catalogue_import_refuses_an_urgent_limit_not_shorter_than_the_promise(db_session):
    from app.services.matter_import import import_matters
    from tests.services.test_matter_import import row, workbook

    report = import_matters(
        db_session,
        workbook(row(**{"急办时限（工作日）": 4}), row(code="XZ-T-0002", **{"急办时限（工作日）": 10})),
        dry_run=True,
    )
    assert [(e.row, e.column) for e in report.errors] == [(3, "急办时限（工作日）")]
    assert "必须短于承诺时限" in str(report.errors[0].message)
