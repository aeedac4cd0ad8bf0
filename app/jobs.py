"""Scheduled jobs: each a thin call into services with an explicit `now`.

`app/scheduler.py` puts them on their timetable; `flask jobs run NAME
--now ISO` runs any one once.
"""

from flask import current_app
from sqlalchemy.orm import Session

from app.services import (
    backup,
    calendar,
    complaints,
    escalation,
    evaluations,
    job_runs,
    personnel,
    rectifications,
    reports,
    settings,
    step_scan,
    warning_scan,
)


def warning_scan_job(session: Session, now, *, full=False):
    """Lights, overdue events and violations, then who must hear about them.
    The first run, or `full`, rebuilds every light instead of the routine range."""
    since = job_runs.last_success(session, "warning_scan")
    if full or since is None:
        rows = warning_scan.rebuild(session, now) + step_scan.backfill_step_due(session, calendar.load(session))
        since = None
    else:
        rows = warning_scan.scan(session, now, since)
    return rows + follow_up(session, now, since)


def follow_up(session: Session, now, since):
    """Who must hear about red cases, extensions, steps past their share and expired supplement
    limits, for what happened in (since, now]; everything when `since` is None."""
    work_calendar = calendar.load(session)

    def number(key):
        return int(settings.get(session, key))

    rows = escalation.notify(
        session,
        now,
        work_calendar,
        since,
        chief_days=number("escalate_chief_days"),
        center_days=number("escalate_center_days"),
    )
    rows += escalation.notify_extensions(session, now, since)
    rows += step_scan.scan_steps(session, now, since)
    rows += step_scan.scan_supplements(session, now, work_calendar, limit_days=number("supplement_limit_days"))
    return rows


def calendar_check_job(session: Session, now):
    return calendar.check_next_year(session, now)


def monthly_report_job(session: Session, now):
    """On the 1st: last month's report for every reporting center that has none yet."""
    return reports.generate_missing(
        session,
        now,
        calendar=calendar.load(session),
        due_workday=int(settings.get(session, "report_due_workday")),
        actor_name="系统",
    )


def report_check_job(session: Session, now):
    return reports.flag_late(session, now)


def feedback_scan_job(session: Session, now):
    """Default ratings for cases left unrated, then rectifications and complaint stages past their limits."""
    since = job_runs.last_success(session, "feedback_scan")
    rows = evaluations.apply_defaults(
        session,
        now,
        since,
        days=int(settings.get(session, "evaluation_default_days")),
        level=int(settings.get(session, "evaluation_default_level")),
    )
    rows += rectifications.flag_overdue(session, now)
    return rows + complaints.flag_overdue(session, now, since)


def monthly_scoring_job(session: Session, now):
    """On the 2nd: last month's automatic records and scores; after a quarter's last month, the quarter."""
    from app.services import scoring_month, scoring_periods
    from app.services.monthly_report import previous_month

    month = previous_month(now.date())
    rows = scoring_month.run_month(session, month, now)
    quarter = scoring_periods.finished_quarter(month)
    return rows + (scoring_periods.assess_quarter(session, quarter, now) if quarter else 0)


def personnel_changes_job(session: Session, now):
    """Approved personnel changes whose date has come take effect."""
    return personnel.apply_due_changes(session, now)


def backup_job(session: Session, now):
    """The daily online backup, keeping the newest `backup_keep`."""
    backup.backup_kept(session, current_app.config["BACKUP_DIR"], now)
    return 1


JOBS = {
    "backup": backup_job,
    "monthly_scoring": monthly_scoring_job,
    "warning_scan": warning_scan_job,
    "calendar_check": calendar_check_job,
    "monthly_report": monthly_report_job,
    "report_check": report_check_job,
    "feedback_scan": feedback_scan_job,
    "personnel_changes": personnel_changes_job,
}
