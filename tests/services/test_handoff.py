"""上报 and 送达 (issue 16.5): a township case escalates into a county child, the child's result
flows back, the township delivers it and closes. Fixed `now` throughout."""

import threading
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, CaseAction, CaseEvent, CaseStatus, Matter, Violation
from app.models.case import CaseResult, Channel, DeliveryMethod, SuspendReason
from app.models.matter import TownshipHandling
from app.models.org import Center, CenterLevel, Department, Staff, Window, WindowKind
from app.services import case_flow
from app.services.case_flow import Application, CaseError, Clock, perform
from tests.services.test_case_flow import ID_A, actor, snapshot

NOW = datetime(2026, 11, 2, 9, 0)  # Monday
LATER = datetime(2026, 11, 4, 10, 0)  # Wednesday: the county decides
DELIVERED = datetime(2026, 11, 5, 15, 0)


def add_township(app, code, name, parent_id, username):
    """A township center with its own department, a comprehensive window and one TownshipStaff user."""
    sm = app.appbuilder.sm
    town = db.session.get(Center, parent_id) if code is None else None
    if town is None:
        town = Center(code=code, name=name, level=CenterLevel.township, parent_id=parent_id, sort_order=9)
        db.session.add(town)
    department = Department(code=f"{town.code}-G", name=f"{town.name}人民政府", center=town, sort_order=90)
    window = Window(code="T01", name="综合窗口", kind=WindowKind.comprehensive, center=town, department=department)
    user = sm.add_user(
        username, username, "乡镇", f"{username}@test.local", [sm.find_role("TownshipStaff")], "Test@1234"
    )
    staff = Staff(
        staff_no=f"N-{username}",
        name=f"乡镇{username}",
        department=department,
        center=town,
        window=window,
        user_id=user.id,
        joined_on=date(2025, 1, 1),
    )
    db.session.add_all([town, department, window, staff])
    db.session.commit()
    return town.id


@pytest.fixture
def network(app, world_ids):
    with app.app_context():
        town = add_township(app, None, None, world_ids["town"], "town_a")
        other = add_township(app, "XZ-T2", "河西镇便民服务中心", world_ids["county"], "town_b")
        db.session.remove()
    return {**world_ids, "town": town, "town_b": other}


@pytest.fixture
def ctx(app, network):
    with app.app_context():
        yield network
        db.session.remove()


def township_case(ids, handling=TownshipHandling.report_up, who="town_a", at=NOW):
    matter = db.session.get(Matter, ids["matter_a"])
    matter.township_handling = handling
    db.session.commit()
    outcome = case_flow.intake(
        db.session,
        actor(who),
        at,
        Application(
            matter_id=matter.id,
            applicant_name="李四",
            applicant_id_number=ID_A,
            applicant_phone="13800005678",
            channel=Channel.proxy,
            received_material_ids=tuple(m.id for m in matter.materials),
        ),
        Clock.load(db.session),
    )
    db.session.commit()
    return outcome.case.id


def act(case_id, action, who, now, **inputs):
    db.session.expire_all()
    return perform(db.session, actor(who), case_id, db.session.get(Case, case_id).version, now, action, **inputs)


def fresh(case_id) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case_id)


def escalated(ids, at=NOW):
    parent_id = township_case(ids, at=at)
    act(parent_id, "escalate", "town_a", at, note="上报县市场监管局窗口")
    return parent_id, fresh(parent_id).children[0].id


def test_escalate_creates_a_county_child_awaiting_acceptance_and_suspends_the_township_case(ctx):
    parent_id = township_case(ctx)
    parent = fresh(parent_id)
    assert parent.center_id == ctx["town"] and parent.status is CaseStatus.accepted
    act(parent_id, "escalate", "town_a", NOW, note="上报")
    parent = fresh(parent_id)
    assert parent.status is CaseStatus.suspended and parent.suspend_reason is SuspendReason.escalation
    (child,) = parent.children
    assert child.parent_id == parent.id and child.center_id == ctx["county"]
    assert child.department_id == ctx["dept_a"] and child.channel is Channel.township
    assert child.status is CaseStatus.submitted and child.deadline_at is None
    assert child.number.startswith("XZ-20261102-") and child.applicant_id_number == ID_A
    # The materials list travels with it.
    assert child.events[0].action is CaseAction.escalation_received
    assert child.events[0].materials == ["食品经营许可申请书", "营业执照"]
    assert parent.events[-1].action is CaseAction.escalate and parent.events[-1].data["child"] == child.number


def test_the_county_accepts_the_child_with_its_own_clock(ctx):
    parent_id, child_id = escalated(ctx)
    assert "accept_escalation" in case_flow.available_actions(actor("staff_a"), fresh(child_id), LATER)
    act(child_id, "accept_escalation", "staff_a", LATER)
    child = fresh(child_id)
    assert child.status is CaseStatus.accepted and child.accepted_at == LATER
    # 10 working days from Wed 4 Nov (day 0): Wed 18 Nov, end of office hours.
    assert child.deadline_at == datetime(2026, 11, 18, 17, 30)
    assert child.assignee_id == ctx["staff_staff_a"] and child.window_id == ctx["win_a"]
    assert child.events[-1].materials == ["食品经营许可申请书", "营业执照"]
    assert fresh(parent_id).status is CaseStatus.suspended  # still waiting


def test_another_department_cannot_accept_the_child(ctx):
    parent_id, child_id = escalated(ctx)
    before = snapshot(child_id)
    with pytest.raises(CaseError):
        act(child_id, "accept_escalation", "staff_b", LATER)
    assert snapshot(child_id) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Violation).where(Violation.case_id == child_id))


def test_child_completes_then_the_township_case_resumes_and_delivers(ctx):
    parent_id, child_id = escalated(ctx)
    act(child_id, "accept_escalation", "staff_a", LATER)
    versions = fresh(child_id).version, fresh(parent_id).version
    act(child_id, "complete", "staff_a", LATER, approved=True, note="准予许可")
    child, parent = fresh(child_id), fresh(parent_id)
    assert (child.version, parent.version) == (versions[0] + 1, versions[1] + 1)  # one UPDATE each
    assert child.status is CaseStatus.completed and child.result is CaseResult.approved
    assert parent.status is CaseStatus.in_progress and parent.suspend_reason is None
    back = parent.events[-1]
    assert back.action is CaseAction.receive_escalation_result and back.data["result"] == "approved"
    assert back.data["child"] == child.number and back.actor_name == actor("staff_a").name
    # Suspended Mon 2 → resumed Wed 4: Tue and Wed paused, added back to the township deadline.
    assert parent.paused_workdays == 2
    # Plain completion is refused: the result is delivered.
    assert "complete" not in case_flow.available_actions(actor("town_a"), parent, DELIVERED)
    assert "deliver" in case_flow.available_actions(actor("town_a"), parent, DELIVERED)
    with pytest.raises(CaseError):
        act(parent_id, "complete", "town_a", DELIVERED, approved=True)
    act(parent_id, "deliver", "town_a", DELIVERED, method="in_person", receiver="李四", note="当面送达许可证")
    parent = fresh(parent_id)
    assert parent.status is CaseStatus.completed and parent.result is CaseResult.approved
    assert parent.delivered_at == DELIVERED and parent.delivery_method is DeliveryMethod.in_person
    assert parent.delivery_receiver == "李四" and parent.finished_at == DELIVERED
    assert parent.events[-1].action is CaseAction.deliver


def test_child_returned_flows_back_and_the_township_delivers_the_return(ctx):
    parent_id, child_id = escalated(ctx)
    # Refused before acceptance: a return from `submitted` flows back too.
    act(child_id, "return_case", "staff_a", LATER, reason="不属于本局审批权限")
    parent = fresh(parent_id)
    assert parent.status is CaseStatus.in_progress
    assert parent.events[-1].data["result"] == "returned_active" and parent.events[-1].note == "不属于本局审批权限"
    act(parent_id, "deliver", "town_a", DELIVERED, method="by_agent", receiver="王代办", delivered_on="2026-11-05")
    parent = fresh(parent_id)
    assert parent.status is CaseStatus.returned and parent.result is CaseResult.returned_active
    assert parent.delivery_method is DeliveryMethod.by_agent


def test_delivery_refusals_change_nothing(ctx):
    parent_id, child_id = escalated(ctx)
    act(child_id, "accept_escalation", "staff_a", LATER)
    act(child_id, "complete", "staff_a", LATER, approved=True)
    before = snapshot(parent_id)
    for inputs in (
        {"method": "in_person", "receiver": "  "},
        {"method": "carrier_pigeon", "receiver": "李四"},
        {"method": "in_person", "receiver": "李四", "delivered_on": "2026-11-30"},  # future
        {"method": "in_person", "receiver": "李四", "delivered_on": "2026-11-03"},  # before the result
        {"method": "in_person", "receiver": "李四", "delivered_on": "11/05/2026"},
        {"method": "in_person", "receiver": "李" * 101},
    ):
        with pytest.raises(CaseError):
            act(parent_id, "deliver", "town_a", DELIVERED, **inputs)
        assert snapshot(parent_id) == before
    # The county department's own staff see the case but do not deliver for the township.
    with pytest.raises(CaseError):
        act(parent_id, "deliver", "staff_a", DELIVERED, method="in_person", receiver="李四")
    assert snapshot(parent_id) == before


def test_report_up_matter_is_not_delivered_before_the_county_decides(ctx):
    parent_id = township_case(ctx)
    with pytest.raises(CaseError):
        act(parent_id, "deliver", "town_a", NOW, method="in_person", receiver="李四")
    assert fresh(parent_id).status is CaseStatus.accepted


def test_full_service_matter_delivers_its_own_decision(ctx):
    case_id = township_case(ctx, TownshipHandling.full_service)
    with pytest.raises(CaseError):
        act(case_id, "complete", "town_a", NOW, approved=True)
    act(case_id, "deliver", "town_a", LATER, method="in_person", receiver="李四", approved=True)
    case = fresh(case_id)
    assert case.status is CaseStatus.completed and case.result is CaseResult.approved and case.delivered_at == LATER


def test_on_site_matter_is_neither_escalated_nor_delivered(ctx):
    case_id = township_case(ctx, TownshipHandling.on_site)
    before = snapshot(case_id)
    with pytest.raises(CaseError):
        act(case_id, "escalate", "town_a", NOW)
    with pytest.raises(CaseError):
        act(case_id, "deliver", "town_a", NOW, method="in_person", receiver="李四")
    assert snapshot(case_id) == before
    act(case_id, "complete", "town_a", LATER, approved=True)
    assert fresh(case_id).status is CaseStatus.completed


def test_a_county_case_escalates_as_before_without_a_child(ctx):
    from tests.services.test_case_flow import new_case

    case = new_case(ctx, now=NOW)
    act(case.id, "escalate", "staff_a", NOW)
    case = fresh(case.id)
    assert case.status is CaseStatus.suspended and case.children == []
    act(case.id, "receive_escalation_result", "staff_a", LATER)
    assert fresh(case.id).status is CaseStatus.in_progress


def test_the_township_cannot_resume_by_hand_while_the_child_runs(ctx):
    parent_id, child_id = escalated(ctx)
    with pytest.raises(CaseError):
        act(parent_id, "receive_escalation_result", "town_a", LATER)
    assert fresh(parent_id).status is CaseStatus.suspended


def test_withdrawing_the_township_case_withdraws_its_running_child(ctx):
    parent_id, child_id = escalated(ctx)
    act(child_id, "accept_escalation", "staff_a", LATER)
    act(parent_id, "withdraw", "town_a", LATER, note="申请人书面申请撤回")
    parent, child = fresh(parent_id), fresh(child_id)
    assert parent.status is CaseStatus.withdrawn and child.status is CaseStatus.withdrawn
    assert child.events[-1].action is CaseAction.withdraw and parent.number in child.events[-1].note
    # The child can no longer complete or be returned.
    before = snapshot(child_id)
    for action, inputs in (("complete", {"approved": True}), ("return_case", {"reason": "x"})):
        with pytest.raises(CaseError):
            act(child_id, action, "staff_a", DELIVERED, **inputs)
    assert snapshot(child_id) == before


def test_a_child_cannot_complete_while_its_parent_is_withdrawn(ctx):
    """Even when the child was left open (data from before the rule): its result has nowhere to go."""
    parent_id, child_id = escalated(ctx)
    act(child_id, "accept_escalation", "staff_a", LATER)
    db.session.execute(sa.update(Case).where(Case.id == parent_id).values(status=CaseStatus.withdrawn))
    db.session.commit()
    before = snapshot(child_id)
    assert "complete" not in case_flow.available_actions(actor("staff_a"), fresh(child_id), DELIVERED)
    with pytest.raises(CaseError, match="乡镇|township"):
        act(child_id, "complete", "staff_a", DELIVERED, approved=True)
    assert snapshot(child_id) == before


def test_the_child_is_withdrawn_at_the_township_only(ctx):
    parent_id, child_id = escalated(ctx)
    with pytest.raises(CaseError):
        act(child_id, "withdraw", "staff_a", LATER, note="撤回")
    assert fresh(child_id).status is CaseStatus.submitted


def test_another_township_cannot_act_on_the_case(ctx):
    parent_id = township_case(ctx)
    before = snapshot(parent_id)
    for action, inputs in (("escalate", {}), ("withdraw", {"note": "x"})):
        with pytest.raises(CaseError):
            act(parent_id, action, "town_b", NOW, **inputs)
    assert snapshot(parent_id) == before


def test_an_escalation_is_accepted_once_with_the_same_version(ctx):
    parent_id, child_id = escalated(ctx)
    version = fresh(child_id).version
    perform(db.session, actor("staff_a"), child_id, version, LATER, "accept_escalation")
    with pytest.raises(CaseError):  # already accepted (or, read before the first committed: StaleCase)
        perform(db.session, actor("chief_a"), child_id, version, LATER, "accept_escalation")
    child = fresh(child_id)
    accepts = [e for e in child.events if e.action is CaseAction.accept]
    assert child.status is CaseStatus.accepted and len(accepts) == 1


def _race(app, jobs):
    """Run the jobs (callables taking no argument) at once in their own sessions; their outcomes."""
    outcomes = [None] * len(jobs)
    start = threading.Barrier(len(jobs))

    def run(index):
        with app.app_context():
            try:
                start.wait()
                jobs[index]()
                outcomes[index] = "won"
            except CaseError:  # StaleCase when both read the same row, a status refusal when one came later
                outcomes[index] = "lost"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_two_county_receivers_at_once_exactly_one_wins(app, network):
    with app.app_context():
        parent_id, child_id = escalated(network)
        version = fresh(child_id).version
        db.session.remove()

    def accept(who):
        return lambda: perform(db.session, actor(who), child_id, version, LATER, "accept_escalation")

    outcomes = _race(app, [accept("staff_a"), accept("chief_a")])
    assert sorted(outcomes) == ["lost", "won"]
    with app.app_context():
        events = db.session.scalars(
            sa.select(CaseEvent.action).where(CaseEvent.case_id == child_id, CaseEvent.action == CaseAction.accept)
        ).all()
        assert len(events) == 1 and db.session.get(Case, child_id).status is CaseStatus.accepted


def test_withdraw_and_child_completion_at_once_leave_a_consistent_pair(app, network):
    with app.app_context():
        parent_id, child_id = escalated(network)
        act(child_id, "accept_escalation", "staff_a", LATER)
        parent_version, child_version = fresh(parent_id).version, fresh(child_id).version
        db.session.remove()
    outcomes = _race(
        app,
        [
            lambda: perform(db.session, actor("town_a"), parent_id, parent_version, DELIVERED, "withdraw", note="撤回"),
            lambda: perform(
                db.session, actor("staff_a"), child_id, child_version, DELIVERED, "complete", approved=True
            ),
        ],
    )
    assert sorted(outcomes) == ["lost", "won"], outcomes
    with app.app_context():
        parent, child = db.session.get(Case, parent_id), db.session.get(Case, child_id)
        if outcomes[0] == "won":
            assert (parent.status, child.status) == (CaseStatus.withdrawn, CaseStatus.withdrawn)
        else:
            assert (parent.status, child.status) == (CaseStatus.in_progress, CaseStatus.completed)
