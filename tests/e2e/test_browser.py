"""In the browser: a window clerk handles a case from intake to completion, the public reads
a guide, follows a case and rates it, a supervisor opens a red case from the dashboard,
and no page ever asks anything of a host other than the server's."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app import clock as wall_clock
from app.models import Case, CaseStatus, Matter, User
from app.models.feedback import Evaluation
from app.security import actor_for
from app.services import case_flow, job_runs
from app.services.case_flow import Application, Clock
from tests import world

pytestmark = pytest.mark.e2e

ID_A = "11010519491231002X"  # a valid ID number (check digit X), as in tests/services/test_case_flow.py
PHONE = "13800001234"
MATTER = "食品经营许可（新办）"
NUMBER = re.compile(r"XZ-\d{8}-\d{5}")


def login(page, username):
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(world.PASSWORD)
    with page.expect_navigation():
        page.locator("form[name=login] [type=submit]").click()
    expect(page.locator("form[name=login]")).to_have_count(0)


def act(page, label, **fields):
    """Open a case action's form by its button, fill it and confirm; back on the case page."""
    page.locator(".govhall-actions").get_by_role("button", name=label, exact=True).click()
    # Bootstrap's collapse: "collapsing" while it opens, "collapse in" once open.
    confirm = page.get_by_role("button", name=f"确认：{label}")
    panel = page.locator(".govhall-action-form.collapse.in").filter(has=confirm)
    expect(panel).to_be_visible()
    form = panel.locator("form")
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    with page.expect_navigation():
        form.get_by_role("button", name=f"确认：{label}").click()
    expect(page.locator(".alert-success")).to_contain_text(f"{label}：操作成功。")


def complete_approved(page, note, fee=None):
    """办结 on the case page: 准予 chosen, the fee and note filled, then the named decision confirmed."""
    page.locator(".govhall-actions").get_by_role("button", name="办结", exact=True).click()
    form = page.locator(".govhall-action-form.collapse.in form")
    expect(form).to_be_visible()
    form.get_by_role("radio", name="准予").check()
    if fee is not None:
        form.locator("[name=fee]").fill(str(fee))
    form.locator("[name=note]").fill(note)
    with page.expect_navigation():
        form.get_by_role("button", name="确认：办结").click()
    with page.expect_navigation():
        page.get_by_role("button", name="确认办结：准予").click()
    expect(page.locator(".govhall-status")).to_have_text("已办结")


def rate_very_satisfied(page, session, case_id):
    """On the portal's progress result: 非常满意, thanked, recorded as the case's portal rating."""
    with page.expect_navigation():
        page.get_by_role("button", name="非常满意").click()
    expect(page.get_by_role("alert")).to_have_text("感谢您的评价！")
    session.expire_all()
    rating = session.scalar(sa.select(Evaluation).where(Evaluation.case_id == case_id))
    assert rating is not None and rating.level == 5 and rating.channel.name == "portal"


def timeline(page):
    return page.locator(".govhall-timeline li .what strong").all_inner_texts()


def assert_local_only(page):
    """Every request the page made (documents, assets, XHR) went to the live server's host. The
    browser's own pages (its PDF viewer's chrome-extension:// and chrome:// files) are no requests
    to a host."""
    assert page.seen_urls, "no request was recorded"
    elsewhere = sorted(
        url
        for url in page.seen_urls
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).hostname != "127.0.0.1"
    )
    assert not elsewhere, f"requests to other hosts: {elsewhere}"


def new_case(session, *, now, received_all=True):
    """A case accepted by staff_a at `now`, set up through the services (not the browser)."""
    matter = session.scalar(sa.select(Matter).where(Matter.name == MATTER))
    staff = actor_for(session.scalar(sa.select(User).where(User.username == "staff_a")))
    outcome = case_flow.intake(
        session,
        staff,
        now,
        Application(
            matter_id=matter.id,
            applicant_name="李四",
            applicant_id_number=ID_A,
            applicant_phone=PHONE,
            received_material_ids=tuple(m.id for m in matter.materials) if received_all else (),
        ),
        Clock.load(session),
    )
    session.commit()
    return outcome.case, staff


def test_window_clerk_accepts_requests_receives_supplement_and_completes(page, live_db):
    login(page, "staff_a")
    page.goto("/case-intake/")
    page.get_by_role("row").filter(has_text=MATTER).get_by_role("link", name="受理").click()
    expect(page.get_by_text(f"受理办件：{MATTER}")).to_be_visible()
    page.locator("input[name=applicant_name]").fill("王五")
    page.locator("input[name=applicant_id_number]").fill(ID_A)
    page.locator("input[name=applicant_phone]").fill(PHONE)
    page.get_by_label("食品经营许可申请书").check()
    page.get_by_label("营业执照").check()
    with page.expect_navigation():
        page.get_by_role("button", name="登记办件").click()

    flash = page.locator(".alert-success")
    expect(flash).to_contain_text(NUMBER)
    number = NUMBER.search(flash.inner_text()).group(0)
    expect(page.locator(".govhall-status")).to_have_text("已受理")
    assert timeline(page) == ["受理"]

    act(page, "要求补正", materials="营业执照（加盖公章的复印件）", note="复印件不清晰")
    expect(page.locator(".govhall-status")).to_contain_text("暂停")
    expect(page.locator(".govhall-timeline")).to_contain_text("营业执照（加盖公章的复印件）")
    assert timeline(page) == ["受理", "要求补正"]

    act(page, "收到补正材料", note="申请人已补交")
    expect(page.locator(".govhall-status")).not_to_contain_text("暂停")
    assert timeline(page) == ["受理", "要求补正", "收到补正材料"]

    # 办结: the decision is chosen (none is preset), then named on a confirmation step.
    fee = live_db.scalar(sa.select(Matter.fee_standard).where(Matter.name == MATTER))
    page.locator(".govhall-actions").get_by_role("button", name="办结", exact=True).click()
    form = page.locator(".govhall-action-form.collapse.in form")
    expect(form).to_be_visible()
    expect(form.get_by_role("radio", name="准予")).not_to_be_checked()
    form.get_by_role("radio", name="准予").check()
    form.locator("[name=fee]").fill(str(fee))
    form.locator("[name=note]").fill("准予许可")
    with page.expect_navigation():
        form.get_by_role("button", name="确认：办结").click()
    expect(page.locator(".govhall-decision")).to_have_text("准予")
    live_db.expire_all()  # nothing is recorded before the confirmation
    assert live_db.scalar(sa.select(Case.status).where(Case.number == number)) is CaseStatus.in_progress
    with page.expect_navigation():
        page.get_by_role("button", name="确认办结：准予").click()
    expect(page.locator(".alert-success")).to_contain_text("办结：操作成功。")
    expect(page.locator(".govhall-status")).to_have_text("已办结")
    assert timeline(page) == ["受理", "要求补正", "收到补正材料", "办结"]
    expect(page.locator(".govhall-case-facts")).to_contain_text("准予许可")
    expect(page.locator(".govhall-actions")).to_have_count(0)

    case = live_db.scalar(sa.select(Case).where(Case.number == number))
    assert case.status is CaseStatus.completed and case.fee == fee and case.supplement_count == 1
    assert_local_only(page)


def test_public_reads_the_guide_follows_the_case_and_rates_it(page, live_db):
    case, staff = new_case(live_db, now=wall_clock.now() - timedelta(hours=2))
    case_flow.perform(
        live_db, staff, case.id, case.version, wall_clock.now() - timedelta(hours=1), "complete", approved=True
    )
    number = case.number

    page.goto("/portal/")
    page.get_by_role("searchbox", name="按事项名称或编码搜索").fill("食品经营")
    with page.expect_navigation():
        page.get_by_role("button", name="搜索").click()
    with page.expect_navigation():
        page.get_by_role("link", name=MATTER).click()
    expect(page.get_by_role("heading", name=MATTER)).to_be_visible()
    guide = page.locator(".portal-guide")
    expect(guide).to_contain_text("10 个工作日")
    for material in ("食品经营许可申请书", "营业执照"):
        expect(page.get_by_role("cell", name=material)).to_be_visible()
    expect(page.locator(".portal-steps li")).to_have_count(3)

    page.get_by_role("link", name="办件查询").click()
    page.get_by_label("办件编号").fill(number)
    page.get_by_label("申请人身份证号码或手机号码后 4 位").fill(ID_A[-4:])
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    result = page.locator(".portal-result")
    expect(result).to_contain_text(number)
    expect(result).to_contain_text(MATTER)
    expect(result.locator(".label")).to_have_text("已办结")
    expect(result.locator(".portal-timeline li")).to_have_count(2)
    expect(result.locator(".portal-timeline")).to_contain_text("受理")
    expect(result.locator(".portal-timeline")).to_contain_text("办结")
    expect(result).not_to_contain_text(ID_A)  # no personal data on the portal

    rate_very_satisfied(page, live_db, case.id)
    assert_local_only(page)


def test_supervisor_opens_a_red_case_from_the_dashboard(page, live_db):
    from app.jobs import warning_scan_job

    accepted = (wall_clock.now() - timedelta(days=40)).replace(hour=10, minute=0, second=0)
    case, _staff = new_case(live_db, now=accepted)
    scan_at = accepted + timedelta(days=30)  # 10 working days are long gone
    assert case.deadline_at < scan_at
    record = job_runs.run(live_db, "warning_scan", warning_scan_job, scan_at, lambda: scan_at, (None, "test"))
    assert record.outcome.name == "ok", record.error
    live_db.expire_all()
    assert live_db.get(Case, case.id).light.name == "red"

    login(page, "supervisor")
    red_cases = page.locator("table.govhall-red-cases")
    expect(red_cases).to_be_visible()
    link = red_cases.get_by_role("link", name=case.number, exact=True)
    expect(link).to_be_visible()
    with page.expect_navigation():
        link.click()
    assert page.url.endswith(f"/caseview/show/{case.id}")
    expect(page.get_by_text(f"办件 {case.number}")).to_be_visible()
    expect(page.locator(".govhall-days")).to_contain_text("已超期")
    expect(page.locator(".govhall-timeline-overdue")).to_contain_text("超期")
    assert_local_only(page)


def test_every_request_stays_on_the_server(page, live_db):
    """The pages' assets (Bootstrap, Font Awesome, ECharts, fonts) are all served locally."""
    page.goto("/portal/")
    page.goto("/portal/directory")
    page.goto("/portal/progress")
    login(page, "manager")  # the dashboard with its charts
    expect(page.locator(".govhall-stat").first).to_be_visible()
    page.goto("/caseview/list/")
    page.goto("/case-intake/")
    page.wait_for_load_state("networkidle")
    assert any(url.endswith(".js") for url in page.seen_urls)
    assert_local_only(page)
    # The recorder does see a request elsewhere (outside the app, whose CSP would block it;
    # aborted, so nothing leaves the machine).
    page.route("http://example.invalid/**", lambda route: route.abort())
    page.goto("about:blank")
    with page.expect_request("http://example.invalid/probe.png"):
        page.set_content('<img src="http://example.invalid/probe.png">')
    with pytest.raises(AssertionError, match="example.invalid"):
        assert_local_only(page)
