"""The one scheduler process: APScheduler on a timetable, guarded so only one runs.

APScheduler 3 cannot share its job store between processes, so under gunicorn
every worker would run every job. Production runs exactly one `flask scheduler`
beside the web workers; a second one waits on the lock (a PostgreSQL advisory
lock, or an exclusive lock on a file next to the SQLite database) and takes
over if the first one stops.
"""

import fcntl
import time
from pathlib import Path

import sqlalchemy as sa
from apscheduler.schedulers.blocking import BlockingScheduler

from app import clock
from app.services import job_runs

# Any constant shared by every scheduler of one database.
ADVISORY_LOCK_KEY = 724_2026


class SingleInstanceLock:
    def __init__(self, engine, lock_file: Path):
        self.engine, self.lock_file = engine, Path(lock_file)
        self._connection = self._handle = None

    def acquire(self, *, blocking=True, poll_seconds=5.0, on_wait=None) -> bool:
        while True:
            if self._try():
                return True
            if not blocking:
                return False
            if on_wait:
                on_wait()
            time.sleep(poll_seconds)

    def _try(self) -> bool:
        if self.engine.dialect.name == "postgresql":
            # Session-level: held as long as this connection lives, released if the process dies.
            self._connection = self._connection or self.engine.connect()
            got = self._connection.execute(
                sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
            ).scalar()
            self._connection.commit()
            return bool(got)
        self.lock_file.parent.mkdir(parents=True, exist_ok=True)
        self._handle = self._handle or self.lock_file.open("w")
        try:
            fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def release(self) -> None:
        if self._connection is not None:
            self._connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
            self._connection.close()
            self._connection = None
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def run_scheduled(app, name: str) -> None:
    """One timetabled run of job `name`, for the wall-clock now, recorded as a JobRun."""
    from app.cli import _system_user
    from app.extensions import db
    from app.jobs import JOBS

    with app.app_context():
        user = _system_user(app.appbuilder.sm)
        job_runs.run(db.session, name, JOBS[name], clock.now(), clock.now, (user.id, user.username))
        db.session.remove()


def build(app, scheduler_class=BlockingScheduler):
    """A scheduler with every job on its timetable (intervals are settings)."""
    from app.extensions import db
    from app.services import settings

    with app.app_context():
        # Only the lock holder builds a scheduler: what is still "running" died with the last one.
        job_runs.close_interrupted(db.session, clock.now())
        minutes = int(settings.get(db.session, "warning_scan_minutes"))
        backup_hour, backup_minute = (int(part) for part in settings.get(db.session, "backup_time").split(":"))
    scheduler = scheduler_class(
        timezone=str(clock.TZ),
        job_defaults={
            # A missed run (downtime, a long job) runs once, not once per missed slot.
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": 3600,
        },
    )
    scheduler.add_job(
        run_scheduled,
        "interval",
        minutes=minutes,
        args=(app, "warning_scan"),
        id="warning_scan",
        next_run_time=clock.now_aware(),
    )
    scheduler.add_job(run_scheduled, "interval", minutes=30, args=(app, "feedback_scan"), id="feedback_scan")
    # Daily and monthly jobs: a missed slot (the server was down) still runs once
    # when the scheduler is back the same day; each job is idempotent.
    for job_id, trigger in (
        ("calendar_check", {"hour": 0, "minute": 30}),
        ("monthly_report", {"day": 1, "hour": 1, "minute": 0}),
        ("monthly_scoring", {"day": 2, "hour": 2, "minute": 0}),
        ("report_check", {"hour": 9, "minute": 0}),
        ("personnel_changes", {"hour": 0, "minute": 10}),
        ("backup", {"hour": backup_hour, "minute": backup_minute}),
    ):
        scheduler.add_job(run_scheduled, "cron", args=(app, job_id), id=job_id, misfire_grace_time=86_400, **trigger)
    return scheduler
