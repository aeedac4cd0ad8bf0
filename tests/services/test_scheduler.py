"""One scheduler at a time (a lease on one row); jobs on their timetable; a timetabled run is recorded."""

import threading
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.engine import make_url

from app import clock
from app.extensions import db
from app.jobs import JOBS
from app.models import JobRun
from app.scheduler import LOST, STARTED, Lease, build, run_scheduled, serve
from tests.conftest import TEST_DB_URL


def _engine(app):
    with app.app_context():
        return db.engine


def _runs(app, job="warning_scan"):
    with app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(JobRun).where(JobRun.job == job))
        db.session.remove()
        return count


def _until(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _unreachable_engine():
    """The suite's kind of database where none can be reached."""
    url = make_url(TEST_DB_URL)
    if url.get_backend_name() == "sqlite":
        return sa.create_engine("sqlite:////nonexistent-govhall-dir/govhall.db")
    return sa.create_engine(url.set(host="127.0.0.1", port=1))


class Serving:
    """serve() in a thread, as `flask scheduler` runs it, with what it says collected."""

    def __init__(self, app, lease):
        self.lease, self.said, self.stop = lease, [], threading.Event()
        self.thread = threading.Thread(
            target=serve, args=(app, lease), kwargs={"say": self.said.append, "poll_seconds": 0.1, "stop": self.stop}
        )
        self.thread.start()

    def says(self, text, times=1):
        _until(lambda: sum(text in line for line in self.said) >= times)

    def end(self):
        self.stop.set()
        self.thread.join(timeout=30)
        assert not self.thread.is_alive()


def test_a_second_scheduler_waits_for_the_first(app):
    first, second = Lease(_engine(app)), Lease(_engine(app))
    assert first.take()
    assert first.take()  # renewing its own lease
    assert not second.take() and second.held_by() == first.holder
    first.release()
    assert second.take()  # takes over once the first is gone
    second.release()


def test_a_lease_that_ran_out_is_taken_over_and_its_old_holder_runs_nothing(app):
    """The first scheduler lost its lease (an outage longer than the lease); a second took it.
    The first one's next timetabled run does nothing: no job runs twice."""
    start = clock.now()
    first = Lease(_engine(app), wall_clock=lambda: start)
    second = Lease(_engine(app), wall_clock=lambda: start + timedelta(seconds=61))
    assert first.take()
    assert not Lease(_engine(app), wall_clock=lambda: start + timedelta(seconds=59)).take()  # not run out yet
    assert second.take()
    run_scheduled(app, "warning_scan", first)
    assert _runs(app) == 0 and not first.renew()
    run_scheduled(app, "warning_scan", second)
    assert _runs(app) == 1
    second.release()


def test_a_holder_whose_lease_is_taken_stops_its_timetable_and_waits_again(app):
    serving = Serving(app, Lease(_engine(app), length=timedelta(seconds=1.5)))
    try:
        serving.says(STARTED)
        _until(lambda: _runs(app) == 1)  # the warning scan runs at start
        # Another scheduler, its clock past the lease, takes it while this one is cut off.
        thief = Lease(_engine(app), wall_clock=lambda: clock.now() + timedelta(minutes=5))
        assert thief.take()
        serving.says(LOST)
        serving.says(f"另一个调度进程（{thief.holder}）正在运行")
        assert _runs(app) == 1
        thief.release()
        serving.says(STARTED, times=2)  # back in charge: a new timetable, its warning scan at once
        _until(lambda: _runs(app) == 2)
    finally:
        serving.end()
    assert serving.lease.held_by() is None  # given up on the way out


def test_a_scheduler_started_while_the_database_is_unreachable_waits_and_retries(app):
    lease = Lease(_unreachable_engine(), length=timedelta(seconds=1.5))
    serving = Serving(app, lease)
    try:
        serving.says("数据库暂时无法访问")
        time.sleep(0.5)  # a few retries
        assert serving.thread.is_alive() and _runs(app) == 0
        lease.engine = _engine(app)  # the database is back
        serving.says(STARTED)
        _until(lambda: _runs(app) == 1)
        # It goes away again: the holder cannot renew, so it stops running jobs ...
        lease.engine = _unreachable_engine()
        serving.says(LOST)
        serving.says("数据库暂时无法访问", times=2)
        # ... and when it is back, nobody else took the lease: the same process carries on.
        lease.engine = _engine(app)
        serving.says(STARTED, times=2)
    finally:
        serving.end()
    assert lease.held_by() is None
    assert sum("数据库暂时无法访问" in line for line in serving.said) == 2  # once per outage, not per retry


def test_jobs_are_on_the_timetable_with_coalescing(app):
    scheduler = build(app, Lease(_engine(app)), BackgroundScheduler)
    scheduler.start(paused=True)  # job defaults are applied when the scheduler starts
    try:
        job = scheduler.get_job("warning_scan")
        assert job is not None and job.trigger.interval.total_seconds() == 5 * 60
        assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time == 3600
    finally:
        scheduler.shutdown(wait=False)


def test_a_timetabled_run_is_recorded(app):
    lease = Lease(_engine(app))
    run_scheduled(app, "warning_scan", lease)
    with app.app_context():
        run = db.session.scalar(sa.select(JobRun).where(JobRun.job == "warning_scan"))
        assert run is not None and run.outcome.name == "ok" and run.finished_at is not None


def test_every_job_is_on_the_timetable(app):
    scheduler = build(app, Lease(_engine(app)), BackgroundScheduler)  # not started: jobs are only listed
    assert {job.id for job in scheduler.get_jobs()} == {
        "warning_scan",
        "calendar_check",
        "monthly_report",
        "report_check",
        "feedback_scan",
        "monthly_scoring",
        "personnel_changes",
        "violation_lapse",
        "backup",
        "transfer_scan",
        "leader_check",
        "appointment_scan",
        "queue_close",
        "application_purge",
    }
    assert set(JOBS) == {job.id for job in scheduler.get_jobs()}
    backup = scheduler.get_job("backup")  # at the backup_time setting, 02:30 by default
    assert (str(backup.trigger.fields[5]), str(backup.trigger.fields[6])) == ("2", "30")
    monthly = scheduler.get_job("monthly_report")
    assert str(monthly.trigger.fields[2]) == "1" and monthly.misfire_grace_time == 86_400  # day 1


def test_the_timetable_is_the_job_table(app):
    """Each trigger as it stood before the job table: intervals from settings, cron jobs with a day's grace."""
    scheduler = build(app, Lease(_engine(app)), BackgroundScheduler)
    feedback, warning = scheduler.get_job("feedback_scan"), scheduler.get_job("warning_scan")
    # Not started: only a job given its first run time has one, the warning scan (at once on start).
    assert feedback.trigger.interval.total_seconds() == 30 * 60 and not hasattr(feedback, "next_run_time")
    assert warning.next_run_time is not None
    crons = {
        "calendar_check": ("*", "0", "30"),
        "monthly_report": ("1", "1", "0"),
        "monthly_scoring": ("2", "2", "0"),
        "report_check": ("*", "9", "0"),
        "personnel_changes": ("*", "0", "10"),
        "backup": ("*", "2", "30"),
        "leader_check": ("1", "1", "30"),
    }
    for name, (day, hour, minute) in crons.items():
        job = scheduler.get_job(name)
        fields = {field.name: str(field) for field in job.trigger.fields}
        assert (fields["day"], fields["hour"], fields["minute"]) == (day, hour, minute), name
        assert job.misfire_grace_time == 86_400 and job.args[1] == name


def _readme_job_table():
    """README.md's Supervision table as (name, when, what it does) rows, markdown backticks kept."""
    lines = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("| job | when | what it does |") + 2
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        name, when, what = (cell.strip() for cell in line.strip("|").split(" | "))
        rows.append((name.strip("`"), when, what))
    return rows


def test_the_readme_job_table_is_the_job_table():
    assert _readme_job_table() == [(job.name, job.trigger.when()[0], job.en) for job in JOBS.values()]


def test_jobs_help_lists_every_job(app):
    runner = app.test_cli_runner()
    for args in (["jobs", "--help"], ["jobs", "run", "--help"]):
        text = " ".join(runner.invoke(args=args).output.split())  # as wrapped for the terminal
        for job in JOBS.values():
            when_en, when_zh = job.trigger.when()
            for part in (job.name, when_zh, job.zh, when_en.replace("`", "")):
                assert " ".join(part.split()) in text, (args, part)


def test_full_is_refused_for_a_job_that_does_not_rebuild(app):
    result = app.test_cli_runner().invoke(args=["jobs", "run", "backup", "--full"])
    assert result.exit_code != 0 and "--full 仅适用于 warning_scan" in result.output


def test_a_job_that_raises_is_recorded_and_the_next_job_still_runs(app, monkeypatch):
    from app import jobs

    def boom(session, now):
        raise RuntimeError("disk full")

    monkeypatch.setitem(jobs.JOBS, "boom", jobs.Job("boom", boom, jobs.Every(minutes=1), "fails", "出错"))
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.max(JobRun.id)))
    lease = Lease(_engine(app))
    run_scheduled(app, "boom", lease)  # does not raise into the scheduler
    run_scheduled(app, "calendar_check", lease)
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
    build(app, Lease(_engine(app)), BackgroundScheduler)
    with app.app_context():
        run = db.session.scalar(sa.select(JobRun).where(JobRun.now == datetime(2026, 12, 1, 9, 0)))
        assert run.outcome is JobOutcome.error and "中断" in run.error and run.finished_at is not None
        db.session.remove()


def test_behind_pgbouncer_no_statement_is_prepared():
    """PgBouncer in transaction mode lends each transaction any server connection: a statement psycopg
    prepared on one is missing (or already there) on the next. Through PgBouncer 1.18 the lease's
    renewal failed 14 times in 100 with other clients about; with GOVHALL_PGBOUNCER=1, none."""
    from app import create_app
    from tests.conftest import _config_dict

    def prepared_after_renewals(pgbouncer):
        application = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": TEST_DB_URL, "PGBOUNCER": pgbouncer})
        with application.app_context():
            lease = Lease(db.engine)
            try:
                assert all(lease.take() for _ in range(10))
                if db.engine.dialect.name != "postgresql":
                    return None
                with db.engine.connect() as connection:  # the pool's one connection, which ran them all
                    return connection.execute(sa.text("SELECT count(*) FROM pg_prepared_statements")).scalar()
            finally:
                lease.release()
                db.engine.dispose()

    behind, direct = prepared_after_renewals(True), prepared_after_renewals(False)
    if behind is not None:  # PostgreSQL: psycopg prepares by default, and not behind PgBouncer
        assert direct >= 1 and behind == 0
