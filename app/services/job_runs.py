"""Running a job once and recording it: start, end, rows touched, outcome, error text."""

import traceback
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models.jobs import JobOutcome, JobRun
from app.services import audit


def last_success(session: Session, job: str) -> datetime | None:
    """The `now` of the job's latest successful run: where the next routine run starts."""
    return session.scalar(sa.select(sa.func.max(JobRun.now)).where(JobRun.job == job, JobRun.outcome == JobOutcome.ok))


def run(
    session: Session,
    job: str,
    work: Callable[[Session, datetime], int],
    now: datetime,
    wall_clock: Callable[[], datetime],
    actor: tuple[int | None, str],
) -> JobRun:
    """Run `work(session, now)`; a failure is recorded and rolled back, never raised to the caller."""
    record = JobRun(job=job, now=now, started_at=wall_clock(), outcome=JobOutcome.running, rows=0)
    session.add(record)
    session.commit()
    audit.set_actor(session, *actor)
    try:
        rows = work(session, now)
        session.commit()
    except Exception:  # noqa: BLE001 - any failure of a job is recorded, the next job still runs
        session.rollback()
        record.outcome, record.error = JobOutcome.error, traceback.format_exc()[-4000:]
    else:
        record.outcome, record.rows = JobOutcome.ok, rows or 0
    record.finished_at = wall_clock()
    session.commit()
    return record


def close_interrupted(session: Session, now: datetime) -> int:
    """Runs still marked running when a scheduler takes the lock died with the previous one
    (killed, power cut): record them as failed so the run list does not show them running forever.
    Their work is redone by the next run, each job being idempotent."""
    count = session.execute(
        sa.update(JobRun)
        .where(JobRun.outcome == JobOutcome.running)
        .values(outcome=JobOutcome.error, finished_at=now, error="中断：调度进程在任务运行中停止，下次运行将补做。")
    ).rowcount
    session.commit()
    return count
