"""A lived-in year for the demo county: what a year of use leaves behind, on top of the year of
cases (`cases`) and whatever the other demo modules added before it (so it runs last).

Staff management and feedback are written through their services with explicit instants
(`staff_history`, `feedback_history`), attendance in bulk (`attendance.seed_days`). Then the
scheduler's year is replayed in time order through the real jobs, each recorded as a job run at
its instant: on Mondays the feedback scan (default ratings, rectifications and complaint stages
past their limits) and the follow-up notices of the warning scan (every four weeks, weekly over the
last `WEEKLY_WEEKS`); on the 1st the monthly reports and the leaders' check (`leaders`),
on the 2nd the monthly scores (and after a quarter, the quarter); each report is submitted by its
center, a few after their due date, when the late-report check has already told the center.
Finally the inbox is what a year of reading leaves: notices older than `UNREAD_DAYS` read.

Skipped when any monthly report exists (the history was written, or the county is in use).
"""

import random
import time as timer
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import User

from app import jobs
from app.models.case import Case
from app.models.jobs import JobOutcome
from app.models.notice import Notice
from app.models.personnel import AttendanceRecord
from app.models.report import MonthlyReport
from app.services import calendar, job_runs, reports, settings
from app.services.demo import (
    appeal_history,
    appointments,
    attendance,
    correction_history,
    feedback_history,
    inquiries,
    inspections,
    leaders,
    proxies,
    queue,
    staff_history,
    tolerated_history,
)
from app.services.demo.cast import Cast

# Notices newer than this are left unread: what arrived since the user last looked.
UNREAD_DAYS = 3
# Share of monthly reports submitted after their due date.
LATE_SHARE = 0.2
# The scans are replayed weekly over the last weeks, every four weeks before.
WEEKLY_WEEKS = 5


def seed_history(session, now: datetime, *, system_username: str = "system", progress=None, seed: int = 2026) -> dict:
    """Write the year up to `now`; returns counts and seconds. The caller commits."""
    if session.scalar(sa.select(sa.func.count()).select_from(MonthlyReport)):
        return {}
    first = session.scalar(sa.select(sa.func.min(Case.accepted_at)))
    if first is None:
        return {}
    started = timer.perf_counter()
    report = progress or (lambda step, done, total: None)
    start, rng, cast = first.date(), random.Random(f"{seed}:history"), Cast.load(session)
    totals: dict = {"leave": staff_history.seed_leave(session, cast, start, now, rng)}
    totals["attendance"] = _attendance(session, start, now, rng)
    totals["roster_weeks"] = staff_history.seed_rotation(session, cast, start, now)
    totals["personnel_changes"] = staff_history.seed_personnel(session, cast, now, rng)
    # Its own random stream: the rest of the history draws what it drew before corrections existed.
    totals["corrections"] = correction_history.seed_corrections(
        session, cast, now, random.Random(f"{seed}:corrections")
    )
    totals["complaints"] = feedback_history.seed_complaints(session, cast, start, now, rng)
    totals["rectifications"] = feedback_history.seed_rectifications(session, now, rng)
    # Its own random stream: the draws of the rest of the history stay as they were.
    totals["leaders"] = leaders.seed_leaders(session, cast, start, now, random.Random(f"{seed}:leaders"))
    totals["inspections"] = inspections.seed_inspections(session, cast, now, random.Random(f"{seed}:inspections"))
    totals["proxies"] = proxies.seed_proxies(session, cast, now, random.Random(f"{seed}:proxies"))
    totals["inquiries"] = inquiries.seed_inquiries(session, cast, now, random.Random(f"{seed}:inquiries"))
    totals["appointments"] = appointments.seed_appointments(session, now, random.Random(f"{seed}:appointments"))
    totals["tolerated"] = tolerated_history.seed_tolerated(session, now, random.Random(f"{seed}:tolerated"))
    totals["queue_tickets"] = queue.seed_queue(session, now)  # this morning's tickets of those groups
    session.commit()
    report("历史数据", 1, 2)
    system = session.execute(sa.select(User.id, User.username).where(User.username == system_username)).one()
    totals["job_runs"] = _replay(session, cast, start, now, rng, (system.id, system.username))
    totals["appeals"] = appeal_history.seed_appeals(session, cast, now, rng)
    session.commit()
    totals["notices_read"] = _read_old_notices(session, now, rng)
    report("历史数据", 2, 2)
    totals["seconds"] = round(timer.perf_counter() - started, 1)
    return totals


def _attendance(session, start: date, now: datetime, rng) -> int:
    """The year's working days up to yesterday, around the days already there (the county seed
    writes the last full month)."""
    yesterday = now.date() - timedelta(days=1)
    present = set(
        session.scalars(
            sa.select(AttendanceRecord.day).where(AttendanceRecord.day.between(start, yesterday)).distinct()
        )
    )
    written, day = 0, start
    while day <= yesterday:
        if day in present:
            day += timedelta(days=1)
            continue
        end = day
        while end < yesterday and end + timedelta(days=1) not in present:
            end += timedelta(days=1)
        written += attendance.seed_days(session, day, end, rng)
        day = end + timedelta(days=1)
    return written


def _replay(session, cast, start: date, now: datetime, rng, system: tuple) -> int:
    """The scheduler's year in time order; returns the job runs recorded."""
    work_calendar = calendar.load(session)
    due_workday = int(settings.get(session, "report_due_workday"))
    plan: list[tuple[datetime, int, object]] = []
    # The scans at their routine cadence would be thousands of runs; what they leave (default
    # ratings, notices) is the same when they look back over four weeks, and weekly at the end.
    monday = start + timedelta(days=7 - start.weekday())
    while (at := datetime.combine(monday, time(9, 0))) < now:
        plan += [(at, 0, "feedback_scan"), (at, 1, _follow_up)]
        monday += timedelta(weeks=1 if now - at < timedelta(weeks=WEEKLY_WEEKS + 4) else 4)
    # From 1 November the calendar check tells the administrators while next year's holidays are missing.
    november = datetime(now.year, 11, 1, 0, 30)
    if datetime.combine(start, time()) < november < now:
        plan += [(november, 0, "calendar_check")]
    month = date(start.year, start.month, 1)
    while (month := (month + timedelta(days=32)).replace(day=1)) <= now.date():
        plan += [(datetime.combine(month, time(1, 0)), 2, "monthly_report")]
        plan += [(datetime.combine(month, time(1, 30)), 2, "leader_check")]
        if datetime.combine(month.replace(day=2), time(2, 0)) < now:
            plan += [(datetime.combine(month.replace(day=2), time(2, 0)), 3, "monthly_scoring")]
        plan += _submissions(work_calendar, (month - timedelta(days=1)).replace(day=1), due_workday, cast, rng)
    runs, since = 0, None
    for at, _order, work in sorted(plan, key=lambda item: (item[0], item[1])):
        if at >= now:
            continue
        if callable(work):
            since = work(session, at, since or datetime.combine(start, time()))
            continue
        record = job_runs.run(session, work, jobs.JOBS[work].run, at, lambda at=at: at, system)
        if record.outcome is not JobOutcome.ok:
            raise RuntimeError(f"demo history: job {work} at {at} failed:\n{record.error}")
        runs += 1
    return runs


def _follow_up(session, now: datetime, since: datetime) -> datetime:
    """The warning scan's notices for what happened in (since, now] (the lights stay as the cases
    were generated: the scheduler's first run rebuilds them at the real instant)."""
    jobs.follow_up(session, now, since)
    session.commit()
    return now


def _submissions(work_calendar, month: date, due_workday: int, cast: Cast, rng) -> list:
    """Plan entries for submitting `month`'s reports: most centers on or just before the due date;
    a LATE_SHARE of them some working days after it, once the late-report check has told the center."""
    due = reports.due_on(work_calendar, month, due_workday)
    on_time = due - timedelta(days=rng.randint(0, 2))
    if on_time < due.replace(day=1) or not work_calendar.is_workday(on_time):
        on_time = due
    late = work_calendar.add_workdays(due, rng.randint(1, 4))
    chosen: set[int] = set()  # ids of the reports left for later, drawn when the month's are submitted

    def submit(late_ones: bool):
        def run(session, at: datetime, since):
            manager = cast.accounts.get("manager")
            heads = cast.heads()  # a township center or sub-center submits its own report (seed 000)
            pending = session.scalars(
                sa.select(MonthlyReport)
                .where(MonthlyReport.month == month, MonthlyReport.submitted_at.is_(None))
                .order_by(MonthlyReport.id)
            ).all()
            for report in pending:
                if not late_ones and rng.random() < LATE_SHARE:
                    chosen.add(report.id)
                elif late_ones or report.id not in chosen:
                    if report.center_id in heads:
                        reports.submit_as(session, cast.acting(session, heads[report.center_id]), report, at)
                    else:
                        reports.submit(session, report, at, manager.name if manager else "中心管理员")
            session.commit()
            return since

        return run

    def office(day: date) -> datetime:
        return datetime.combine(day, time(10, 0)) + timedelta(minutes=rng.randint(0, 360))

    return [
        (office(on_time), 5, submit(False)),
        (datetime.combine(due + timedelta(days=1), time(9, 0)), 4, "report_check"),
        (office(late), 5, submit(True)),
    ]


def _read_old_notices(session, now: datetime, rng) -> int:
    """Notices older than UNREAD_DAYS read a few hours after they came (one UPDATE per instant
    they were written at: the replay writes them in batches)."""
    cutoff = now - timedelta(days=UNREAD_DAYS)
    instants = session.scalars(
        sa.select(Notice.created_at).where(Notice.read_at.is_(None), Notice.created_at < cutoff).distinct()
    ).all()
    read = 0
    for created in instants:
        read_at = min(created + timedelta(minutes=rng.randint(20, 600)), cutoff)
        read += session.execute(
            sa.update(Notice).where(Notice.created_at == created, Notice.read_at.is_(None)).values(read_at=read_at)
        ).rowcount
    session.commit()
    return read
