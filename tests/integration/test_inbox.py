"""The inbox: everyone reads and marks only their own notices, Admin included."""

import re
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models.notice import Notice, NoticeKind


def _notice(user_id, key):
    notice = Notice(
        user_id=user_id,
        kind=NoticeKind.case_overdue,
        key=key,
        detail=f"办件 {key}",
        created_at=datetime(2026, 10, 9, 9, 0),
    )
    db.session.add(notice)
    db.session.commit()
    return notice.id


def test_inbox_lists_only_the_users_own_notices(app, client, world_ids, login_as):
    with app.app_context():
        mine = _notice(world_ids["user_staff_a"], "overdue:mine")
        theirs = _notice(world_ids["user_admin"], "overdue:theirs")
    login_as("staff_a")
    page = client.get("/noticeview/list/").get_data(as_text=True)
    assert "overdue:mine" in page and "overdue:theirs" not in page
    assert client.get(f"/noticeview/show/{mine}").status_code == 200
    assert client.get(f"/noticeview/show/{theirs}").status_code in (302, 404)


def test_mark_read_touches_only_own_notices(app, client, world_ids, login_as):
    with app.app_context():
        mine = _notice(world_ids["user_staff_a"], "overdue:mine")
        theirs = _notice(world_ids["user_chief_a"], "overdue:theirs")
    login_as("staff_a")
    response = client.post("/noticeview/action_post", data={"action": "mark_read", "rowid": [mine, theirs]})
    assert response.status_code == 404  # one of the rows is outside the user's inbox: nothing happens
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(Notice.read_at.is_not(None))) == 0
    response = client.post("/noticeview/action_post", data={"action": "mark_read", "rowid": [mine]})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Notice, mine).read_at is not None
        assert db.session.get(Notice, theirs).read_at is None


def test_anonymous_has_no_inbox(client):
    assert client.get("/noticeview/list/").status_code == 302


def test_mark_all_read_is_a_csrf_checked_post_on_the_users_own_inbox(app, client, world_ids, login_as):
    with app.app_context():
        mine = [_notice(world_ids["user_staff_a"], f"overdue:mine{n}") for n in range(30)]
        theirs = _notice(world_ids["user_chief_a"], "overdue:theirs")
    login_as("staff_a")
    page = client.get("/noticeview/list/").get_data(as_text=True)
    assert "全部标为已读" in page and "30 条未读消息" in page
    assert client.get("/noticeview/mark-all-read").status_code == 405  # a GET never changes anything
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/noticeview/mark-all-read").status_code == 400  # no token: refused
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).where(Notice.read_at.is_not(None))) == 0
        page = client.get("/noticeview/list/").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = client.post("/noticeview/mark-all-read", data={"csrf_token": token})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已将 30 条消息标为已读" in page
    with app.app_context():
        assert all(db.session.get(Notice, pk).read_at is not None for pk in mine)
        assert db.session.get(Notice, theirs).read_at is None  # another user's inbox is not touched
    assert "全部标为已读" not in client.get("/noticeview/list/").get_data(as_text=True)  # nothing left unread
