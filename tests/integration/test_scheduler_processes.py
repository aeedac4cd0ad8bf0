"""Two real `flask scheduler` processes started at once: one runs the jobs, the
other waits on the lock (a lock file on SQLite, an advisory lock on PostgreSQL)
and takes over when the first stops."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
STARTED, WAITING = "调度进程已启动", "另一个调度进程正在运行，等待中"


def _warning_scans(url):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT count(*) FROM job_run WHERE job = 'warning_scan'")).scalar()
    finally:
        engine.dispose()


def _wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def _start(url, instance, log):
    env = {**os.environ, "DATABASE_URL": url, "GOVHALL_INSTANCE_DIR": str(instance), "PYTHONUNBUFFERED": "1"}
    with log.open("w") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "run", "scheduler"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def _stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_two_schedulers_run_each_job_once_and_the_second_takes_over(scratch_app, scratch_url, tmp_path):
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    processes = [_start(scratch_url, tmp_path, log) for log in logs]
    try:
        assert _wait_for(lambda: _warning_scans(scratch_url) >= 1), "no scheduler ran the warning scan"
        time.sleep(4)  # time enough for the other process to run it too, if the lock let it
        assert _warning_scans(scratch_url) == 1
        texts = [log.read_text() for log in logs]
        assert sorted(STARTED in text for text in texts) == [False, True], texts
        winner = texts.index(next(text for text in texts if STARTED in text))
        assert WAITING in texts[1 - winner]
        # The winner stops; the waiting one takes the lock and runs its own first scan.
        _stop(processes[winner])
        assert _wait_for(lambda: _warning_scans(scratch_url) == 2, timeout=40), logs[1 - winner].read_text()
        assert STARTED in logs[1 - winner].read_text()
    finally:
        for process in processes:
            _stop(process)
