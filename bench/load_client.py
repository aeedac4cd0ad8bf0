"""The load test's HTTP side: a paced request budget, a cookie-keeping client, latency stats.

Standard library only (http.client). Every request goes to 127.0.0.1; a client may
send from another loopback address (127.0.0.0/8) so that simulated citizens and
staff workstations are separate clients for the per-address rate limits.
"""

import http.client
import ipaddress
import json
import re
import statistics
import threading
import time
from collections import Counter, defaultdict
from http.cookies import SimpleCookie
from urllib.parse import urlencode

HOST = "127.0.0.1"
LOOPBACK = ipaddress.ip_network("127.0.0.0/8")
LOCKED = "database is locked"
_CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"|value="([^"]+)"[^>]*?name="csrf_token"')


class OutOfBudget(Exception):
    """The deadline passed or the request cap was reached: the load stops."""


class Budget:
    """At most `rate` requests a second (a short catch-up burst allowed), until `deadline`
    (time.monotonic) and at most `max_requests` in all."""

    def __init__(self, rate: float, deadline: float, max_requests: int):
        self.interval, self.deadline, self.max_requests = 1.0 / rate, deadline, max_requests
        self.lock = threading.Lock()
        self.next_slot = time.monotonic()
        self.taken = 0
        self.stopped = threading.Event()

    def take(self) -> None:
        with self.lock:
            now = time.monotonic()
            if self.stopped.is_set() or self.taken >= self.max_requests or now >= self.deadline:
                self.stopped.set()
                raise OutOfBudget
            self.next_slot = max(self.next_slot, now - 1.0)
            slot = self.next_slot
            self.next_slot += self.interval
            self.taken += 1
        if slot >= self.deadline:
            self.stopped.set()
            raise OutOfBudget
        delay = slot - time.monotonic()
        if delay > 0:
            time.sleep(delay)


class Stats:
    """Per request type: latencies, status codes; 5xx and "database is locked" samples."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)
        self.status = defaultdict(Counter)
        self.events = Counter()
        self.samples = []
        self.locked = 0
        self.first = self.last = None

    def record(self, kind, method, path, status, ms, text, started, ended):
        with self.lock:
            self.latency[kind].append(ms)
            self.status[kind][status] += 1
            self.first = started if self.first is None else min(self.first, started)
            self.last = ended if self.last is None else max(self.last, ended)
            if LOCKED in text:
                self.locked += 1
            if (status >= 500 or LOCKED in text) and len(self.samples) < 20:
                self.samples.append(f"{status} {method} {path}: {text[:600]}")

    def count(self, name, n=1):
        with self.lock:
            self.events[name] += n

    def total(self, prefix=""):
        return sum(len(v) for k, v in self.latency.items() if k.startswith(prefix))

    def server_errors(self):
        return sum(n for codes in self.status.values() for code, n in codes.items() if code >= 500)

    def table(self):
        rows = []
        for kind in sorted(self.latency):
            values = sorted(self.latency[kind])
            p95 = values[max(0, int(len(values) * 0.95 + 0.5) - 1)]
            codes = " ".join(f"{code}:{n}" for code, n in sorted(self.status[kind].items()))
            rows.append(f"{kind:<28}{len(values):>7}{statistics.median(values):>9.1f}{p95:>9.1f}  {codes}")
        return "\n".join([f"{'request type':<28}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}  status codes", *rows])


class Client:
    """One browser: its own cookies and source address. Thread-safe (a staff member's
    session may be used by several threads at once, like several tabs)."""

    def __init__(self, port: int, stats: Stats, budget: Budget | None, source: str = HOST, timeout: float = 60):
        if ipaddress.ip_address(source) not in LOOPBACK:
            raise ValueError(f"{source} is not a loopback address")
        self.port, self.stats, self.budget, self.source, self.timeout = port, stats, budget, source, timeout
        self.cookies = {}
        self.lock = threading.Lock()
        self.csrf = None

    def request(self, kind, method, path, *, form=None, json_body=None, headers=None, paced=True):
        """(status, headers, text); counted under `kind`. Raises OutOfBudget when the load is over."""
        if paced and self.budget is not None:
            self.budget.take()
        body, sent = None, dict(headers or {})
        if form is not None:
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        with self.lock:
            if self.cookies:
                sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent.setdefault("Accept-Language", "zh")
        connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout, source_address=(self.source, 0))
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            raw = response.read()
            status, got = response.status, response.headers
        except (OSError, http.client.HTTPException) as exc:
            raw, status, got = repr(exc).encode(), 599, {}
        finally:
            connection.close()
        ended = time.monotonic()
        text = raw.decode("utf-8", "replace")
        self.stats.record(kind, method, path, status, (ended - started) * 1000, text, started, ended)
        if got:
            self._keep_cookies(got.get_all("Set-Cookie") or [])
        return status, got, text

    def _keep_cookies(self, lines):
        with self.lock:
            for line in lines:
                jar = SimpleCookie()
                jar.load(line)
                for name, morsel in jar.items():
                    expired = morsel["max-age"] == "0" or "1970" in (morsel["expires"] or "")
                    if expired or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value


def csrf_token(text: str) -> str | None:
    found = _CSRF.search(text)
    return (found.group(1) or found.group(2)) if found else None
