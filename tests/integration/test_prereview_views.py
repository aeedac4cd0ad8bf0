"""The pre-review queue through HTTP: each department sees its own applications, a township head
its township's, the center all; only the department's window staff decide; bad input is refused
in Chinese with nothing changed; a second pass of the same application loses; a material's file
is served inline (no script may run) only in scope."""

import io
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, Channel, Department, Matter, Staff, StaffPosition
from app.models.application import Application, ApplicationStatus
from app.models.case import ApplicantType
from app.models.matter import CaseKind, MaterialForm, MatterCategory, MatterMaterial, MatterStep
from app.models.transfer import StoredFile
from app.services import prereview
from tests.conftest import login
from tests.transfer_world import ID_NUMBER, build_network
from tests.world import PASSWORD

RECEIVED = datetime(2026, 9, 30, 10, 0)


@pytest.fixture
def queue(app, world_ids, tmp_path, monkeypatch):
    """Four applications: departments A and B at the county, and one per township; a township head."""
    monkeypatch.setitem(app.config, "FILES_DIR", tmp_path)
    ids = build_network(app, world_ids)
    with app.app_context():
        sm = app.appbuilder.sm
        for key, department in (("dept_t", "T"), ("dept_t2", "T2")):
            matter = Matter(
                code=f"XZ-{department}-0001",
                name=f"农村宅基地使用审批（{department}）",
                category=MatterCategory.licensing,
                department_id=ids[key],
                case_kind=CaseKind.promised,
                legal_limit_days=20,
                promised_limit_days=10,
                fee_standard=Decimal("0"),
                online_available=True,
                materials=[MatterMaterial(name="宅基地申请表", form=MaterialForm.original)],
                steps=[MatterStep(seq=1, name="受理", limit_days=1), MatterStep(seq=2, name="审批", limit_days=8)],
            )
            db.session.add(matter)
            db.session.flush()
            ids[f"matter_{department.lower()}"] = matter.id
        user = sm.add_user("pr_head", "pr_head", "测试", "pr_head@test.local", [sm.find_role("TownshipHead")], PASSWORD)
        db.session.add(
            Staff(
                staff_no="P001",
                name="测试镇长",
                department_id=ids["dept_t"],
                center_id=ids["town"],
                position=StaffPosition.leader,
                user_id=user.id,
                joined_on=date(2024, 3, 1),
            )
        )
        for number, matter in enumerate(("matter_a", "matter_b", "matter_t", "matter_t2"), start=1):
            row = db.session.get(Matter, ids[matter])
            department = db.session.get(Department, row.department_id)
            application = Application(
                number=f"WS20260930{number:06d}",
                status=ApplicationStatus.submitted,
                matter_id=row.id,
                center_id=department.center_id,
                department_id=department.id,
                applicant_type=ApplicantType.person,
                applicant_name=f"申请人{number}",
                applicant_id_number=ID_NUMBER,
                applicant_phone="13800001234",
                declaration_accepted=True,
                submitted_at=RECEIVED,
                round=0,
            )
            prereview.set_due(db.session, application, RECEIVED)
            db.session.add(application)
            db.session.flush()
            ids[f"app_{matter.removeprefix('matter_')}"] = application.id
        (tmp_path / "k1").write_bytes(b"%PDF-1.4\n%%EOF\n")
        stored = StoredFile(
            storage_key="k1",
            original_name="申请书.pdf",
            content_type="application/pdf",
            size=15,
            sha256="0" * 64,
            uploaded_at=RECEIVED,
            uploaded_by="申请人",
            application_id=ids["app_a"],
            matter_material_id=ids["material_a"],
            round=0,
        )
        db.session.add(stored)
        db.session.commit()
        ids["file_a"] = stored.id
        db.session.remove()
    return ids


def _application(app, application_id):
    with app.app_context():
        row = db.session.get(Application, application_id)
        db.session.expunge_all()
        return row


def _cases(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Case))


def _listed(client, quick="waiting"):
    page = client.get(f"/prereview/list/?quick={quick}").get_data(as_text=True)
    return {number for number in (f"WS20260930{n:06d}" for n in range(1, 5)) if number in page}


@pytest.mark.parametrize(
    ("who", "numbers"),
    [
        ("staff_a", {1}),
        ("chief_b", {2}),
        ("tw_town", {3}),
        ("pr_head", {3}),
        ("supervisor", {1, 2, 3, 4}),
        ("manager", {1, 2, 3, 4}),
    ],
)
def test_each_sees_the_applications_of_its_scope(client, queue, who, numbers):
    login(client, who)
    assert _listed(client) == {f"WS20260930{n:06d}" for n in numbers}


def test_waiting_is_most_urgent_first_and_the_record_tabs_newest_first(app, client, queue):
    """Waiting by due time; all, closed and correction by submission, newest first (at 100k
    applications sorting those by due time read the whole table, bench/applications.py). The
    waiting tab writes its statuses into the SQL, so that a partial index on them can serve it."""
    with app.app_context():
        # Application 4 came last but is the most urgent (an earlier due time).
        for number, submitted, due in (
            (1, "2026-09-28 09:00", "2026-09-29 17:00"),
            (4, "2026-09-30 11:00", "2026-09-28 17:00"),
        ):
            db.session.execute(
                sa.update(Application)
                .where(Application.id == queue[("app_a", "app_b", "app_t", "app_t2")[number - 1]])
                .values(submitted_at=datetime.fromisoformat(submitted), review_due_at=datetime.fromisoformat(due))
            )
        db.session.commit()
    login(client, "manager")

    def order(quick):
        page = client.get(f"/prereview/list/?quick={quick}").get_data(as_text=True)
        return [n for _, n in sorted((page.index(f"WS20260930{n:06d}"), n) for n in (1, 4))]

    assert order("waiting") == [4, 1]
    assert order("all") == [4, 1]  # newest first: 4 submitted last
    with app.app_context():
        db.session.execute(sa.update(Application).values(review_due_at=datetime(2026, 10, 9, 17, 0)))
        db.session.execute(
            sa.update(Application)
            .where(Application.id == queue["app_a"])
            .values(review_due_at=datetime(2026, 9, 29, 17, 0))
        )
        db.session.commit()
    assert order("waiting") == [1, 4]
    assert order("all") == [4, 1]
    from sqlalchemy.dialects import sqlite

    from app.models.application import AWAITING_REVIEW_STATUSES
    from app.views.prereview import status_in

    sql = str(sa.select(Application.id).where(status_in(AWAITING_REVIEW_STATUSES)).compile(dialect=sqlite.dialect()))
    assert "application.status IN ('submitted', 'resubmitted')" in sql


def test_out_of_scope_applications_answer_404(app, client, queue):
    login(client, "staff_a")
    assert client.get(f"/prereview/show/{queue['app_b']}").status_code == 404
    before = _application(app, queue["app_b"])
    response = client.post(f"/prereview/act/{queue['app_b']}/pass", data={"version": before.version})
    assert response.status_code == 404
    assert _application(app, queue["app_b"]).status is ApplicationStatus.submitted and _cases(app) == 0
    assert client.get(f"/applicationview/file/{queue['file_a']}").status_code == 200
    client.get("/logout/")
    login(client, "staff_b")
    assert client.get(f"/applicationview/file/{queue['file_a']}").status_code == 404


def test_the_page_lists_the_materials_with_their_files_inline(client, queue):
    login(client, "staff_a")
    page = client.get(f"/prereview/show/{queue['app_a']}").get_data(as_text=True)
    assert "食品经营许可申请书" in page and "营业执照" in page and "申请书.pdf" in page
    assert f"/applicationview/file/{queue['file_a']}?inline=1" in page and 'name="material-preview"' in page
    assert "通过：受理办件" in page and "一次性告知补正" in page and "不予受理：不属于本事项" in page
    inline = client.get(f"/applicationview/file/{queue['file_a']}?inline=1")
    assert inline.status_code == 200 and inline.headers["Content-Disposition"].startswith("inline")
    assert inline.headers["X-Content-Type-Options"] == "nosniff"
    assert (
        "script" not in inline.headers["Content-Security-Policy"]
        and "default-src 'none'" in inline.headers["Content-Security-Policy"]
    )
    assert (
        client.get(f"/applicationview/file/{queue['file_a']}").headers["Content-Disposition"].startswith("attachment")
    )


def test_only_the_departments_window_staff_decide(app, client, queue):
    login(client, "supervisor")
    page = client.get(f"/prereview/show/{queue['app_a']}").get_data(as_text=True)
    assert "通过：受理办件" not in page
    assert client.post(f"/prereview/act/{queue['app_a']}/pass", data={"version": "1"}).status_code == 403
    client.get("/logout/")
    login(client, "pr_head")  # sees the township's queue, its window staff decide
    assert client.post(f"/prereview/act/{queue['app_t']}/pass", data={"version": "1"}).status_code == 403
    assert _cases(app) == 0


@pytest.mark.parametrize(
    ("step", "data", "message"),
    [
        ("refuse", {"reason": "  "}, "请填写不予受理的理由"),
        ("correct", {}, "请至少勾选一项缺少或不合格的材料并说明原因"),
        ("correct", {"defect": "abc"}, "只能列出本事项的申请材料"),
        ("correct", {"defect": "999999", "reason_999999": "无"}, "只能列出本事项的申请材料"),
        ("pass", {"version": "x"}, "请提交该申报的版本号"),
        ("pass", {"version": "7"}, "该申报已被他人修改"),
        ("nothing", {}, "未知"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_changes(app, client, queue, step, data, message):
    login(client, "staff_a")
    form = {"version": "1", **data}
    page = client.post(f"/prereview/act/{queue['app_a']}/{step}", data=form, follow_redirects=True)
    assert page.status_code == 200
    assert message in page.get_data(as_text=True)
    row = _application(app, queue["app_a"])
    assert row.status is ApplicationStatus.submitted and row.version == 1 and _cases(app) == 0


def test_a_correction_then_pass_and_a_second_pass_loses(app, client, queue):
    login(client, "staff_a")
    material = str(queue["material_a"])
    client.post(
        f"/prereview/act/{queue['app_a']}/correct",
        data={"version": "1", "defect": material, f"reason_{material}": "未签字"},
    )
    row = _application(app, queue["app_a"])
    assert (
        row.status is ApplicationStatus.correction_requested
        and row.correction_notice == "1. 食品经营许可申请书：未签字"
    )
    with app.app_context():  # the applicant resubmits (services/applications.resubmit)
        db.session.execute(
            sa.update(Application).where(Application.id == row.id).values(status=ApplicationStatus.resubmitted)
        )
        db.session.commit()
    page = client.get(f"/prereview/show/{queue['app_a']}").get_data(as_text=True)
    assert 'name="defect"' not in page and "通过：受理办件" in page  # asked once: no second form
    version = str(row.version)
    again = client.post(
        f"/prereview/act/{queue['app_a']}/correct",
        data={"version": version, "defect": material, f"reason_{material}": "再补"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "补正只能要求一次" in again
    first = client.post(f"/prereview/act/{queue['app_a']}/pass", data={"version": version}, follow_redirects=True)
    assert first.status_code == 200 and "办件 XZ-" in first.get_data(as_text=True)
    second = client.post(f"/prereview/act/{queue['app_a']}/pass", data={"version": version}, follow_redirects=True)
    assert "该申报已通过预审" in second.get_data(as_text=True)
    assert _cases(app) == 1
    with app.app_context():
        case = db.session.scalar(sa.select(Case))
        assert case.channel is Channel.online and db.session.get(Application, row.id).case_id == case.id
    assert f"WS20260930{1:06d}" in client.get("/prereview/list/?quick=closed").get_data(as_text=True)


def test_the_township_window_passes_its_townships_application(app, client, queue):
    login(client, "tw_town")
    response = client.post(f"/prereview/act/{queue['app_t']}/pass", data={"version": "1"})
    assert response.status_code == 302
    row = _application(app, queue["app_t"])
    assert row.status is ApplicationStatus.passed and row.case_id is not None
    assert client.post(f"/prereview/act/{queue['app_t2']}/pass", data={"version": "1"}).status_code == 404


def test_from_the_portal_through_the_queue_to_the_case(app, client, world_ids, tmp_path, monkeypatch):
    """Apply on the portal → the department's queue, due by the limit → one correction notice →
    the applicant reads it and uploads what was asked → back in the queue → passed: a case."""
    monkeypatch.setitem(app.config, "FILES_DIR", tmp_path)
    now = {"at": datetime(2026, 9, 30, 10, 0)}
    # The portal's and the queue's clock (the login's own stays the wall clock's).
    fixed = SimpleNamespace(now=lambda: now["at"])
    monkeypatch.setattr("app.views.portal_apply.clock", fixed)
    monkeypatch.setattr("app.views.prereview.wall_clock", fixed)
    with app.app_context():
        first, second = (m.id for m in db.session.get(Matter, world_ids["matter_a"]).materials)
    pdf, jpeg = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"
    applicant = app.test_client()
    data = {
        "applicant_type": "person",
        "applicant_name": "王五",
        "applicant_id_number": ID_NUMBER,
        "applicant_phone": "13800001234",
        "declaration": "1",
        f"file_{first}": [(io.BytesIO(pdf), "申请书.pdf")],
        f"file_{second}": [(io.BytesIO(jpeg), "执照.jpg")],
    }
    assert applicant.post("/portal/apply/XZ-D01-0001", data=data, content_type="multipart/form-data").status_code == 302
    with app.app_context():
        application = db.session.scalar(sa.select(Application))
        assert application.review_due_at == datetime(2026, 10, 8, 17, 30)  # National Day skipped
        number, application_id = application.number, application.id
    login(client, "staff_a")
    assert number in client.get("/prereview/list/").get_data(as_text=True)
    page = client.get(f"/prereview/show/{application_id}").get_data(as_text=True)
    assert "申请书.pdf" in page and "执照.jpg" in page
    client.post(
        f"/prereview/act/{application_id}/correct",
        data={"version": "1", "defect": str(second), f"reason_{second}": "复印件不清晰"},
    )
    assert number not in client.get("/prereview/list/").get_data(as_text=True)
    follow = applicant.post("/portal/application", data={"number": number, "factor": "002X"}).get_data(as_text=True)
    assert "营业执照：复印件不清晰" in follow
    now["at"] = datetime(2026, 10, 9, 9, 0)
    resubmitted = applicant.post(
        "/portal/application/resubmit",
        data={"application_id": str(application_id), f"file_{second}": [(io.BytesIO(jpeg), "清晰执照.jpg")]},
        content_type="multipart/form-data",
    )
    assert resubmitted.status_code == 302
    row = _application(app, application_id)
    assert row.status is ApplicationStatus.resubmitted and row.review_due_at == datetime(2026, 10, 10, 17, 30)
    assert number in client.get("/prereview/list/").get_data(as_text=True)
    client.post(f"/prereview/act/{application_id}/pass", data={"version": str(row.version)})
    with app.app_context():
        case = db.session.get(Application, application_id).case
        assert case.channel is Channel.online and case.accepted_at == datetime(2026, 10, 9, 9, 0)
        assert case.deadline_at == datetime(2026, 10, 22, 17, 30)  # 10 working days from 9 October


def test_a_joint_matters_pass_form_offers_the_co_departments_and_the_case_gets_their_tasks(app, client, queue):
    with app.app_context():
        db.session.execute(sa.update(Matter).where(Matter.id == queue["matter_a"]).values(case_kind=CaseKind.joint))
        db.session.commit()
    login(client, "staff_a")
    page = client.get(f"/prereview/show/{queue['app_a']}").get_data(as_text=True)
    assert 'name="co_departments"' in page and f'<option value="{queue["dept_b"]}">' in page
    assert f'<option value="{queue["dept_a"]}">' not in page  # not the lead itself
    refused = client.post(
        f"/prereview/act/{queue['app_a']}/pass",
        data={"version": "1", "co_departments": ["abc"]},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "请从列表中选择协办部门" in refused and _cases(app) == 0
    assert _application(app, queue["app_a"]).status is ApplicationStatus.submitted
    done = client.post(
        f"/prereview/act/{queue['app_a']}/pass",
        data={"version": "1", "co_departments": [str(queue["dept_b"])]},
        follow_redirects=True,
    )
    assert done.status_code == 200 and "办件 XZ-" in done.get_data(as_text=True)
    with app.app_context():
        case = db.session.scalar(sa.select(Case))
        assert case.kind is CaseKind.joint and [t.department_id for t in case.tasks] == [queue["dept_b"]]


def test_a_single_department_matters_pass_form_names_no_co_departments(client, queue):
    login(client, "staff_a")
    assert 'name="co_departments"' not in client.get(f"/prereview/show/{queue['app_a']}").get_data(as_text=True)


def test_a_joint_application_the_law_accepted_is_only_passed_naming_its_co_departments(app, client, queue):
    """行政许可法 §32: five working days without a correction notice (30 September, then 8–13
    October): the scan records it as accepted on receipt; the page offers only the pass."""
    with app.app_context():
        db.session.execute(sa.update(Matter).where(Matter.id == queue["matter_a"]).values(case_kind=CaseKind.joint))
        prereview.scan(db.session, datetime(2026, 10, 14, 9, 0))  # the other three: accepted by the scan
        db.session.commit()
    waiting = _application(app, queue["app_a"])
    assert waiting.case_id is None and waiting.status is ApplicationStatus.submitted
    version = str(waiting.version)
    login(client, "staff_a")
    page = client.get(f"/prereview/show/{queue['app_a']}").get_data(as_text=True)
    assert "指定协办部门并通过" in page and 'name="co_departments"' in page
    assert f"/prereview/act/{queue['app_a']}/refuse" not in page
    assert f"/prereview/act/{queue['app_a']}/correct" not in page
    refused = client.post(
        f"/prereview/act/{queue['app_a']}/refuse", data={"version": version, "reason": "不属于"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "视为受理" in refused and _application(app, queue["app_a"]).status is ApplicationStatus.submitted
    done = client.post(
        f"/prereview/act/{queue['app_a']}/pass",
        data={"version": version, "co_departments": [str(queue["dept_b"])]},
        follow_redirects=True,
    )
    assert done.status_code == 200 and "办件 XZ-" in done.get_data(as_text=True)
    with app.app_context():
        case = db.session.get(Application, queue["app_a"]).case
        assert case.deemed_accepted and case.accepted_at == RECEIVED and case.kind is CaseKind.joint
        assert [(t.department_id, t.deadline_at) for t in case.tasks] == [(queue["dept_b"], case.deadline_at)]
