"""Warning lights for a deadline (green / yellow / red). Pure.

Yellow starts when at most T working days are left, T being the larger of the
configured days (default 1) and the share of the limit (default 20 %), so the
warning starts at whichever point comes first. The instant it starts is stored
on the case (`warn_at`) beside the deadline, which turns the periodic scan into
two index range queries.
"""

from datetime import datetime, time
from math import ceil

from app.services.workdays import WorkCalendar

# Defaults of the settings "warning_days" and "warning_ratio".
WARN_DAYS = 1
WARN_RATIO = 0.2


def warn_at(
    deadline_at: datetime,
    limit_days: int,
    calendar: WorkCalendar,
    *,
    warn_days: int = WARN_DAYS,
    warn_ratio: float = WARN_RATIO,
) -> datetime:
    threshold = max(warn_days, ceil(limit_days * warn_ratio))
    return datetime.combine(calendar.workday_before(deadline_at.date(), threshold), time.min)


def light(
    deadline_at: datetime | None,
    limit_days: int,
    now: datetime,
    calendar: WorkCalendar,
    *,
    warn_days: int = WARN_DAYS,
    warn_ratio: float = WARN_RATIO,
) -> str | None:
    """red: past the deadline; yellow: inside the warning window; green otherwise; None without a deadline."""
    if deadline_at is None:
        return None
    if now > deadline_at:
        return "red"
    start = warn_at(deadline_at, limit_days, calendar, warn_days=warn_days, warn_ratio=warn_ratio)
    return "yellow" if now >= start else "green"
