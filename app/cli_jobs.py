"""`flask jobs`: run one scheduled job once, and list the job table (app/jobs.py) in --help."""

import functools
import sys
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

from app import clock
from app.cli import _system_user
from app.extensions import db
from app.jobs import JOBS, help_rows
from app.services import job_runs


class _ListsJobs:
    """`--help` ends with the job table: each job's name, when it runs and what it does."""

    def format_epilog(self, ctx, formatter):
        with formatter.section("Jobs 任务"):
            formatter.write_dl(help_rows())


class _JobsGroup(_ListsJobs, AppGroup):
    pass


class _JobCommand(_ListsJobs, click.Command):
    pass


def job_commands():
    group = _JobsGroup("jobs", help="Scheduled jobs (the scheduler runs them on the timetable below).")
    rebuilt = [job.name for job in JOBS.values() if job.full]

    @group.command("run", cls=_JobCommand)
    @click.argument("name", type=click.Choice(sorted(JOBS)))
    @click.option("--now", "now_text", help="The instant to run for (ISO 8601, e.g. 2026-12-01T01:00+08:00).")
    @click.option(
        "--full", is_flag=True, help=f"Rebuild from scratch instead of the routine run ({', '.join(rebuilt)})."
    )
    def run_command(name, now_text, full):
        """Run one job once, deterministically for a given --now."""
        try:
            now = clock.to_local_naive(datetime.fromisoformat(now_text)) if now_text else clock.now()
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--now") from exc
        if full and not JOBS[name].full:
            raise click.UsageError(f"--full 仅适用于 {'、'.join(rebuilt)}")
        user = _system_user(current_app.appbuilder.sm)
        work = functools.partial(JOBS[name].run, full=True) if full else JOBS[name].run
        record = job_runs.run(db.session, name, work, now, clock.now, (user.id, user.username))
        click.echo(f"{name} @ {clock.isoformat(now)}: {record.outcome.label}，处理 {record.rows} 行。")
        if record.error:
            click.echo(record.error, err=True)
            sys.exit(1)

    return group
