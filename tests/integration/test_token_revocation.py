"""A logout ends the account's API tokens; a password change ends every other login and token."""

import pytest

from tests.conftest import login
from tests.world import PASSWORD

NEW_PASSWORD = "Neues@Passwort2026"


def api_login(client, username, password=PASSWORD):
    response = client.post(
        "/api/v1/security/login",
        json={"username": username, "password": password, "provider": "db", "refresh": True},
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def api_works(client, tokens):
    """(the access token reads the API, the refresh token issues a new access token)"""
    read = client.get("/api/v1/department/", headers=bearer(tokens["access_token"])).status_code
    refresh = client.post("/api/v1/security/refresh", headers=bearer(tokens["refresh_token"])).status_code
    return read == 200, refresh == 200


def web_works(client):
    return client.get("/departmentview/list/").status_code == 200


@pytest.fixture
def other_client(app):
    return app.test_client()


def test_tokens_work_until_revoked(client):
    tokens = api_login(client, "manager")
    assert api_works(client, tokens) == (True, True)
    refreshed = client.post("/api/v1/security/refresh", headers=bearer(tokens["refresh_token"])).get_json()
    assert client.get("/api/v1/department/", headers=bearer(refreshed["access_token"])).status_code == 200


def test_web_logout_revokes_the_accounts_api_tokens(client, other_client):
    tokens = api_login(other_client, "manager")
    login(client, "manager")
    client.get("/logout/")
    assert api_works(other_client, tokens) == (False, False)
    assert api_works(other_client, api_login(other_client, "manager")) == (True, True)
    assert api_works(other_client, api_login(other_client, "supervisor")) == (True, True)


def test_api_logout_revokes_access_and_refresh_tokens(client):
    tokens = api_login(client, "manager")
    other_device = api_login(client, "manager")
    response = client.post("/api/v1/security/logout", headers=bearer(tokens["access_token"]))
    assert response.status_code == 200 and "令牌均已作废" in response.get_json()["message"]
    assert api_works(client, tokens) == (False, False)
    assert api_works(client, other_device) == (False, False)
    assert client.post("/api/v1/security/logout", headers=bearer(tokens["refresh_token"])).status_code == 401
    later = api_login(client, "manager")
    assert client.post("/api/v1/security/logout", headers=bearer(later["refresh_token"])).status_code == 200
    assert api_works(client, later) == (False, False)


def test_own_password_change_ends_other_logins_and_tokens_but_not_this_one(app, client, other_client):
    tokens = api_login(other_client, "staff_a")
    login(other_client, "staff_a")
    login(client, "staff_a")
    response = client.post("/resetmypassword/form", data={"password": NEW_PASSWORD, "conf_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert web_works(client)
    assert not web_works(other_client)
    assert api_works(other_client, tokens) == (False, False)
    assert api_works(other_client, api_login(other_client, "staff_a", NEW_PASSWORD)) == (True, True)


def test_admin_password_reset_ends_every_login_and_token_of_the_user(app, client, other_client, world_ids):
    tokens = api_login(other_client, "manager")
    login(other_client, "manager")
    login(client, "admin")
    response = client.post(
        f"/resetpassword/form?pk={world_ids['user_manager']}",
        data={"password": NEW_PASSWORD, "conf_password": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not web_works(other_client)
    assert api_works(other_client, tokens) == (False, False)
    assert web_works(client)  # the admin's own login stays
    login(other_client, "manager", NEW_PASSWORD)
    assert web_works(other_client)


def test_a_token_issued_before_generations_holds_until_the_first_revocation(app, client, world_ids):
    """Tokens issued by the previous version carry no generation: they count as generation 0."""
    import time

    import jwt

    now = int(time.time())
    claims = {"sub": str(world_ids["user_manager"]), "type": "access", "fresh": False, "jti": "legacy"}
    legacy = jwt.encode({**claims, "iat": now, "nbf": now, "exp": now + 600}, app.secret_key, algorithm="HS256")
    assert client.get("/api/v1/department/", headers=bearer(legacy)).status_code == 200
    login(client, "manager")
    client.get("/logout/")
    assert client.get("/api/v1/department/", headers=bearer(legacy)).status_code == 401
