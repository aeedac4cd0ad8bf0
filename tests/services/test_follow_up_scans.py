"""What the scheduler does after the lights: notices by escalation tier, step shares,
supplement limits, joint tasks and the calendar check. Fixed `now` values, and
each job run twice to show the second run changes nothing."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.jobs import calendar_check_job, warning_scan_job
from app.models import Case, CaseEvent, Violation, ViolationKind, WorkCalendarDay
from app.models.calendar import DayKind
from app.models.notice import Notice
from app.services import job_runs
from tests.services.test_case_flow import act, new_case

# Matter A: 10 working days, first step's share 1 day. Due 8 Oct 2026 17:30
# (National Day 1–7 Oct skipped); 10 Oct (Saturday) is a makeup working day.
ACCEPTED = datetime(2026, 9, 17, 10, 0)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


def run(job, now, name="warning_scan"):
    record = job_runs.run(db.session, name, job, now, lambda: now, (None, "test"))
    assert record.outcome.name == "ok", record.error
    return record.rows


def inbox(world_ids, username, kind=None):
    query = sa.select(Notice.kind, Notice.case_id).where(Notice.user_id == world_ids[f"user_{username}"])
    if kind:
        query = query.where(Notice.kind == kind)
    return [(row.kind.name, row.case_id) for row in db.session.execute(query.order_by(Notice.id))]


def test_escalation_tiers_count_working_days_in_red_across_a_makeup_saturday(ctx, world_ids):
    case = new_case(world_ids, now=ACCEPTED)
    run(warning_scan_job, datetime(2026, 9, 18, 9, 0))
    run(warning_scan_job, datetime(2026, 10, 8, 17, 35))
    assert inbox(world_ids, "staff_a", "case_overdue") == [("case_overdue", case.id)]
    assert inbox(world_ids, "chief_a", "chief_escalation") == []
    run(warning_scan_job, datetime(2026, 10, 9, 9, 0))  # one working day in red
    assert inbox(world_ids, "chief_a", "chief_escalation") == [("chief_escalation", case.id)]
    assert inbox(world_ids, "chief_b") == [] and inbox(world_ids, "supervisor") == []
    run(warning_scan_job, datetime(2026, 10, 11, 9, 0))  # Sunday: still two working days
    assert inbox(world_ids, "supervisor") == []
    run(warning_scan_job, datetime(2026, 10, 12, 9, 0))  # 9, 10 (makeup Saturday), 12 Oct: three
    for username in ("supervisor", "manager"):
        assert inbox(world_ids, username, "center_escalation") == [("center_escalation", case.id)]
    assert inbox(world_ids, "leader") == [] and inbox(world_ids, "admin") == []
    # However often the job runs now, nobody hears twice.
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Notice))
    assert run(warning_scan_job, datetime(2026, 10, 12, 9, 5)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) == before


def test_step_held_past_its_share_is_one_violation_even_after_the_forward(ctx, world_ids):
    case = new_case(world_ids, now=ACCEPTED)
    run(warning_scan_job, datetime(2026, 9, 17, 12, 0))
    run(warning_scan_job, datetime(2026, 9, 18, 17, 0))  # one working day: within the share
    step_violations = (
        sa.select(sa.func.count())
        .select_from(Violation)
        .where(Violation.case_id == case.id, Violation.kind == ViolationKind.step_overdue)
    )
    assert db.session.scalar(step_violations) == 0
    assert run(warning_scan_job, datetime(2026, 9, 21, 9, 0)) == 2  # violation + the assignee's notice
    assert db.session.scalar(step_violations) == 1
    assert inbox(world_ids, "staff_a", "step_overdue") == [("step_overdue", case.id)]
    assert run(warning_scan_job, datetime(2026, 9, 21, 9, 5)) == 0
    act(case, "forward", now=datetime(2026, 9, 21, 10, 0))
    db.session.commit()
    assert db.session.scalar(step_violations) == 1  # the forward does not record it again
    # The next step (7-day share) starts afresh.
    run(warning_scan_job, datetime(2026, 9, 22, 9, 0))
    assert db.session.scalar(step_violations) == 1


def test_supplement_past_its_limit_asks_the_chief_rep_for_a_passive_return(ctx, world_ids):
    case = new_case(world_ids, now=ACCEPTED)
    act(case, "request_supplement", now=datetime(2026, 9, 18, 10, 0), materials=["营业执照副本"])
    db.session.commit()
    run(warning_scan_job, datetime(2026, 9, 18, 11, 0))
    # Working days after 18 Sep: 21–30 Sep are 8, 8 Oct the 9th, 9 Oct the 10th.
    run(warning_scan_job, datetime(2026, 10, 8, 17, 0))
    assert inbox(world_ids, "chief_a", "supplement_expired") == []
    run(warning_scan_job, datetime(2026, 10, 9, 9, 0))
    assert inbox(world_ids, "chief_a", "supplement_expired") == [("supplement_expired", case.id)]
    assert db.session.get(Case, case.id).status.name == "suspended"  # the decision stays with a person
    assert run(warning_scan_job, datetime(2026, 10, 9, 9, 5)) == 0


def test_red_joint_task_goes_to_the_co_department(ctx, world_ids):
    case = new_case(world_ids, now=ACCEPTED, co_department_ids=(world_ids["dept_b"],))
    run(warning_scan_job, datetime(2026, 9, 18, 9, 0))
    run(warning_scan_job, datetime(2026, 10, 9, 9, 0))
    assert inbox(world_ids, "chief_b", "task_overdue") == [("task_overdue", case.id)]
    assert inbox(world_ids, "staff_b") == []


def test_calendar_check_warns_admins_until_next_year_is_loaded(ctx, world_ids):
    db.session.execute(sa.delete(WorkCalendarDay).where(WorkCalendarDay.day >= datetime(2027, 1, 1)))
    db.session.commit()
    assert run(calendar_check_job, datetime(2026, 10, 31, 1, 0), "calendar_check") == 0  # too early
    assert run(calendar_check_job, datetime(2026, 11, 1, 1, 0), "calendar_check") == 1
    assert run(calendar_check_job, datetime(2026, 11, 2, 1, 0), "calendar_check") == 0
    assert inbox(world_ids, "admin") == [("calendar_missing", None)]
    assert inbox(world_ids, "supervisor") == []
    db.session.add(WorkCalendarDay(day=datetime(2027, 1, 1).date(), kind=DayKind.holiday, name="元旦"))
    db.session.commit()
    assert run(calendar_check_job, datetime(2026, 12, 20, 1, 0), "calendar_check") == 1
    notice = db.session.scalar(sa.select(Notice).where(Notice.user_id == world_ids["user_admin"]))
    assert notice.read_at == datetime(2026, 12, 20, 1, 0)


def test_full_run_backfills_the_step_due_instant_of_older_cases(ctx, world_ids):
    case = new_case(world_ids, now=ACCEPTED)
    expected = db.session.get(Case, case.id).step_due_at
    # A 1-day share is outrun from the 2nd working day after acceptance: 20 Sep, a makeup Sunday.
    assert expected == datetime(2026, 9, 20, 0, 0)
    db.session.get(Case, case.id).step_due_at = None  # as after upgrading an older database
    db.session.commit()
    run(warning_scan_job, datetime(2026, 9, 18, 9, 0))  # first run: the full rebuild
    db.session.expire_all()
    assert db.session.get(Case, case.id).step_due_at == expected


def test_an_extension_is_reported_to_the_center_once(ctx, world_ids):
    case = new_case(world_ids, now=ACCEPTED)
    run(warning_scan_job, datetime(2026, 9, 18, 9, 0))
    act(case, "extend", who="chief_a", now=datetime(2026, 9, 21, 10, 0), days=5, reason="需现场核查")
    assert inbox(world_ids, "supervisor", "case_extended") == []  # not yet scanned
    run(warning_scan_job, datetime(2026, 9, 21, 10, 5))
    for username in ("supervisor", "manager"):
        assert inbox(world_ids, username, "case_extended") == [("case_extended", case.id)]
    assert inbox(world_ids, "chief_a", "case_extended") == [] and inbox(world_ids, "leader") == []
    detail = db.session.scalar(
        sa.select(Notice.detail).where(Notice.user_id == world_ids["user_supervisor"], Notice.kind == "case_extended")
    )
    extended = db.session.get(Case, case.id)
    # Which case, whose and what, how long, until when and why.
    assert detail == (
        f"办件 {extended.number}（{extended.department.name}，{extended.matter.name}）已批准延期 5 个工作日，"
        f"承诺时限延至 {extended.deadline_at:%Y-%m-%d %H:%M}；延期理由：需现场核查。"
    )
    assert run(warning_scan_job, datetime(2026, 9, 21, 10, 10)) == 0
    assert len(inbox(world_ids, "supervisor", "case_extended")) == 1


def test_a_resume_that_turns_a_case_red_records_the_overdue_once_and_tells_the_assignee(ctx, world_ids):
    """Suspended over its deadline and resumed the same day (no working day added back): the
    action turns it red, so the action records the overdue event and violation; the scan, which
    skips suspended and red cases, must still tell the assignee."""
    case = new_case(world_ids, now=ACCEPTED)
    run(warning_scan_job, datetime(2026, 9, 18, 9, 0))
    act(case, "request_supplement", now=datetime(2026, 10, 8, 16, 0), materials=["营业执照"])
    run(warning_scan_job, datetime(2026, 10, 8, 17, 35))  # past the deadline, but suspended
    act(case, "receive_supplement", now=datetime(2026, 10, 8, 17, 40))
    stored = db.session.get(Case, case.id)
    assert stored.light.name == "red" and stored.deadline_at == datetime(2026, 10, 8, 17, 30)
    run(warning_scan_job, datetime(2026, 10, 8, 17, 45))
    run(warning_scan_job, datetime(2026, 10, 8, 17, 50))

    def overdue_rows(model, column):
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(model).where(model.case_id == case.id, column == "overdue")
        )

    assert overdue_rows(CaseEvent, CaseEvent.action) == 1
    assert overdue_rows(Violation, Violation.kind) == 1
    # The history follows on: the resume first, then the overdue it caused.
    history = db.session.execute(
        sa.select(CaseEvent.action, CaseEvent.from_status, CaseEvent.to_status)
        .where(CaseEvent.case_id == case.id)
        .order_by(CaseEvent.id)
    ).all()
    assert [(a.name, f.name, t.name) for a, f, t in history[-3:]] == [
        ("request_supplement", "accepted", "suspended"),
        ("receive_supplement", "suspended", "in_progress"),
        ("overdue", "in_progress", "in_progress"),
    ]
    assert all(prev.to_status == ev.from_status for prev, ev in zip(history[1:], history[2:], strict=False))
    detail = db.session.scalar(
        sa.select(Violation.detail).where(Violation.case_id == case.id, Violation.kind == "overdue")
    )
    assert detail == f"办件 {stored.number} 超过承诺时限"  # worded as the scan words it
    assert inbox(world_ids, "staff_a", "case_overdue") == [("case_overdue", case.id)]
    run(warning_scan_job, datetime(2026, 10, 9, 9, 0))  # a working day in red: the chief hears
    assert inbox(world_ids, "chief_a", "chief_escalation") == [("chief_escalation", case.id)]
    assert overdue_rows(CaseEvent, CaseEvent.action) == 1
