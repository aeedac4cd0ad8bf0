"""In the browser, the front of the hall (issue 18): a citizen books a time on the portal, checks in
at the kiosk with the booking number and gets a priority ticket; the hall display, open on its own
screen, shows the call to the window within a few seconds and no personal data; the window clerk
accepts a case from the ticket with the applicant prefilled, and the rating device beside the window
shows the ticket and the case.

The live server's clock is the test's: Thursday 3 December 2026 from 08:40, running at the wall
clock's pace, so the first free slot is today's 09:00-09:30 and check-in (30 minutes early by the
default setting) is open from 08:30. Screenshots of the four devices go to /tmp/shots_hall/.
"""

import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.models import Case, User
from app.models.appointment import Appointment, AppointmentStatus
from app.models.feedback import Evaluation, EvaluationChannel
from app.models.queue import DeviceKind, QueueDevice, QueueTicket, TicketSource, TicketStatus
from app.security import actor_for
from app.services import case_flow
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_browser import ID_A as ID_NUMBER
from tests.e2e.test_browser import MATTER, assert_local_only, login

pytestmark = pytest.mark.e2e

START = datetime(2026, 12, 3, 8, 40)  # a Thursday, a working day
KIOSK, DISPLAY = "e2e-kiosk-token-of-the-county-hall-0001", "e2e-display-token-of-the-county-hall-01"
SHOTS = Path("/tmp/shots_hall")
NAME, PHONE = "周晓梅", "13912345678"
WINDOW = "市场监管窗口"


@pytest.fixture
def hall_clock(monkeypatch):
    """The server's clock (app.clock.now, read by every view) starts at START and runs on."""
    from app import clock

    began = time.monotonic()
    monkeypatch.setattr(clock, "now", lambda: START + timedelta(seconds=int(time.monotonic() - began)))
    return clock.now


@pytest.fixture
def hall(live_app):
    """The county's queues (A: market supervision at A01 and C01, B, G) and a kiosk and a display,
    built once per database. Returns the group ids by letter."""
    from app.extensions import db
    from app.models.appointment import WindowGroup
    from tests.services.test_queue import make_groups

    with live_app.app_context():
        ids = live_app.config["WORLD"]
        if db.session.scalar(sa.select(QueueDevice.id).where(QueueDevice.token == KIOSK)) is None:
            make_groups(db.session, ids)
            db.session.add_all(
                [
                    QueueDevice(name="大厅取号机", kind=DeviceKind.kiosk, center_id=ids["county"], token=KIOSK),
                    QueueDevice(name="大厅显示屏", kind=DeviceKind.display, center_id=ids["county"], token=DISPLAY),
                ]
            )
            db.session.commit()
        groups = dict(db.session.execute(sa.select(WindowGroup.prefix, WindowGroup.id)).all())
        db.session.remove()
    return groups


def device_page(browser, live_server, width, height):
    context = browser.new_context(
        base_url=live_server, locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": width, "height": height}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.seen_urls = []
    context.on("request", lambda request: page.seen_urls.append(request.url))
    return page


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_book_check_in_call_accept_and_rate_at_the_window(browser, live_server, page, live_db, hall, hall_clock):
    display = device_page(browser, live_server, 1920, 1080)
    kiosk = device_page(browser, live_server, 1080, 1920)
    try:
        # 1. The hall display is on from the start: nobody has been called today.
        display.goto(f"/queue/display/{DISPLAY}")
        expect(display.locator("#latest-number")).to_have_text("—")

        # 2. A citizen books today's first free time of the market-supervision queue on the portal.
        page.goto("/portal/appointment")
        with page.expect_navigation():
            page.get_by_label("窗口组").select_option(label="示范县政务服务中心 · 市场监管")
        slot = page.get_by_label("预约时段（剩余号源）")
        expect(slot.locator("option").first).to_contain_text("12-03 09:00-09:30")
        slot.select_option(index=0)
        page.get_by_label("事项").select_option(label=MATTER)
        page.get_by_label("您的姓名").fill(NAME)
        page.get_by_label("电话").fill(PHONE)
        page.get_by_label("身份证号码后四位").fill(ID_NUMBER[-4:])
        with page.expect_navigation():
            page.get_by_role("button", name="预约", exact=True).click()
        booking = live_db.scalars(sa.select(Appointment).where(Appointment.phone == PHONE)).one()
        assert booking.status is AppointmentStatus.booked and booking.starts_at == datetime(2026, 12, 3, 9, 0)
        assert booking.group_id == hall["A"] and booking.name == NAME
        expect(page.locator(".alert-success")).to_contain_text(booking.number)
        assert_local_only(page)

        # 3. A walk-in takes a ticket first; then the citizen checks in at the kiosk and goes ahead of it.
        kiosk.goto(f"/queue/kiosk/{KIOSK}")
        with kiosk.expect_navigation():
            kiosk.locator(".queue-group").filter(has_text="市场监管").click()
        expect(kiosk.locator(".queue-slip-number")).to_have_text("A001")
        with kiosk.expect_navigation():
            kiosk.get_by_role("link", name="返回首页").click()
        shot(kiosk, "kiosk")
        kiosk.get_by_label("预约号").fill(booking.number)
        kiosk.get_by_label("手机号后四位").fill(PHONE[-4:])
        with kiosk.expect_navigation():
            kiosk.get_by_role("button", name="签到取号").click()
        expect(kiosk.locator(".queue-slip-number")).to_have_text("A002")
        expect(kiosk.locator(".queue-slip")).to_contain_text("前面还有 0 人")
        expect(kiosk.locator("body")).not_to_contain_text(NAME)
        shot(kiosk, "kiosk_slip")
        live_db.expire_all()
        ticket = live_db.scalars(sa.select(QueueTicket).where(QueueTicket.number == "A002")).one()
        assert ticket.source is TicketSource.appointment and ticket.appointment_id == booking.id
        assert ticket.status is TicketStatus.waiting
        assert live_db.get(Appointment, booking.id).status is AppointmentStatus.checked_in
        assert_local_only(kiosk)

        # 4. The window clerk calls next: the checked-in ticket, ahead of the walk-in.
        login(page, "staff_a")
        page.goto("/queue-panel/")
        with page.expect_navigation():
            page.get_by_role("button", name="叫下一位").click()
        current = page.locator(".govhall-queue-current")
        expect(current.locator("[data-ticket]")).to_have_text("A002")
        called_at = time.monotonic()
        shot(page, "calling_panel")

        # 5. The display, polling on its own, shows the number and the window, and nothing personal.
        expect(display.locator("#latest-number")).to_have_text("A002", timeout=5_000)
        expect(display.locator("#latest-window")).to_have_text(WINDOW)
        assert time.monotonic() - called_at < 5
        expect(display.locator("#window-numbers")).to_contain_text(WINDOW)
        expect(display.locator("#waiting")).to_contain_text("A 市场监管")
        for secret in (NAME, PHONE, PHONE[-4:], ID_NUMBER[-4:], booking.number, "测试staff_a"):
            expect(display.locator("body")).not_to_contain_text(secret)
        shot(display, "display")
        assert_local_only(display)

        # 6. The clerk accepts a case from the ticket: name and phone come from the appointment.
        with page.expect_navigation():
            current.get_by_role("link", name="为此号受理办件").click()
        expect(page.locator(".alert-info")).to_contain_text("A002")
        with page.expect_navigation():
            page.get_by_role("row").filter(has_text=MATTER).get_by_role("link", name="受理").click()
        expect(page.locator(".alert-info")).to_contain_text("A002")
        expect(page.locator("input[name=applicant_name]")).to_have_value(NAME)
        expect(page.locator("input[name=applicant_phone]")).to_have_value(PHONE)
        page.locator("input[name=applicant_id_number]").fill(ID_NUMBER)
        page.get_by_label("食品经营许可申请书").check()
        page.get_by_label("营业执照").check()
        with page.expect_navigation():
            page.get_by_role("button", name="登记办件").click()
        expect(page.locator(".govhall-status")).to_have_text("已受理")
        live_db.expire_all()
        ticket = live_db.get(QueueTicket, ticket.id)
        case = live_db.get(Case, ticket.case_id)
        assert case is not None and case.applicant_name == NAME and case.window_id == hall_window(live_db)
        assert ticket.status is TicketStatus.serving and ticket.window.name == WINDOW
        expect(page.locator(".alert-success")).to_contain_text(case.number)
        page.goto("/queue-panel/")
        expect(current.get_by_role("link", name=case.number)).to_be_visible()

        # 7. The rating device beside the window shows who is served: the ticket and its case.
        device = device_page(browser, live_server, 1280, 800)
        try:
            device.goto(f"/portal/window/{ticket.window_id}")
            served = device.locator("[data-served]")
            expect(served).to_have_attribute("data-served", "A002")
            expect(served).to_contain_text(case.number)
            expect(served).to_contain_text(MATTER)
            expect(device.locator("body")).not_to_contain_text(NAME)
            expect(device.locator("a")).to_have_count(0)  # nothing leads a citizen away from the device
            shot(device, "rating_device")

            # The case is completed at the window (the decision's own steps are test_browser's):
            # the device asks the citizen to rate it, and the rating is the case's, by the device.
            staff = actor_for(live_db.scalar(sa.select(User).where(User.username == "staff_a")))
            case_flow.perform(live_db, staff, case.id, case.version, hall_clock(), "complete", approved=True)
            live_db.commit()
            device.reload()
            expect(device.locator(".portal-kiosk")).to_contain_text(f"{MATTER} {case.number}")
            with device.expect_navigation():
                device.get_by_role("button", name="非常满意").click()
            expect(device.get_by_role("alert")).to_have_text("感谢您的评价！")
            expect(device.get_by_role("button")).to_have_count(0)  # rated once, not offered again
            shot(device, "rating_device_rated")
            live_db.expire_all()
            rating = live_db.scalar(sa.select(Evaluation).where(Evaluation.case_id == case.id))
            assert rating is not None and rating.level == 5 and rating.channel is EvaluationChannel.window_device
            assert_local_only(device)
        finally:
            device.context.close()
    finally:
        display.context.close()
        kiosk.context.close()


def hall_window(session):
    from app.models import Window

    return session.scalar(sa.select(Window.id).where(Window.name == WINDOW))
