"""One row per scheduled-job run: what ran, for which instant, how it ended."""

from datetime import datetime

import sqlalchemy as sa
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from .base import LabeledEnum, enum_field
from .scoping import EVERYTHING_ONLY, PUBLIC


class JobOutcome(LabeledEnum):
    running = _l("Running")
    ok = _l("Succeeded")
    error = _l("Failed")


class JobRun(Model):
    __tablename__ = "job_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(sa.String(50))
    # The instant the job worked for (its `now`), distinct from the wall-clock run times.
    now: Mapped[datetime] = mapped_column(sa.DateTime)
    started_at: Mapped[datetime] = mapped_column(sa.DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    rows: Mapped[int] = mapped_column(sa.Integer, default=0)
    outcome: Mapped[JobOutcome] = enum_field(JobOutcome, default=JobOutcome.running)
    error: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (sa.Index("ix_job_run_job_now", "job", "now"),)

    def __str__(self) -> str:
        return f"{self.job} {self.now:%Y-%m-%d %H:%M}"

    # System records: only global roles (Admin) have the permission at all.
    __scope__ = PUBLIC


class SchedulerLock(Model):
    """The one row (id 1) that says which scheduler process runs the jobs, and until when
    (app/scheduler.py). The migration inserts it."""

    __tablename__ = "scheduler_lock"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    holder: Mapped[str | None] = mapped_column(sa.String(200))
    lease_until: Mapped[datetime | None] = mapped_column(sa.DateTime)

    __scope__ = EVERYTHING_ONLY
