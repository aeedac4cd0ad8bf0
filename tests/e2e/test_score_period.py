"""In the browser: the monthly score page's period dropdown shows the chosen month at once
(its old inline onchange was blocked by the Content-Security-Policy and did nothing)."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app import clock as wall_clock
from app.services import scoring_month
from app.services.monthly_report import previous_month
from tests.e2e.test_browser import login

pytestmark = pytest.mark.e2e


def test_choosing_a_period_shows_that_month(page, live_db):
    now = wall_clock.now()
    last = previous_month(now.date())
    earlier = previous_month(last)
    for month in (last, earlier):
        scoring_month.run_month(live_db, month, now - timedelta(minutes=1))
    live_db.commit()
    messages = []
    page.on("console", lambda message: messages.append(message.text))

    login(page, "manager")
    page.goto("/monthlyscoreview/list/")
    with page.expect_navigation():
        page.get_by_label("期间").select_option(earlier.isoformat())
    assert f"_flt_0_month={earlier.isoformat()}" in page.url
    expect(page.get_by_label("期间")).to_have_value(earlier.isoformat())
    assert not [text for text in messages if "Content Security Policy" in text]
