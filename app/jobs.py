"""Scheduled jobs: each a thin call into a service with an explicit `now`.

The APScheduler process that calls them on a timetable is wired here too as it
lands (issue 4); `flask jobs run NAME --now ISO` runs any job once.
"""

from sqlalchemy.orm import Session

from app.services import job_runs, warning_scan


def warning_scan_job(session: Session, now):
    since = job_runs.last_success(session, "warning_scan")
    if since is None:
        return warning_scan.rebuild(session, now)
    return warning_scan.scan(session, now, since)


JOBS = {"warning_scan": warning_scan_job}
