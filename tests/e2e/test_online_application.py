"""In the browser, an online application from the portal to the rating (issue 17): a citizen
applies with two real files in two material slots and gets a tracking number; the department's
reviewer views a file inline and asks for one material again (一次性告知); the citizen follows the
application with the number and the last four digits, reads the notice and uploads only that
material; the reviewer passes it, the case (channel online) is completed on the case pages, and
the citizen rates it on the portal. Screenshots of the citizen's and the reviewer's pages go to
/tmp/shots_apply/ (GOVHALL_E2E_SHOTS to move them) for a person to look at."""

import os
import re
import struct
import time
import zlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.models import Case, CaseStatus, Channel, Matter
from app.models.application import Application, ApplicationStatus
from app.models.transfer import StoredFile
from app.services.idnumber import check_digit
from tests.e2e.test_browser import MATTER, assert_local_only, complete_approved, login, rate_very_satisfied, timeline

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("GOVHALL_E2E_SHOTS", "/tmp/shots_apply"))
# An applicant of this test only (one open application per applicant and matter).
ID_NUMBER = "11010519800315003" + check_digit("11010519800315003")
PHONE = "13900005678"
FORM, LICENCE = "食品经营许可申请书", "营业执照"
APPLICATION_NUMBER = re.compile(r"WS\d{14}")
CASE_NUMBER = re.compile(r"XZ-\d{8}-\d{5}")


def pdf_bytes(text: str) -> bytes:
    """A small, well-formed one-page PDF (A4, one line of Helvetica) with a correct xref table."""
    content = f"BT /F1 24 Tf 72 760 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png_bytes(width: int = 240, height: int = 160) -> bytes:
    """A small RGB PNG: a grey card with a red stamp-like square, so a person sees it was shown."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = []
    for y in range(height):
        row = bytearray(b"\x00")  # filter: none
        for x in range(width):
            stamp = 150 <= x < 210 and 90 <= y < 140
            row += b"\xc8\x1e\x1e" if stamp else b"\xee\xee\xee" if 10 < y < height - 10 else b"\x33\x66\x99"
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def wait_for_pdf_viewer(page, frame_name: str, timeout_s: float = 5.0) -> None:
    """Chromium's PDF viewer (its own chrome-extension:// frame) opened inside the named frame."""

    def inside(frame):
        while frame is not None:
            if frame.name == frame_name:
                return True
            frame = frame.parent_frame
        return False

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(f.url.startswith("chrome-extension://") and inside(f) for f in page.frames):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"no PDF viewer in frame {frame_name}: {[f.url for f in page.frames]}")


@pytest.fixture
def files_dir(live_app, tmp_path, monkeypatch):
    """The live server stores this test's uploads under tmp_path, not the instance directory."""
    directory = tmp_path / "files"
    directory.mkdir()
    monkeypatch.setitem(live_app.config, "FILES_DIR", directory)
    return directory


@pytest.fixture
def scans(tmp_path):
    paths = {
        "form": tmp_path / "食品经营许可申请书.pdf",
        "licence": tmp_path / "营业执照.png",
        "licence_again": tmp_path / "营业执照-清晰.png",
    }
    paths["form"].write_bytes(pdf_bytes("Application for a food business licence"))
    paths["licence"].write_bytes(png_bytes())
    paths["licence_again"].write_bytes(png_bytes(320, 200))
    return paths


def follow_application(page, number: str) -> None:
    page.goto("/portal/application")
    page.get_by_label("申报号").fill(number)
    page.get_by_label("申请人身份证号（统一社会信用代码）或手机号后4位").fill(ID_NUMBER[-4:])
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()


def test_apply_online_correct_pass_complete_and_rate(page, live_db, files_dir, scans):
    matter = live_db.scalar(sa.select(Matter).where(Matter.name == MATTER))
    form_id, licence_id = (m.id for m in matter.materials)

    # 办事群众: find the matter under 网上申报 and apply with a PDF and a PNG.
    page.goto("/portal/")
    with page.expect_navigation():
        page.locator(".portal-nav").get_by_role("link", name="网上申报").click()
    with page.expect_navigation():
        page.get_by_role("link", name=MATTER).click()
    expect(page.get_by_role("heading", name=f"网上申报：{MATTER}")).to_be_visible()
    page.get_by_label("申请人类型").select_option(label="自然人")
    page.get_by_label("申请人（个人姓名或企业名称）").fill("孙七")
    page.get_by_label("身份证号（个人）或统一社会信用代码（企业）").fill(ID_NUMBER)
    page.get_by_label("电话").fill(PHONE)
    page.locator(f"input[name=file_{form_id}]").set_input_files(scans["form"])
    page.locator(f"input[name=file_{licence_id}]").set_input_files(scans["licence"])
    page.locator("input[name=declaration]").check()
    shot(page, "1_apply_form")
    with page.expect_navigation():
        page.get_by_role("button", name="提交申报").click()

    expect(page.get_by_role("heading", name="网上申报回执")).to_be_visible()
    receipt = page.locator(".portal-result")
    expect(receipt).to_contain_text(MATTER)
    expect(receipt).to_contain_text("食品经营许可申请书.pdf")
    expect(receipt).to_contain_text("营业执照.png")
    expect(receipt).not_to_contain_text(ID_NUMBER)  # masked on the receipt
    expect(receipt).to_contain_text("预审期限")  # when the applicant hears back
    expect(page.get_by_role("button", name="打印回执")).to_be_visible()
    number = APPLICATION_NUMBER.search(page.locator(".alert-success").inner_text()).group(0)
    shot(page, "2_receipt")
    live_db.expire_all()
    application = live_db.scalar(sa.select(Application).where(Application.number == number))
    assert application.status is ApplicationStatus.submitted and application.applicant_id_number == ID_NUMBER
    files = live_db.scalars(sa.select(StoredFile).where(StoredFile.application_id == application.id)).all()
    assert sorted((f.matter_material_id, f.content_type) for f in files) == sorted(
        [(form_id, "application/pdf"), (licence_id, "image/png")]
    )
    assert {f.size for f in files} == {scans["form"].stat().st_size, scans["licence"].stat().st_size}
    assert all((files_dir / f.storage_key).is_file() for f in files)
    page.context.clear_cookies()

    # 部门窗口: the pre-review queue lists it; view the licence inline; ask for it again.
    login(page, "staff_a")
    page.locator("a.dropdown-toggle", has_text="办件").click()
    with page.expect_navigation():
        page.get_by_role("link", name="网上申报预审").click()
    row = page.get_by_role("row").filter(has_text=number)
    expect(row).to_contain_text("孙七")
    with page.expect_navigation():
        row.locator(f"a[href*='/prereview/show/{application.id}']").first.click()
    expect(page.get_by_role("heading", name="事项申请材料")).to_be_visible()
    preview = page.frame_locator("iframe[name=material-preview]")
    # The PDF in the browser's own viewer, beside the list (a sandboxed frame would show none).
    file_ids = {f.content_type: f.id for f in files}
    with page.expect_response(lambda r: r.url.endswith(f"/file/{file_ids['application/pdf']}?inline=1")) as served:
        page.get_by_role("link", name="食品经营许可申请书.pdf").click()
    assert served.value.status == 200 and served.value.headers["content-type"] == "application/pdf"
    wait_for_pdf_viewer(page, "material-preview")
    shot(page, "3_prereview_pdf")
    with page.expect_response(lambda r: r.url.endswith(f"/file/{file_ids['image/png']}?inline=1")) as served:
        page.get_by_role("link", name="营业执照.png").click()
    response = served.value
    assert response.status == 200 and response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith("inline")
    assert "script-src" not in response.headers["content-security-policy"]
    expect(preview.locator("img")).to_be_visible()
    shot(page, "3_prereview")

    correct = page.locator("form.govhall-action-form").filter(has=page.get_by_role("button", name="一次性告知补正"))
    correct.locator(f"input[name=defect][value='{licence_id}']").check()
    correct.locator(f"input[name=reason_{licence_id}]").fill("复印件不清晰，请重新扫描")
    with page.expect_navigation():
        correct.get_by_role("button", name="一次性告知补正").click()
    live_db.expire_all()
    application = live_db.get(Application, application.id)
    assert application.status is ApplicationStatus.correction_requested
    assert application.correction_material_ids == [licence_id]
    assert application.correction_notice == "1. 营业执照：复印件不清晰，请重新扫描"
    expect(page.get_by_role("button", name="一次性告知补正")).to_have_count(0)  # once only
    page.goto("/logout/")

    # 办事群众: number + last four; the one-time notice; upload only the licence again.
    follow_application(page, number)
    result = page.locator(".portal-result")
    expect(result.locator(".alert-warning")).to_contain_text("营业执照：复印件不清晰，请重新扫描")
    expect(page.get_by_role("heading", name="上传要求补正的材料")).to_be_visible()
    resubmit = page.locator("form").filter(has=page.get_by_role("button", name="上传并重新提交"))
    expect(resubmit.locator("input[type=file]")).to_have_count(1)
    expect(resubmit.locator(f"input[name=file_{licence_id}]")).to_have_count(1)
    resubmit.locator(f"input[name=file_{licence_id}]").set_input_files(scans["licence_again"])
    # Withdrawing takes a second, deliberate step.
    expect(page.get_by_role("button", name="确认撤回申报")).to_be_hidden()
    shot(page, "4_correction")
    with page.expect_navigation():
        resubmit.get_by_role("button", name="上传并重新提交").click()
    expect(page.get_by_role("alert")).to_have_text("补正材料已上传，部门将重新预审。")
    expect(page.get_by_role("heading", name="上传要求补正的材料")).to_have_count(0)
    shot(page, "5_corrected")
    live_db.expire_all()
    application = live_db.get(Application, application.id)
    assert application.status is ApplicationStatus.resubmitted
    rounds = live_db.execute(
        sa.select(StoredFile.matter_material_id, StoredFile.round).where(StoredFile.application_id == application.id)
    ).all()
    assert sorted(rounds) == sorted([(form_id, 0), (licence_id, 0), (licence_id, 1)])
    page.context.clear_cookies()

    # 部门窗口: the corrected file is marked; pass: the case is accepted (channel online).
    login(page, "staff_a")
    page.goto(f"/prereview/show/{application.id}")
    expect(page.get_by_role("link", name="营业执照-清晰.png")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="通过：受理办件").click()
    flash = page.locator(".alert").filter(has_text="已受理")
    expect(flash).to_contain_text(CASE_NUMBER)
    case_number = CASE_NUMBER.search(flash.inner_text()).group(0)
    shot(page, "6_passed")
    live_db.expire_all()
    case = live_db.scalar(sa.select(Case).where(Case.number == case_number))
    assert case.channel is Channel.online and case.status is CaseStatus.accepted
    assert live_db.get(Application, application.id).status is ApplicationStatus.passed
    assert live_db.get(Application, application.id).case_id == case.id

    # The case pages: 办结 with 准予, confirmed.
    with page.expect_navigation():
        page.get_by_role("link", name="查看办件").click()
    expect(page.get_by_text(f"办件 {case_number}")).to_be_visible()
    expect(page.locator(".govhall-status")).to_have_text("已受理")
    expect(page.locator(".govhall-timeline")).to_contain_text(f"网上申报 {number}")
    # The case leads back to the application and its files.
    expect(page.get_by_role("link", name=f"网上申报 {number}")).to_have_attribute(
        "href", f"/applicationview/show/{application.id}"
    )
    shot(page, "6b_case")
    complete_approved(page, "准予许可，证照已制发", fee=matter.fee_standard)
    assert timeline(page) == ["受理", "办结"]
    live_db.expire_all()
    assert live_db.get(Case, case.id).status is CaseStatus.completed
    page.goto("/logout/")
    page.context.clear_cookies()

    # 办事群众: the application names the case; the case's progress page takes the rating.
    follow_application(page, number)
    expect(page.locator(".portal-result")).to_contain_text(f"已受理为办件 {case_number}")
    page.get_by_role("link", name="办件查询").click()
    page.get_by_label("办件编号").fill(case_number)
    page.get_by_label("申请人身份证号码或手机号码后 4 位").fill(PHONE[-4:])
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    expect(page.locator(".portal-result .label")).to_have_text("已办结")
    shot(page, "7_progress")
    rate_very_satisfied(page, live_db, case.id)
    assert_local_only(page)
