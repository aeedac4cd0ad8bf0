"""One scheduler at a time; jobs on their timetable; a timetabled run is recorded."""

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler

from app.extensions import db
from app.jobs import JOBS
from app.models import JobRun
from app.scheduler import SingleInstanceLock, build, run_scheduled


def test_a_second_scheduler_waits_for_the_first(app, tmp_path):
    with app.app_context():
        engine = db.engine
    first = SingleInstanceLock(engine, tmp_path / "scheduler.lock")
    second = SingleInstanceLock(engine, tmp_path / "scheduler.lock")
    assert first.acquire(blocking=False)
    try:
        assert not second.acquire(blocking=False)
        waited = []
        assert not second.acquire(blocking=False, on_wait=waited.append)
    finally:
        first.release()
    assert second.acquire(blocking=False)  # takes over once the first is gone
    second.release()


def test_jobs_are_on_the_timetable_with_coalescing(app):
    scheduler = build(app, BackgroundScheduler)
    scheduler.start(paused=True)  # job defaults are applied when the scheduler starts
    try:
        job = scheduler.get_job("warning_scan")
        assert job is not None and job.trigger.interval.total_seconds() == 5 * 60
        assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time == 3600
    finally:
        scheduler.shutdown(wait=False)


def test_a_timetabled_run_is_recorded(app):
    run_scheduled(app, "warning_scan")
    with app.app_context():
        run = db.session.scalar(sa.select(JobRun).where(JobRun.job == "warning_scan"))
        assert run is not None and run.outcome.name == "ok" and run.finished_at is not None


def test_every_job_is_on_the_timetable(app):
    scheduler = build(app, BackgroundScheduler)  # not started: jobs are only listed
    assert {job.id for job in scheduler.get_jobs()} == {
        "warning_scan",
        "calendar_check",
        "monthly_report",
        "report_check",
        "feedback_scan",
        "monthly_scoring",
        "personnel_changes",
        "backup",
    }
    assert set(JOBS) == {job.id for job in scheduler.get_jobs()}
    backup = scheduler.get_job("backup")  # at the backup_time setting, 02:30 by default
    assert (str(backup.trigger.fields[5]), str(backup.trigger.fields[6])) == ("2", "30")
    monthly = scheduler.get_job("monthly_report")
    assert str(monthly.trigger.fields[2]) == "1" and monthly.misfire_grace_time == 86_400  # day 1


def test_a_job_that_raises_is_recorded_and_the_next_job_still_runs(app, monkeypatch):
    from app import jobs

    def boom(session, now):
        raise RuntimeError("disk full")

    monkeypatch.setitem(jobs.JOBS, "boom", boom)
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.max(JobRun.id)))
    run_scheduled(app, "boom")  # does not raise into the scheduler
    run_scheduled(app, "calendar_check")
    with app.app_context():
        runs = {run.job: run for run in db.session.scalars(sa.select(JobRun).where(JobRun.id > before))}
        assert runs["boom"].outcome.name == "error" and "disk full" in runs["boom"].error
        assert runs["calendar_check"].outcome.name == "ok"


def test_a_run_left_running_by_a_killed_scheduler_is_closed_by_the_next(app):
    from datetime import datetime

    from app.models.jobs import JobOutcome

    with app.app_context():
        db.session.add(
            JobRun(
                job="warning_scan",
                now=datetime(2026, 12, 1, 9, 0),
                started_at=datetime(2026, 12, 1, 9, 0),
                outcome=JobOutcome.running,
                rows=0,
            )
        )
        db.session.commit()
    build(app, BackgroundScheduler)
    with app.app_context():
        run = db.session.scalar(sa.select(JobRun).where(JobRun.now == datetime(2026, 12, 1, 9, 0)))
        assert run.outcome is JobOutcome.error and "中断" in run.error and run.finished_at is not None
        db.session.remove()
