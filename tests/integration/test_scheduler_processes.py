"""Real `flask scheduler` processes: of two started at once one runs the jobs, the
other waits on the lease and takes over when the first stops; one started while
the database cannot be reached waits and starts when it can."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
STARTED, WAITING, UNREACHABLE = "调度进程已启动", "正在运行，等待中", "数据库暂时无法访问"


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


def _stop(process, signum=signal.SIGINT):
    if process.poll() is None:
        process.send_signal(signum)
        try:
            # A job may be finishing its transaction; beside CI's browser tests that took more than 20 s once.
            process.wait(timeout=60)
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
        # The winner stops as systemd stops it and gives the lease up: the waiting one takes it
        # well before the lease would have run out, and runs its own first scan.
        _stop(processes[winner], signal.SIGTERM)
        assert processes[winner].returncode == 0
        assert _wait_for(lambda: _warning_scans(scratch_url) == 2, timeout=30), logs[1 - winner].read_text()
        assert STARTED in logs[1 - winner].read_text()
    finally:
        for process in processes:
            _stop(process)


class Forwarder:
    """A loopback port that leads to the database server once opened; until then nothing listens
    there and every connection is refused, as during an outage."""

    def __init__(self, target):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.target, self.server = target, None

    def open(self):
        self.server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client = self.server.accept()[0]
            except OSError:
                return  # closed
            upstream = socket.create_connection(self.target)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        with source, sink:
            while data := source.recv(65536):
                sink.sendall(data)

    def close(self):
        if self.server is not None:
            self.server.close()


def test_a_scheduler_started_while_the_database_is_unreachable_waits_and_starts_when_it_is_back(
    scratch_app, scratch_url, tmp_path
):
    url = make_url(scratch_url)
    forwarder = None
    if url.get_backend_name() == "sqlite":
        # The database's folder is not there yet ("unable to open database file"); a link brings it.
        later = tmp_path / "later"
        unreachable = url.set(database=str(later / Path(url.database).name))

        def bring_back():
            later.symlink_to(Path(url.database).parent)
    else:
        forwarder = Forwarder((url.host or "127.0.0.1", url.port or 5432))
        unreachable = url.set(host="127.0.0.1", port=forwarder.port)
        bring_back = forwarder.open
    log = tmp_path / "scheduler.log"
    process = _start(unreachable.render_as_string(hide_password=False), tmp_path, log)
    try:
        assert _wait_for(lambda: UNREACHABLE in log.read_text()), log.read_text()
        time.sleep(6)  # a retry or two, still waiting
        assert process.poll() is None and _warning_scans(scratch_url) == 0, log.read_text()
        bring_back()
        assert _wait_for(lambda: _warning_scans(scratch_url) == 1, timeout=40), log.read_text()
        text = log.read_text()
        assert STARTED in text and "Traceback" not in text and text.count(UNREACHABLE) == 1, text
    finally:
        _stop(process)
        if forwarder is not None:
            forwarder.close()
    assert process.returncode == 0, log.read_text()
