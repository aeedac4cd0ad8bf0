"""Appointments on the portal and in the back office (issue 18.2), at a fixed `now`: a citizen books,
looks up and cancels with the number and the phone's last four digits; bad input gets a Chinese
message and stores nothing; a clerk books for a caller only in their department's groups; the
bookings list and export keep to the user's scope."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from app import clock
from app.extensions import db
from app.models import Appointment, AppointmentSlot, WindowGroup, WindowGroupKind
from app.services import appointments

NOW = datetime(2026, 10, 12, 8, 0)


@pytest.fixture
def groups(app, world_ids, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    with app.app_context():
        made = {}
        for key, prefix, department in (("a", "A", "dept_a"), ("b", "B", "dept_b")):
            group = WindowGroup(
                center_id=world_ids["county"],
                name=f"窗口组{prefix}",
                kind=WindowGroupKind.department,
                department_id=world_ids[department],
                prefix=prefix,
                slot_minutes=30,
                slot_capacity=2,
                days_ahead=3,
                reserved_seats=0,
            )
            db.session.add(group)
            db.session.flush()
            appointments.ensure_slots(db.session, group, NOW)
            made[key] = group.id
            made[f"slot_{key}"] = db.session.scalar(
                sa.select(AppointmentSlot.id).where(
                    AppointmentSlot.group_id == group.id, AppointmentSlot.starts_at == datetime(2026, 10, 13, 9, 0)
                )
            )
        db.session.commit()
        db.session.remove()
    return made


def _citizen(groups):
    return {
        "group": groups["a"],
        "slot_id": groups["slot_a"],
        "name": "李四",
        "phone": "13900001111",
        "id_last4": "4321",
    }


def _count(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Appointment.id)))


def test_citizen_books_looks_up_and_cancels(app, client, groups):
    page = client.get(f"/portal/appointment?group={groups['a']}").get_data(as_text=True)
    assert "10-13 09:00-09:30" in page and "预约" in page
    data = _citizen(groups)
    page = client.post("/portal/appointment", data=data).get_data(as_text=True)
    assert "YY2026000001" in page
    wrong = client.post("/portal/appointment/mine", data={"number": "YY2026000001", "phone4": "0000"})
    assert "没有找到" in wrong.get_data(as_text=True)
    found = client.post("/portal/appointment/mine", data={"number": "YY2026000001", "phone4": "1111"})
    text = found.get_data(as_text=True)
    assert "已预约" in text and "李四" not in text and "13900001111" not in text
    client.post("/portal/appointment/mine", data={"number": "YY2026000001", "phone4": "1111", "do": "cancel"})
    with app.app_context():
        assert db.session.scalar(sa.select(Appointment.status)).name == "cancelled"
        assert db.session.get(AppointmentSlot, groups["slot_a"]).booked == 0


@pytest.mark.parametrize(
    "change, message",
    [
        ({"phone": "abc"}, "电话"),
        ({"id_last4": "12"}, "身份证"),
        ({"slot_id": "x"}, "不存在"),
        ({"slot_id": "999999"}, "不存在"),
        ({"special": "vip"}, "特殊"),
        ({"name": ""}, "姓名"),
    ],
)
def test_portal_bad_input_is_refused_in_chinese(app, client, groups, change, message):
    data = _citizen(groups)
    response = client.post("/portal/appointment", data=data | change)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _count(app) == 0


def test_clerk_books_for_a_caller_in_their_own_groups_only(app, client, login_as, groups):
    login_as("staff_a")
    form = client.get("/appointmentview/book").get_data(as_text=True)
    assert "窗口组A" in form and "窗口组B" not in form
    data = {"slot_id": groups["slot_b"], "name": "王五", "phone": "13900002222", "id_last4": "1234"}
    refused = client.post("/appointmentview/book", data=data)
    assert "不存在" in refused.get_data(as_text=True) and _count(app) == 0
    saved = client.post("/appointmentview/book", data=data | {"slot_id": groups["slot_a"]})
    assert saved.status_code == 302 and _count(app) == 1
    with app.app_context():
        made = db.session.scalar(sa.select(Appointment))
        assert made.channel.name == "staff"
        pk = made.id
    assert "王五" in client.get("/appointmentview/list/").get_data(as_text=True)
    client.get("/logout/")
    login_as("staff_b")
    assert client.get(f"/appointmentview/show/{pk}").status_code == 404
    assert "王五" not in client.get("/appointmentview/list/").get_data(as_text=True)


def test_staff_cancel_step_and_window_group_rules(app, client, login_as, groups, world_ids):
    login_as("manager")
    client.post(
        "/appointmentview/book",
        data={"slot_id": groups["slot_a"], "name": "王五", "phone": "13900002222", "id_last4": "1234"},
    )
    with app.app_context():
        made = db.session.scalar(sa.select(Appointment))
        pk, version = made.id, made.version
    client.post(f"/appointmentview/act/{pk}/cancel", data={"version": version})
    with app.app_context():
        assert db.session.get(Appointment, pk).status.name == "cancelled"
    response = client.post(
        "/windowgroupview/add",
        data={
            "prefix": "a1",
            "name": "坏组",
            "kind": "green",
            "center": world_ids["county"],
            "slot_minutes": "30",
            "slot_capacity": "2",
            "reserved_seats": "5",
            "days_ahead": "3",
            "sort_order": "0",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "字母" in text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(WindowGroup.id))) == 2


def test_the_center_opens_delayed_service_and_bad_times_are_refused(app, client, login_as, groups, world_ids):
    from app.models import DelayedOpening

    login_as("manager")
    form = {"day": "2026-10-14", "center": world_ids["county"], "group": groups["a"], "note": "延时"}
    bad = client.post(
        "/delayedopeningview/add", data=form | {"starts": "19:00", "ends": "17:30"}, follow_redirects=True
    )
    assert "结束时间必须晚于开始时间" in bad.get_data(as_text=True)
    typo = client.post("/delayedopeningview/add", data=form | {"starts": "7pm", "ends": "19:00"})
    assert "时:分" in typo.get_data(as_text=True)
    client.post("/delayedopeningview/add", data=form | {"starts": "17:30", "ends": "19:00"})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(DelayedOpening.id))) == 1
        group = db.session.get(WindowGroup, groups["a"])
        appointments.ensure_slots(db.session, group, NOW)
        delayed = db.session.scalars(
            sa.select(AppointmentSlot.starts_at).where(AppointmentSlot.group_id == group.id, AppointmentSlot.delayed)
        ).all()
        assert [at.strftime("%d %H:%M") for at in sorted(delayed)] == ["14 17:30", "14 18:00", "14 18:30"]
        db.session.remove()


def _audit_trail(app):
    from app.models.audit import AuditLog

    with app.app_context():
        rows = db.session.execute(
            sa.select(AuditLog.actor_name, AuditLog.action, AuditLog.changes)
            .where(AuditLog.table_name == "appointment")
            .order_by(AuditLog.id)
        ).all()
        return [(name, action.name, changes.get("status")) for name, action, changes in rows]


def test_the_portal_and_the_clerk_are_named_in_the_appointments_audit_trail(app, client, login_as, groups):
    client.post("/portal/appointment", data=_citizen(groups))
    client.post("/portal/appointment/mine", data={"number": "YY2026000001", "phone4": "1111", "do": "cancel"})
    login_as("staff_a")
    client.post(
        "/appointmentview/book",
        data={"slot_id": groups["slot_a"], "name": "王五", "phone": "13900002222", "id_last4": "1234"},
    )
    with app.app_context():
        made = db.session.scalar(sa.select(Appointment).where(Appointment.name == "王五"))
        pk, version = made.id, made.version
    client.post(f"/appointmentview/act/{pk}/cancel", data={"version": version})
    assert _audit_trail(app) == [
        ("公众（网上预约）", "insert", [None, "booked"]),
        ("公众（网上预约）", "update", ["booked", "cancelled"]),
        ("staff_a", "insert", [None, "booked"]),
        ("staff_a", "update", ["booked", "cancelled"]),
    ]
