"""Warning lights for a deadline (green / yellow / red). Pure."""

from datetime import datetime
from math import ceil

from app.services.workdays import WorkCalendar

# Defaults of the settings "warning_days" and "warning_ratio".
WARN_DAYS = 1
WARN_RATIO = 0.2


def light(
    deadline_at: datetime | None,
    limit_days: int,
    now: datetime,
    calendar: WorkCalendar,
    *,
    warn_days: int = WARN_DAYS,
    warn_ratio: float = WARN_RATIO,
) -> str | None:
    """red: past the deadline; yellow: inside the warning window (1 working day or 20% of the
    limit left, whichever starts first); green otherwise; None without a deadline."""
    if deadline_at is None:
        return None
    if now > deadline_at:
        return "red"
    left = calendar.workdays_between(now.date(), deadline_at.date())
    return "yellow" if left <= max(warn_days, ceil(limit_days * warn_ratio)) else "green"
