"""One scheduler at a time; jobs on their timetable; a timetabled run is recorded."""

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler

from app.extensions import db
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
