"""The login limit counts FAILED logins, per account and per address apart (services/login_limit.py)."""

import os
import re
import uuid

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.models.system import Setting
from tests.conftest import TEST_DB_URL, _config_dict

PASSWORD = "Test@1234"
USER_LIMIT, ADDRESS_LIMIT = 3, 6
TIME = re.compile(r"请于 \d\d:\d\d 后（约 \d+ 分钟后）再试")


@pytest.fixture
def limited(app):
    """The suite's database with rate limits on (the test configuration turns them off) and small
    thresholds; each app has its own in-memory counts."""
    with app.app_context():
        for key, value in (("login_fail_user_limit", USER_LIMIT), ("login_fail_address_limit", ADDRESS_LIMIT)):
            setting = db.session.scalar(sa.select(Setting).where(Setting.key == key)) or Setting(key=key)
            setting.value = str(value)
            db.session.add(setting)
        db.session.commit()
    application = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": TEST_DB_URL, "RATELIMIT_ENABLED": True})
    yield application
    with application.app_context():
        db.engine.dispose()


def _login(client, username, password, address="10.0.0.1"):
    response = client.post(
        "/login/", data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": address}
    )
    logged_in = response.status_code == 302 and "/login" not in response.headers["Location"]
    client.get("/logout/", environ_base={"REMOTE_ADDR": address})
    return logged_in


def _flashed(client):
    with client.session_transaction() as session:
        return " ".join(message for _category, message in session.get("_flashes", []))


def test_successful_logins_never_count(limited):
    # A hall behind one NAT address: more logins than either threshold, all through.
    client = limited.test_client()
    assert all(_login(client, "manager", PASSWORD) for _ in range(ADDRESS_LIMIT + 3))
    assert all(_login(client, "staff_a", PASSWORD) for _ in range(USER_LIMIT + 3))


def test_failures_lock_the_account_with_the_time_to_try_again(limited):
    client = limited.test_client()
    for _ in range(USER_LIMIT - 1):
        assert not _login(client, "manager", "wrong")
    client.post("/login/", data={"username": "manager", "password": "wrong"}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    message = _flashed(client)
    assert "该账号登录失败次数过多" in message and TIME.search(message), message
    # Locked: the right password does not get in now, from any address...
    assert not _login(client, "manager", PASSWORD, address="10.0.0.2")
    client.post("/login/", data={"username": "manager", "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.0.0.3"})
    assert "该账号登录失败次数过多" in _flashed(client)
    # ...while another account at the same address still does.
    assert _login(client, "staff_a", PASSWORD)


def test_a_success_clears_the_accounts_failures(limited):
    client = limited.test_client()
    for _ in range(USER_LIMIT - 1):
        assert not _login(client, "manager", "wrong")
    assert _login(client, "manager", PASSWORD)
    for _ in range(USER_LIMIT - 1):
        assert not _login(client, "manager", "wrong")
    assert _login(client, "manager", PASSWORD)


def test_failures_from_one_address_lock_that_address_only(limited):
    client = limited.test_client()
    # Different accounts (none reaching its own threshold), one address.
    names = ["manager", "staff_a", "chief_a", "nobody-1", "nobody-2", "nobody-3"]
    assert len(names) == ADDRESS_LIMIT
    for name in names:
        assert not _login(client, name, "wrong", address="10.9.9.9")
    client.post("/login/", data={"username": "leader", "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    message = _flashed(client)
    assert "本机所在网络地址登录失败次数过多" in message and TIME.search(message), message
    assert not _login(client, "leader", PASSWORD, address="10.9.9.9")
    assert _login(client, "leader", PASSWORD, address="10.9.9.10")


def test_token_login_shares_the_limit_and_answers_429_in_chinese(limited):
    client = limited.test_client()
    body = {"username": "manager", "password": PASSWORD, "provider": "db"}
    assert client.post("/api/v1/security/login", json=body).status_code == 200
    wrong = {**body, "password": "bad"}
    codes = [client.post("/api/v1/security/login", json=wrong).status_code for _ in range(USER_LIMIT)]
    assert codes[:-1] == [401] * (USER_LIMIT - 1)
    refused = client.post("/api/v1/security/login", json=body)
    assert refused.status_code == 429 and "该账号登录失败次数过多" in refused.get_json()["message"]


def test_wrong_password_message_is_chinese(limited):
    client = limited.test_client()
    client.post("/login/", data={"username": "manager", "password": "wrong"})
    assert _flashed(client) == "用户名或密码错误，请重试。"


def test_rate_limit_page_is_chinese_and_says_when_to_retry(app):
    limited = create_app(
        {
            **_config_dict(),
            "SQLALCHEMY_DATABASE_URI": TEST_DB_URL,
            "RATELIMIT_ENABLED": True,
            "PORTAL_RATE_LIMIT": "2 per minute",
        }
    )
    client = limited.test_client()
    assert [client.get("/portal/directory").status_code for _ in range(2)] == [200, 200]
    refused = client.get("/portal/directory")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert re.search(r"请求过于频繁，请于 \d\d:\d\d 后（约 1 分钟后）再试", page), page
    assert "Too Many Requests" not in page and "per minute" not in page
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    with limited.app_context():
        db.engine.dispose()


def test_failures_are_counted_once_across_workers_sharing_redis(app):
    """Two app instances (two gunicorn workers) on one Redis store: failures on one lock the other."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("no Redis at 127.0.0.1:6379")
    shared = {
        **_config_dict(),
        "SQLALCHEMY_DATABASE_URI": TEST_DB_URL,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": url,
        "RATELIMIT_KEY_PREFIX": f"govhall-test-{uuid.uuid4().hex}",
    }
    workers = [create_app(shared).test_client() for _ in range(2)]
    default_limit = 5  # login_fail_user_limit
    for attempt in range(default_limit):
        assert not _login(workers[attempt % 2], "manager", "wrong")
    assert not _login(workers[0], "manager", PASSWORD)
    assert not _login(workers[1], "manager", PASSWORD)
    assert _login(workers[1], "staff_a", PASSWORD)
