"""Inspection, joint-meeting and annual-assessment pages (issue 19.3): the supervisor records an
inspection and its findings with photos and turns a finding into a deduction and an order; a
township head reads its own center's inspections only; a chief representative sees the findings
against its department and cannot act on them; a hostile upload is refused leaving nothing; the
annual workbook opens with its rows."""

import io
from datetime import datetime

import openpyxl
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AssessmentRule, RectificationOrder
from app.models.inspection import FindingOutcome, Inspection, InspectionFinding, JointMeeting
from app.models.org import Center, CenterLevel, Department, Staff, StaffPosition
from app.models.transfer import StoredFile
from app.services import inspections
from tests.conftest import login
from tests.services.test_case_flow import actor
from tests.world import PASSWORD

AT = datetime(2026, 9, 1, 9, 0)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + b"\x00" * 17 + b"\x00\x00\x00\x00IEND\xaeB`\x82"


@pytest.fixture
def register(app, world_ids):
    """An inspection of the county (a finding against department A) and one of each township, whose
    heads th1 (城关镇) and th2 (河湾镇) have staff records there."""
    ids = dict(world_ids)
    sm = app.appbuilder.sm
    with app.app_context():
        county = db.session.get(Center, ids["county"])
        town2 = Center(code="XZ-T8", name="河湾镇便民服务中心", level=CenterLevel.township, parent=county)
        db.session.add(town2)
        db.session.flush()
        for key, center_id in (("1", ids["town"]), ("2", town2.id)):
            government = Department(
                code=f"G0{key}", name=f"镇政务办{key}", short_name=f"政务办{key}", center_id=center_id
            )
            user = sm.add_user(
                f"th{key}", "th", "网络", f"th{key}@test.local", [sm.find_role("TownshipHead")], PASSWORD
            )
            db.session.add_all(
                [
                    government,
                    Staff(
                        staff_no=f"NTH{key}",
                        name=f"镇长{key}",
                        department=government,
                        center_id=center_id,
                        position=StaffPosition.chief_rep,
                        user_id=user.id,
                    ),
                ]
            )
        db.session.commit()
        now = datetime(2026, 9, 1, 10, 0)
        county_patrol = inspections.record_inspection(
            db.session,
            actor("supervisor"),
            now,
            kind="patrol",
            inspected_at=AT,
            center_id=ids["county"],
            inspectors="督查科",
            summary="大厅巡查",
        )
        finding, _ = inspections.add_finding(
            db.session,
            actor("supervisor"),
            now,
            county_patrol,
            description="窗口台面杂乱",
            staff_id=ids["staff_staff_a"],
        )
        towns = {}
        for key, center_id in (("1", ids["town"]), ("2", town2.id)):
            towns[key] = inspections.record_inspection(
                db.session,
                actor("supervisor"),
                now,
                kind="unannounced",
                inspected_at=AT,
                center_id=center_id,
                inspectors="督查科",
                summary=f"暗访{key}号镇",
            ).id
        db.session.commit()
        ids |= {"county_patrol": county_patrol.id, "finding": finding.id, "town1_insp": towns["1"]}
        ids |= {"town2_insp": towns["2"], "town2": town2.id}
        db.session.remove()
    # Outside the app context: each request then gets its own `g` (and the user's own scope).
    return ids


def _finding(app, pk):
    with app.app_context():
        row = db.session.get(InspectionFinding, pk)
        db.session.expunge(row)
        return row


def test_the_supervisor_records_an_inspection_and_a_finding_with_a_photo(app, client, register, login_as):
    login_as("supervisor")
    page = client.get("/inspectionview/record")
    assert page.status_code == 200 and "登记巡查暗访" in page.get_data(as_text=True)
    saved = client.post(
        "/inspectionview/record",
        data={
            "kind": "unannounced",
            "inspected_at": "2026-09-01T15:00",
            "center_id": register["county"],
            "inspectors": "李四",
            "summary": "下午暗访",
            "place": "二楼",
        },
    )
    assert saved.status_code == 302
    with app.app_context():
        inspection = db.session.scalar(sa.select(Inspection).where(Inspection.summary == "下午暗访"))
        pk = inspection.id
    added = client.post(
        f"/inspectionview/finding/{pk}",
        data={
            "description": "工作人员离岗",
            "staff_id": register["staff_staff_a"],
            "photos": (io.BytesIO(PNG), "现场.png"),
        },
        content_type="multipart/form-data",
    )
    assert added.status_code == 302
    with app.app_context():
        photo = db.session.scalar(sa.select(StoredFile).where(StoredFile.inspection_finding_id.is_not(None)))
        photo_id = photo.id
    page = client.get(f"/inspectionview/show/{pk}").get_data(as_text=True)
    assert "工作人员离岗" in page and "现场.png" in page and "按考核细则扣分" in page
    download = client.get(f"/inspectionview/photo/{photo_id}")
    assert download.status_code == 200 and download.data == PNG
    assert download.headers["Content-Disposition"].startswith("attachment")
    client.get("/logout/")
    login(client, "chief_b")  # another department: the photo is not there for it
    assert client.get(f"/inspectionview/photo/{photo_id}").status_code == 404
    client.get("/logout/")
    login(client, "chief_a")  # the finding's department sees its photo
    assert client.get(f"/inspectionview/photo/{photo_id}").status_code == 200


def test_a_hostile_upload_is_refused_and_leaves_no_finding(app, client, register, login_as):
    login_as("supervisor")
    before = _count(app, InspectionFinding)
    answer = client.post(
        f"/inspectionview/finding/{register['county_patrol']}",
        data={"description": "伪装照片", "photos": (io.BytesIO(b"MZ\x90\x00 a program"), "photo.png")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert answer.status_code == 200 and "不是完整的" in answer.get_data(as_text=True)
    assert _count(app, InspectionFinding) == before and _count(app, StoredFile) == 0


def _count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_finding_becomes_a_deduction_and_a_rectification_order_from_the_page(app, client, register, login_as):
    login_as("supervisor")
    pk, finding = register["county_patrol"], _finding(app, register["finding"])
    with app.app_context():
        rule_id = db.session.scalar(sa.select(AssessmentRule.id).where(AssessmentRule.code == "untidy"))
    choice = f"{finding.id}:{finding.version}"
    assert client.post(f"/inspectionview/act/{pk}/assess", data={"finding": choice, "rule": rule_id}).status_code == 302
    assert _finding(app, finding.id).outcome is FindingOutcome.assessment
    stale = client.post(f"/inspectionview/act/{pk}/order", data={"finding": choice}, follow_redirects=True)
    assert "该记录已被他人修改" in stale.get_data(as_text=True) and _count(app, RectificationOrder) == 0
    fresh = _finding(app, finding.id)
    client.post(f"/inspectionview/act/{pk}/order", data={"finding": f"{fresh.id}:{fresh.version}"})
    with app.app_context():
        order = db.session.scalar(sa.select(RectificationOrder))
        assert order.inspection_finding_id == finding.id and order.department_id == register["dept_a"]
    page = client.get(f"/inspectionview/show/{pk}").get_data(as_text=True)
    assert order.number in page


def test_a_township_head_reads_its_own_centers_inspections_only(app, client, register):
    login(client, "th1")
    with app.app_context():
        own, other = (db.session.get(Inspection, register[k]).number for k in ("town1_insp", "town2_insp"))
    listing = client.get("/inspectionview/list/").get_data(as_text=True)
    assert own in listing and other not in listing
    assert client.get(f"/inspectionview/show/{register['town1_insp']}").status_code == 200
    assert client.get(f"/inspectionview/show/{register['town2_insp']}").status_code == 404
    assert client.get(f"/inspectionview/show/{register['county_patrol']}").status_code == 404
    export = client.get("/inspectionview/export/")
    numbers = [c.value for c in openpyxl.load_workbook(io.BytesIO(export.data)).active["A"]][1:]
    assert numbers == [own]
    # Read only: no recording, no finding.
    assert client.get("/inspectionview/record").status_code in (302, 403)
    answer = client.post(f"/inspectionview/finding/{register['town1_insp']}", data={"description": "x"})
    assert answer.status_code in (302, 403) and _count(app, InspectionFinding) == 1


def test_a_chief_rep_sees_the_findings_against_its_department_and_cannot_act(app, client, register, login_as):
    login_as("chief_a")
    page = client.get(f"/inspectionview/show/{register['county_patrol']}")
    assert page.status_code == 200 and "窗口台面杂乱" in page.get_data(as_text=True)
    assert "按考核细则扣分" not in page.get_data(as_text=True)
    finding = _finding(app, register["finding"])
    acting = client.post(
        f"/inspectionview/act/{register['county_patrol']}/sanction",
        data={"finding": f"{finding.id}:{finding.version}", "kind": "warning"},
    )
    assert acting.status_code in (302, 403) and _finding(app, finding.id).outcome is FindingOutcome.none
    assert client.get(f"/inspectionview/show/{register['town1_insp']}").status_code == 404
    client.get("/logout/")
    login_as("chief_b")
    assert client.get(f"/inspectionview/show/{register['county_patrol']}").status_code == 404


def test_joint_meeting_recorded_with_a_follow_up_and_closed(app, client, register, login_as):
    login_as("manager")
    saved = client.post(
        "/jointmeetingview/record",
        data={
            "held_on": "2026-09-01",
            "topic": "分中心联席会议",
            "attendees": "中心、各镇",
            "minutes": "通报检查情况",
            "center_ids": [str(register["town"]), str(register["town2"])],
        },
    )
    assert saved.status_code == 302
    with app.app_context():
        meeting = db.session.scalar(sa.select(JointMeeting))
        pk = meeting.id
        assert {c.id for c in meeting.centers} == {register["town"], register["town2"]}
    client.post(
        f"/jointmeetingview/act/{pk}/follow_up",
        data={"action": "统一标识", "owner": "城关镇", "due_on": "2026-09-30", "owner_center": register["town"]},
    )
    listing = client.get("/jointmeetingview/list/").get_data(as_text=True)
    assert "分中心联席会议" in listing and "河湾镇便民服务中心" in listing
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/jointmeetingview/export/").data)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["分中心联席会议"]
    client.get("/logout/")
    login(client, "th2")  # 河湾镇 sees the meeting but does not own the follow-up
    page = client.get(f"/jointmeetingview/show/{pk}").get_data(as_text=True)
    assert "统一标识" in page and "办结跟进事项" not in page
    client.get("/logout/")
    login(client, "th1")
    with app.app_context():
        follow_up = db.session.get(JointMeeting, pk).follow_ups[0]
        choice = f"{follow_up.id}:{follow_up.version}"
    client.post(f"/jointmeetingview/act/{pk}/close", data={"follow_up": choice, "note": "已更换"})
    with app.app_context():
        assert db.session.get(JointMeeting, pk).follow_ups[0].closure_note == "已更换"
    bad = client.post("/jointmeetingview/record", data={"held_on": "abc", "topic": "x"})
    assert bad.status_code in (302, 403)


def test_bad_meeting_input_is_refused_with_a_message(app, client, register, login_as):
    login_as("supervisor")
    answer = client.post("/jointmeetingview/record", data={"held_on": "2026-09-01", "topic": "x", "attendees": "a"})
    assert answer.status_code == 200 and "请选择会议涉及的分中心" in answer.get_data(as_text=True)
    answer = client.post("/inspectionview/record", data={"kind": "nonsense", "center_id": "abc"})
    assert answer.status_code == 200 and "请选择检查类型" in answer.get_data(as_text=True)
    assert _count(app, JointMeeting) == 0


def test_the_annual_assessment_page_and_workbook(app, client, register, login_as):
    login_as("leader")
    page = client.get("/center-assessment/?year=2026").get_data(as_text=True)
    assert "城关镇便民服务中心" in page and "河湾镇便民服务中心" in page
    workbook = client.get("/center-assessment/workbook?year=2026")
    assert workbook.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.data)).active
    assert "2026" in sheet["A1"].value and sheet["A3"].value == "名次"
    names = [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert sorted(names) == ["城关镇便民服务中心", "河湾镇便民服务中心"]
    client.get("/logout/")
    login(client, "th1")
    assert client.get("/center-assessment/").status_code in (302, 403)
