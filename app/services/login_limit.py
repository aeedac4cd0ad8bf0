"""The login limit: FAILED attempts counted per username and per client address, apart.

A hall of clerks logs in from one NAT address every morning: counting every login (FAB's
AUTH_RATE_LIMIT counts each POST to the login form) locked the hall out after ten of them.
Here only a wrong password (or an unknown username) counts, a username and an address each
against their own threshold within one window (settings `login_fail_user_limit`,
`login_fail_address_limit`, `login_fail_window_minutes`), and a successful login clears the
username's count. While either count is at its threshold the attempt is refused before the
password is checked, with a message that says when to try again.

The counts live in the rate limiter's storage (Flask-Limiter, `RATELIMIT_STORAGE_URI`): with
Redis they are shared by every gunicorn worker and host; when that store is unreachable each
worker counts in its own memory until it is back, as the other limits do. With rate limits off
(`RATELIMIT_ENABLED`, the test configuration) nothing is counted.
"""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy.orm import Session

from app.services import settings

log = logging.getLogger(__name__)

# Keys stay bounded whatever is typed into the username field.
MAX_KEY = 100
# When the shared store fails: this process's own counts.
_LOCAL = FixedWindowRateLimiter(MemoryStorage())


@dataclass(frozen=True)
class Limits:
    per_user: int
    per_address: int
    window_minutes: int

    @classmethod
    def from_settings(cls, session: Session) -> "Limits":
        return cls(
            per_user=int(settings.get(session, "login_fail_user_limit")),
            per_address=int(settings.get(session, "login_fail_address_limit")),
            window_minutes=int(settings.get(session, "login_fail_window_minutes")),
        )


class LoginLimit:
    """Failed-login counts in `strategy` (a `limits` rate limiter) under `prefix`."""

    def __init__(self, strategy, prefix: str, limits: Limits):
        self.strategy, self.prefix, self.limits = strategy, prefix, limits

    def _counters(self, username: str, address: str):
        window = self.limits.window_minutes
        return (
            ("user", RateLimitItemPerMinute(self.limits.per_user, window), (username or "").strip().lower()[:MAX_KEY]),
            ("address", RateLimitItemPerMinute(self.limits.per_address, window), (address or "")[:MAX_KEY]),
        )

    def _call(self, method, item, *identifiers):
        try:
            return getattr(self.strategy, method)(item, self.prefix, "login-failed", *identifiers)
        except Exception:  # the shared store is down: count locally rather than fail the login
            log.warning("login limit storage unreachable; counting in this process", exc_info=True)
            return getattr(_LOCAL, method)(item, self.prefix, "login-failed", *identifiers)

    def refusal(self, username: str, address: str, now: datetime) -> str | None:
        """Why this attempt is refused (a Chinese sentence with the time to try again), or None."""
        for kind, item, key in self._counters(username, address):
            if not self._call("test", item, kind, key):
                reset_epoch, _remaining = self._call("get_window_stats", item, kind, key)
                return message(kind, now, max(1, int(reset_epoch - time.time()) + 1))
        return None

    def failed(self, username: str, address: str) -> None:
        for kind, item, key in self._counters(username, address):
            self._call("hit", item, kind, key)

    def succeeded(self, username: str) -> None:
        kind, item, key = self._counters(username, "")[0]
        self._call("clear", item, kind, key)


def message(kind: str, now: datetime, seconds: int) -> str:
    """The refusal: who is locked and when to try again (Beijing time and minutes from now)."""
    again = now + timedelta(seconds=seconds)
    minutes = max(1, (seconds + 30) // 60)
    text = (
        _l(
            "Too many failed logins for this account. Try again after %(time)s (in about %(minutes)s minutes).",
            time=f"{again:%H:%M}",
            minutes=minutes,
        )
        if kind == "user"
        else _l(
            "Too many failed logins from this address. Try again after %(time)s (in about %(minutes)s minutes).",
            time=f"{again:%H:%M}",
            minutes=minutes,
        )
    )
    return str(text)
