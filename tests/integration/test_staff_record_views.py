"""Staff record pages (issue 19.5): the résumé on the staff form, training records and previous
posts in scope, the printable staff card, the center's own change from the request form and the
approval page's warnings."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.notice import Notice, NoticeKind
from app.models.org import Staff, Staffing, StaffRank
from app.models.personnel import ChangeOrigin, ChangeStatus, PersonnelChange
from app.models.staff_records import PreviousPost, TrainingKind, TrainingRecord

NOW = datetime(2026, 9, 1, 9, 0)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    from app import clock

    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def records(app, world_ids):
    """staff_a (department A) and staff_b (department B) each with a résumé, a training, a post."""
    with app.app_context():
        ids = {}
        for key, title in (("staff_staff_a", "市场监管岗前培训"), ("staff_staff_b", "公安户籍岗前培训")):
            staff = db.session.get(Staff, world_ids[key])
            staff.birth_date, staff.staffing, staff.cadre_rank = (
                date(1988, 4, 2),
                Staffing.civil_service,
                StaffRank.member,
            )
            training = TrainingRecord(
                staff=staff, day=date(2024, 2, 20), kind=TrainingKind.pre_service, title=title, hours=16
            )
            post = PreviousPost(
                staff=staff,
                started_on=date(2015, 7, 1),
                ended_on=date(2024, 2, 29),
                organisation=f"{title[:4]}局办公室",
                post="科员",
            )
            db.session.add_all([training, post])
            db.session.flush()
            ids[key] = (training.id, post.id)
        db.session.commit()
        return ids


def test_the_chief_rep_sees_and_adds_the_departments_trainings_only(app, client, world_ids, records, login_as):
    login_as("chief_a")
    listing = client.get("/trainingrecordview/list/").get_data(as_text=True)
    assert "市场监管岗前培训" in listing and "公安户籍岗前培训" not in listing
    own, other = records["staff_staff_a"][0], records["staff_staff_b"][0]
    assert client.get(f"/trainingrecordview/show/{own}").status_code == 200
    assert client.get(f"/trainingrecordview/show/{other}").status_code == 404
    assert client.get(f"/previouspostview/show/{records['staff_staff_b'][1]}").status_code == 404
    exported = client.get("/trainingrecordview/export/")
    assert exported.status_code == 200 and exported.data[:2] == b"PK"
    added = client.post(
        "/trainingrecordview/add",
        data={
            "staff": world_ids["staff_staff_a"],
            "day": "2026-08-20",
            "kind": "department",
            "title": "食品许可业务培训",
            "hours": "8",
            "passed": "y",
        },
    )
    assert added.status_code == 302
    # Another department's staff member is not a choice: refused, nothing saved.
    client.post(
        "/trainingrecordview/add",
        data={
            "staff": world_ids["staff_staff_b"],
            "day": "2026-08-20",
            "kind": "department",
            "title": "越权培训",
            "passed": "y",
        },
    )
    with app.app_context():
        titles = set(db.session.scalars(sa.select(TrainingRecord.title)))
    assert "食品许可业务培训" in titles and "越权培训" not in titles


def _page(client, url, **data):
    return client.post(url, data=data, follow_redirects=True).get_data(as_text=True)


def test_bad_periods_and_hours_are_refused_in_chinese(app, client, world_ids, records, login_as):
    login_as("manager")
    staff = world_ids["staff_staff_a"]
    post = {"organisation": "某局", "post": "科员", "started_on": "2020-01-01", "ended_on": "2019-01-01"}
    assert "截止日期不能早于起始日期" in _page(client, "/previouspostview/add", staff=staff, **post)
    training = {"day": "2026-08-20", "kind": "other", "title": "负学时", "hours": "-3"}
    assert "学时须在 0 至" in _page(client, "/trainingrecordview/add", staff=staff, **training)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PreviousPost)) == 2
        assert db.session.scalar(sa.select(TrainingRecord.id).where(TrainingRecord.title == "负学时")) is None


def test_window_staff_read_their_own_records_only(client, records, login_as):
    login_as("staff_a")
    assert client.get(f"/trainingrecordview/show/{records['staff_staff_a'][0]}").status_code == 200
    listing = client.get("/previouspostview/list/").get_data(as_text=True)
    assert "市场监管局办公室" in listing and "公安户籍局办公室" not in listing
    assert client.get("/trainingrecordview/add").status_code == 403


def test_the_staff_card_prints_the_resume_and_is_scoped(app, client, world_ids, records, login_as):
    with app.app_context():
        staff = db.session.get(Staff, world_ids["staff_staff_a"])
        db.session.add(
            PersonnelChange(
                staff=staff,
                kind="post_change",
                department_id=staff.department_id,
                effective_on=date(2025, 5, 1),
                reason="换岗",
                status=ChangeStatus.effective,
                requested_at=datetime(2025, 4, 1),
                requested_by="测试chief_a",
                origin=ChangeOrigin.department,
            )
        )
        db.session.commit()
    login_as("chief_a")
    show = client.get(f"/staffview/show/{world_ids['staff_staff_a']}").get_data(as_text=True)
    assert f"/staffview/card/{world_ids['staff_staff_a']}" in show
    page = client.get(f"/staffview/card/{world_ids['staff_staff_a']}").get_data(as_text=True)
    for text in (
        "窗口工作人员档案卡",
        "测试staff_a",
        "1988-04-02",
        "38周岁",
        "行政编制",
        "科员",
        "市场监管岗前培训",
        "市场监管局办公室",
        "2025-05-01",
        "换岗",
        "首席代表申请",
        "无部门业务培训记录",
    ):
        assert text in page, text
    assert "@media print" in client.get("/static/css/staff_card.css").get_data(as_text=True)
    assert client.get(f"/staffview/card/{world_ids['staff_staff_b']}").status_code == 404
    assert client.get("/staffview/card/999999").status_code == 404


def test_the_staff_form_saves_the_resume_and_warns_after_saving(app, client, world_ids, login_as):
    login_as("manager")
    with app.app_context():
        version = db.session.get(Staff, world_ids["staff_staff_a"]).version
    page = client.post(
        f"/staffview/edit/{world_ids['staff_staff_a']}",
        data={
            "staff_no": "T006",
            "name": "测试staff_a",
            "department": world_ids["dept_a"],
            "center": world_ids["county"],
            "window": world_ids["win_a"],
            "position": "a_post",
            "joined_on": "2024-03-01",
            "birth_date": "1975-01-01",
            "staffing": "contract",
            "cadre_rank": "member",
            "education": "bachelor",
            "gender": "female",
            "row_version": str(version),
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "不符合窗口人员选派条件" in page and "合同制" in page and "49 周岁" in page
    with app.app_context():
        staff = db.session.get(Staff, world_ids["staff_staff_a"])
        assert (staff.birth_date, staff.staffing, staff.cadre_rank) == (
            date(1975, 1, 1),
            Staffing.contract,
            StaffRank.member,
        )


def test_a_departments_form_leaves_the_rank_to_a_promotion(client, world_ids, login_as):
    login_as("chief_a")
    form = client.get(f"/staffview/edit/{world_ids['staff_staff_a']}").get_data(as_text=True)
    assert 'name="birth_date"' in form and 'name="staffing"' in form and 'name="cadre_rank"' not in form


def _requested(app, client, staff_id, **data):
    """Posts the change request form for `staff_id`; the change it opened (id, version)."""
    response = client.post("/personnelchangeview/request", data={"staff_id": staff_id, "reason": "工作需要", **data})
    assert response.status_code == 302
    with app.app_context():
        change = db.session.scalar(sa.select(PersonnelChange).where(PersonnelChange.staff_id == staff_id))
        return change.id, change.version


def test_the_center_opens_a_change_from_the_form_and_cannot_approve_it(app, client, world_ids, login_as):
    login_as("manager")
    form = client.get("/personnelchangeview/request").get_data(as_text=True)
    assert 'name="to_department_id"' in form and 'name="to_rank"' in form and "晋升" in form
    staff_id = world_ids["staff_staff_a"]
    pk, version = _requested(app, client, staff_id, kind="promotion", effective_on="2026-09-10", to_rank="section")
    with app.app_context():
        change = db.session.get(PersonnelChange, pk)
        assert change.origin is ChangeOrigin.center and change.to_rank is StaffRank.section
        told = db.session.scalar(sa.select(Notice.user_id).where(Notice.kind == NoticeKind.personnel_change_opened))
        assert told == world_ids["user_chief_a"]
    page = client.get(f"/personnelchangeview/show/{pk}").get_data(as_text=True)
    assert "中心发起调配" in page and f"/act/{pk}/approve" not in page
    client.post(f"/personnelchangeview/act/{pk}/approve", data={"version": version})
    with app.app_context():
        assert db.session.get(PersonnelChange, pk).status is ChangeStatus.pending
    client.get("/logout/")
    login_as("chief_a")
    page = client.get(f"/personnelchangeview/show/{pk}").get_data(as_text=True)
    assert "工作需要" in page and f"/act/{pk}/approve" not in page


def test_the_approver_sees_the_successor_warning_and_the_refusal(app, client, world_ids, login_as):
    login_as("chief_a")
    pk, version = _requested(app, client, world_ids["staff_staff_a"], kind="transfer_out", effective_on="2026-09-20")
    client.get("/logout/")
    login_as("manager")
    page = client.get(f"/personnelchangeview/show/{pk}").get_data(as_text=True)
    assert "先进后出" in page and "尚无接替人员到岗" in page
    refused = client.post(f"/personnelchangeview/act/{pk}/approve", data={"version": version}, follow_redirects=True)
    assert "未予批准" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(PersonnelChange, pk).status is ChangeStatus.pending
