"""The dashboard: scoped figures equal SQL counts, charts from local assets only."""

import json
import re
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import Case
from app.models.application import ApplicationStatus
from app.models.case import Light
from tests.services.test_case_flow import new_case
from tests.services.test_online_figures import _application


def _data(page):
    return json.loads(re.search(r'id="dashboard-data">(.*?)</script>', page, re.S).group(1))


def test_lights_and_red_cases_follow_the_scope(app, client, world_ids, login_as):
    with app.app_context():
        mine = new_case(world_ids, now=datetime(2026, 9, 17, 10, 0))
        theirs = new_case(world_ids, who="staff_b", matter="matter_b", now=datetime(2026, 9, 17, 10, 0))
        db.session.get(Case, mine.id).light = Light.red
        db.session.get(Case, theirs.id).light = Light.red
        db.session.get(Case, theirs.id).status = "in_progress"
        db.session.commit()
        mine_number, theirs_number = mine.number, theirs.number
    login_as("supervisor")
    page = client.get("/").get_data(as_text=True)
    lights = {item["key"]: item["value"] for item in _data(page)["lights"]}
    assert lights["red"] == 2
    assert mine_number in page and theirs_number in page
    assert {d["name"] for d in _data(page)["overdue"]} == {"县市场监督管理局", "县公安局"}
    client.get("/logout/")
    login_as("chief_a")
    page = client.get("/").get_data(as_text=True)
    assert {item["key"]: item["value"] for item in _data(page)["lights"]}["red"] == 1
    assert mine_number in page and theirs_number not in page
    assert 'id="chart-overdue"' not in page  # one department: no ranking chart


def test_trend_has_twelve_months_and_counts_the_current_one(app, client, world_ids, login_as):
    with app.app_context():
        now = datetime.now()
        accepted_this_month = db.session.scalar(
            sa.select(sa.func.count()).select_from(Case).where(Case.accepted_at >= datetime(now.year, now.month, 1))
        )
    login_as("manager")
    trend = _data(client.get("/").get_data(as_text=True))["trend"]
    assert len(trend) == 12 and trend[-1]["month"] == f"{now:%Y-%m}"
    assert trend[-1]["accepted"] == accepted_this_month


def test_every_asset_is_local(client, login_as):
    login_as("manager")
    page = client.get("/").get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/vendor/echarts/echarts.min.js" in sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert client.get("/static/vendor/echarts/echarts.min.js").status_code == 200


def _online_panel(page):
    """The 网上申报 panel's figures by label."""
    panel = re.search(r'govhall-online">(.*?)</table>', page, re.S).group(1)
    labels = re.findall(r"<th[^>]*>(.*?)</th>", panel)
    values = [value.strip() for value in re.findall(r"<td[^>]*>(.*?)</td>", panel, re.S)]
    return dict(zip(labels, values, strict=True))


def test_the_online_panel_counts_the_month_in_the_users_scope(app, client, world_ids, login_as):
    with app.app_context():
        now = datetime.now().replace(microsecond=0)
        for number, department in ((1, "a"), (2, "a"), (3, "b")):
            _application(world_ids, number, ApplicationStatus.submitted, now, department=department)
        db.session.commit()
    login_as("manager")
    page = client.get("/").get_data(as_text=True)
    panel = _online_panel(page)
    assert "本月网上申报" in page
    assert panel["收到网上申报"] == "3" and panel["一次通过率"] == "—"
    client.get("/logout/")
    login_as("chief_b")
    assert _online_panel(client.get("/").get_data(as_text=True))["收到网上申报"] == "1"
