"""Queue tickets and calling (issue 18.3): numbers, priority, calls, transfers, abandonment and counts,
with a fixed `now`."""

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.models import Window
from app.models.appointment import WindowGroup, WindowGroupKind
from app.models.queue import QueueTicket, TicketSource, TicketStatus
from app.services import queue
from app.services.queue import Desk, QueueError

NOW = datetime(2026, 12, 3, 9, 0)


def make_groups(session, ids):
    """A: market supervision (windows A01 and C01), B: police (B01), G: green channel (C01)."""
    win_a, win_b, win_c = (session.get(Window, ids[key]) for key in ("win_a", "win_b", "win_c"))
    groups = {
        "A": WindowGroup(
            center_id=ids["county"], name="市场监管", prefix="A", department_id=ids["dept_a"], windows=[win_a, win_c]
        ),
        "B": WindowGroup(
            center_id=ids["county"], name="公安户籍", prefix="B", department_id=ids["dept_b"], windows=[win_b]
        ),
        "G": WindowGroup(
            center_id=ids["county"], name="绿色通道", prefix="G", kind=WindowGroupKind.green, windows=[win_c]
        ),
    }
    session.add_all(groups.values())
    session.commit()
    return {key: group.id for key, group in groups.items()}


@pytest.fixture
def groups(db_session, world_ids):
    return make_groups(db_session, world_ids)


def desk(ids, staff="staff_staff_a", window="win_a"):
    return Desk(staff_id=ids[staff], window_id=ids[window])


def test_numbers_run_per_group_and_day_with_the_group_letter(db_session, world_ids, groups):
    county = world_ids["county"]
    numbers = [queue.issue(db_session, county, groups["A"], NOW + timedelta(minutes=i)).number for i in range(3)]
    other = queue.issue(db_session, county, groups["B"], NOW).number
    tomorrow = queue.issue(db_session, county, groups["A"], NOW + timedelta(days=1)).number
    assert numbers == ["A001", "A002", "A003"] and other == "B001" and tomorrow == "A001"


def test_a_group_of_another_center_issues_nothing(db_session, world_ids, groups):
    with pytest.raises(QueueError):
        queue.issue(db_session, world_ids["town"], groups["A"], NOW)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(QueueTicket)) == 0


def test_call_next_takes_priority_then_the_oldest_and_records_the_wait(db_session, world_ids, groups):
    county = world_ids["county"]
    first = queue.issue(db_session, county, groups["A"], NOW)
    queue.issue(db_session, county, groups["A"], NOW + timedelta(minutes=1))
    booked = queue.issue(db_session, county, groups["A"], NOW + timedelta(minutes=5), TicketSource.appointment)
    called = queue.call_next(db_session, desk(world_ids), NOW + timedelta(minutes=10))
    assert called.id == booked.id and called.status is TicketStatus.called
    assert called.wait_seconds == 300 and called.window_id == world_ids["win_a"]
    # Calling next finishes the window's open ticket, served from its call until now.
    again = queue.call_next(db_session, desk(world_ids), NOW + timedelta(minutes=14))
    assert again.id == first.id and again.wait_seconds == 14 * 60
    db_session.refresh(booked)
    assert booked.status is TicketStatus.done and booked.service_seconds == 240


def test_a_window_calls_only_its_own_groups(db_session, world_ids, groups):
    queue.issue(db_session, world_ids["county"], groups["B"], NOW)
    assert queue.call_next(db_session, desk(world_ids), NOW) is None  # A01 serves group A only
    called = queue.call_next(db_session, desk(world_ids, "staff_staff_b", "win_b"), NOW)
    assert called.number == "B001"


def test_green_tickets_go_first_at_a_window_serving_several_groups(db_session, world_ids, groups):
    county = world_ids["county"]
    queue.issue(db_session, county, groups["A"], NOW)
    green = queue.issue(db_session, county, groups["G"], NOW + timedelta(minutes=3), TicketSource.green)
    assert queue.call_next(db_session, desk(world_ids, "staff_chief_a", "win_c"), NOW).id == green.id


def test_calling_needs_a_window_serving_a_queue(db_session, world_ids, groups):
    with pytest.raises(QueueError):
        queue.call_next(db_session, Desk(staff_id=world_ids["staff_staff_a"], window_id=None), NOW)
    with pytest.raises(QueueError):
        queue.recall(db_session, desk(world_ids), NOW)  # nothing called yet


def test_recall_start_finish_and_skip(db_session, world_ids, groups):
    county = world_ids["county"]
    queue.issue(db_session, county, groups["A"], NOW)
    queue.issue(db_session, county, groups["A"], NOW)
    me = desk(world_ids)
    ticket = queue.call_next(db_session, me, NOW + timedelta(minutes=2))
    queue.recall(db_session, me, NOW + timedelta(minutes=3))
    assert ticket.recalls == 1 and ticket.last_called_at == NOW + timedelta(minutes=3)
    queue.start(db_session, me, NOW + timedelta(minutes=4))
    with pytest.raises(QueueError):
        queue.skip(db_session, me, NOW + timedelta(minutes=5))  # being served: not a no-show
    queue.finish(db_session, me, NOW + timedelta(minutes=9))
    assert ticket.status is TicketStatus.done and ticket.service_seconds == 300
    second = queue.call_next(db_session, me, NOW + timedelta(minutes=10))
    queue.skip(db_session, me, NOW + timedelta(minutes=12))
    assert second.status is TicketStatus.skipped and second.service_seconds is None
    assert queue.current(db_session, world_ids["win_a"]) is None


def test_transfer_keeps_the_number_and_the_place_by_issue_time(db_session, world_ids, groups):
    county = world_ids["county"]
    ticket = queue.issue(db_session, county, groups["A"], NOW)
    queue.issue(db_session, county, groups["B"], NOW + timedelta(minutes=1))
    queue.call_next(db_session, desk(world_ids), NOW + timedelta(minutes=5))
    with pytest.raises(QueueError):
        queue.transfer(db_session, desk(world_ids), groups["A"], NOW)  # its own group
    moved = queue.transfer(db_session, desk(world_ids), groups["B"], NOW + timedelta(minutes=8))
    assert ticket.status is TicketStatus.transferred and moved.number == "A001"
    assert moved.transferred_from_id == ticket.id and moved.source is TicketSource.transfer
    assert (
        queue.call_next(db_session, desk(world_ids, "staff_staff_b", "win_b"), NOW + timedelta(minutes=9)).id
        == moved.id
    )


def test_abandonment_scan_at_close_and_a_second_run_touches_nothing(db_session, world_ids, groups):
    county = world_ids["county"]
    for minute in range(3):
        queue.issue(db_session, county, groups["A"], NOW + timedelta(minutes=minute))
    queue.call_next(db_session, desk(world_ids), NOW + timedelta(minutes=5))
    close = datetime(2026, 12, 3, 17, 30)
    assert queue.abandon_scan(db_session, close) == 2
    assert queue.abandon_scan(db_session, close) == 0
    assert queue.abandoned_count(db_session, county, NOW.date(), NOW.date()) == 2


def test_counts_per_group_and_hour_and_per_window(db_session, world_ids, groups):
    county = world_ids["county"]
    for minute in (0, 10):
        queue.issue(db_session, county, groups["A"], NOW + timedelta(minutes=minute))
    queue.issue(db_session, county, groups["A"], datetime(2026, 12, 3, 10, 0))
    me = desk(world_ids)
    queue.call_next(db_session, me, NOW + timedelta(minutes=20))  # waited 20 min
    queue.call_next(db_session, me, NOW + timedelta(minutes=30))  # waited 20 min
    queue.call_next(db_session, me, datetime(2026, 12, 3, 10, 5))  # waited 5 min
    queue.finish(db_session, me, datetime(2026, 12, 3, 10, 15))
    rows = queue.wait_by_group_and_hour(db_session, county, NOW.date(), NOW.date())
    assert [(g, h, n, float(avg), longest) for g, h, n, avg, longest in rows] == [
        (groups["A"], 9, 2, 1200.0, 1200),
        (groups["A"], 10, 1, 300.0, 300),
    ]
    [(window_id, called, served, skipped, _avg)] = queue.calls_per_window(db_session, county, NOW.date(), NOW.date())
    assert (window_id, called, served, skipped) == (world_ids["win_a"], 3, 3, 0)
    assert queue.longest_waiting(db_session, county, NOW) == 0


def test_display_shows_numbers_and_window_names_only(db_session, world_ids, groups):
    county = world_ids["county"]
    queue.issue(db_session, county, groups["A"], NOW)
    queue.issue(db_session, county, groups["A"], NOW)
    queue.call_next(db_session, desk(world_ids), NOW + timedelta(minutes=1))
    state = queue.display_state(db_session, county, NOW.date())
    assert [(c["number"], c["window"]) for c in state["calls"]] == [("A001", "市场监管窗口")]
    assert state["windows"] == [{"window": "市场监管窗口", "number": "A001"}]
    assert {g["prefix"]: g["waiting"] for g in state["waiting"]} == {"A": 1, "B": 0, "G": 0}
    assert queue.display_state(db_session, county, date(2026, 12, 4))["calls"] == []


def test_a_case_links_only_to_the_windows_open_ticket(db_session, world_ids, groups):
    from tests.services.test_case_flow import new_case

    case = new_case(world_ids)
    county = world_ids["county"]
    queue.issue(db_session, county, groups["A"], NOW)
    other = queue.issue(db_session, county, groups["B"], NOW)
    ticket = queue.call_next(db_session, desk(world_ids), NOW)
    assert queue.link_case(db_session, desk(world_ids), other.id, case.id) is None
    linked = queue.link_case(db_session, desk(world_ids), ticket.id, case.id)
    assert linked.case_id == case.id and linked.status is TicketStatus.serving


def test_demo_queue_has_devices_and_a_morning_of_tickets_once(db_session, world_ids, groups):
    from app.models.queue import QueueDevice
    from app.services.demo.queue import seed_queue

    now = datetime(2026, 12, 3, 10, 30)
    assert seed_queue(db_session, now) == 18
    assert seed_queue(db_session, now) == 0
    assert db_session.scalar(sa.select(sa.func.count()).select_from(QueueDevice)) == 2
    state = queue.display_state(db_session, world_ids["county"], now.date())
    assert state["calls"] and all(set(call) == {"number", "window", "key"} for call in state["calls"])


def book(session, ids, group_id, number="YY20261203001", starts=datetime(2026, 12, 3, 9, 0)):
    """An appointment of today's 09:00 slot, written directly (the booking rules are tested apart)."""
    from app.models.appointment import Appointment, AppointmentSlot

    slot = AppointmentSlot(group_id=group_id, starts_at=starts, ends_at=starts + timedelta(minutes=30), capacity=4)
    appointment = Appointment(
        number=number,
        center_id=ids["county"],
        group_id=group_id,
        slot=slot,
        starts_at=starts,
        name="李四",
        phone="13700005678",
        id_last4="1234",
        booked_at=starts - timedelta(days=1),
    )
    session.add_all([slot, appointment])
    session.commit()
    return appointment


def test_appointment_check_in_gives_priority_once(db_session, world_ids, groups):
    from app.models.appointment import AppointmentStatus

    county = world_ids["county"]
    walk_in = queue.issue(db_session, county, groups["A"], datetime(2026, 12, 3, 8, 40))
    appointment = book(db_session, world_ids, groups["A"])
    for number, digits in (("YY20261203001", "0000"), ("NOPE", "5678"), ("", "")):
        with pytest.raises(QueueError):
            queue.check_in(db_session, county, number, digits, datetime(2026, 12, 3, 8, 50))
    ticket = queue.check_in(db_session, county, "yy20261203001", "5678", datetime(2026, 12, 3, 8, 50))
    assert ticket.source is TicketSource.appointment and ticket.appointment_id == appointment.id
    assert appointment.status is AppointmentStatus.checked_in
    with pytest.raises(QueueError):
        queue.check_in(db_session, county, "YY20261203001", "5678", datetime(2026, 12, 3, 8, 51))
    with pytest.raises(QueueError):  # another center's kiosk
        queue.check_in(db_session, world_ids["town"], "YY20261203001", "5678", datetime(2026, 12, 3, 8, 51))
    assert queue.call_next(db_session, desk(world_ids), datetime(2026, 12, 3, 9, 0)).id == ticket.id
    assert queue.applicant_of(ticket) == {"applicant_name": "李四", "applicant_phone": "13700005678"}
    assert queue.applicant_of(walk_in) == {}
