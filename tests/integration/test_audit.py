"""Audit log: who changed which row when, with before/after values."""

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditLog, Department, Matter
from app.services import audit
from tests.conftest import login


def _entries(app, table, row_id):
    """Entries written by the test (the world's own creation is left out)."""
    with app.app_context():
        rows = db.session.scalars(
            sa.select(AuditLog)
            .where(AuditLog.table_name == table, AuditLog.row_id == str(row_id), AuditLog.actor_name != "world")
            .order_by(AuditLog.id)
        ).all()
        return [(r.action.name, r.actor_name, r.changes) for r in rows]


def test_create_update_delete_through_the_ui(app, client, world_ids):
    login(client, "manager")
    client.post(
        "/departmentview/add",
        data={"code": "D50", "name": "县审计局", "center": world_ids["county"], "status": "active", "sort_order": "9"},
    )
    with app.app_context():
        pk = db.session.scalar(sa.select(Department.id).where(Department.code == "D50"))
    assert pk is not None
    client.post(
        f"/departmentview/edit/{pk}",
        data={
            "code": "D50",
            "name": "县审计局（改）",
            "center": world_ids["county"],
            "status": "active",
            "sort_order": "9",
            "row_version": "1",
        },
    )
    client.post(f"/departmentview/delete/{pk}")
    entries = _entries(app, "department", pk)
    assert [e[0] for e in entries] == ["insert", "update", "delete"]
    assert {e[1] for e in entries} == {"manager"}
    assert entries[0][2]["name"] == [None, "县审计局"]
    assert entries[1][2] == {"name": ["县审计局", "县审计局（改）"]}
    assert entries[2][2]["name"] == ["县审计局（改）", None]


def test_update_records_only_changed_fields(app, world_ids):
    with app.app_context():
        matter = db.session.get(Matter, world_ids["matter_a"])
        matter.promised_limit_days = 8
        audit.set_actor(db.session, None, "tester")
        db.session.commit()
    ((action, actor, changes),) = _entries(app, "matter", world_ids["matter_a"])
    assert (action, actor) == ("update", "tester")
    assert changes == {"promised_limit_days": [10, 8]}


def test_writes_outside_a_request_are_attributed_to_system(app, world_ids):
    with app.app_context():
        db.session.get(Matter, world_ids["matter_b"]).phone = "0371-1234567"
        db.session.commit()
    assert _entries(app, "matter", world_ids["matter_b"])[0][1] == "system"


def test_rolled_back_change_leaves_no_audit_entry(app, world_ids):
    with app.app_context():
        db.session.get(Matter, world_ids["matter_a"]).name = "临时"
        db.session.flush()
        db.session.rollback()
    assert _entries(app, "matter", world_ids["matter_a"]) == []


def test_audit_log_readable_by_supervisor_not_by_chief(client):
    login(client, "supervisor")
    assert client.get("/auditlogview/list/").status_code == 200
    client.get("/logout/")
    login(client, "chief_a")
    assert client.get("/auditlogview/list/").status_code == 403


def test_audit_entry_reads_in_chinese(app, client, world_ids):
    """A supervisor reads the table by its page's title and the columns by their labels; a
    missing value is （空）, not JSON null."""
    login(client, "manager")
    client.post(
        "/departmentview/add",
        data={"code": "D51", "name": "县档案馆", "center": world_ids["county"], "status": "active", "sort_order": "9"},
    )
    with app.app_context():
        entry = db.session.scalar(
            sa.select(AuditLog.id).where(AuditLog.table_name == "department", AuditLog.actor_name == "manager")
        )
    client.get("/logout/")
    login(client, "supervisor")
    page = client.get(f"/auditlogview/show/{entry}").get_data(as_text=True)
    assert "部门" in page and ">department<" not in page
    assert "名称: （空） → &#34;县档案馆&#34;" in page or "名称: （空） → &quot;县档案馆&quot;" in page
    assert "null" not in page and "center_id" not in page
