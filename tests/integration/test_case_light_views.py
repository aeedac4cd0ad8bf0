"""One light: the case page, the case list, the dashboard and the REST API show the same light and
days left for the same cases (running, warning, overdue, suspended and frozen, finished) at a fixed
`now`, as services/case_light.py computes them."""

import json
import re

import pytest

from app.extensions import db
from app.models.case import SuspendReason
from app.services import calendar as calendar_service
from app.services.case_light import case_light
from tests.conftest import login
from tests.services.test_case_light import CASES, NOW, make_case


@pytest.fixture
def cases(app, world_ids, monkeypatch):
    monkeypatch.setattr("app.clock.now", lambda: NOW)
    with app.app_context():
        made = {}
        for seq, (name, row) in enumerate(CASES.items()):
            case = make_case(name, row, world_ids, seq)
            if case.status.name == "suspended" or (case.suspended_at and case.finished_at):
                case.suspend_reason = SuspendReason.supplement
            db.session.add(case)
            made[name] = case
        db.session.commit()
        cal = calendar_service.load(db.session)
        expected = {case.number: (case.id, case_light(case, NOW, cal)) for case in made.values()}
        # Words and light as the pages render them (the service's, put into words by the view).
        from app.views.lights import light_text

        with app.test_request_context():
            words = {
                number: light_text(db.session.get(type(made[name]), pk), shown) if shown.light else None
                for name, (number, (pk, shown)) in zip(made, expected.items(), strict=True)
            }
        yield expected, words


def _page_light(html):
    found = re.search(r'class="govhall-days" data-light="(\w+)">.*?</span>[^·]*· ([^<]+)</div>', html, re.S)
    return (found.group(1), found.group(2).strip()) if found else (None, None)


def test_page_list_dashboard_and_api_agree(client, cases):
    expected, words = cases
    login(client, "manager")

    listing = client.get("/caseview/list/?psize_CaseView=100").get_data(as_text=True)
    rows = {number: row for row in listing.split("<tr") for number in expected if number in row}
    api_list = {item["number"]: item for item in client.get("/api/v1/case/?q=(page_size:100)").get_json()["result"]}
    for number, (pk, shown) in expected.items():
        light = shown.light.name if shown.light else None
        page = client.get(f"/caseview/show/{pk}").get_data(as_text=True)
        assert _page_light(page) == (light, words[number]), number
        lit = re.search(r'data-light="(\w+)">([^<]+)<', rows[number])
        assert ((lit.group(1), lit.group(2)) if lit else (None, None)) == (light, words[number]), number
        api = client.get(f"/api/v1/case/{pk}").get_json()["result"]
        assert (api["light"], api["days_left"], api["clock"]) == (light, shown.days_left, shown.as_dict()["clock"])
        assert {k: api_list[number][k] for k in ("light", "days_left", "clock")} == shown.as_dict(), number

    dashboard = client.get("/").get_data(as_text=True)
    figures = json.loads(re.search(r'id="dashboard-data">(.*?)</script>', dashboard, re.S).group(1))
    open_lights = [s.light.name for _pk, s in expected.values() if s.phase and s.phase.value != "finished"]
    assert {item["key"]: item["value"] for item in figures["lights"]} == {
        key: open_lights.count(key) for key in ("green", "yellow", "red")
    }
    red_table = dashboard.split('class="table table-condensed govhall-red-cases"')[1].split("</table>")[0]
    for number, (_pk, shown) in expected.items():
        red_and_open = shown.light and shown.light.name == "red" and shown.phase.value != "finished"
        assert (number in red_table) == bool(red_and_open), number
        if red_and_open:
            assert words[number] in red_table

    # The dashboard's tiles open the quick lists: the same cases.
    for quick, light in (("overdue", "red"), ("due_soon", "yellow")):
        listed = client.get(f"/caseview/list/?quick={quick}").get_data(as_text=True)
        for number, (_pk, shown) in expected.items():
            shown_open = shown.light and shown.light.name == light and shown.phase.value != "finished"
            assert (number in listed) == bool(shown_open), (quick, number)


def test_a_suspended_case_says_it_is_frozen_not_overdue(client, cases):
    expected, _words = cases
    pk, shown = next(v for v in expected.values() if v[1].phase.value == "suspended" and v[1].light.name == "green")
    login(client, "manager")
    page = client.get(f"/caseview/show/{pk}").get_data(as_text=True)
    # Its stored deadline is a week past (the paused days are added on resumption), yet it is not overdue.
    assert "已暂停（补件），暂停时剩余 5 个工作日" in page
    assert "已超期" not in page
