"""容缺受理 through HTTP: the material form's flag, intake with a tolerated material missing and its
due date, the printed 承诺书, the case page's 容缺 table and arrival action, the 容缺 quick lists;
a non-tolerated material refused in Chinese with nothing registered; another department sees none
of it (404 on the case, the commitment and the action, nothing in its lists)."""

import re
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import Case, Matter, MatterMaterial, ToleratedMaterial
from tests.conftest import login
from tests.integration.test_case_views import ID_A

NOW = datetime(2026, 9, 30, 10, 0)


def _setup(app, world_ids):
    """Matter A with a third material, tolerable; returns (site proof id, licence id, application id)."""
    with app.app_context():
        material = MatterMaterial(matter_id=world_ids["matter_a"], name="经营场所证明", tolerable=True, sort_order=3)
        db.session.add(material)
        db.session.commit()
        by_name = {m.name: m.id for m in db.session.get(Matter, world_ids["matter_a"]).materials}
        return material.id, by_name["营业执照"], by_name["食品经营许可申请书"]


def _form(received, tolerated=(), **extra):
    return {
        "applicant_type": "person",
        "applicant_name": "王五",
        "applicant_id_number": ID_A,
        "applicant_phone": "13912345678",
        "channel": "window",
        "received_at": "2026-09-30T09:50",
        "materials": [str(pk) for pk in received],
        "tolerated": [str(pk) for pk in tolerated],
        **extra,
    }


def _count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _accept(app, client, world_ids, monkeypatch, ids=None, **extra):
    monkeypatch.setattr("app.clock.now", lambda: NOW)
    site, licence, form = ids or _setup(app, world_ids)
    if ids is None:
        login(client, "staff_a")
    response = client.post(f"/case-intake/{world_ids['matter_a']}", data=_form([licence, form], [site], **extra))
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/caseview/show/(\d+)", response.headers["Location"]).group(1))


def test_the_intake_form_offers_the_tolerated_tick_and_accepts_on_commitment(app, client, world_ids, monkeypatch):
    monkeypatch.setattr("app.clock.now", lambda: NOW)
    ids = _setup(app, world_ids)
    site = ids[0]
    login(client, "staff_a")
    page = client.get(f"/case-intake/{world_ids['matter_a']}").get_data(as_text=True)
    assert f'name="tolerated" value="{site}"' in page and f'name="tolerated_due_{site}"' in page
    assert "暂缺，容缺受理" in page and "5 个工作日" in page
    pk = _accept(app, client, world_ids, monkeypatch, ids, **{f"tolerated_due_{site}": "2026-10-15"})
    page = client.get(f"/caseview/show/{pk}", follow_redirects=True).get_data(as_text=True)
    assert "容缺受理承诺书" in page and "经营场所证明" in page and "2026-10-15" in page and "待补交" in page
    with app.app_context():
        case = db.session.get(Case, pk)
        assert case.status.name == "accepted" and [r.due_on.isoformat() for r in case.tolerated] == ["2026-10-15"]
    sheet = client.get(f"/caseview/commitment/{pk}").get_data(as_text=True)
    assert "容缺受理承诺书" in sheet and "经营场所证明" in sheet and "2026年10月15日前" in sheet and "被动退件" in sheet
    receipt = client.get(f"/caseview/receipt/{pk}").get_data(as_text=True)
    assert "容缺材料" in receipt and "经营场所证明" in receipt


def test_a_non_tolerated_material_missing_is_refused_in_chinese(app, client, world_ids, monkeypatch):
    monkeypatch.setattr("app.clock.now", lambda: NOW)
    site, licence, form = _setup(app, world_ids)
    login(client, "staff_a")
    before = (_count(app, Case), _count(app, ToleratedMaterial))
    for data, message in (
        (_form([form, site], [licence]), "不属于本事项的可容缺材料"),
        (_form([form], [site]), "不属于可容缺材料"),
        (_form([licence, form], [site], **{f"tolerated_due_{site}": "2026-09-01"}), "补交期限不能早于今天"),
        (_form([licence, form], [site], **{f"tolerated_due_{site}": "next week"}), "年-月-日"),
    ):
        response = client.post(f"/case-intake/{world_ids['matter_a']}", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and message in page, message
    assert (_count(app, Case), _count(app, ToleratedMaterial)) == before


def test_the_clerk_records_the_arrival_on_the_case_page(app, client, world_ids, monkeypatch):
    pk = _accept(app, client, world_ids, monkeypatch)
    page = client.get(f"/caseview/show/{pk}").get_data(as_text=True)
    assert f"/caseview/act/{pk}/receive_tolerated" in page
    with app.app_context():
        case = db.session.get(Case, pk)
        row_id, version = case.tolerated[0].id, case.version
    monkeypatch.setattr("app.clock.now", lambda: datetime(2026, 10, 9, 9, 0))
    client.get("/logout/")
    login(client, "staff_a")  # a new day, a new session
    refused = client.post(f"/caseview/act/{pk}/receive_tolerated", data={"version": version}, follow_redirects=True)
    assert "请勾选已补交的容缺材料" in refused.get_data(as_text=True)
    client.post(f"/caseview/act/{pk}/receive_tolerated", data={"version": version, "material_ids": str(row_id)})
    with app.app_context():
        assert db.session.get(ToleratedMaterial, row_id).received_at == datetime(2026, 10, 9, 9, 0)
    page = client.get(f"/caseview/show/{pk}").get_data(as_text=True)
    assert "已补交" in page and "待补交" not in page and "容缺材料补交登记" in page  # the state, and the event
    assert f"/caseview/act/{pk}/receive_tolerated" not in page  # nothing left to receive


def test_the_tolerated_lists_and_pages_follow_the_scope(app, client, world_ids, monkeypatch):
    pk = _accept(app, client, world_ids, monkeypatch)
    with app.app_context():
        number = db.session.get(Case, pk).number
    monkeypatch.setattr("app.clock.now", lambda: datetime(2026, 10, 14, 9, 0))  # past the 13 Oct due date
    client.get("/logout/")
    login(client, "staff_a")  # a new day, a new session
    for quick in ("tolerated", "tolerated_overdue"):
        assert number in client.get(f"/caseview/list/?quick={quick}").get_data(as_text=True), quick
    client.get("/logout/")
    login(client, "chief_b")
    for quick in ("tolerated", "tolerated_overdue"):
        page = client.get(f"/caseview/list/?quick={quick}").get_data(as_text=True)
        assert number not in page and "容缺已逾期" in page
    assert client.get(f"/caseview/commitment/{pk}").status_code == 404
    with app.app_context():
        version = db.session.get(Case, pk).version
        row_id = db.session.get(Case, pk).tolerated[0].id
    response = client.post(f"/caseview/act/{pk}/receive_tolerated", data={"version": version, "material_ids": row_id})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(ToleratedMaterial, row_id).received_at is None


def test_the_material_form_edits_the_tolerated_flag(app, client, world_ids):
    login(client, "admin")
    page = client.get("/mattermaterialview/add").get_data(as_text=True)
    assert 'name="tolerable"' in page and "可容缺" in page


def test_the_api_records_the_arrival_and_refuses_garbage_with_422(app, client, world_ids, monkeypatch):
    pk = _accept(app, client, world_ids, monkeypatch)
    with app.app_context():
        case = db.session.get(Case, pk)
        row_id, version = case.tolerated[0].id, case.version
    for garbage in ({"x": 1}, "abc", [1.5], None, [row_id + 999]):
        body = {"version": version, "material_ids": garbage}
        response = client.post(f"/api/v1/case/{pk}/action/receive_tolerated", json=body)
        assert response.status_code == 422 and "容缺" in response.get_json()["message"], garbage
    body = {"version": version, "material_ids": [row_id]}
    assert client.post(f"/api/v1/case/{pk}/action/receive_tolerated", json=body).status_code == 200
    with app.app_context():
        assert db.session.get(ToleratedMaterial, row_id).received_at == NOW
