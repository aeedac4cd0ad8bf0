"""Time in GovHall: Asia/Shanghai, stored naive.

China has one time zone and no daylight saving, so the database stores naive
local times (what a clerk reads on the wall clock) and this module is the one
place that converts. Services never call `now()`: they receive `now` from the
caller so every time rule is testable with a fixed instant.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """The current instant as naive Asia/Shanghai time (for callers at the edge only)."""
    return datetime.now(TZ).replace(tzinfo=None, microsecond=0)


def now_aware() -> datetime:
    """The current instant with its +08:00 offset (for schedulers and other libraries)."""
    return datetime.now(TZ).replace(microsecond=0)


def to_local_naive(value: datetime) -> datetime:
    """Aware → naive Asia/Shanghai; naive values are taken as already local."""
    if value.tzinfo is None:
        return value
    return value.astimezone(TZ).replace(tzinfo=None)


def isoformat(value: datetime) -> str:
    """ISO 8601 with the +08:00 offset, as printed to users and APIs."""
    return value.replace(tzinfo=TZ).isoformat()
