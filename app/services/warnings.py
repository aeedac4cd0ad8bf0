"""When a deadline's warning starts (the yellow light; services/case_light.py applies it). Pure.

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
