"""The one scheduler process: APScheduler on a timetable, guarded so only one runs.

APScheduler 3 cannot share its job store between processes, so under gunicorn
every worker would run every job. Production runs one `flask scheduler` beside
the web workers; any other waits and takes over when the first stops.

The guard is a lease on the one `scheduler_lock` row. The holder renews it
before every run and every third of the LEASE; when a renewal fails (another
scheduler took the lease after it ran out, or the database is unreachable) the
holder runs nothing more, shuts its timetable down and waits for the lease like
any other.
A lease is plain row updates in short transactions, so it behaves alike on
SQLite, on PostgreSQL and behind PgBouncer in transaction mode. It replaced a
PostgreSQL session advisory lock, which lives on one server connection: behind
a transaction pooler that connection is not the scheduler's, and after a
network blip the lock was gone while the scheduler kept running its jobs.
"""

import os
import secrets
import socket
import threading
from datetime import timedelta
from functools import partial

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler

from app import clock
from app.models.jobs import SchedulerLock
from app.services import job_runs

# How long a lease lasts. A holder killed without releasing it (kill -9, power cut)
# delays its successor by at most this; a live holder renews three times within it
# (and before every run), so a slow renewal still lands in time; the hosts' clocks
# (NTP) agree far closer than this.
LEASE = timedelta(seconds=60)

STARTED = "调度进程已启动（Ctrl+C 退出）。"
LOST = "调度锁已失去（另一个调度进程接管或数据库中断），停止运行任务，重新等待。"


class Lease:
    """This process's claim on the scheduler lock row."""

    def __init__(self, engine, *, length: timedelta = LEASE, wall_clock=clock.now):
        self.engine, self.length, self.wall_clock = engine, length, wall_clock
        # Unique per process: two schedulers on one host must not pass for each other.
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.renew_seconds = length.total_seconds() / 3

    def take(self) -> bool:
        """Take the lease or renew it: when nobody holds it, it ran out, or it is already ours.
        One conditional UPDATE, so of two schedulers trying at once exactly one gets it."""
        now, row = self.wall_clock(), SchedulerLock.__table__
        with self.engine.begin() as connection:
            return (
                connection.execute(
                    sa.update(row)
                    .where(
                        row.c.id == 1,
                        sa.or_(row.c.holder.is_(None), row.c.holder == self.holder, row.c.lease_until < now),
                    )
                    .values(holder=self.holder, lease_until=now + self.length)
                ).rowcount
                == 1
            )

    def renew(self) -> bool:
        """Still ours? False when another scheduler holds it or the database cannot be reached:
        either way this process must not run a job now."""
        try:
            return self.take()
        except sa.exc.DBAPIError:
            return False

    def held_by(self) -> str | None:
        with self.engine.connect() as connection:
            return connection.execute(sa.select(SchedulerLock.holder).where(SchedulerLock.id == 1)).scalar()

    def release(self) -> None:
        """Give the lease up at once, so the next scheduler need not wait for it to run out."""
        row = SchedulerLock.__table__
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    sa.update(row)
                    .where(row.c.id == 1, row.c.holder == self.holder)
                    .values(holder=None, lease_until=None)
                )
        except sa.exc.DBAPIError:
            pass  # the database is gone: the lease runs out by itself


def serve(app, lease: Lease, *, say=print, poll_seconds: float = 5.0, stop: threading.Event | None = None) -> None:
    """Run the timetable while this process holds the lease; wait for it whenever it does not,
    through database outages too. Returns when `stop` is set (or on Ctrl+C), releasing the lease."""
    stop = stop or threading.Event()
    try:
        while _wait_for_lease(lease, say, poll_seconds, stop):
            try:
                scheduler = build(app, lease)
            except sa.exc.DBAPIError as error:  # the database went away right after the lease was taken
                say(_unreachable(error, poll_seconds))
                stop.wait(poll_seconds)
                continue
            scheduler.start()
            say(STARTED)
            try:
                while not stop.wait(lease.renew_seconds) and lease.renew():
                    pass
            finally:
                scheduler.shutdown(wait=True)  # a job under way finishes before anything else starts
            if not stop.is_set():
                say(LOST)
    finally:
        lease.release()


def _wait_for_lease(lease, say, poll_seconds, stop) -> bool:
    """True once this process holds the lease; False when told to stop. Says each new reason to wait once."""
    said = None
    while not stop.is_set():
        try:
            if lease.take():
                return True
            message = f"另一个调度进程（{lease.held_by()}）正在运行，等待中……"
        except sa.exc.DBAPIError as error:
            message = _unreachable(error, poll_seconds)
        if message != said:
            say(message)
            said = message
        stop.wait(poll_seconds)
    return False


def _unreachable(error, poll_seconds) -> str:
    reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
    return f"数据库暂时无法访问（{reason}），每 {poll_seconds:g} 秒重试一次……"


def run_scheduled(app, name: str, lease: Lease) -> None:
    """One timetabled run of job `name`, for the wall-clock now, recorded as a JobRun; nothing at
    all unless this process still holds the lease (the serving loop then stops the timetable)."""
    from app.cli import _system_user
    from app.extensions import db
    from app.jobs import JOBS

    if not lease.renew():
        return
    with app.app_context():
        user = _system_user(app.appbuilder.sm)
        job_runs.run(db.session, name, JOBS[name].run, clock.now(), clock.now, (user.id, user.username))
        db.session.remove()


def build(app, lease: Lease, scheduler_class=BackgroundScheduler):
    """A scheduler with every job of the job table on its trigger (some read a setting)."""
    from app.extensions import db
    from app.jobs import JOBS
    from app.services import settings

    with app.app_context():
        # Only the lease holder builds a scheduler: what is still "running" died with the last one.
        job_runs.close_interrupted(db.session, clock.now())
        timetable = {name: job.trigger.options(partial(settings.get, db.session)) for name, job in JOBS.items()}
        db.session.remove()
    scheduler = scheduler_class(
        timezone=str(clock.TZ),
        job_defaults={
            # A missed run (downtime, a long job) runs once, not once per missed slot.
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": 3600,
        },
    )
    for name, options in timetable.items():
        scheduler.add_job(run_scheduled, args=(app, name, lease), id=name, **options)
    return scheduler
