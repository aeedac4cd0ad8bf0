"""The dashboard's hall panel (issue 18.5): the hall now and this month, in the user's scope."""

import re
from datetime import datetime

from app import clock
from app.extensions import db
from app.services import queue
from tests.services.test_queue import make_groups

NOW = datetime(2026, 12, 3, 10, 0)


def _rows(page):
    table = re.search(r'class="table table-condensed govhall-hall-groups">(.*?)</table>', page, re.S)
    if table is None:
        return []
    rows = re.findall(r"<tr><td>(.*?)</td><td[^>]*>(\d+)</td><td[^>]*>(\d+)</td><td[^>]*>(\d+)</td></tr>", table[1])
    return [(name, int(a), int(b), int(c)) for name, a, b, c in rows]


def test_the_hall_panel_follows_the_scope(app, client, world_ids, login_as, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    with app.app_context():
        groups = make_groups(db.session, world_ids)
        county = world_ids["county"]
        queue.issue(db.session, county, groups["A"], datetime(2026, 12, 3, 9, 0))
        queue.issue(db.session, county, groups["A"], datetime(2026, 12, 3, 9, 40))
        queue.issue(db.session, county, groups["B"], datetime(2026, 12, 3, 9, 50))
        queue.call_next(
            db.session, queue.Desk(world_ids["staff_staff_a"], world_ids["win_a"]), datetime(2026, 12, 3, 9, 55)
        )
        db.session.commit()
    login_as("supervisor")
    page = client.get("/").get_data(as_text=True)
    assert "大厅实况" in page
    assert _rows(page) == [("A 市场监管", 1, 20, 1), ("B 公安户籍", 1, 10, 0)]
    client.get("/logout/")
    login_as("chief_b")
    page = client.get("/").get_data(as_text=True)
    assert _rows(page) == [("B 公安户籍", 1, 10, 0)]
