"""The warning scan: lights move with time, exactly one overdue event and violation, idempotent."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.jobs import warning_scan_job
from app.models import Case, CaseAction, CaseEvent, CaseTask, JobRun, Matter, Violation
from app.models.matter import CaseKind
from app.services import job_runs, warning_scan
from tests.services.test_case_flow import new_case

ACCEPTED = datetime(2026, 9, 17, 10, 0)  # 10 working days: yellow from 29 Sep, due 8 Oct 17:30


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


def light_of(case_id):
    db.session.expire_all()
    light = db.session.get(Case, case_id).light
    return light.name if light else None


def overdue_events(case_id):
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(CaseEvent)
        .where(CaseEvent.case_id == case_id, CaseEvent.action == CaseAction.overdue)
    )


def run(now):
    record = job_runs.run(db.session, "warning_scan", warning_scan_job, now, lambda: now, (None, "test"))
    assert record.outcome.name == "ok", record.error
    return record.rows


def test_walk_green_yellow_red_across_national_day(ctx, world_ids):
    case = new_case(world_ids, now=ACCEPTED)
    assert light_of(case.id) == "green"
    run(datetime(2026, 9, 20, 9, 0))  # first run: full rebuild
    assert light_of(case.id) == "green"
    run(datetime(2026, 9, 28, 23, 0))
    assert light_of(case.id) == "green"
    assert run(datetime(2026, 9, 29, 9, 0)) == 1
    assert light_of(case.id) == "yellow"
    run(datetime(2026, 10, 5, 9, 0))  # the holiday week changes nothing
    assert light_of(case.id) == "yellow" and overdue_events(case.id) == 0
    assert run(datetime(2026, 10, 8, 17, 35)) == 2  # red, and the assignee's notice
    assert light_of(case.id) == "red"
    assert overdue_events(case.id) == 1
    overdue = (
        sa.select(sa.func.count())
        .select_from(Violation)
        .where(Violation.case_id == case.id, Violation.kind == "overdue")
    )
    assert db.session.scalar(overdue) == 1
    detail = db.session.scalar(
        sa.select(Violation.detail).where(Violation.case_id == case.id, Violation.kind == "overdue")
    )
    assert detail == f"办件 {case.number} 超过承诺时限"


def test_running_twice_changes_nothing_the_second_time(ctx, world_ids):
    case = new_case(world_ids, now=ACCEPTED)
    run(datetime(2026, 9, 18, 9, 0))
    # Red; the assignee's notice; the first step held past its 1-day share (violation
    # and notice); one working day in red, so the chief representative's notice.
    assert run(datetime(2026, 10, 9, 9, 0)) == 5
    assert run(datetime(2026, 10, 9, 9, 0)) == 0
    assert run(datetime(2026, 10, 9, 9, 5)) == 0
    assert overdue_events(case.id) == 1
    # A full rebuild after the fact finds nothing left to do either.
    assert warning_scan.rebuild(db.session, datetime(2026, 10, 9, 9, 10)) == 0
    assert overdue_events(case.id) == 1


def test_full_rebuild_catches_everything_missed(ctx, world_ids):
    case = new_case(world_ids, now=ACCEPTED)
    db.session.get(Case, case.id).light = None
    db.session.commit()
    changed = warning_scan.rebuild(db.session, datetime(2026, 10, 20, 9, 0))
    assert changed >= 1 and light_of(case.id) == "red" and overdue_events(case.id) == 1


def test_suspended_and_closed_cases_do_not_go_red(ctx, world_ids):
    from tests.services.test_case_flow import act

    suspended = new_case(world_ids, now=ACCEPTED)
    act(suspended, "request_supplement", now=datetime(2026, 9, 18, 9, 0), materials=["说明"])
    closed = new_case(world_ids, now=ACCEPTED)
    act(closed, "withdraw", now=datetime(2026, 9, 18, 9, 0), note="撤回")
    run(datetime(2026, 9, 18, 10, 0))
    run(datetime(2026, 10, 20, 9, 0))
    assert overdue_events(suspended.id) == 0 and overdue_events(closed.id) == 0


def test_joint_tasks_light_separately(ctx, world_ids):
    db.session.get(Matter, world_ids["matter_a"]).case_kind = CaseKind.joint
    db.session.commit()
    case = new_case(world_ids, now=ACCEPTED, co_department_ids=(world_ids["dept_b"],))
    task = db.session.scalar(sa.select(CaseTask).where(CaseTask.case_id == case.id))
    task.deadline_at = datetime(2026, 9, 25, 17, 30)  # the co-department's own, earlier deadline
    db.session.commit()
    run(datetime(2026, 9, 20, 9, 0))
    run(datetime(2026, 9, 28, 9, 0))
    db.session.expire_all()
    assert db.session.get(CaseTask, task.id).light.name == "red"
    assert light_of(case.id) == "green"


def test_a_failing_job_is_recorded_and_rolled_back(ctx, world_ids):
    def broken(session, now):
        session.execute(sa.update(Case).values(light="red"))
        raise RuntimeError("disk full")

    new_case(world_ids, now=ACCEPTED)
    record = job_runs.run(
        db.session, "warning_scan", broken, datetime(2026, 9, 20), lambda: datetime(2026, 9, 20), (None, "test")
    )
    assert record.outcome.name == "error" and "disk full" in record.error
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(Case.light == "red")) == 0
    assert job_runs.last_success(db.session, "warning_scan") is None


def test_cli_jobs_run_with_fixed_now(app, world_ids):
    with app.app_context():
        new_case(world_ids, now=ACCEPTED)
        db.session.remove()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["jobs", "run", "warning_scan", "--now", "2026-10-09T09:00+08:00"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["jobs", "run", "warning_scan", "--now", "2026-10-09T09:00+08:00"])
    assert "处理 0 行" in again.output
    assert runner.invoke(args=["jobs", "run", "warning_scan", "--now", "yesterday"]).exit_code != 0
    with app.app_context():
        runs = db.session.scalars(sa.select(JobRun).where(JobRun.job == "warning_scan").order_by(JobRun.id))
        assert [r.outcome.name for r in runs] == ["ok", "ok"]
