"""The crawler (issue 15, Build 9): every role on the demo county, every page it may use.

The app runs on its own database seeded as `run.py` seeds a first start (the demo county and
its year of cases, CASES of them). Each role in config.ROLE_SCOPES logs in with its demo login
and opens, at 1366 px, its menu pages, every page view it may open, each list's add form and
the first row's show page and edit form (tests/e2e/crawl.py derives them); an anonymous visitor
opens the portal, a matter guide, a window device, a case's progress and a complaint's status.
Every page is screenshotted to tests/artifacts/crawl/<engine>/<role>/; every problem found is
collected and the test fails once, with the whole list (role | URL | problem), also written to
tests/artifacts/crawl/<engine>/report.txt.
"""

import logging
import os
import re
import shutil
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

import config
from tests.conftest import TEST_DB_URL, _config_dict, empty_database
from tests.e2e import crawl
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e

# Cases in the demo year: enough that a select listing every case (10,000 options) breaks the
# 300 KB limit many times over, few enough to seed in about 5 s (SQLite, 2 cores).
CASES = 10_000
PAGE_TIMEOUT_MS = 30_000
PORTAL = "portal"


@pytest.fixture(scope="module")
def demo_app():
    """A migrated app seeded like a first start of run.py, on a database of its own."""
    from flask_migrate import upgrade

    from app import create_app
    from app.cli import init_database, seed_demo_cases, seed_demo_data
    from app.extensions import db

    name = f"{Path(make_url(TEST_DB_URL).database).stem}_crawl"
    with empty_database(name) as url:
        application = create_app(
            {
                **_config_dict(),
                "SQLALCHEMY_DATABASE_URI": url,
                "TESTING": False,  # real error pages, as a user would see them
                "WTF_CSRF_ENABLED": True,
                "RATELIMIT_ENABLED": False,
                "AUTH_RATE_LIMITED": False,
                # Each role's browser fetches the static files once, not again with every page
                # (25 requests a page instead of 3: half the crawl's time).
                "SEND_FILE_MAX_AGE_DEFAULT": 3600,
            }
        )
        with application.app_context():
            upgrade()
            init_database()
            started = time.monotonic()
            application.config["DEMO_LOGINS"] = seed_demo_data().logins
            seed_demo_cases(CASES)
            application.config["SEED_SECONDS"] = round(time.monotonic() - started, 1)
            db.session.remove()
        yield application
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="module")
def demo_server(demo_app):
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, demo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="govhall-crawl-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


class Crawler:
    """One browser context per role; visits targets, collects findings and screenshots."""

    def __init__(self, app, browser, base_url, shots: Path, untranslated):
        self.app, self.browser, self.base_url = app, browser, base_url
        self.shots, self.untranslated = shots, untranslated
        self.findings: list[crawl.Finding] = []
        self.notes: list[str] = []
        self.pages = 0
        self.timings = defaultdict(float)  # seconds spent loading, inspecting, screenshotting
        self.slowest: list[tuple[float, str, str]] = []
        self.largest: list[tuple[int, str, str]] = []  # bytes of HTML, role, url

    def session(self, role):
        context = self.browser.new_context(
            base_url=self.base_url, locale="zh-CN", timezone_id="Asia/Shanghai", viewport=crawl.VIEWPORT
        )
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        page = context.new_page()
        page.current_role = role
        page.errors = []
        # Any 5xx, also of a request the page makes itself (a select's search, a chart's data).
        context.on(
            "response",
            lambda response: response.status >= 500 and page.errors.append(f"HTTP {response.status}: {response.url}"),
        )
        page.on("pageerror", lambda error: page.errors.append(f"JavaScript error: {str(error)[:200]}"))
        return context, page

    def problem(self, page, url, text):
        self.findings.append(crawl.Finding(page.current_role, url, text))

    def login(self, page, username, password) -> bool:
        page.goto("/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.locator("form [type=submit]").first.click()
        if "/login" in urlsplit(page.url).path:
            self.problem(page, "/login/", f"demo login {username} refused")
            return False
        return True

    def visit(self, page, target: crawl.Target, *, post=None):
        """Open target.url (or submit `post` on it), check the page; the page stays open."""
        url = target.url
        page.errors.clear()
        self.pages += 1
        started = time.monotonic()
        try:
            if post is None:
                response = page.goto(url, wait_until="load")
            else:
                response = post(page)
        except Exception as exc:  # noqa: BLE001 - a page that cannot load is a finding, the crawl goes on
            if "Download is starting" not in str(exc):  # a file (receipt, workbook) is not a page
                self.problem(page, url, f"could not load: {str(exc).splitlines()[0][:200]}")
            return False
        loaded = time.monotonic()
        self.timings["load"] += loaded - started
        self.slowest.append((round(loaded - started, 1), page.current_role, url))
        status = response.status if response is not None else 0
        if status >= 400:
            self.problem(page, url, f"HTTP {status}")
        size = len(response.body()) if response is not None and status < 300 else 0
        self.largest.append((size, page.current_role, url))
        if size > crawl.MAX_HTML_BYTES:
            self.problem(page, url, f"{size // 1024} KB of HTML (limit {crawl.MAX_HTML_BYTES // 1024} KB)")
        landed = urlsplit(page.url)
        if target.what != PORTAL and landed.path.startswith("/login"):
            self.problem(page, url, "sent to the login page")
        elif landed.path != urlsplit(url).path and post is None:
            refusal = page.locator(".alert-danger").all_inner_texts()
            if refusal:
                self.problem(page, url, f"refused, sent to {landed.path}: {' '.join(refusal)[:120]}")
        try:
            observed = page.evaluate(crawl.PAGE_SCRIPT)
        except Exception as exc:  # noqa: BLE001
            self.problem(page, url, f"could not inspect: {str(exc).splitlines()[0][:200]}")
        else:
            for text in crawl.page_problems(observed, self.untranslated):
                self.problem(page, url, text)
        for error in dict.fromkeys(page.errors):
            self.problem(page, url, error)
        inspected = time.monotonic()
        self.timings["inspect"] += inspected - loaded
        self.screenshot(page, url)
        self.timings["screenshot"] += time.monotonic() - inspected
        return status < 400

    def screenshot(self, page, url):
        folder = self.shots / page.current_role
        folder.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^\w.-]+", "_", url.strip("/")) or "index"
        path = folder / f"{len(list(folder.iterdir())):03d}_{slug[:100]}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
        except Exception as exc:  # noqa: BLE001 - a missing screenshot must not hide the findings
            self.notes.append(f"{page.current_role} {url}: no screenshot ({exc})")

    def links(self, page):
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
        return [urlsplit(href).path for href in hrefs if href.startswith("/") or href.startswith(self.base_url)]

    def first_link(self, page, prefix):
        if not prefix:
            return None
        return next((path for path in self.links(page) if path.startswith(prefix) and path != prefix), None)

    def crawl(self, page, targets, portal: bool):
        """Visit targets in order; after each page its first row's show/edit link (lists) and
        one link per further route it offers (of the portal, or of the back office)."""
        queue, seen = list(targets), set()
        while queue:
            target = queue.pop(0)
            seen.add(crawl.route_of(self.app, urlsplit(target.url).path))
            if not self.visit(page, target):
                continue
            follow = []
            for kind, prefix in (("show", target.show_prefix), ("edit", target.edit_prefix)):
                link = self.first_link(page, prefix)
                if link:
                    follow.append(crawl.Target(link, kind, view=target.view))
                    seen.add(crawl.route_of(self.app, link))
                elif prefix:
                    self.notes.append(f"{page.current_role}: {target.view} lists no row to {kind} ({target.url})")
            for path in self.links(page):
                endpoint = crawl.route_of(self.app, path)
                if endpoint and endpoint not in seen and endpoint.startswith("portal.") == portal:
                    seen.add(endpoint)
                    follow.append(crawl.Target(path, PORTAL if portal else "link"))
            queue[:0] = follow

    def crawl_role(self, role, username, password, targets):
        context, page = self.session(role)
        try:
            if self.login(page, username, password):
                self.crawl(page, targets, portal=False)
        finally:
            context.close()

    def crawl_portal(self, app, targets):
        from app.extensions import db
        from app.models import Case, CaseStatus, Window
        from app.models.feedback import Complaint

        with app.app_context():
            # The rating device beside a window is not linked from any page.
            window = db.session.scalar(sa.select(Window.id).order_by(Window.id).limit(1))
            case = db.session.execute(
                sa.select(Case.number, Case.applicant_phone)
                .where(Case.status == CaseStatus.completed, Case.applicant_phone.is_not(None))
                .order_by(Case.id)
                .limit(1)
            ).first()
            complaint = db.session.execute(
                sa.select(Complaint.number, Complaint.complainant_phone)
                .where(Complaint.complainant_phone.is_not(None))
                .order_by(Complaint.id)
                .limit(1)
            ).first()
            db.session.remove()
        context, page = self.session("public")
        try:
            self.crawl(page, [*targets, crawl.Target(f"/portal/window/{window}", PORTAL)], portal=True)
            # A case's progress (with the rating form of a finished case) and a complaint's status.
            queries = [("/portal/progress", "factor", case), ("/portal/complaint/status", "phone4", complaint)]
            for path, tail_field, row in queries:
                if row is None:
                    self.notes.append(f"public: nothing to look up on {path}")
                    continue
                self.visit(page, crawl.Target(path, PORTAL), post=_query(path, tail_field, row[0], row[1][-4:]))
        finally:
            context.close()

    def report(self) -> str:
        """role | URL | problem, one line each, roles sharing a problem on one line."""
        roles = defaultdict(list)
        for finding in self.findings:
            key = (finding.url, finding.problem)
            if finding.role not in roles[key]:
                roles[key].append(finding.role)
        lines = [f"{', '.join(who)} | {url} | {problem}" for (url, problem), who in sorted(roles.items())]
        return "\n".join(lines)


def _query(path, tail_field, number, tail):
    def submit(page):
        page.goto(path)
        form = page.locator(f"form:has(input[name={tail_field}])")
        form.locator("input[name=number]").fill(number)
        form.locator(f"input[name={tail_field}]").fill(tail)
        with page.expect_navigation() as navigation:
            form.locator("[type=submit]").first.click()
        return navigation.value

    return submit


def test_every_role_every_page(demo_app, demo_server, browser):
    engine = make_url(TEST_DB_URL).get_backend_name()
    shots = ARTIFACTS / "crawl" / engine
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    crawler = Crawler(demo_app, browser, demo_server, shots, crawl.Untranslated(crawl.english_defaults()))
    logins = demo_app.config["DEMO_LOGINS"]
    password = demo_app.config["DEMO_PASSWORD"]
    roles = [role for role in config.ROLE_SCOPES if role in config.FAB_ROLES]
    if os.environ.get("GOVHALL_CRAWL_ROLES"):  # a quicker look at some roles while fixing (comma-separated)
        roles = [role for role in roles if role in os.environ["GOVHALL_CRAWL_ROLES"].split(",")]
    started = time.monotonic()
    seconds = {}
    for role in roles:
        if role not in logins:
            crawler.findings.append(crawl.Finding(role, "-", "no demo login: the role cannot be crawled"))
            continue
        role_started = time.monotonic()
        targets = crawl.plan(demo_app, role).targets + crawl.self_service_targets(demo_app)
        crawler.crawl_role(role, logins[role], password, targets)
        seconds[role] = round(time.monotonic() - role_started)
    crawler.crawl_portal(demo_app, crawl.portal_targets(demo_app))
    elapsed = round(time.monotonic() - started)
    summary = (
        f"{engine}: seeded {CASES} cases in {demo_app.config['SEED_SECONDS']} s; crawled {crawler.pages} pages "
        f"as {len(seconds)} roles and the public in {elapsed} s ({', '.join(f'{r} {s} s' for r, s in seconds.items())})"
    )
    report = crawler.report()
    slowest = sorted(crawler.slowest, reverse=True)[:15]
    (shots / "report.txt").write_text(
        f"{summary}\n\n{report or 'no problems'}\n\nnotes:\n"
        + "\n".join(crawler.notes)
        + "\n\ntime: "
        + ", ".join(f"{k} {round(v)} s" for k, v in crawler.timings.items())
        + "\nslowest loads:\n"
        + "\n".join(f"{s} s {role} {url}" for s, role, url in slowest)
        + "\nlargest pages:\n"
        + "\n".join(f"{size // 1024} KB {role} {url}" for size, role, url in sorted(crawler.largest, reverse=True)[:10])
        + "\n",
        encoding="utf-8",
    )
    print(summary)
    assert not crawler.findings, f"{len(crawler.findings)} problems ({summary}):\n{report}"


LOOKS_WRONG = """<html><head><style>.navbar-nav > li { float: left; width: 120px; list-style: none; }</style></head>
<body><div class="navbar"><ul class="nav navbar-nav">{items}</ul></div>
<h2>Add Leave Request</h2><p>记录数目: 3</p><table><tr><td>None</td><td>[ChiefRep]</td><td>处理措施 []</td></tr></table>
<select><option value="__None">__None</option></select><input placeholder="Search">
<p>数据表</p><p>window_rotation</p><span>Select a State</span><div style="width: 2000px">宽表格</div>
<script>var label = "Save";</script></body></html>"""
LOOKS_RIGHT = """<html><body><div class="navbar"><ul class="nav navbar-nav"><li>办件</li></ul></div>
<h2>新增请假</h2><p>记录数目: 3</p><table><tr><td>是</td><td>首席代表</td><td>s0001@example.cn</td>
<td>XZ-20261202-83238</td><td>GovHall</td><td>中心名称（center_name）</td></tr></table>
<script>var label = "Save"; var x = None;</script></body></html>"""


def test_the_crawler_sees_what_a_clerk_would(browser):
    """The checks on pages made to fail each one, and on a page that passes them all."""
    context = browser.new_context(viewport=crawl.VIEWPORT)
    page = context.new_page()
    untranslated = crawl.Untranslated(crawl.english_defaults())
    try:
        page.set_content(LOOKS_WRONG.replace("{items}", "<li>菜单</li>" * 14))
        problems = "\n".join(crawl.page_problems(page.evaluate(crawl.PAGE_SCRIPT), untranslated))
        page.set_content(LOOKS_RIGHT)
        clean = crawl.page_problems(page.evaluate(crawl.PAGE_SCRIPT), untranslated)
    finally:
        context.close()
    for expected in (
        "“Add Leave Request”",
        "“Search”",
        "“window_rotation”",
        "“Select a State”",
        "“None”",
        "“[ChiefRep]”",
        "“处理措施 []”",
        "“__None”",
        "horizontal overflow at 1366 px",
        "navbar wraps onto 2 lines",
    ):
        assert expected in problems
    assert "Save" not in problems  # text inside a script is not shown
    assert clean == []
