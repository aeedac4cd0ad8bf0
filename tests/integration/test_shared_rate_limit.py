"""Rate limits shared by several gunicorn workers through Redis.

gunicorn -w 4 on loopback with RATELIMIT_STORAGE_URI=redis://…: twenty
concurrent progress queries from one citizen, spread over the workers, get
exactly the configured five answers and 429 for the rest. Without Redis each
worker would count alone and let up to four times as many through.

Redis is a service of the machine CI runs on: the test skips locally without
it and fails under CI.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379/0"
LIMIT = 5
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_ACCESS = re.compile(r"^<(\d+)> (\d{3}) (\S+) (\S+)$")


def _redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REDIS}")
        pytest.skip(f"Redis is not reachable at {REDIS}")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def workers(scratch_app, scratch_url, tmp_path):
    _redis_or_skip()
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "GOVHALL_ENV"},
        "DATABASE_URL": scratch_url,
        "GOVHALL_INSTANCE_DIR": str(tmp_path),
        "RATELIMIT_STORAGE_URI": REDIS,
        "RATELIMIT_KEY_PREFIX": f"govhall-test-{uuid.uuid4().hex}",  # a fresh count per run
        "GOVHALL_PORTAL_QUERY_LIMIT": f"{LIMIT} per 10 minute",
    }
    log = tmp_path / "access.log"
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        *("-w", "4", "-b", f"127.0.0.1:{port}", "--timeout", "60"),
        *("--access-logfile", str(log), "--access-logformat", "%(p)s %(s)s %(m)s %(U)s"),
        "app:create_app()",
    ]
    base = f"http://127.0.0.1:{port}"
    with (tmp_path / "error.log").open("w") as errors:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        try:
            _wait_ready(base, server)
            yield base, log
        finally:
            server.terminate()
            server.wait(timeout=30)


def _wait_ready(base, server, timeout=60):
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        assert server.poll() is None, "gunicorn exited"
        try:
            with urllib.request.urlopen(f"{base}/portal/progress", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("gunicorn did not answer in time")


def test_four_workers_share_one_portal_query_limit_through_redis(workers):
    base, log = workers
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with opener.open(f"{base}/portal/progress", timeout=10) as response:
        token = _CSRF.search(response.read().decode()).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "number": "XZ-20261124-00001", "factor": "1234"}).encode()

    def query(_):
        try:
            with opener.open(f"{base}/portal/progress", data=body, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as refused:
            return refused.code

    # A quick worker may take every connection: query on until two workers have answered.
    codes, served = [], set()
    with ThreadPoolExecutor(max_workers=4) as pool:
        while len(served) < 2 and len(codes) < 200:
            codes += pool.map(query, range(20))
            time.sleep(0.3)  # gunicorn writes its access log after each response
            served = {pid for pid, _status, method, _path in _access(log) if method == "POST"}

    assert len(served) >= 2, "every query landed on one worker: nothing was shown to be shared"
    # Counted alone, each further worker would have answered up to LIMIT more.
    assert sorted(codes) == [200] * LIMIT + [429] * (len(codes) - LIMIT), codes


def _access(log):
    return [m.groups() for m in map(_ACCESS.match, log.read_text().splitlines()) if m]
