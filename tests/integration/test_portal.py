"""The public portal: no login, no external asset, no personal data; the progress query
refuses a wrong second factor without saying which part was wrong and is rate-limited;
hostile input on every form gets a clear message and stores nothing."""

import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Complaint, Evaluation, Rectification
from tests.services.test_feedback import completed_case

PAGES = [
    "/portal/",
    "/portal/?q=食品",
    "/portal/directory",
    "/portal/progress",
    "/portal/complaint",
    "/portal/complaint/status",
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_render_without_login_and_without_external_assets(client, url):
    response = client.get(url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))], sources
    assert "政务服务" in page or "办事指南" in page


def test_matter_guide_shows_materials_limits_and_fees(client, world_ids):
    page = client.get("/portal/matter/XZ-D01-0001").get_data(as_text=True)
    assert "食品经营许可（新办）" in page and "食品经营许可申请书" in page and "营业执照" in page
    assert "20 个工作日" in page and "10 个工作日" in page
    assert client.get("/portal/matter/NOPE").status_code == 404


def test_progress_query_needs_the_second_factor_and_shows_no_personal_data(app, client, world_ids):
    with app.app_context():
        case = completed_case(world_ids)
        number = case.number
    wrong = client.post("/portal/progress", data={"number": number, "factor": "9999"}).get_data(as_text=True)
    unknown = client.post("/portal/progress", data={"number": "XZ-NOPE", "factor": "002X"}).get_data(as_text=True)
    message = "没有找到与该编号和号码相符的办件"
    assert message in wrong and message in unknown  # the same words whichever part was wrong
    assert "食品经营许可" not in wrong
    for factor in ("002X", "002x", "1234"):  # ID number's last four, or the phone's
        page = client.post("/portal/progress", data={"number": number, "factor": factor}).get_data(as_text=True)
        assert "食品经营许可（新办）" in page and "已办结" in page, factor
        assert "张三" not in page and "11010519491231002X" not in page and "13800001234" not in page


def test_rating_after_a_progress_query_once_per_channel_and_bad_review_rectification(app, client, world_ids):
    with app.app_context():
        number = completed_case(world_ids).number
    assert client.post("/portal/rate", data={"level": "5"}).status_code == 302  # not looked up: refused
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Evaluation)) == 0
    client.post("/portal/progress", data={"number": number, "factor": "1234"})
    before = client.get("/portal/progress").get_data(as_text=True)
    assert 'name="level"' in before
    page = client.post("/portal/rate", data={"level": "1", "tags": ["态度生硬"]}, follow_redirects=True)
    assert "感谢您的评价" in page.get_data(as_text=True)
    assert 'name="level"' not in page.get_data(as_text=True)  # rated: no buttons any more
    again = client.post("/portal/rate", data={"level": "5"}, follow_redirects=True).get_data(as_text=True)
    assert "该办件已评价过" in again
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Evaluation)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Rectification)) == 1


def test_window_device_rates_the_windows_last_completed_case(app, client, world_ids, monkeypatch):
    from app import clock

    with app.app_context():
        case = completed_case(world_ids)
        case_id = case.id
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 9, 30, 10, 10))
    page = client.get(f"/portal/window/{world_ids['win_a']}").get_data(as_text=True)
    assert "食品经营许可（新办）" in page and "张三" not in page
    client.post(f"/portal/window/{world_ids['win_a']}", data={"case_id": str(case_id), "level": "5"})
    client.post(f"/portal/window/{world_ids['win_a']}", data={"case_id": str(case_id + 1), "level": "1"})
    with app.app_context():
        levels = db.session.scalars(sa.select(Evaluation.level)).all()
        assert levels == [5]
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 9, 30, 12, 0))  # long after: nothing to rate
    assert "可在此对本次服务进行评价" in client.get(f"/portal/window/{world_ids['win_a']}").get_data(as_text=True)
    assert client.get("/portal/window/999999").status_code == 404


def test_complaint_filed_then_followed_with_number_and_phone_digits(app, client, world_ids):
    page = client.post(
        "/portal/complaint",
        data={
            "subject": "窗口推诿",
            "content": "多次往返仍未办理",
            "phone": "13912345678",
            "department_id": world_ids["dept_a"],
        },
    ).get_data(as_text=True)
    number = re.search(r"TS\d{14}", page).group(0)
    status = client.post("/portal/complaint/status", data={"number": number, "phone4": "5678"}).get_data(as_text=True)
    assert "窗口推诿" in status and "13912345678" not in status
    wrong = client.post("/portal/complaint/status", data={"number": number, "phone4": "0000"}).get_data(as_text=True)
    assert "窗口推诿" not in wrong and "没有找到" in wrong


HOSTILE = [
    {"subject": "x" * 101, "content": "内容", "phone": "13912345678"},
    {"subject": "<script>alert(1)</script>", "content": "y" * 2001, "phone": "13912345678"},
    {"subject": "' OR 1=1 --", "content": "内容", "phone": "1391234'; DROP TABLE complaint;--"},
    {"subject": "主题", "content": "内容", "phone": "13912345678", "department_id": "abc"},
    {"subject": "主题", "content": "内容", "phone": "13912345678", "department_id": "99999999999999"},
    {"subject": "", "content": "", "phone": ""},
]


@pytest.mark.parametrize("data", HOSTILE)
def test_hostile_complaints_get_a_message_and_store_nothing(app, client, data):
    page = client.post("/portal/complaint", data=data)
    assert page.status_code == 200 and "alert-danger" in page.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 0


@pytest.mark.parametrize(
    "data",
    [
        {"level": "9"},
        {"level": "<script>"},
        {"level": "3", "comment": "长" * 501},
        {"level": "3", "tags": ["' OR 1=1"]},
    ],
)
def test_hostile_ratings_get_a_message_and_store_nothing(app, client, world_ids, data):
    with app.app_context():
        number = completed_case(world_ids).number
    client.post("/portal/progress", data={"number": number, "factor": "1234"})
    page = client.post("/portal/rate", data=data, follow_redirects=True).get_data(as_text=True)
    assert "alert-danger" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Evaluation)) == 0


def test_hostile_progress_queries_are_answered_plainly(client):
    for data in ({"number": "x" * 5000, "factor": "1234"}, {"number": "' OR 1=1 --", "factor": "' OR"}, {}):
        response = client.post("/portal/progress", data=data)
        assert response.status_code == 200 and "alert-danger" in response.get_data(as_text=True)
    assert client.get("/portal/?page=abc&category=';--").status_code == 200
    assert client.get("/portal/?department=<x>").status_code == 400  # not a department id (issue 12)


def _limited_app(app, **limits):
    from app import create_app

    return create_app(
        {
            **{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "FAB_PASSWORD_HASH_METHOD", "SECRET_KEY")},
            "RATELIMIT_ENABLED": True,
            **limits,
        }
    )


def test_forms_without_a_csrf_token_are_refused(app):
    protected = _limited_app(app, WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    response = client.post("/portal/complaint", data={"subject": "主题", "content": "内容", "phone": "13912345678"})
    assert response.status_code == 400
    with protected.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 0


def test_progress_query_is_rate_limited(app):
    client = _limited_app(app, WTF_CSRF_ENABLED=False, PORTAL_QUERY_LIMIT="3 per minute").test_client()
    codes = [client.post("/portal/progress", data={"number": "XZ-1", "factor": "1234"}).status_code for _ in range(5)]
    assert codes[:3] == [200] * 3 and codes[3:] == [429, 429]
    assert client.get("/portal/progress").status_code == 200  # reading the form is not counted


def test_hostile_status_and_device_requests_are_answered_plainly(app, client, world_ids):
    for data in ({"number": "<script>", "phone4": "12<>"}, {"number": "x" * 3000, "phone4": "1234"}, {}):
        page = client.post("/portal/complaint/status", data=data)
        assert page.status_code == 200 and "alert-danger" in page.get_data(as_text=True)
        assert "<script>" not in page.get_data(as_text=True).split("</header>")[1]
    device = f"/portal/window/{world_ids['win_a']}"
    for data in ({"case_id": "abc", "level": "5"}, {"case_id": "1 OR 1=1", "level": "5"}, {}):
        assert client.post(device, data=data, follow_redirects=True).status_code == 200
    assert client.get("/portal/window/abc").status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Evaluation)) == 0


def test_behind_a_proxy_each_citizen_has_their_own_limit_and_without_one_the_header_is_ignored(app):
    def post(client, address):
        return client.post(
            "/portal/progress", data={"number": "XZ-1", "factor": "1234"}, headers={"X-Forwarded-For": address}
        ).status_code

    proxied = _limited_app(app, WTF_CSRF_ENABLED=False, PORTAL_QUERY_LIMIT="2 per minute", PROXY_HOPS=1)
    client = proxied.test_client()
    assert [post(client, "10.1.1.1") for _ in range(3)] == [200, 200, 429]
    assert post(client, "10.1.1.2") == 200  # another citizen behind the same nginx
    direct = _limited_app(app, WTF_CSRF_ENABLED=False, PORTAL_QUERY_LIMIT="2 per minute").test_client()
    # No proxy configured: a forged header does not buy a fresh limit.
    assert [post(direct, f"10.2.2.{n}") for n in range(3)] == [200, 200, 429]


def test_with_the_shared_store_down_each_worker_limits_alone_instead_of_failing(app):
    # Nothing listens on port 1: Redis is "down" for this app from its first request.
    client = _limited_app(
        app, WTF_CSRF_ENABLED=False, PORTAL_QUERY_LIMIT="2 per minute", RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0"
    ).test_client()
    codes = [client.post("/portal/progress", data={"number": "XZ-1", "factor": "1234"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
