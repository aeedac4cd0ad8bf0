"""Reports per level through the pages (issue 16.7): a township head and a sub-center head build,
download and submit their own centers' reports from the list; another center's report answers 404
through every URL and nothing changes; the county's manager keeps every center's."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import MonthlyReport
from tests import report_world
from tests.conftest import login


@pytest.fixture
def ids(app, world_ids):
    return report_world.build(app, world_ids)


def _build(client, center_id, month="2026-10"):
    return client.post("/monthlyreportview/generate/", data={"center_id": center_id, "month": month})


def _report(app, center_id):
    with app.app_context():
        report = db.session.scalar(sa.select(MonthlyReport).where(MonthlyReport.center_id == center_id))
        return None if report is None else (report.id, report.submitted_at, report.submitted_by, report.version)


def _county_builds(app, client, ids, *keys):
    login(client, "manager")
    for key in keys:
        assert _build(client, ids[key]).status_code == 302
    client.get("/logout/")
    return {key: _report(app, ids[key])[0] for key in keys}


def test_a_township_head_builds_and_submits_only_their_own(app, client, ids):
    pks = _county_builds(app, client, ids, "town2", "county")
    login(client, "head_town")
    listing = client.get("/monthlyreportview/list/").get_data(as_text=True)
    # The build form offers their own center only; the list holds none of the others' reports.
    assert "城关镇便民服务中心" in listing and "河口镇便民服务中心" not in listing
    assert "示范县政务服务中心" not in listing
    response = _build(client, ids["town"])
    assert response.status_code == 302 and "/monthlyreportview/show/" in response.headers["Location"]
    own, _, _, version = _report(app, ids["town"])
    assert client.post(f"/monthlyreportview/action/download/{own}").status_code == 200
    page = client.post(f"/monthlyreportview/action/submit/{own}", follow_redirects=True).get_data(as_text=True)
    assert "alert-danger" not in page
    _, submitted_at, submitted_by, _ = _report(app, ids["town"])
    assert submitted_at is not None and submitted_by == "负责人head_town"

    # Another center's report, by every URL: 404, nothing built, changed or sent.
    for key, pk in pks.items():
        before = _report(app, ids[key])
        assert _build(client, ids[key]).status_code == 404
        assert client.get(f"/monthlyreportview/show/{pk}").status_code == 404
        assert client.post(f"/monthlyreportview/action/download/{pk}").status_code == 404
        assert client.post(f"/monthlyreportview/action/submit/{pk}").status_code == 404
        assert client.post("/monthlyreportview/action_post", data={"action": "submit", "rowid": pk}).status_code == 404
        assert _report(app, ids[key]) == before
    assert _build(client, ids["sub"]).status_code == 404
    assert _report(app, ids["sub"]) is None


def test_a_sub_center_head_reports_for_the_centers_below_it(app, client, ids):
    pks = _county_builds(app, client, ids, "town")
    login(client, "head_sub")
    listing = client.get("/monthlyreportview/list/").get_data(as_text=True)
    assert "开发区分中心" in listing and "新区镇便民服务中心" in listing and "城关镇便民服务中心" not in listing
    for key in ("sub", "sub_town"):
        assert _build(client, ids[key]).status_code == 302
    below, *_ = _report(app, ids["sub_town"])
    assert client.post(f"/monthlyreportview/action/submit/{below}").status_code == 302
    assert _report(app, ids["sub_town"])[2] == "负责人head_sub"
    assert client.post(f"/monthlyreportview/action/submit/{pks['town']}").status_code == 404
    assert _report(app, ids["town"])[1] is None
    listing = client.get("/monthlyreportview/list/").get_data(as_text=True)
    assert listing.count("/monthlyreportview/show/") >= 2 and f"/monthlyreportview/show/{pks['town']}" not in listing


def test_the_county_manager_keeps_every_centers_report(app, client, ids):
    login(client, "head_town")
    assert _build(client, ids["town"]).status_code == 302
    client.get("/logout/")
    login(client, "manager")
    listing = client.get("/monthlyreportview/list/").get_data(as_text=True)
    for name in ("城关镇便民服务中心", "河口镇便民服务中心", "开发区分中心", "新区镇便民服务中心"):
        assert name in listing
    own, *_ = _report(app, ids["town"])
    assert client.post(f"/monthlyreportview/action/submit/{own}").status_code == 302
    assert _report(app, ids["town"])[2] == "测试manager"
    assert _build(client, ids["sub_town"]).status_code == 302
    # The county's report carries the network's headline figures in the list.
    assert _build(client, ids["county"]).status_code == 302
    listing = client.get("/monthlyreportview/list/").get_data(as_text=True)
    assert "上报 0（未办结 0），送达 0，代办 0" in listing
    with app.app_context():
        months = set(db.session.scalars(sa.select(MonthlyReport.month)))
    assert months == {date(2026, 10, 1)}
