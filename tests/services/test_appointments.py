"""Appointments (issue 18.2) with a fixed `now`: slots follow office hours, the calendar and the
center's delayed-service openings; a slot never takes more than its capacity, green groups keep
places for special groups; cancel and reschedule stop at the cut-off; past unchecked bookings
become no-shows and repeated no-shows block online booking with a Chinese message; the kiosk
finds a booking for check-in; counts by outcome."""

import threading
from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Appointment, AppointmentSlot, AppointmentStatus, WindowGroup, WindowGroupKind
from app.models.appointment import AppointmentBlock, AppointmentChannel, SpecialGroup
from app.services import appointments
from app.services.appointments import AppointmentError, Booking

# Monday 12 October 2026 (a working day after the National Day holiday).
NOW = datetime(2026, 10, 12, 8, 0)
PORTAL = AppointmentChannel.portal


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


def make_group(world_ids, *, kind=WindowGroupKind.department, capacity=2, reserved=0, prefix="A", days=3):
    group = WindowGroup(
        center_id=world_ids["county"],
        name="市场监管",
        kind=kind,
        department_id=world_ids["dept_a"],
        prefix=prefix,
        slot_minutes=30,
        slot_capacity=capacity,
        days_ahead=days,
        reserved_seats=reserved,
    )
    db.session.add(group)
    db.session.flush()
    return group


def slot_at(group, at):
    return db.session.scalar(
        sa.select(AppointmentSlot).where(AppointmentSlot.group_id == group.id, AppointmentSlot.starts_at == at)
    )


def booking(slot, phone="13800001234", name="张三", **kw):
    return Booking(slot_id=slot.id, name=name, phone=phone, id_last4="123X", **kw)


def test_slots_follow_office_hours_and_the_working_days(ctx, world_ids):
    group = make_group(world_ids, days=6)
    appointments.ensure_slots(db.session, group, NOW)
    starts = db.session.scalars(
        sa.select(AppointmentSlot.starts_at).where(AppointmentSlot.group_id == group.id).order_by("starts_at")
    ).all()
    # 08:30-12:00 and 13:30-17:30: 7 + 8 slots a working day, Monday to Friday; Saturday 17 and Sunday 18 none.
    assert len(starts) == 5 * 15
    assert starts[0] == datetime(2026, 10, 12, 8, 30) and starts[6] == datetime(2026, 10, 12, 11, 30)
    assert starts[7] == datetime(2026, 10, 12, 13, 30)
    assert {s.date() for s in starts} == {date(2026, 10, d) for d in (12, 13, 14, 15, 16)}
    # Generating again creates nothing new.
    appointments.ensure_slots(db.session, group, NOW)
    assert db.session.scalar(sa.select(sa.func.count()).where(AppointmentSlot.group_id == group.id)) == 75


def test_delayed_service_slots_exist_only_where_the_center_opened_them(ctx, world_ids):
    group = make_group(world_ids, days=6)
    appointments.open_delayed_service(
        db.session, center_id=world_ids["county"], day=date(2026, 10, 13), starts=time(17, 0), ends=time(19, 0)
    )
    appointments.open_delayed_service(
        db.session, center_id=world_ids["county"], day=date(2026, 10, 17), starts=time(9, 0), ends=time(10, 0)
    )
    appointments.ensure_slots(db.session, group, NOW)
    delayed = db.session.scalars(
        sa.select(AppointmentSlot.starts_at)
        .where(AppointmentSlot.group_id == group.id, AppointmentSlot.delayed)
        .order_by("starts_at")
    ).all()
    # 17:00-17:30 is office time already; 17:30, 18:00, 18:30 are delayed; Saturday 9:00 and 9:30.
    assert delayed == [
        datetime(2026, 10, 13, 17, 30),
        datetime(2026, 10, 13, 18, 0),
        datetime(2026, 10, 13, 18, 30),
        datetime(2026, 10, 17, 9, 0),
        datetime(2026, 10, 17, 9, 30),
    ]
    evening = slot_at(group, datetime(2026, 10, 13, 18, 0))
    late = appointments.book(db.session, booking(evening), channel=PORTAL, now=NOW)
    assert late.delayed
    assert late.number.startswith("YY2026")
    start, end = datetime(2026, 10, 12), datetime(2026, 10, 19)
    assert appointments.counts(db.session, start, end, center_ids=[world_ids["county"]])["delayed"] == 1


def test_a_slot_takes_no_more_than_its_capacity(ctx, world_ids):
    group = make_group(world_ids, capacity=2)
    appointments.ensure_slots(db.session, group, NOW)
    slot = slot_at(group, datetime(2026, 10, 12, 9, 0))
    appointments.book(db.session, booking(slot, "13800000001"), channel=PORTAL, now=NOW)
    appointments.book(db.session, booking(slot, "13800000002"), channel=PORTAL, now=NOW)
    with pytest.raises(AppointmentError, match="约满"):
        appointments.book(db.session, booking(slot, "13800000003"), channel=PORTAL, now=NOW)
    db.session.refresh(slot)
    assert slot.booked == 2
    assert slot not in [s for s, _free in appointments.open_slots(db.session, group, NOW)]


def test_green_groups_keep_places_for_special_groups(ctx, world_ids):
    group = make_group(world_ids, kind=WindowGroupKind.green, capacity=3, reserved=1, prefix="G")
    appointments.ensure_slots(db.session, group, NOW)
    slot = slot_at(group, datetime(2026, 10, 12, 9, 0))
    appointments.book(db.session, booking(slot, "13800000001"), channel=PORTAL, now=NOW)
    appointments.book(db.session, booking(slot, "13800000002"), channel=PORTAL, now=NOW)
    with pytest.raises(AppointmentError):
        appointments.book(db.session, booking(slot, "13800000003"), channel=PORTAL, now=NOW)
    elderly = appointments.book(
        db.session, booking(slot, "13800000004", special=SpecialGroup.elderly), channel=PORTAL, now=NOW
    )
    assert elderly.special is SpecialGroup.elderly
    # Only the special booking sees the reserved place.
    other = slot_at(group, datetime(2026, 10, 12, 9, 30))
    appointments.book(db.session, booking(other, "13800000005", special=SpecialGroup.disabled), channel=PORTAL, now=NOW)
    appointments.book(db.session, booking(other, "13800000006"), channel=PORTAL, now=NOW)
    appointments.book(db.session, booking(other, "13800000007"), channel=PORTAL, now=NOW)
    db.session.refresh(other)
    assert (other.booked, other.booked_special) == (3, 1)


def test_special_categories_only_in_groups_that_reserve(ctx, world_ids):
    group = make_group(world_ids)
    appointments.ensure_slots(db.session, group, NOW)
    slot = slot_at(group, datetime(2026, 10, 12, 9, 0))
    with pytest.raises(AppointmentError, match="绿色通道"):
        appointments.book(db.session, booking(slot, special=SpecialGroup.key_project), channel=PORTAL, now=NOW)


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(name=""), "姓名"),
        (dict(phone="12345"), "电话"),
        (dict(id_last4="12a4"), "身份证"),
        (dict(slot_id=999999), "不存在"),
        (dict(matter_id=999999), "事项"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(ctx, world_ids, change, message):
    group = make_group(world_ids)
    appointments.ensure_slots(db.session, group, NOW)
    slot = slot_at(group, datetime(2026, 10, 12, 9, 0))
    values = dict(slot_id=slot.id, name="张三", phone="13800001234", id_last4="1234") | change
    with pytest.raises(AppointmentError, match=message):
        appointments.book(db.session, Booking(**values), channel=PORTAL, now=NOW)
    db.session.refresh(slot)
    assert slot.booked == 0 and db.session.scalar(sa.select(sa.func.count(Appointment.id))) == 0


def test_past_and_too_far_slots_and_a_second_booking_the_same_day_are_refused(ctx, world_ids):
    group = make_group(world_ids, days=1)
    appointments.ensure_slots(db.session, group, NOW)
    first = slot_at(group, datetime(2026, 10, 12, 9, 0))
    with pytest.raises(AppointmentError, match="已过"):
        appointments.book(db.session, booking(first), channel=PORTAL, now=datetime(2026, 10, 12, 9, 5))
    appointments.book(db.session, booking(first), channel=PORTAL, now=NOW)
    with pytest.raises(AppointmentError, match="YY2026"):
        appointments.book(db.session, booking(slot_at(group, datetime(2026, 10, 12, 10, 0))), channel=PORTAL, now=NOW)
    later = make_group(world_ids, days=5, prefix="B")
    appointments.ensure_slots(db.session, later, NOW)
    far = slot_at(later, datetime(2026, 10, 16, 9, 0))
    with pytest.raises(AppointmentError, match="天"):
        appointments.book(db.session, booking(far), channel=PORTAL, now=NOW - timedelta(days=3))


def test_cancel_and_reschedule_until_the_cutoff(ctx, world_ids):
    group = make_group(world_ids, capacity=1)
    appointments.ensure_slots(db.session, group, NOW)
    nine, ten = slot_at(group, datetime(2026, 10, 13, 9, 0)), slot_at(group, datetime(2026, 10, 13, 10, 0))
    made = appointments.book(db.session, booking(nine), channel=PORTAL, now=NOW)
    appointments.reschedule(db.session, made, ten.id, NOW)
    db.session.refresh(nine)
    db.session.refresh(ten)
    assert (nine.booked, ten.booked, made.slot_id, made.rescheduled) == (0, 1, ten.id, 1)
    # Two hours before 10:00 the cut-off has passed (default 2 hours).
    with pytest.raises(AppointmentError, match="2"):
        appointments.cancel(db.session, made, datetime(2026, 10, 13, 8, 0))
    appointments.cancel(db.session, made, datetime(2026, 10, 13, 7, 59))
    db.session.refresh(ten)
    assert made.status is AppointmentStatus.cancelled and ten.booked == 0
    with pytest.raises(AppointmentError):
        appointments.cancel(db.session, made, NOW)


def test_repeated_no_shows_block_online_booking_but_not_staff(ctx, world_ids):
    group = make_group(world_ids, days=30)
    appointments.ensure_slots(db.session, group, NOW)
    days = [datetime(2026, 10, day, 9, 0) for day in (12, 13, 14)]
    for at in days:
        appointments.ensure_slots(db.session, group, NOW)
        appointments.book(db.session, booking(slot_at(group, at)), channel=PORTAL, now=NOW)
    after = datetime(2026, 10, 14, 12, 0)
    result = appointments.mark_no_shows(db.session, after)
    assert result == {"no_shows": 3, "blocked": 1}
    assert appointments.mark_no_shows(db.session, after) == {"no_shows": 0, "blocked": 0}
    block = db.session.scalar(sa.select(AppointmentBlock))
    assert block.until == after + timedelta(days=30)
    slot = slot_at(group, datetime(2026, 10, 20, 9, 0))
    with pytest.raises(AppointmentError, match="2026-11-13 12:00"):
        appointments.book(db.session, booking(slot), channel=PORTAL, now=after)
    # A clerk booking for a caller is not blocked.
    made = appointments.book(db.session, booking(slot), channel=AppointmentChannel.staff, now=after, user_id=1)
    assert made.channel is AppointmentChannel.staff
    counts = appointments.counts(db.session, datetime(2026, 10, 1), datetime(2026, 11, 1))
    assert (counts["no_show"], counts["booked"], counts["kept"]) == (3, 1, 0)


def test_checkin_finds_the_booking_by_number_and_phone_digits(ctx, world_ids):
    group = make_group(world_ids)
    appointments.ensure_slots(db.session, group, NOW)
    ten = slot_at(group, datetime(2026, 10, 12, 10, 0))
    made = appointments.book(db.session, booking(ten), channel=PORTAL, now=NOW)
    find = appointments.find_booking_for_checkin
    county = world_ids["county"]
    assert find(db.session, county, made.number, "1234", datetime(2026, 10, 12, 9, 0)) is None  # too early
    assert find(db.session, county, made.number, "9999", datetime(2026, 10, 12, 9, 40)) is None
    assert find(db.session, world_ids["town"], made.number, "1234", datetime(2026, 10, 12, 9, 40)) is None
    found = find(db.session, county, made.number.lower(), "1234", datetime(2026, 10, 12, 9, 40))
    assert found is made
    assert appointments.check_in(db.session, found, datetime(2026, 10, 12, 9, 41))
    assert not appointments.check_in(db.session, found, datetime(2026, 10, 12, 9, 42))
    assert made.status is AppointmentStatus.checked_in
    assert find(db.session, county, made.number, "1234", datetime(2026, 10, 12, 9, 45)) is None
    appointments.mark_no_shows(db.session, datetime(2026, 10, 12, 12, 0))
    counts = appointments.counts(db.session, datetime(2026, 10, 12), datetime(2026, 10, 13))
    assert (counts["kept"], counts["no_show"]) == (1, 0)


def test_two_citizens_booking_the_last_place_at_once_exactly_one_wins(app, world_ids):
    with app.app_context():
        group = make_group(world_ids, capacity=1)
        appointments.ensure_slots(db.session, group, NOW)
        slot_id = slot_at(group, datetime(2026, 10, 12, 9, 0)).id
        db.session.commit()
        db.session.remove()
    results = []
    barrier = threading.Barrier(4)

    def attempt(n):
        with app.app_context():
            barrier.wait()
            try:
                appointments.book(
                    db.session,
                    Booking(slot_id=slot_id, name="张三", phone=f"1380000000{n}", id_last4="1234"),
                    channel=PORTAL,
                    now=NOW,
                )
                db.session.commit()
                results.append("won")
            except AppointmentError:
                db.session.rollback()
                results.append("full")
            db.session.remove()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["full", "full", "full", "won"]
    with app.app_context():
        assert db.session.get(AppointmentSlot, slot_id).booked == 1
        assert db.session.scalar(sa.select(sa.func.count(Appointment.id))) == 1
        db.session.remove()


def test_the_appointment_scan_job_marks_no_shows(ctx, world_ids):
    from app.jobs import JOBS

    group = make_group(world_ids)
    appointments.ensure_slots(db.session, group, NOW)
    appointments.book(db.session, booking(slot_at(group, datetime(2026, 10, 12, 9, 0))), channel=PORTAL, now=NOW)
    assert JOBS["appointment_scan"].run(db.session, datetime(2026, 10, 12, 9, 29)) == 0
    assert JOBS["appointment_scan"].run(db.session, datetime(2026, 10, 12, 9, 30)) == 1


def test_demo_appointments_are_modest_and_consistent(ctx, world_ids):
    import random

    from app.services.demo.appointments import seed_appointments

    written = seed_appointments(db.session, datetime(2026, 10, 21, 10, 0), random.Random(1))
    assert 20 < written < 400
    assert seed_appointments(db.session, datetime(2026, 10, 21, 10, 0), random.Random(1)) == 0
    over = db.session.scalar(
        sa.select(sa.func.count()).where(AppointmentSlot.booked > AppointmentSlot.capacity).select_from(AppointmentSlot)
    )
    live = db.session.scalar(
        sa.select(sa.func.count(Appointment.id)).where(Appointment.status.in_(["booked", "checked_in", "no_show"]))
    )
    assert over == 0 and db.session.scalar(sa.select(sa.func.sum(AppointmentSlot.booked))) == live
    counts = appointments.counts(db.session, datetime(2026, 10, 1), datetime(2026, 11, 1))
    assert counts["kept"] and counts["no_show"] and counts["booked"]


def _audit_rows(appointment_id=None):
    from app.models.audit import AuditLog

    query = sa.select(AuditLog.actor_id, AuditLog.actor_name, AuditLog.action, AuditLog.changes, AuditLog.at)
    table = sa.select(AuditLog).where(AuditLog.table_name == "appointment")
    if appointment_id is not None:
        query = query.where(AuditLog.row_id == str(appointment_id))
    return db.session.execute(
        query.where(AuditLog.id.in_(table.with_only_columns(AuditLog.id))).order_by(AuditLog.id)
    ).all()


def test_every_status_change_writes_an_audit_entry_with_its_actor(ctx, world_ids):
    from app.models.audit import AuditAction
    from app.services import audit

    group = make_group(world_ids, capacity=2)
    appointments.ensure_slots(db.session, group, NOW)
    nine, ten = slot_at(group, datetime(2026, 10, 13, 9, 0)), slot_at(group, datetime(2026, 10, 13, 10, 0))
    made = appointments.book(db.session, booking(nine), channel=PORTAL, now=NOW, actor=appointments.PUBLIC_ACTOR)
    appointments.reschedule(db.session, made, ten.id, NOW + timedelta(minutes=1), actor=appointments.PUBLIC_ACTOR)
    audit.set_actor(db.session, world_ids["user_staff_a"], "staff_a")  # a clerk, as a logged-in request is
    appointments.cancel(db.session, made, NOW + timedelta(minutes=2))
    rows = _audit_rows(made.id)
    assert [(r.actor_id, r.actor_name, r.action) for r in rows] == [
        (None, "公众（网上预约）", AuditAction.insert),
        (None, "公众（网上预约）", AuditAction.update),
        (world_ids["user_staff_a"], "staff_a", AuditAction.update),
    ]
    moved, cancelled = rows[1], rows[2]
    assert moved.changes == {"slot_id": [nine.id, ten.id], "starts_at": ["2026-10-13T09:00:00", "2026-10-13T10:00:00"]}
    assert moved.at == NOW + timedelta(minutes=1)
    assert cancelled.changes == {"status": ["booked", "cancelled"], "cancelled_at": [None, "2026-10-12T08:02:00"]}
    # A refused change writes nothing.
    with pytest.raises(AppointmentError):
        appointments.cancel(db.session, made, NOW + timedelta(minutes=3))
    assert len(_audit_rows(made.id)) == 3


def test_check_in_and_no_shows_are_audited_once_each_and_blocks_too(ctx, world_ids):
    from app.models.audit import AuditAction, AuditLog
    from app.services import audit

    group = make_group(world_ids, days=30)
    appointments.ensure_slots(db.session, group, NOW)
    kept_slot = slot_at(group, datetime(2026, 10, 12, 10, 0))
    kept = appointments.book(db.session, booking(kept_slot, phone="13900001111"), channel=PORTAL, now=NOW)
    assert appointments.check_in(db.session, kept, datetime(2026, 10, 12, 9, 41), actor=appointments.KIOSK_ACTOR)
    assert not appointments.check_in(db.session, kept, datetime(2026, 10, 12, 9, 42), actor=appointments.KIOSK_ACTOR)
    [checked] = [r for r in _audit_rows(kept.id) if r.action is AuditAction.update]
    assert checked.actor_name == "取号机（预约签到）"
    assert checked.changes == {"status": ["booked", "checked_in"], "checked_in_at": [None, "2026-10-12T09:41:00"]}
    missed = []
    for day in (12, 13, 14):
        appointments.ensure_slots(db.session, group, NOW)
        missed.append(
            appointments.book(
                db.session, booking(slot_at(group, datetime(2026, 10, day, 9, 0))), channel=PORTAL, now=NOW
            )
        )
    audit.set_actor(db.session, None, "system")  # the job's actor (job_runs.run sets the system user)
    after = datetime(2026, 10, 14, 12, 0)
    assert appointments.mark_no_shows(db.session, after) == {"no_shows": 3, "blocked": 1}
    for appointment in missed:
        [row] = [r for r in _audit_rows(appointment.id) if r.action is AuditAction.update]
        assert row.changes == {"status": ["booked", "no_show"]}
        assert row.actor_name == "system" and row.at == after
    block_entries = db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditLog).where(AuditLog.table_name == "appointment_block")
    )
    assert block_entries == 1
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog))
    assert appointments.mark_no_shows(db.session, after) == {"no_shows": 0, "blocked": 0}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == before  # idempotent: no entry
