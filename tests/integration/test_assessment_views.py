"""Assessment pages: who may open and change what, scope, manual records with evidence,
generating scores and quarters, exports, the annual summary, the portal's honour board."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AssessmentRecord, AssessmentRule, MonthlyScore, QuarterlyResult
from app.models.system import Setting
from app.services import scoring_month, scoring_periods

PAGES = ("assessmentruleview", "assessmentrecordview", "monthlyscoreview", "quarterlyresultview")


@pytest.mark.parametrize("user", ["admin", "manager", "supervisor", "leader", "chief_a", "staff_a"])
def test_every_role_with_a_grant_opens_the_pages(client, login_as, user):
    login_as(user)
    for page in PAGES:
        response = client.get(f"/{page}/list/")
        assert response.status_code == 200, (user, page)
    assert client.get("/quarterlyresultview/annual/").status_code == 200


def test_anonymous_visitors_are_sent_to_login(client):
    for page in PAGES:
        assert client.get(f"/{page}/list/").status_code == 302


def _manual_rule(app, code="untidy"):
    with app.app_context():
        return db.session.scalar(sa.select(AssessmentRule.id).where(AssessmentRule.code == code))


def _add(client, rule, staff, evidence="2026年10月9日现场检查，工作台杂乱"):
    return client.post(
        "/assessmentrecordview/add",
        data={"rule": rule, "occurred_at": "2026-10-09 10:00:00", "staff": staff, "window": "", "evidence": evidence},
        follow_redirects=True,
    )


def test_a_supervisor_records_a_deduction_with_evidence_and_it_is_audited(app, client, world_ids, login_as):
    login_as("supervisor")
    page = _add(client, _manual_rule(app), world_ids["staff_staff_a"]).get_data(as_text=True)
    assert "alert-danger" not in page
    with app.app_context():
        row = db.session.scalar(sa.select(AssessmentRecord))
        assert (row.month, row.window_id, row.department_id) == (
            date(2026, 10, 1),
            world_ids["win_a"],
            world_ids["dept_a"],
        )
        assert row.points == -1 and row.recorded_by == "supervisor" and row.origin.name == "manual"
        from app.models.audit import AuditLog

        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(AuditLog).where(AuditLog.table_name == "assessment_record")
            )
            == 1
        )


def test_a_manual_record_needs_evidence_and_a_manual_rule(app, client, world_ids, login_as):
    login_as("supervisor")
    _add(client, _manual_rule(app), world_ids["staff_staff_a"], "  ")
    _add(client, _manual_rule(app), world_ids["staff_staff_a"], "")
    _add(client, _manual_rule(app, "late"), world_ids["staff_staff_a"])  # recorded from attendance only
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AssessmentRecord)) == 0


def test_department_roles_may_not_record_or_edit_rules(app, client, world_ids, login_as):
    login_as("chief_a")
    assert client.get("/assessmentrecordview/add").status_code == 403
    assert client.get("/assessmentruleview/add").status_code == 403
    rule = _manual_rule(app)
    assert client.get(f"/assessmentruleview/edit/{rule}").status_code == 403
    assert client.post("/monthlyscoreview/generate/", data={"month": "2026-10"}).status_code == 403
    client.get("/logout/")
    login_as("supervisor")  # supervisors record, but the rules are the center manager's
    assert client.get(f"/assessmentruleview/edit/{rule}").status_code == 403


def test_the_center_manager_tunes_a_rule(app, client, login_as):
    login_as("manager")
    rule = _manual_rule(app)
    assert client.get(f"/assessmentruleview/edit/{rule}").status_code == 200
    with app.app_context():
        version = db.session.get(AssessmentRule, rule).version
    data = {
        "name": "工作台不整洁，穿戴不整齐",
        "category": "image",
        "points": "-1.5",
        "monthly_cap": "3",
        "active": "y",
        "sort_order": "10",
        "note": "",
        "row_version": version,
    }
    client.post(f"/assessmentruleview/edit/{rule}", data=data, follow_redirects=True)
    refused = client.post(
        f"/assessmentruleview/edit/{rule}",
        data={**data, "points": "2", "row_version": version + 1},
        follow_redirects=True,
    )
    assert "alert-danger" in refused.get_data(as_text=True)
    with app.app_context():
        row = db.session.get(AssessmentRule, rule)
        assert (row.points, row.monthly_cap) == (-1.5, 3)  # the positive deduction was refused


def _scored_october(app, world_ids):
    with app.app_context():
        rule = db.session.scalar(sa.select(AssessmentRule).where(AssessmentRule.code == "untidy"))
        for staff, department in (("staff_staff_a", "dept_a"), ("staff_staff_b", "dept_b")):
            db.session.add(
                AssessmentRecord(
                    rule_id=rule.id,
                    month=date(2026, 10, 1),
                    occurred_at=datetime(2026, 10, 9, 10, 0),
                    staff_id=world_ids[staff],
                    department_id=world_ids[department],
                    points=rule.points,
                    evidence="现场检查",
                    recorded_by="supervisor",
                    recorded_at=datetime(2026, 10, 9, 11, 0),
                )
            )
        db.session.commit()
        scoring_month.score_month(db.session, date(2026, 10, 1), datetime(2026, 11, 2, 2, 0))
        db.session.commit()


def test_scope_chief_sees_his_department_window_staff_their_own(app, client, world_ids, login_as):
    _scored_october(app, world_ids)
    login_as("chief_a")
    records = client.get("/assessmentrecordview/list/").get_data(as_text=True)
    scores = client.get("/monthlyscoreview/list/").get_data(as_text=True)
    assert "测试staff_a" in records and "测试staff_b" not in records
    assert "测试chief_a" in scores and "测试staff_a" in scores and "测试staff_b" not in scores
    with app.app_context():
        other = db.session.scalar(sa.select(MonthlyScore.id).where(MonthlyScore.staff_id == world_ids["staff_staff_b"]))
    assert client.get(f"/monthlyscoreview/show/{other}").status_code == 404
    client.get("/logout/")
    login_as("staff_a")
    scores = client.get("/monthlyscoreview/list/").get_data(as_text=True)
    assert "测试staff_a" in scores and "测试chief_a" not in scores


def test_generate_scores_and_quarter_then_export(app, client, world_ids, login_as):
    login_as("supervisor")
    assert client.post("/monthlyscoreview/generate/", data={"month": "2026-10"}).status_code == 302
    assert (
        client.post("/monthlyscoreview/generate/", data={"month": "2999-01"}, follow_redirects=True).status_code == 200
    )
    with app.app_context():
        # 4 staff, 3 windows and 3 departments (issue 14: department scores).
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthlyScore)) == 10
        for key in ("quarter_min_promised", "quarter_min_immediate"):
            db.session.scalar(sa.select(Setting).where(Setting.key == key)).value = ""
        db.session.commit()
    # The world's clock is real: assess a quarter long finished.
    assert client.post("/quarterlyresultview/generate/", data={"quarter": "2026-07-01"}).status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(QuarterlyResult).where(QuarterlyResult.eligible.is_(True))
            )
            == 7
        )
    listing = client.get("/quarterlyresultview/list/?_flt_0_quarter_start=2026-07-01").get_data(as_text=True)
    assert "2026 Q3" in listing
    for url in ("/monthlyscoreview/export/", "/quarterlyresultview/export/", "/assessmentruleview/export/"):
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet"), url
    annual = client.get("/quarterlyresultview/annual/?year=2026").get_data(as_text=True)
    assert "测试staff_a" in annual
    assert client.get("/quarterlyresultview/annual/export/?year=2026").mimetype.endswith("spreadsheetml.sheet")


def test_portal_shows_the_honour_board_when_there_is_one(app, client, world_ids):
    assert "portal-honours" not in client.get("/portal/").get_data(as_text=True)
    with app.app_context():
        for key in ("quarter_min_promised", "quarter_min_immediate"):
            db.session.scalar(sa.select(Setting).where(Setting.key == key)).value = ""
        scoring_month.score_month(db.session, date(2026, 10, 1), datetime(2027, 1, 2, 2, 0))
        scoring_periods.assess_quarter(db.session, date(2026, 10, 1), datetime(2027, 1, 2, 2, 0))
        db.session.commit()
    page = client.get("/portal/").get_data(as_text=True)
    assert "portal-honours" in page and "市场监管窗口" in page and "测试staff_a" in page
    assert "T002" not in page  # names only: no staff numbers
