"""Error answers are Chinese pages (JSON under /api/), need no database, and an outage is a 503."""

import io

import pytest
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from tests.conftest import TEST_DB_URL, _config_dict, login

OUTAGE = "数据库暂时无法连接"


def _unreachable_url():
    """The suite's engine, at a database that cannot be opened: a closed port or a missing folder."""
    url = make_url(TEST_DB_URL)
    if url.get_backend_name() == "sqlite":
        return "sqlite:////nonexistent-govhall-folder/govhall.db"
    return url.set(host="127.0.0.1", port=1).render_as_string(hide_password=False)


def _app(**overrides):
    return create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": TEST_DB_URL, **overrides})


@pytest.fixture
def outage_app():
    """The app on a database server that is down (same secret key: the suite's cookies and tokens hold)."""
    application = _app(SQLALCHEMY_DATABASE_URI=_unreachable_url())
    yield application
    with application.app_context():
        db.engine.dispose()


def _assert_outage_page(response):
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    page = response.get_data(as_text=True)
    assert OUTAGE in page and "Internal Server Error" not in page and "Traceback" not in page
    assert "css/govhall.css" in page  # the app's own look, without its menu


def test_database_outage_answers_503_in_chinese_for_pages_portal_and_api(app, client, outage_app):
    login(client, "manager")
    token = client.post(
        "/api/v1/security/login", json={"username": "manager", "password": "Test@1234", "provider": "db"}
    ).get_json()["access_token"]
    during = outage_app.test_client()
    during.set_cookie("govhall_session", client.get_cookie("govhall_session").value)

    _assert_outage_page(during.get("/caseview/list/"))
    _assert_outage_page(during.get("/"))
    _assert_outage_page(during.get("/portal/"))
    _assert_outage_page(during.post("/portal/progress", data={"number": "XZ-20260101-00001", "phone4": "1234"}))
    api = during.get("/api/v1/case/", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 503 and api.headers["Retry-After"].isdigit()
    assert OUTAGE in api.get_json()["message"]
    # An error page needs no data (no menu, no user): a logged-in user's 404 still renders.
    missing = during.get("/no-such-page/")
    assert missing.status_code == 404 and "页面或记录不存在" in missing.get_data(as_text=True)


def test_exhausted_connection_pool_is_503(app):
    crowded = _app(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0, "pool_timeout": 0.1})
    with crowded.app_context():
        held = db.engine.connect()
        try:
            _assert_outage_page(crowded.test_client().get("/portal/"))
        finally:
            held.close()
            db.engine.dispose()


def test_oversized_upload_is_413_in_chinese(app, client):
    login(client, "manager")
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    try:
        response = client.post(
            "/matter-import/",
            data={"mode": "dry_run", "file": (io.BytesIO(b"x" * (1024 * 1024 + 1)), "目录.xlsx")},
            content_type="multipart/form-data",
        )
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "上传的内容过大：最多 1 MB" in page and "Request Entity Too Large" not in page


def test_unknown_url_is_404_in_chinese(client):
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and "页面或记录不存在" in page.get_data(as_text=True)
    api = client.get("/api/v1/no-such-resource/")
    assert api.status_code == 404 and "页面或记录不存在" in api.get_json()["message"]


def test_wrong_method_is_405_in_chinese_with_allow(client):
    response = client.get("/api/v1/security/login")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]
    assert response.get_json()["message"] == "该地址不接受此类请求。"
    page = client.delete("/portal/")
    assert page.status_code == 405 and "该地址不接受此类请求" in page.get_data(as_text=True)


def test_rate_limit_is_429_in_chinese(app):
    limited = _app(RATELIMIT_ENABLED=True, PORTAL_RATE_LIMIT="2 per minute")
    client = limited.test_client()
    codes = [client.get("/portal/directory").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert "请求过于频繁" in client.get("/portal/directory").get_data(as_text=True)
    with limited.app_context():
        db.engine.dispose()


def test_unexpected_error_is_500_in_chinese_without_details(app):
    # Not TESTING: exceptions reach the error handler as in production.
    broken = _app(TESTING=False)

    @broken.route("/portal/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = broken.test_client().get("/portal/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "服务器内部出错" in page and "secret internals" not in page and "RuntimeError" not in page
    with broken.app_context():
        db.engine.dispose()


def test_database_lost_inside_an_api_call_is_503_and_other_failures_a_chinese_500(app, client, monkeypatch):
    """FAB's @safe catches what an API method raises; the login check has already passed here."""
    from sqlalchemy.exc import OperationalError

    from app.views.interface import GovInterface

    token = client.post(
        "/api/v1/security/login", json={"username": "manager", "password": "Test@1234", "provider": "db"}
    ).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}

    def lost(*_args, **_kwargs):
        raise OperationalError("SELECT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(GovInterface, "query", lost)
    outage = client.get("/api/v1/department/", headers=headers)
    assert outage.status_code == 503 and outage.headers["Retry-After"].isdigit()
    assert OUTAGE in outage.get_json()["message"]

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(GovInterface, "query", broken)
    failure = client.get("/api/v1/department/", headers=headers)
    body = failure.get_json()
    assert failure.status_code == 500 and "服务器内部出错" in body["message"]
    assert "secret internals" not in failure.get_data(as_text=True) and "Fatal error" not in body["message"]
