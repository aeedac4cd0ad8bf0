"""A bounded load test on loopback: gunicorn + one scheduler, killed once mid-scan.

    python -m bench.load [--minutes 10] [--rate 20] [--cases 20000] [--threads 8] [--rebuild]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/loadtest python -m bench.load --minutes 1
    RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 python -m bench.load   # limits shared by the workers

1. Builds (or reuses) bench/data/load.db, or the DATABASE_URL database: migrations,
   `govhall init`, the demo county, N generated cases (the last days before now
   left for the warning scan to find), setting warning_scan_minutes = 1.
2. Starts `gunicorn -w 4 -b 127.0.0.1:<free port> 'app:create_app()'` and one
   `flask --app run scheduler`, development config (CSRF on, rate limits on),
   GOVHALL_ENV unset, DATABASE_URL and GOVHALL_INSTANCE_DIR set
   (bench/data/load-instance/).
3. Drives at least --rate requests/s for --minutes: case lists as window staff,
   chief representative and supervisor; case actions through the REST API as
   window staff of the case's department (forward, request_supplement,
   receive_supplement, complete; current version; some replays and concurrent
   pairs with one version, which must never both win); portal progress queries.
   Stops at the deadline or at --max-requests, whichever comes first.
4. SIGKILLs the scheduler while its first warning scan runs, starts another
   (it takes over when the killed one's lease runs out, within a minute),
   and after the load waits for a scan that started after it.
5. Prints per request type count and p50/p95, the achieved rate, 5xx, "database
   is locked" in responses and logs, 409s; then checks every case (events against
   versions, the status chain, one overdue event/violation/notice per red case).
   Exits 1 on any FAIL.

Rate limits stay on as configured (failed logins 5 per account and 30 per address
in 15 minutes — successful ones never count —, portal queries 10 per 5 minutes per
client address, in each worker's memory or in the shared store
RATELIMIT_STORAGE_URI names): each
simulated staff workstation and citizen sends from its own loopback address
(127.0.0.0/8; the server is always 127.0.0.1), so the test's few logins and its
portal queries are never limited, and a 429 is counted as a failure.
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from bench.common import DATA_DIR, database_url
from bench.load_client import HOST, LOCKED, Budget, Client, OutOfBudget, Stats, csrf_token

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
INSTANCE_DIR = DATA_DIR / "load-instance"
# Generated cases stop this long before now: the deadlines in between are the scan's work.
BACKDATE = timedelta(days=3)
ACTIONS = {"forward": 40, "request_supplement": 20, "receive_supplement": 25, "complete": 15}
MIX = {"list": 40, "action": 35, "portal": 25}
RUNNING = ("accepted", "in_progress")
_CANDIDATES = "SELECT id FROM \"case\" WHERE department_id = :d AND kind != 'joint' AND "
POOL_QUERIES = {
    "running": sa.text(_CANDIDATES + "status IN ('accepted', 'in_progress')"),
    "suspended": sa.text(_CANDIDATES + "status = 'suspended' AND suspend_reason = 'supplement'"),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=20, help="requests per second (at least)")
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--max-requests", type=int, help="hard cap (default: 1.2 × rate × duration)")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not 0 < args.minutes <= 60 or not 0 < args.rate <= 200 or not 1 <= args.threads <= 64:
        parser.error("bounded: --minutes in (0, 60], --rate in (0, 200], --threads in [1, 64]")
    max_requests = args.max_requests or int(args.rate * args.minutes * 60 * 1.2) + 50
    url = database_url("load.db")
    dialect = sa.engine.make_url(url).get_backend_name()
    print(f"load test: {dialect}, {args.minutes:g} min at {args.rate:g} req/s, {args.threads} threads")

    app = _harness_app(url)
    with app.app_context():
        from app.extensions import db

        fresh = build(app, args.cases, args.rebuild)
        engine = db.engine
    world = World.load(engine)
    baseline = case_snapshot(engine)
    prepare_scheduler_state(engine)

    logs = DATA_DIR / f"load-logs-{dialect}"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "GOVHALL_ENV"}
    env.update(DATABASE_URL=url, GOVHALL_INSTANCE_DIR=str(INSTANCE_DIR), PYTHONUNBUFFERED="1")
    # A shared store (RATELIMIT_STORAGE_URI=redis://…) outlives a run: each run counts afresh.
    env.setdefault("RATELIMIT_KEY_PREFIX", f"govhall-load-{os.getpid()}-{int(time.time())}")
    print(f"rate-limit storage: {env.get('RATELIMIT_STORAGE_URI', 'memory:// (each worker alone)')}")
    processes = Processes(env, logs)
    checks = Checks()
    stats = Stats()
    try:
        port = _free_port()
        processes.start(
            "gunicorn",
            [str(BIN / "gunicorn"), "-w", "4", "-b", f"{HOST}:{port}", "--timeout", "60", "app:create_app()"],
        )
        _wait_ready(port, processes)
        staff = log_in(port, stats, world, app.config["DEMO_PASSWORD"])
        kill = SchedulerKill(engine, processes)
        kill.start()
        started = time.monotonic()
        deadline = started + args.minutes * 60
        budget = Budget(args.rate * 1.04, deadline, max_requests)
        for client in staff.values():
            client.budget = budget  # logins were unpaced; from here every request counts against the budget
        load = Load(port, stats, budget, world, staff, engine, args.seed)
        load.run(args.threads)
        load_ended = time.monotonic()
        kill.join(timeout=90)
        wall_end = _now()
        print(f"load done in {load_ended - started:.1f} s; waiting for a warning scan that starts after it …")
        after = wait_for_scan_after(engine, wall_end, timeout=world.scan_minutes * 60 + 90)
    finally:
        processes.stop_all()

    # ------------------------------------------------------------------ report
    print()
    print(stats.table())
    elapsed = max(1e-9, (stats.last or 1) - (stats.first or 0))
    measured = stats.total() - stats.total("login") - stats.total("warmup")
    window = load_ended - started
    rate = measured / window if window > 0 else 0
    five = stats.server_errors()
    logged_locked = grep_logs(logs, LOCKED)
    print(f"\nrequests in the load: {measured} in {window:.1f} s = {rate:.1f} req/s (target {args.rate:g})")
    print(f"all requests {stats.total()} in {elapsed:.1f} s; 5xx {five}")
    print(f"'{LOCKED}': in responses {stats.locked}, in log lines {logged_locked}")
    for name, n in sorted(stats.events.items()):
        print(f"  {name:<40}{n:>7}")
    for sample in stats.samples:
        print("  sample:", sample)

    checks.add("achieved rate ≥ target", rate >= args.rate * 0.99, f"{rate:.1f} req/s")
    checks.add("no 5xx", five == 0, str(five))
    checks.add(
        f"no '{LOCKED}' (responses, gunicorn and scheduler logs)",
        stats.locked + logged_locked == 0,
        f"{stats.locked} + {logged_locked}",
    )
    checks.add(
        "no 429 (the test's own logins and queries are not rate-limited)",
        sum(c[429] for c in stats.status.values()) == 0,
    )
    checks.add(
        "no transport errors / unexpected statuses",
        stats.events["unexpected status"] == 0,
        str(stats.events["unexpected status"]),
    )
    checks.add(
        "replays and concurrent pairs never both win (no lost update)",
        stats.events["LOST UPDATE: replay won"] + stats.events["LOST UPDATE: both of a pair won"] == 0,
    )
    checks.add(
        "portal: every right number+digits finds its case, every wrong one does not",
        stats.events["portal: wrong answer"] == 0,
    )
    checks.add("scheduler killed mid-scan (its JobRun left 'running')", kill.mid_job, kill.note)
    runs_check(engine, checks, kill, after)
    consistency(engine, baseline, stats, checks, fresh)
    print()
    print(checks.summary())
    sys.exit(0 if checks.passed else 1)


# ---------------------------------------------------------------------- build


def _harness_app(url):
    from app import create_app

    # The harness only builds and reads; the servers run the development config.
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "FAB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})


def build(app, count, rebuild):
    from flask_migrate import downgrade, upgrade

    from app import clock
    from app.cli import init_database, seed_demo_data
    from app.extensions import db
    from app.services.case_flow import Clock
    from app.services.demo.cases import generate_cases

    upgrade()
    present = db.session.scalar(sa.text('SELECT count(*) FROM "case"'))
    running = db.session.scalar(
        sa.text("SELECT count(*) FROM \"case\" WHERE status IN ('accepted', 'in_progress') AND kind != 'joint'")
    )
    db.session.remove()
    if present >= count and running >= 200 and not rebuild:
        print(f"reusing {present} cases ({running} running)")
        return False
    started = time.perf_counter()
    if db.engine.dialect.name == "sqlite":
        db.engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(str(db.engine.url.database) + suffix).unlink(missing_ok=True)
    else:
        downgrade(revision="base")
    upgrade()
    init_database()
    seed_demo_data()
    now = clock.now() - BACKDATE
    with db.engine.begin() as conn:
        generated = generate_cases(
            conn, year_start=now - timedelta(days=365), count=count, clock=Clock.load(db.session), now=now, seed=2026
        )
    with db.engine.begin() as conn:
        conn.execute(sa.text("ANALYZE"))
    db.session.remove()
    print(f"built: {generated['cases']} cases, {generated['events']} events in {time.perf_counter() - started:.1f} s")
    return True


def prepare_scheduler_state(engine):
    """warning_scan every minute; no earlier scan, so the first one is a full rebuild (the run to kill)."""
    with engine.begin() as conn:
        updated = conn.execute(
            sa.text("UPDATE setting SET value = '1', version = version + 1 WHERE key = 'warning_scan_minutes'")
        ).rowcount
        if not updated:
            raise SystemExit("setting warning_scan_minutes missing: run `flask govhall init`")
        conn.execute(sa.text("DELETE FROM job_run WHERE job = 'warning_scan'"))
        # No scheduler runs yet: a lease left by an earlier, interrupted load test is void.
        conn.execute(sa.text("UPDATE scheduler_lock SET holder = NULL, lease_until = NULL"))


class World:
    """What the load picks from: staff logins by role and department, cases for the portal."""

    @classmethod
    def load(cls, engine):
        self = cls()
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT u.username, r.name AS role, s.department_id, s.id AS staff_id FROM ab_user u "
                    "JOIN ab_user_role ur ON ur.user_id = u.id JOIN ab_role r ON r.id = ur.role_id "
                    "LEFT JOIN staff s ON s.user_id = u.id WHERE u.active"
                )
            ).all()
            busiest = [
                row.department_id
                for row in conn.execute(
                    sa.text(
                        'SELECT department_id, count(*) AS n FROM "case" WHERE status IN '
                        "('accepted', 'in_progress', 'suspended') AND kind != 'joint' "
                        "GROUP BY department_id ORDER BY n DESC"
                    )
                )
            ]
            self.portal_cases = [
                tuple(row)
                for row in conn.execute(
                    sa.text(
                        'SELECT number, applicant_id_number, applicant_phone FROM "case" ORDER BY id DESC LIMIT 5000'
                    )
                )
            ]
            self.matters = [r[0] for r in conn.execute(sa.text('SELECT DISTINCT matter_id FROM "case" LIMIT 50'))]
            self.scan_minutes = int(
                conn.execute(sa.text("SELECT value FROM setting WHERE key = 'warning_scan_minutes'")).scalar()
            )
        staff_by_dept = defaultdict(list)
        chiefs = {}
        for row in rows:
            if row.role == "WindowStaff" and row.department_id:
                staff_by_dept[row.department_id].append(row.username)
            if row.role == "ChiefRep" and row.department_id:
                chiefs.setdefault(row.department_id, row.username)
        # Two departments with the most open cases and two window staff each (pairs act at once).
        self.departments = [d for d in busiest if len(staff_by_dept[d]) >= 2][:2]
        if not self.departments:
            raise SystemExit("no department with two window staff and open cases")
        self.window_staff = {d: sorted(staff_by_dept[d])[:2] for d in self.departments}
        self.chief = chiefs[self.departments[0]]
        self.supervisor = next(r.username for r in rows if r.role == "Supervisor")
        return self


def case_snapshot(engine):
    """Per case (version, events, overdue events), and the last event id, before the load."""
    with engine.connect() as conn:
        max_event = conn.execute(sa.text("SELECT coalesce(max(id), 0) FROM case_event")).scalar()
        counts = {
            row.case_id: (row.n, row.overdue)
            for row in conn.execute(
                sa.text(
                    "SELECT case_id, count(*) AS n, sum(CASE WHEN action = 'overdue' THEN 1 ELSE 0 END) AS overdue "
                    "FROM case_event GROUP BY case_id"
                )
            )
        }
        versions = dict(conn.execute(sa.text('SELECT id, version FROM "case"')).all())
    return {"max_event": max_event, "versions": versions, "counts": counts}


# ---------------------------------------------------------------------- processes


class Processes:
    """Subprocesses this test started, each in its own session; stopped by pid/pgid only."""

    def __init__(self, env, logs):
        self.env, self.logs = env, logs
        self.running = {}
        self.count = Counter()

    def start(self, name, argv):
        self.count[name] += 1
        tag = f"{name}-{self.count[name]}"
        out = (self.logs / f"{tag}.out").open("w")
        err = (self.logs / f"{tag}.err").open("w")
        process = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=out, stderr=err, start_new_session=True)
        self.running[tag] = process
        print(f"started {tag} (pid {process.pid})")
        return tag, process

    def kill(self, tag):
        process = self.running.pop(tag)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()

    def stop(self, tag):
        process = self.running.pop(tag, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self):
        for tag in list(self.running):
            self.stop(tag)


def _free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _wait_ready(port, processes, timeout=60):
    probe = Client(port, Stats(), None)
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        status, _h, _t = probe.request("warmup", "GET", "/login/", paced=False)
        if status == 200:
            return
        if any(p.poll() is not None for p in processes.running.values()):
            raise SystemExit("gunicorn exited; see its log")
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer in time")


def _now():
    from app import clock

    return clock.now()


class SchedulerKill(threading.Thread):
    """Start the scheduler, SIGKILL it while its first warning scan runs, start another."""

    def __init__(self, engine, processes):
        super().__init__(daemon=True)
        self.engine, self.processes = engine, processes
        self.mid_job, self.note, self.killed_run, self.killed_at = False, "", None, None

    def run(self):
        tag, _process = self.processes.start("scheduler", [str(BIN / "flask"), "--app", "run", "scheduler"])
        query = sa.text("SELECT id, outcome FROM job_run WHERE job = 'warning_scan' ORDER BY id DESC LIMIT 1")
        seen = None
        until = time.monotonic() + 60
        with self.engine.connect() as conn:
            while time.monotonic() < until:
                seen = conn.execute(query).first()
                conn.rollback()
                if seen is not None:
                    break
                time.sleep(0.002)
        self.processes.kill(tag)
        from app import clock

        self.killed_at = clock.now()
        with self.engine.connect() as conn:
            after = conn.execute(query).first()
        if seen is None:
            self.note = "no warning_scan run appeared within 60 s; killed idle"
        else:
            self.killed_run = after.id
            self.mid_job = seen.outcome == "running" and after.outcome == "running"
            self.note = f"run {after.id}: seen '{seen.outcome}', after SIGKILL '{after.outcome}'"
        print(f"scheduler SIGKILLed: {self.note}")
        self.processes.start("scheduler", [str(BIN / "flask"), "--app", "run", "scheduler"])


def wait_for_scan_after(engine, instant, timeout):
    """The first warning_scan run that started after `instant`, once it has finished (or None)."""
    until = time.monotonic() + timeout
    query = sa.text(
        "SELECT id, outcome, started_at, finished_at, rows FROM job_run "
        "WHERE job = 'warning_scan' AND started_at > :t ORDER BY id LIMIT 1"
    )
    with engine.connect() as conn:
        while time.monotonic() < until:
            row = conn.execute(query, {"t": instant}).first()
            conn.rollback()
            if row is not None and row.outcome != "running":
                return row
            time.sleep(0.5)
    return None


def grep_logs(logs, needle):
    hits = 0
    for path in sorted(logs.iterdir()):
        for line in path.read_text(errors="replace").splitlines():
            if needle in line:
                hits += 1
                if hits <= 5:
                    print(f"  {path.name}: {line[:300]}")
    return hits


# ---------------------------------------------------------------------- load


def log_in(port, stats, world, password):
    """One session per user, each from its own loopback address: {username: Client}."""
    names = [world.supervisor, world.chief, *[n for d in world.departments for n in world.window_staff[d]]]
    clients = {}
    for index, name in enumerate(names):
        client = Client(port, stats, None, source=f"127.0.2.{index + 1}")
        _status, _h, page = client.request("login", "GET", "/login/", paced=False)
        status, headers, _t = client.request(
            "login",
            "POST",
            "/login/",
            form={"username": name, "password": password, "csrf_token": csrf_token(page) or ""},
            paced=False,
        )
        if status != 302 or "/login" in headers.get("Location", "/login"):
            raise SystemExit(f"login failed for {name}: {status}")
        clients[name] = client
    print(f"logged in: {', '.join(names)}")
    return clients


class Load:
    def __init__(self, port, stats, budget, world, staff, engine, seed):
        self.port, self.stats, self.budget, self.world, self.staff = port, stats, budget, world, staff
        self.engine, self.seed = engine, seed
        self.pools = {}
        self.pool_lock = threading.Lock()
        self.portal_seq = 0
        from app import clock

        self.since = (clock.now() - timedelta(days=90)).strftime("%Y-%m-%d %H:%M:%S")

    def run(self, threads):
        self._refresh_pools()
        refresher = threading.Thread(target=self._refresh_loop, daemon=True)
        refresher.start()
        workers = [threading.Thread(target=self._worker, args=(self.seed * 100 + i,)) for i in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        self.budget.stopped.set()
        refresher.join(timeout=10)

    def _worker(self, seed):
        rng = random.Random(seed)
        kinds, weights = list(MIX), list(MIX.values())
        try:
            while True:
                getattr(self, f"_{rng.choices(kinds, weights)[0]}")(rng)
        except OutOfBudget:
            return

    def _expect(self, status, *allowed):
        if status not in allowed:
            self.stats.count("unexpected status")
        return status in allowed

    # lists ----------------------------------------------------------------
    def _list(self, rng):
        world = self.world
        number = rng.choice(world.portal_cases)[0]
        role, username, pages = rng.choice(
            [
                (
                    "staff",
                    rng.choice(world.window_staff[rng.choice(world.departments)]),
                    ["", "?quick=mine", "?quick=open", "?quick=due_soon", "?quick=overdue"],
                ),
                ("chief", world.chief, ["", "?quick=open", "?quick=overdue", f"?_flt_1_accepted_at={self.since}"]),
                (
                    "supervisor",
                    world.supervisor,
                    [
                        "",
                        "?quick=overdue",
                        f"?matter_id={rng.choice(world.matters)}",
                        f"?_flt_1_accepted_at={self.since}",
                        f"?_flt_3_number={number}",
                    ],
                ),
            ]
        )
        query = rng.choice(pages).replace(" ", "+")
        status, _h, _t = self.staff[username].request(f"list: {role}", "GET", f"/caseview/list/{query}")
        self._expect(status, 200)

    # actions ---------------------------------------------------------------
    def _refresh_loop(self):
        while not self.budget.stopped.wait(2):
            self._refresh_pools()

    def _refresh_pools(self):
        pools = {}
        with self.engine.connect() as conn:
            for department in self.world.departments:
                for state, query in POOL_QUERIES.items():
                    pools[(department, state)] = [r[0] for r in conn.execute(query, {"d": department})]
        with self.pool_lock:
            self.pools = pools

    def _action(self, rng):
        action = rng.choices(list(ACTIONS), list(ACTIONS.values()))[0]
        department = rng.choice(self.world.departments)
        state = "suspended" if action == "receive_supplement" else "running"
        with self.pool_lock:
            pool = self.pools.get((department, state)) or []
        if not pool:
            self.stats.count(f"action {action}: no candidate case")
            return
        case_id = rng.choice(pool)
        me, other = rng.sample(self.world.window_staff[department], 2)
        client = self.staff[me]
        status, _h, text = client.request("api: get case", "GET", f"/api/v1/case/{case_id}")
        if not self._expect(status, 200):
            return
        result = json.loads(text)["result"]
        wanted = ("suspended",) if state == "suspended" else RUNNING
        if result["status"] not in wanted:
            self.stats.count("action: case changed state before acting (skipped)")
            return
        body = {"version": result["version"], **_inputs(action)}
        if client.csrf is None:
            _s, _h, page = client.request("case page (csrf)", "GET", f"/caseview/show/{case_id}")
            client.csrf = csrf_token(page)
        path = f"/api/v1/case/{case_id}/action/{action}"
        headers = {"X-CSRFToken": client.csrf or ""}
        draw = rng.random()
        if draw < 0.1:
            self._pair(action, path, body, client, self.staff[other])
            return
        status, _h, text = client.request(f"action: {action}", "POST", path, json_body=body, headers=headers)
        self._count_action(action, status)
        if status == 200 and action in ("complete", "request_supplement", "receive_supplement"):
            self._leave_pool(department, state, case_id)
        if status == 200 and draw < 0.2:
            again, _h, _t = client.request("action: replay", "POST", path, json_body=body, headers=headers)
            self._count_action("replay", again)
            if again == 200:
                self.stats.count("LOST UPDATE: replay won")

    def _leave_pool(self, department, state, case_id):
        with self.pool_lock:
            pool = self.pools.get((department, state))
            if pool and case_id in pool:
                pool.remove(case_id)

    def _pair(self, action, path, body, first, second):
        if second.csrf is None:
            _s, _h, page = second.request(
                "case page (csrf)", "GET", path.split("/action/")[0].replace("/api/v1/case/", "/caseview/show/")
            )
            second.csrf = csrf_token(page)
        results = []

        def send(client):
            status, _h, _t = client.request(
                "action: concurrent pair", "POST", path, json_body=body, headers={"X-CSRFToken": client.csrf or ""}
            )
            results.append(status)

        helper = threading.Thread(target=send, args=(second,))
        helper.start()
        try:
            send(first)
        finally:
            helper.join()
        for status in results:
            self._count_action("pair", status)
        if results.count(200) > 1:
            self.stats.count("LOST UPDATE: both of a pair won")

    def _count_action(self, action, status):
        label = {200: "done", 409: "409 stale version", 422: "422 refused (state changed)"}.get(status)
        if label is None:
            self.stats.count("unexpected status")
            label = f"status {status}"
        self.stats.count(f"action {action}: {label}")
        if status == 200:
            self.stats.count("actions won (200)")

    # portal ----------------------------------------------------------------
    def _portal(self, rng):
        with self.pool_lock:
            self.portal_seq += 1
            seq = self.portal_seq
        # A new citizen each time, from its own loopback address (127.1.0.1 …).
        citizen = Client(self.port, self.stats, self.budget, source=f"127.1.{seq // 250 % 250}.{seq % 250 + 1}")
        status, _h, page = citizen.request("portal: progress form", "GET", "/portal/progress")
        if not self._expect(status, 200):
            return
        number, id_number, phone = rng.choice(self.world.portal_cases)
        right = rng.random() >= 0.1
        factor = (id_number[-4:] if rng.random() < 0.5 or not phone else phone[-4:]) if right else "0000"
        if not right and factor in (id_number[-4:], (phone or "")[-4:]):
            right = True
        status, _h, text = citizen.request(
            "portal: progress query",
            "POST",
            "/portal/progress",
            form={"number": number, "factor": factor, "csrf_token": csrf_token(page) or ""},
        )
        if not self._expect(status, 200):
            return
        found = "portal-result" in text and number in text
        if found != right:
            self.stats.count("portal: wrong answer")
        self.stats.count("portal: found" if found else "portal: not found (wrong digits)")


def _inputs(action):
    return {
        "forward": {"next_step": False, "note": "负载测试"},
        "request_supplement": {"materials": ["身份证复印件"], "note": "负载测试"},
        "receive_supplement": {"note": "负载测试"},
        "complete": {"approved": True, "note": "负载测试"},  # a completion names its decision
    }[action]


# ---------------------------------------------------------------------- checks


class Checks:
    def __init__(self):
        self.rows = []

    def add(self, name, ok, detail=""):
        self.rows.append((bool(ok), name, detail))

    @property
    def passed(self):
        return all(ok for ok, _n, _d in self.rows)

    def summary(self):
        lines = [
            f"{'PASS' if ok else 'FAIL'}  {name}{f'  ({detail})' if detail else ''}" for ok, name, detail in self.rows
        ]
        lines.append("ALL PASS" if self.passed else "FAILED")
        return "\n".join(lines)


def runs_check(engine, checks, kill, after):
    with engine.connect() as conn:
        runs = conn.execute(
            sa.text("SELECT id, outcome, started_at, rows, error FROM job_run WHERE job = 'warning_scan' ORDER BY id")
        ).all()
    print("\nwarning_scan runs: " + ", ".join(f"#{r.id} {r.outcome} {r.rows} rows" for r in runs))
    later = [r for r in runs if kill.killed_run is None or r.id > kill.killed_run]
    errors = [r for r in runs if r.outcome == "error"]
    for r in errors[:3]:
        print(f"  run {r.id} error: {(r.error or '')[-800:]}")
    checks.add(
        "every warning_scan run after the kill finished ok",
        later and all(r.outcome == "ok" for r in later),
        f"{len(later)} runs",
    )
    checks.add(
        "a warning_scan run started after the load and finished ok",
        after is not None and after.outcome == "ok",
        f"run {after.id}, {after.rows} rows" if after else "none in time",
    )


HISTORY_PROBLEMS = {
    "event's from_status is not the previous event's to_status",
    "case without events",
    "last event's to_status differs from the case's status",
    "version outside [action events, all events]",
    "version bumps during the load differ from its new action events",
}


def consistency(engine, baseline, stats, checks, fresh):
    """Every case against its events, and the scan's work done exactly once."""
    problems = Counter()
    examples = defaultdict(list)
    new_action_events = 0

    def problem(kind, case_id):
        problems[kind] += 1
        if len(examples[kind]) < 5:
            examples[kind].append(case_id)

    with engine.connect() as conn:
        cases = {
            row.id: row for row in conn.execute(sa.text('SELECT id, status, version, light, assignee_id FROM "case"'))
        }
        overdue_violations = Counter(
            dict(
                conn.execute(
                    sa.text("SELECT case_id, count(*) FROM violation WHERE kind = 'overdue' GROUP BY case_id")
                ).all()
            )
        )
        notices = Counter(
            dict(
                conn.execute(
                    sa.text(
                        "SELECT n.case_id, count(*) FROM notice n JOIN staff s ON s.user_id = n.user_id "
                        'JOIN "case" c ON c.id = n.case_id AND c.assignee_id = s.id '
                        "WHERE n.kind = 'case_overdue' GROUP BY n.case_id"
                    )
                ).all()
            )
        )
        duplicates = conn.execute(
            sa.text(
                "SELECT count(*) FROM (SELECT user_id, key FROM notice GROUP BY user_id, key HAVING count(*) > 1) d"
            )
        ).scalar()
        assignee_users = dict(conn.execute(sa.text("SELECT id, user_id FROM staff")).all())
        per_case = {}
        for ev in conn.execute(
            sa.text("SELECT id, case_id, action, from_status, to_status FROM case_event ORDER BY case_id, id")
        ):
            entry = per_case.get(ev.case_id)
            if entry is None:
                entry = per_case[ev.case_id] = {"n": 0, "overdue": 0, "new": 0, "new_overdue": 0, "last": None}
            elif entry["last"] != ev.from_status:
                problem("event's from_status is not the previous event's to_status", ev.case_id)
            entry["n"] += 1
            entry["last"] = ev.to_status
            if ev.action == "overdue":
                entry["overdue"] += 1
            if ev.id > baseline["max_event"]:
                if ev.action == "overdue":
                    entry["new_overdue"] += 1
                else:
                    entry["new"] += 1
                    new_action_events += 1
    for case_id, case in cases.items():
        entry = per_case.get(case_id)
        if entry is None:
            problem("case without events", case_id)
            continue
        if entry["last"] != case.status:
            problem("last event's to_status differs from the case's status", case_id)
        # The engine's promise: one version per action event (the scan's overdue events
        # change no version; the generator counted its own overdue events as versions).
        actions = entry["n"] - entry["overdue"]
        if not actions <= case.version <= entry["n"]:
            problem("version outside [action events, all events]", case_id)
        before = baseline["versions"].get(case_id)
        if before is not None and case.version - before != entry["new"]:
            problem("version bumps during the load differ from its new action events", case_id)
        if entry["overdue"] > 1:
            problem("more than one overdue event", case_id)
        if overdue_violations[case_id] != entry["overdue"]:
            problem("overdue violations differ from overdue events", case_id)
        if case.light == "red" and case.status in RUNNING:
            if entry["overdue"] != 1:
                problem("red running case without exactly one overdue event", case_id)
            if assignee_users.get(case.assignee_id) and notices[case_id] != 1:
                problem("red running case without exactly one overdue notice to its assignee", case_id)
    won = stats.events["actions won (200)"]
    red = sum(1 for c in cases.values() if c.light == "red" and c.status in RUNNING)
    new_overdue = sum(e["new_overdue"] for e in per_case.values())
    print(
        f"\nconsistency over {len(cases)} cases: {red} red running, {new_overdue} overdue events written during the "
        f"test, {new_action_events} action events vs {won} actions answered 200"
    )
    for kind, n in problems.items():
        print(f"  {kind}: {n} (e.g. cases {examples[kind]})")
    history = {k: n for k, n in problems.items() if k in HISTORY_PROBLEMS}
    scan = {k: n for k, n in problems.items() if k not in HISTORY_PROBLEMS}
    checks.add(
        "every case: history consistent with state and version (events = versions, last to_status = status)",
        not history,
        ", ".join(f"{k}: {n}" for k, n in history.items()),
    )
    checks.add(
        "scan work done exactly once: <= 1 overdue event per case, = its overdue violations; "
        "every red running case has one overdue event and one overdue notice to its assignee",
        not scan,
        ", ".join(f"{k}: {n}" for k, n in scan.items()),
    )
    checks.add("one action event per action answered 200", new_action_events == won, f"{new_action_events} vs {won}")
    checks.add("no duplicate notices (user, key)", duplicates == 0, str(duplicates))
    if fresh:  # a reused database may have nothing left to turn red
        checks.add("the scan found work (overdue events written)", new_overdue > 0, str(new_overdue))


if __name__ == "__main__":
    main()
