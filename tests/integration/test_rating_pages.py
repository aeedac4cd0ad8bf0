"""The three rating figures and their definitions on the pages (dashboard, bulletin), and the portal
offering a returned case for rating (issue 14 §2)."""

from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import Evaluation
from app.services import rating_rates
from tests.services.test_rating_rates import hand_built_month, returned_case


def _definitions_in(page):
    return all(rating_rates.DEFINITIONS[key] in page for key in rating_rates.RATES)


def test_dashboard_shows_the_three_figures_with_their_definitions(app, client, world_ids, login_as, monkeypatch):
    from app import clock

    with app.app_context():
        hand_built_month(world_ids)
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 10, 31, 12, 0))
    login_as("supervisor")
    page = client.get("/").get_data(as_text=True)
    for label, value in (("本月好评率", "90.0%"), ("本月差评率", "10.0%"), ("本月默认评价占比", "75.0%")):
        assert f'<div class="num">{value}</div><div class="label">{label}</div>' in page, label
    assert "评价指标口径" in page and _definitions_in(page)


def test_bulletin_page_shows_the_three_figures_with_their_definitions(app, client, world_ids, login_as):
    with app.app_context():
        hand_built_month(world_ids)
    login_as("supervisor")
    page = client.get("/bulletin/?start=2026-10-01&end=2026-10-31&by=bad_review_rate").get_data(as_text=True)
    for label in ("好评率", "差评率", "默认评价占比"):
        assert f">{label}</a></th>" in page, label
    row = page[page.index("县市场监督管理局") :].split("</tr>")[0]
    assert "90.0%" in row and "10.0%" in row and "75.0%" in row
    assert _definitions_in(page)


def test_portal_offers_a_returned_case_for_rating(app, client, world_ids):
    with app.app_context():
        number = returned_case(world_ids).number
    client.post("/portal/progress", data={"number": number, "factor": "1234"})
    assert 'name="level"' in client.get("/portal/progress").get_data(as_text=True)
    page = client.post("/portal/rate", data={"level": "3"}, follow_redirects=True).get_data(as_text=True)
    assert "感谢您的评价" in page
    with app.app_context():
        assert db.session.scalar(sa.select(Evaluation.level)) == 3
