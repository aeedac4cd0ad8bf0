"""缺席默认 (seed 002): the center defaults an overdue case or a co-department's overdue joint task,
each with a numbered notice; the task's department is recorded and told, the lead case unblocked."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, CaseAction, CaseStatus, CaseTask, Matter, Notice, TaskStatus, Violation, ViolationKind
from app.models.matter import CaseKind
from app.models.notice import NoticeKind
from app.services.case_flow import CaseError
from app.services.case_flow.defaults import notices_of
from tests.services.test_case_flow import act, new_case, snapshot

# A case accepted Mon 28 Sep 2026 is due Fri 16 Oct 17:30 (10 working days, National Day skipped).
DUE = datetime(2026, 10, 16, 17, 30)
MON_19 = datetime(2026, 10, 19, 9, 0)  # 1 working day late
FRI_23 = datetime(2026, 10, 23, 9, 0)  # 5 working days late


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield db.session
        db.session.remove()


def joint_case(world_ids):
    db.session.get(Matter, world_ids["matter_a"]).case_kind = CaseKind.joint
    db.session.commit()
    case = new_case(world_ids, co_department_ids=(world_ids["dept_b"],))
    return case, db.session.scalar(sa.select(CaseTask).where(CaseTask.case_id == case.id))


def test_a_case_default_is_numbered_with_its_overdue_days_and_basis(ctx, world_ids):
    first, second = new_case(world_ids), new_case(world_ids)
    one = act(first, "issue_default_approval", who="supervisor", now=MON_19, note="部门未说明理由")
    two = act(second, "issue_default_approval", who="supervisor", now=FRI_23)
    assert one.event.data["notice_number"] == "缺默〔2026〕1号"
    assert two.event.data["notice_number"] == "缺默〔2026〕2号"
    assert one.event.data["overdue_workdays"] == 1 and two.event.data["overdue_workdays"] == 5
    assert one.event.data["deadline"] == DUE.isoformat()
    assert one.event.data["department_id"] == world_ids["dept_a"]
    assert "超时或缺席默认" in one.event.data["basis"]
    case = db.session.get(Case, first.id)
    assert case.status is CaseStatus.completed and case.result.name == "default_approved"
    assert [e.id for e in notices_of(case)] == [one.event.id]


def test_numbering_starts_again_each_year(ctx, world_ids):
    case = new_case(world_ids, now=datetime(2026, 12, 1, 9, 0))  # due 15 Dec
    outcome = act(case, "issue_default_approval", who="supervisor", now=datetime(2027, 1, 4, 9, 0))
    assert outcome.event.data["notice_number"] == "缺默〔2027〕1号"


def test_the_basis_is_recorded_as_it_read_at_issue(ctx, world_ids):
    from app.models.system import Setting

    db.session.execute(
        sa.update(Setting).where(Setting.key == "default_approval_basis").values(value="本县政务服务中心管理办法第十条")
    )
    db.session.commit()
    outcome = act(new_case(world_ids), "issue_default_approval", who="supervisor", now=MON_19)
    assert outcome.event.data["basis"] == "本县政务服务中心管理办法第十条"


def test_the_center_defaults_an_overdue_joint_task(ctx, world_ids):
    case, task = joint_case(world_ids)
    outcome = act(case, "default_task", who="supervisor", now=FRI_23, task_id=task.id)
    db.session.expire_all()
    task = db.session.get(CaseTask, task.id)
    assert task.status is TaskStatus.defaulted and task.done_at == FRI_23
    assert outcome.event.action is CaseAction.default_task
    assert outcome.event.data["notice_number"] == "缺默〔2026〕1号"
    assert outcome.event.data["overdue_workdays"] == 5
    assert outcome.event.data["department_id"] == world_ids["dept_b"]
    # Recorded against the co-department, not the lead.
    (recorded,) = db.session.scalars(sa.select(Violation).where(Violation.kind == ViolationKind.task_defaulted))
    assert recorded.department_id == world_ids["dept_b"] and recorded.case_id == case.id
    # Nobody took the task up: it is scored against B's window (the assessment counts a violation
    # through its staff member or window).
    assert recorded.staff_id is None and recorded.window_id == world_ids["win_b"]
    assert "缺默〔2026〕1号" in recorded.detail
    # B's chief representative is told; nobody else.
    told = db.session.execute(sa.select(Notice.user_id, Notice.kind, Notice.case_id)).all()
    assert told == [(world_ids["user_chief_b"], NoticeKind.task_defaulted, case.id)]
    # The lead case is still open, and no longer blocked.
    assert db.session.get(Case, case.id).status is CaseStatus.accepted
    act(case, "complete", now=FRI_23, approved=True)
    assert db.session.get(Case, case.id).status is CaseStatus.completed


def test_a_defaulted_task_cannot_be_completed_or_defaulted_again(ctx, world_ids):
    case, task = joint_case(world_ids)
    act(case, "default_task", who="supervisor", now=FRI_23, task_id=task.id)
    before = snapshot(case.id)
    with pytest.raises(CaseError):
        act(case, "default_task", who="supervisor", now=FRI_23, task_id=task.id)
    with pytest.raises(CaseError):
        act(case, "complete_task", who="staff_b", now=FRI_23, task_id=task.id)
    assert snapshot(case.id) == before


@pytest.mark.parametrize(
    ("who", "when", "task"),
    [
        ("supervisor", datetime(2026, 10, 16, 17, 0), "own"),  # not past the task's deadline yet
        ("chief_b", FRI_23, "own"),  # the department itself may not
        ("chief_a", FRI_23, "own"),  # nor the lead department
        ("leader", FRI_23, "own"),  # reads everything, decides nothing
        ("supervisor", FRI_23, "other"),  # a task of another case
        ("supervisor", FRI_23, "junk"),  # not a task id
    ],
)
def test_a_task_default_refused_changes_nothing(ctx, world_ids, who, when, task):
    case, own = joint_case(world_ids)
    other_case = new_case(world_ids, co_department_ids=(world_ids["dept_b"],))
    other = db.session.scalar(sa.select(CaseTask).where(CaseTask.case_id == other_case.id))
    task_id = {"own": own.id, "other": other.id, "junk": "1 or 1=1"}[task]
    before = snapshot(case.id)
    with pytest.raises(CaseError):
        act(case, "default_task", who=who, now=when, task_id=task_id)
    assert snapshot(case.id) == before
    db.session.expire_all()
    assert db.session.get(CaseTask, own.id).status is TaskStatus.open
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Violation)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 0


def test_a_task_default_on_a_closed_case_is_refused(ctx, world_ids):
    case, task = joint_case(world_ids)
    act(case, "withdraw", note="申请人撤回")
    before = snapshot(case.id)
    with pytest.raises(CaseError):
        act(case, "default_task", who="supervisor", now=FRI_23, task_id=task.id)
    assert snapshot(case.id) == before


def test_the_basis_setting_takes_any_text_that_fits_its_column():
    from app.services import settings

    assert settings.check("default_approval_basis", "依据" * 250) == []
    assert settings.check("default_approval_basis", "依据" * 250 + "。") != []
    assert settings.check("default_approval_basis", "  ") != []
    assert settings.check("promised_limit_check", "refuse") == [] and settings.check("promised_limit_check", "no") != []
    assert settings.check("promised_limit_reduction", "0.5") == []
    assert settings.check("promised_limit_reduction", "1") != []
    assert settings.check("promised_limit_reduction", "x") != []


def test_two_center_users_default_the_same_task_at_once_exactly_one_wins(app, world_ids):
    import threading

    from app.models.case import DocumentCounter
    from app.services.case_flow import StaleCase, perform
    from tests.services.test_case_flow import actor

    with app.app_context():
        case, task = joint_case(world_ids)
        case_id, task_id, version = case.id, task.id, case.version
        db.session.remove()
    results = []
    barrier = threading.Barrier(2)

    def attempt(name):
        with app.app_context():
            me = actor(name)
            barrier.wait()
            try:
                perform(db.session, me, case_id, version, FRI_23, "default_task", task_id=task_id)
                results.append("won")
            except StaleCase:
                results.append("stale")
            except CaseError as exc:  # the task already settled, seen after the winner's commit
                results.append(f"refused: {exc}")
            db.session.remove()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in ("supervisor", "manager")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results.count("won") == 1 and len(results) == 2
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Violation)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 1
        # The loser's number was rolled back with it: the series has no gap.
        assert db.session.scalar(sa.select(DocumentCounter.last)) == 1
        db.session.remove()


def test_a_defaulted_task_counts_in_the_co_departments_assessment(ctx, world_ids):
    from datetime import date

    from app.models import AssessmentRecord, AssessmentRule
    from app.services import assessment

    case, task = joint_case(world_ids)
    act(case, "default_task", who="supervisor", now=FRI_23, task_id=task.id)
    assessment.collect(db.session, date(2026, 10, 1), datetime(2026, 11, 2, 2, 0))
    db.session.commit()
    got = db.session.execute(
        sa.select(
            AssessmentRule.code, AssessmentRecord.staff_id, AssessmentRecord.window_id, AssessmentRecord.department_id
        ).join(AssessmentRule)
    ).all()
    # The lead's overdue case was never red-scanned here: only B's default is on record.
    assert got == [("violation", None, world_ids["win_b"], world_ids["dept_b"])]
