"""The calendar as the application uses it: loaded from the database, cached, reloaded on edit."""

import threading
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.models.calendar import DayKind, WorkCalendarDay
from app.models.notice import NoticeKind
from app.models.system import Setting
from app.services import notices
from app.services.workdays import CalendarException, WorkCalendar, from_chinese_calendar
from config import ROLE_DUTIES

_lock = threading.Lock()
# (database URL) -> (revision, calendar). Each worker process keeps its own copy
# and rebuilds it when the revision stored in the database moves on.
_cache: dict[str, tuple[str, WorkCalendar]] = {}
REVISION_KEY = "calendar_revision"


def load(session: Session) -> WorkCalendar:
    """The current calendar: one tiny query to check the revision, a rebuild only after an edit."""
    key = str(session.get_bind().url)
    revision = session.scalar(sa.select(Setting.value).where(Setting.key == REVISION_KEY)) or "0"
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == revision:
            return cached[1]
    rows = session.execute(sa.select(WorkCalendarDay.day, WorkCalendarDay.kind, WorkCalendarDay.name)).all()
    exceptions = [CalendarException(day, kind is DayKind.workday, name) for day, kind, name in rows]
    calendar = WorkCalendar(exceptions, {e.day.year for e in exceptions})
    with _lock:
        _cache[key] = (revision, calendar)
    return calendar


def _bump_revision(session, flush_context):
    """Any change to the calendar moves the revision on, in the same transaction."""
    if session.info.get("govhall_bumping"):
        return
    if any(isinstance(obj, WorkCalendarDay) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info["govhall_bumping"] = True
        try:
            bump(session)
        finally:
            session.info.pop("govhall_bumping", None)


def bump(session: Session) -> None:
    """Mark the calendar changed (also for bulk statements that bypass the ORM)."""
    # Core statements on the session's connection: legal inside after_flush, and the
    # counter is bookkeeping, not an edit worth an audit entry.
    table = Setting.__table__
    connection = session.connection()
    updated = connection.execute(
        sa.update(table)
        .where(table.c.key == REVISION_KEY)
        .values(value=sa.cast(sa.cast(table.c.value, sa.Integer) + 1, sa.String(500)))
    ).rowcount
    if not updated:
        connection.execute(sa.insert(table).values(key=REVISION_KEY, value="1", version=1))


def install(session_class) -> None:
    if not event.contains(session_class, "after_flush", _bump_revision):
        event.listen(session_class, "after_flush", _bump_revision)


def import_exceptions(session: Session, exceptions: list[CalendarException], *, replace_years=True) -> dict:
    """Write a year's schedule (or several). Each year present is replaced whole; caller commits."""
    years = sorted({e.day.year for e in exceptions})
    if replace_years and years:
        for year in years:
            session.execute(
                sa.delete(WorkCalendarDay).where(
                    WorkCalendarDay.day >= date(year, 1, 1), WorkCalendarDay.day <= date(year, 12, 31)
                )
            )
        bump(session)
    session.add_all(
        WorkCalendarDay(day=e.day, kind=DayKind.workday if e.is_workday else DayKind.holiday, name=e.name)
        for e in exceptions
    )
    session.flush()
    return {"years": years, "days": len(exceptions)}


def seed_official(session: Session) -> int:
    """Load every year the chinesecalendar package knows and the table lacks; returns days added."""
    present = {day.year for day in session.scalars(sa.select(WorkCalendarDay.day))}
    missing = [e for e in from_chinese_calendar() if e.day.year not in present]
    if missing:
        import_exceptions(session, missing, replace_years=False)
    return len(missing)


def year_rows(session: Session, year: int) -> list[WorkCalendarDay]:
    return list(
        session.scalars(
            sa.select(WorkCalendarDay)
            .where(WorkCalendarDay.day >= date(year, 1, 1), WorkCalendarDay.day <= date(year, 12, 31))
            .order_by(WorkCalendarDay.day)
        )
    )


def missing_next_year(calendar, today: date) -> int | None:
    """From 1 November on, the coming year if its official schedule is not loaded yet.

    The State Council publishes it each November or December; until it is
    imported, deadlines in that year are computed on weekdays and flagged.
    """
    if today.month >= 11 and today.year + 1 not in calendar.confirmed_years:
        return today.year + 1
    return None


def check_next_year(session: Session, now: datetime) -> int:
    """The calendar check: tell every Admin once while next year is missing; once it
    is loaded, the notice is marked read. Returns notices written or resolved."""

    year = missing_next_year(load(session), now.date())
    if year is None:
        return notices.resolve(session, f"calendar:{now.year + 1}", now)
    admins = notices.users_with_roles(*ROLE_DUTIES["calendar_notices"])
    return notices.insert(
        session.connection(),
        NoticeKind.calendar_missing,
        sa.select(
            admins.c.user_id,
            sa.literal(f"calendar:{year}").label("key"),
            sa.cast(sa.null(), sa.Integer).label("case_id"),
            sa.literal(f"{year} 年节假日安排未导入").label("detail"),
        ),
        now,
    )
