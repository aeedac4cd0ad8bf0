"""Security basics: CSRF, no GET mutations, token login, passwords, logout, paging, headers."""

import pytest

from app.extensions import db
from app.models import Department, Staff
from tests.conftest import login


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_post_without_csrf_token_is_refused(app, client, world_ids, csrf_on):
    app.config["WTF_CSRF_ENABLED"] = False
    login(client, "manager")
    app.config["WTF_CSRF_ENABLED"] = True
    pk = world_ids["dept_c"]
    assert client.post(f"/departmentview/delete/{pk}").status_code == 400
    assert client.put(f"/api/v1/department/{pk}", json={"name": "x"}).status_code == 400
    with app.app_context():
        assert db.session.get(Department, pk).name == "县气象局"


def test_get_never_mutates(app, client, world_ids, csrf_on):
    app.config["WTF_CSRF_ENABLED"] = False
    login(client, "manager")
    app.config["WTF_CSRF_ENABLED"] = True
    pk = world_ids["dept_c"]
    client.get(f"/departmentview/delete/{pk}")
    assert client.get(f"/staffview/action/deactivate/{world_ids['staff_staff_a']}").status_code == 405
    with app.app_context():
        assert db.session.get(Department, pk) is not None
        assert db.session.get(Staff, world_ids["staff_staff_a"]).status.name == "active"


def test_login_form_carries_csrf_token(app, client, csrf_on):
    page = client.get("/login/").get_data(as_text=True)
    assert 'name="csrf_token"' in page


def test_logout_ends_the_session_on_the_server(app, client):
    login(client, "manager")
    stolen = client.get_cookie("govhall_session").value
    assert client.get("/departmentview/list/").status_code == 200
    client.get("/logout/")
    thief = app.test_client()
    thief.set_cookie("govhall_session", stolen)
    response = thief.get("/departmentview/list/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_session_cookie_flags(app, client):
    response = client.post("/login/", data={"username": "manager", "password": "Test@1234"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 8 * 3600


@pytest.mark.parametrize("password", ["short1A", "alllowercase", "lowerandupper", "12345678"])
def test_weak_passwords_are_refused(password):
    from wtforms.validators import ValidationError

    from app.security import password_complexity

    with pytest.raises(ValidationError):
        password_complexity(password)


def test_strong_password_is_accepted():
    from app.security import password_complexity

    password_complexity("Chuangkou#2026")


def test_admin_user_form_rejects_weak_password(app, client):
    from app.models import User

    login(client, "admin")
    with app.app_context():
        role_id = app.appbuilder.sm.find_role("WindowStaff").id
    client.post(
        "/users/add",
        data={
            "first_name": "弱",
            "last_name": "密",
            "username": "weakpw",
            "email": "weak@test.local",
            "active": "y",
            "roles": [role_id],
            "password": "abcdefgh",
            "conf_password": "abcdefgh",
        },
    )
    with app.app_context():
        assert db.session.query(User).filter_by(username="weakpw").first() is None


@pytest.mark.parametrize(
    "query", ["page_StaffView=abc", "psize_StaffView=abc", "psize_StaffView=-5", "page_StaffView=99999999999"]
)
def test_bad_paging_is_400_not_500(client, query):
    login(client, "manager")
    assert client.get(f"/staffview/list/?{query}").status_code == 400


def test_huge_page_size_is_clamped(app, client, world_ids):
    login(client, "manager")
    page = client.get("/auditlogview/list/?psize_AuditLogView=100000").get_data(as_text=True)
    assert page.count("<tr") <= app.config["PAGE_SIZE_MAX"] + 5


def test_bad_filter_value_is_not_a_500(client):
    login(client, "manager")
    assert client.get("/staffview/list/?_flt_0_joined_on=not-a-date").status_code in (200, 400)
    assert client.get("/staffview/list/?_oc_StaffView=no_such_column&_od_StaffView=asc").status_code in (200, 400)


def test_security_headers(client):
    response = client.get("/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self' 'nonce-" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_pages_load_nothing_from_the_internet(client):
    login(client, "manager")
    for url in ("/", "/staffview/list/", "/matterview/list/", "/login/"):
        page = client.get(url).get_data(as_text=True)
        assert "http://" not in page.replace("http://localhost", "") and "https://" not in page


def test_production_refuses_default_secret_key(monkeypatch):
    import config
    from app import create_app

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config.ProductionConfig)


def test_user_with_several_roles_keeps_them_all(app, client, world_ids):
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user(
            "dual",
            "双",
            "角色",
            "dual@test.local",
            [sm.find_role("Leader"), sm.find_role("Supervisor")],
            password="Test@1234",
        )
    login(client, "dual")
    assert client.get("/auditlogview/list/").status_code == 200  # Supervisor only
    assert client.get("/matterview/export/").status_code == 200


def test_jwt_api_login_works_and_is_rate_limited(app):
    from app import create_app

    limited = create_app(
        {
            **{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "FAB_PASSWORD_HASH_METHOD", "SECRET_KEY")},
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_ENABLED": True,
        }
    )
    client = limited.test_client()
    token = client.post(
        "/api/v1/security/login", json={"username": "manager", "password": "Test@1234", "provider": "db"}
    ).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/department/", headers=headers).status_code == 200
    # A bearer token is not a cookie: no CSRF token needed for writes.
    pk = app.config["WORLD"]["dept_c"]
    with app.app_context():
        version = db.session.get(Department, pk).version
    body = {"phone": "0371-63912345", "version": version}
    response = client.put(f"/api/v1/department/{pk}", json=body, headers=headers)
    assert response.status_code == 200
    # Failed logins only count (tests/integration/test_login_limit.py): the 5th failure of an
    # account (the default threshold) locks it, and says so.
    codes = [
        client.post(
            "/api/v1/security/login", json={"username": "manager", "password": "bad", "provider": "db"}
        ).status_code
        for _ in range(6)
    ]
    assert codes == [401] * 4 + [429, 429]


def test_chinese_by_default_english_selectable(client):
    login(client, "manager")
    assert "政务服务事项" in client.get("/matterview/list/").get_data(as_text=True)
    client.get("/lang/en")
    page = client.get("/matterview/list/").get_data(as_text=True)
    assert "Service matters" in page and "政务服务事项" not in page
