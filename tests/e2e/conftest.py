"""Browser end-to-end harness: a live GovHall on its own database, driven by headless Chromium.

The server is the real app with CSRF on (the browser submits the forms' tokens) and
rate limits off, served by werkzeug in a daemon thread on 127.0.0.1. Its database
is separate from the suite's: a temporary SQLite file, or `govhall_e2e` beside the
database named by GOVHALL_TEST_DATABASE_URL (created here and dropped afterwards).
The browser is Debian's /usr/bin/chromium (never a downloaded one); without it the
tests skip locally and fail under CI. A failing test leaves a screenshot of its
page in tests/artifacts/.
"""

import logging
import os
import re
import threading
from pathlib import Path

import pytest

from tests import world
from tests.conftest import _config_dict, empty_database

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"]
E2E_DATABASE = "govhall_e2e"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def e2e_url():
    """An empty database for the live server, never the suite's own."""
    with empty_database(E2E_DATABASE) as url:
        yield url


@pytest.fixture(scope="session")
def live_app(e2e_url):
    """The migrated, initialised app with the small test world (tests/world.py)."""
    from flask_migrate import upgrade

    from app import create_app
    from app.cli import init_database
    from app.extensions import db

    config = {
        **_config_dict(),
        "SQLALCHEMY_DATABASE_URI": e2e_url,
        "TESTING": False,  # real error pages, as a user would see them
        "WTF_CSRF_ENABLED": True,
        "RATELIMIT_ENABLED": False,
        "AUTH_RATE_LIMITED": False,
    }
    application = create_app(config)
    with application.app_context():
        upgrade()
        init_database()
        application.config["WORLD"] = world.build(db.session, application.appbuilder.sm)
        db.session.remove()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    """The app on http://127.0.0.1:<free port>; yields the base URL."""
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log in the test output
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="govhall-e2e-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def live_db(live_app):
    """The live server's database session, in an app context of the test's thread."""
    from app.extensions import db

    with live_app.app_context():
        yield db.session
        db.session.remove()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: install Debian's chromium and fonts-noto-cjk (.ci/run does)."
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) on the live server; `page.seen_urls` lists every request."""
    context = browser.new_context(
        base_url=live_server, locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.seen_urls = []
    context.on("request", lambda request: page.seen_urls.append(request.url))
    yield page
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when not in ("setup", "call") or not report.failed:
        return
    page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if page is None or page.is_closed():
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^\w.-]+", "_", item.nodeid) + ".png")
    try:
        page.screenshot(path=str(path), full_page=True)
    except Exception as exc:  # noqa: BLE001 - a screenshot must never hide the test's own failure
        report.sections.append(("e2e screenshot", f"could not save a screenshot: {exc}"))
    else:
        report.sections.append(("e2e screenshot", str(path)))
