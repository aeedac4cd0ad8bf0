"""The inbox: everyone reads and marks only their own notices, Admin included."""

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
