"""The leaders' roster and visit log pages (issue 19.6): a chief representative records the own
department's rows through a form offering only its windows; refusals are Chinese with nothing
saved; lists, show pages and exports keep to the row scope (another department's row is a 404)."""

import io
from datetime import date, datetime

import openpyxl
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Center, Department, LeaderDuty, LeaderRank, LeaderVisit, Staff, StaffPosition, Window
from app.models.org import WindowKind

NOW = datetime(2026, 10, 12, 9, 0)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    from app import clock

    monkeypatch.setattr(clock, "now", lambda: NOW)


def _visit(department_id, window_id, name):
    return LeaderVisit(
        department_id=department_id,
        window_id=window_id,
        leader_name=name,
        leader_rank=LeaderRank.principal,
        visited_at=datetime(2026, 10, 9, 10, 0),
        summary=f"{name}现场协调",
        recorded_at=NOW,
        recorded_by="测试",
    )


@pytest.fixture
def visits(app, world_ids):
    """One visit of A's leader, one of B's, one at a township's own department window (its head's scope)."""
    ids = dict(world_ids)
    with app.app_context():
        town = db.session.get(Center, ids["town"])
        government = Department(code="G01", name="城关镇政务办", center=town)
        window = Window(code="Z91", name="镇综合窗", kind=WindowKind.dedicated, center=town, department=government)
        db.session.add_all([government, window])
        db.session.flush()
        db.session.add(
            Staff(
                staff_no="NTH1",
                name="镇主任",
                department=government,
                center=town,
                position=StaffPosition.chief_rep,
                user_id=ids["user_town_head"],
            )
        )
        rows = {
            "visit_a": _visit(ids["dept_a"], ids["win_a"], "甲局长"),
            "visit_b": _visit(ids["dept_b"], ids["win_b"], "乙局长"),
            "visit_t": _visit(government.id, window.id, "丙镇长"),
        }
        db.session.add_all(rows.values())
        db.session.commit()
        ids.update({key: row.id for key, row in rows.items()})
    return ids


def _names(response):
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    return {cell for row in sheet.iter_rows(values_only=True) for cell in row if isinstance(cell, str)}


def _count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_chief_s_form_offers_the_own_windows_only_and_no_department(client, world_ids, login_as):
    login_as("chief_a")
    page = client.get("/leadervisitview/record").get_data(as_text=True)
    assert "市场监管窗口" in page and "综合受理窗口" in page  # its own, and the comprehensive it is a member of
    assert "公安户籍窗口" not in page
    assert 'name="department_id"' not in page
    assert client.get("/leadervisitview/add").status_code == 302  # FAB's generic form leads to the service's


def test_a_chief_records_a_visit_of_the_own_department(app, client, world_ids, login_as):
    login_as("chief_a")
    response = client.post(
        "/leadervisitview/record",
        data={
            "window_id": world_ids["win_a"],
            "leader_rank": "in_charge",
            "leader_name": "赵副局长",
            "visited_at": "2026-10-10T15:30",
            "summary": "协调解决食品经营许可现场核查排期",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        visit = db.session.scalar(sa.select(LeaderVisit))
        assert (visit.department_id, visit.leader_name, visit.visited_at) == (
            world_ids["dept_a"],
            "赵副局长",
            datetime(2026, 10, 10, 15, 30),
        )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "分管领导" in page and "解决问题及指导内容" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"window_id": "win_b"}, "该窗口不是本部门的窗口"),
        ({"visited_at": "2026-10-13T09:00"}, "晚于现在"),
        ({"visited_at": "明天"}, "请填写到窗口时间"),
        ({"window_id": "abc"}, "请从列出的窗口中选择"),
        ({"leader_rank": "boss"}, "请选择领导类别"),
        ({"summary": ""}, "请填写解决的问题"),
    ],
)
def test_bad_input_answers_in_chinese_and_saves_nothing(app, client, world_ids, login_as, changes, message):
    login_as("chief_a")
    data = {
        "window_id": world_ids["win_a"],
        "leader_rank": "principal",
        "leader_name": "王局长",
        "visited_at": "2026-10-10T15:30",
        "summary": "现场指导",
    }
    data.update({key: world_ids.get(value, value) for key, value in changes.items()})
    response = client.post("/leadervisitview/record", data=data)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert _count(app, LeaderVisit) == 0


def test_a_chief_puts_a_leader_on_the_roster_once(app, client, world_ids, login_as):
    login_as("chief_a")
    data = {
        "window_id": world_ids["win_a"],
        "leader_rank": "member",
        "leader_name": "钱书记",
        "day": "2026-10-20",
        "half_day": "morning",
        "kind": "standing_in",
    }
    assert client.post("/leaderdutyview/record", data=data).status_code == 302
    again = client.post("/leaderdutyview/record", data={**data, "half_day": "whole"})
    assert "已登记" in again.get_data(as_text=True)
    with app.app_context():
        duty = db.session.scalar(sa.select(LeaderDuty))
        assert (duty.department_id, duty.day, _count(app, LeaderDuty)) == (world_ids["dept_a"], date(2026, 10, 20), 1)
    page = client.get("/leaderdutyview/list/").get_data(as_text=True)
    assert "钱书记" in page and "代班" in page and "上午" in page


def test_a_chief_sees_and_exports_the_own_department_only(client, visits, login_as):
    login_as("chief_a")
    page = client.get("/leadervisitview/list/").get_data(as_text=True)
    assert "甲局长" in page and "乙局长" not in page and "丙镇长" not in page
    assert client.get(f"/leadervisitview/show/{visits['visit_b']}").status_code == 404
    assert client.get(f"/leadervisitview/show/{visits['visit_a']}").status_code == 200
    names = _names(client.get("/leadervisitview/export/"))
    assert "甲局长" in names and "乙局长" not in names


def test_the_center_sees_and_exports_all_and_records_none(client, visits, login_as):
    login_as("manager")
    names = _names(client.get("/leadervisitview/export/"))
    assert {"甲局长", "乙局长", "丙镇长"} <= names
    assert client.get("/leadervisitview/record").status_code == 403


def test_a_township_head_sees_the_own_center_s_rows(client, visits, login_as):
    login_as("town_head")
    page = client.get("/leadervisitview/list/").get_data(as_text=True)
    assert "丙镇长" in page and "甲局长" not in page
    assert client.get(f"/leadervisitview/show/{visits['visit_a']}").status_code == 404


def test_window_staff_do_not_open_the_lists(client, login_as):
    login_as("staff_a")
    assert client.get("/leadervisitview/list/").status_code == 403
    assert client.get("/leaderdutyview/list/").status_code == 403


def test_the_standing_page_flags_the_departments_below_the_minimum_in_scope(app, client, visits, login_as):
    """October, mid-quarter: nobody's leader in charge came and nobody's roster has a day, so every
    department with a window of its own is below; the principal leaders' visits are counted, not checked."""
    login_as("manager")
    page = client.get("/leadervisitview/status?month=2026-10").get_data(as_text=True)
    assert "县市场监督管理局" in page and "县公安局" in page and "城关镇政务办" in page
    assert f'data-department="{visits["dept_a"]}" class="warning"' in page  # in charge: none in October
    client.get("/logout/")
    login_as("chief_a")
    page = client.get("/leadervisitview/status?month=2026-10").get_data(as_text=True)
    assert "县市场监督管理局" in page and "县公安局" not in page
    for month in ("2026-13", "abc", "99999-01", "２０２６-01"):
        assert client.get(f"/leadervisitview/status?month={month}").status_code == 200


def _duty(app, world_ids, department, day):
    with app.app_context():
        duty = LeaderDuty(
            department_id=world_ids[f"dept_{department}"],
            window_id=world_ids[f"win_{department}"],
            leader_name="孙副局长",
            leader_rank=LeaderRank.in_charge,
            day=day,
            recorded_at=NOW,
            recorded_by="测试",
        )
        db.session.add(duty)
        db.session.commit()
        return duty.id


def test_a_chief_takes_a_coming_day_off_the_roster_not_a_past_one_nor_another_department_s(
    app, client, world_ids, login_as
):
    coming, past = _duty(app, world_ids, "a", date(2026, 10, 20)), _duty(app, world_ids, "a", date(2026, 10, 9))
    other = _duty(app, world_ids, "b", date(2026, 10, 20))
    login_as("chief_a")
    assert client.post(f"/leaderdutyview/delete/{other}").status_code == 404
    client.post(f"/leaderdutyview/delete/{coming}")
    refused = client.post(f"/leaderdutyview/delete/{past}", follow_redirects=True).get_data(as_text=True)
    assert "不能删除" in refused
    with app.app_context():
        assert set(db.session.scalars(sa.select(LeaderDuty.id))) == {past, other}
