"""延时服务 (issue 18.2): a case received outside office hours while the center had opened delayed
service then, or from a delayed-service booking, is marked `delayed_service` at intake."""

from datetime import date, datetime, time

import pytest

from app.extensions import db
from app.models.appointment import Appointment, DelayedOpening
from app.models.queue import QueueTicket
from app.services import queue
from app.services.case_flow import Clock
from app.services.case_flow.reception import delayed_service
from tests.services.test_case_flow import new_case

FRI = date(2026, 11, 6)  # a Friday; Saturday 2026-11-07 is not a working day
EVENING = [(time(17, 30), time(19, 0))]


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield db.session
        db.session.remove()


@pytest.mark.parametrize(
    ("at", "openings", "expected"),
    [
        (datetime(2026, 11, 6, 10, 0), EVENING, False),  # office hours: never delayed
        (datetime(2026, 11, 6, 17, 29), EVENING, False),  # the last office minute
        (datetime(2026, 11, 6, 17, 30), EVENING, True),  # office closes at 17:30, the opening starts
        (datetime(2026, 11, 6, 19, 0), EVENING, True),  # the opening's last minute, bounds included
        (datetime(2026, 11, 6, 19, 1), EVENING, False),  # after the opening
        (datetime(2026, 11, 6, 18, 0), [], False),  # outside office hours, nothing opened
        (datetime(2026, 11, 6, 12, 30), [(time(12, 0), time(13, 30))], True),  # the lunch break opened
        (datetime(2026, 11, 7, 10, 0), [(time(9, 0), time(12, 0))], True),  # a Saturday opening
        (datetime(2026, 11, 7, 10, 0), [], False),  # a Saturday, nothing opened
    ],
)
def test_the_delayed_service_rule(ctx, at, openings, expected):
    asked = []

    def read():
        asked.append(1)
        return openings

    assert delayed_service(at, Clock.load(db.session), read) is expected
    if at == datetime(2026, 11, 6, 10, 0):
        assert asked == []  # an office-hours intake reads no openings


def open_evening(world_ids, day=FRI, center="county"):
    db.session.add(
        DelayedOpening(center_id=world_ids[center], day=day, starts=time(17, 30), ends=time(19, 0), note="晚间延时")
    )
    db.session.commit()


def test_a_case_received_in_an_evening_opening_is_marked(ctx, world_ids):
    open_evening(world_ids)
    case = new_case(world_ids, now=datetime(2026, 11, 6, 18, 10))
    assert case.delayed_service is True


def test_an_office_hours_case_or_another_centers_opening_is_not_marked(ctx, world_ids):
    open_evening(world_ids, center="town")  # the township opened, not the county center
    assert new_case(world_ids, now=datetime(2026, 11, 6, 18, 10)).delayed_service is False
    open_evening(world_ids)
    assert new_case(world_ids, now=datetime(2026, 11, 6, 11, 0)).delayed_service is False


def test_a_case_from_a_delayed_booking_is_marked_at_any_hour(ctx, world_ids):
    case = new_case(world_ids, now=datetime(2026, 11, 6, 11, 0), delayed_booking=True)
    assert case.delayed_service is True


def test_a_ticket_from_a_delayed_booking_says_so():
    assert queue.delayed_booking(QueueTicket(appointment=Appointment(delayed=True))) is True
    assert queue.delayed_booking(QueueTicket(appointment=Appointment(delayed=False))) is False
    assert queue.delayed_booking(QueueTicket()) is False and queue.delayed_booking(None) is False


def test_the_case_list_filters_delayed_service_in_scope(app, client, world_ids, login_as):
    with app.app_context():
        open_evening(world_ids)
        case = new_case(world_ids, now=datetime(2026, 11, 6, 18, 10))
        ours, ours_id = case.number, case.id
        plain = new_case(world_ids, now=datetime(2026, 11, 6, 11, 0)).number
        theirs = new_case(world_ids, who="staff_b", matter="matter_b", now=datetime(2026, 11, 6, 18, 20)).number
    login_as("supervisor")
    page = client.get("/caseview/list/?quick=delayed").get_data(as_text=True)
    assert ours in page and theirs in page and plain not in page
    client.get("/logout/")
    login_as("chief_a")
    page = client.get("/caseview/list/?quick=delayed").get_data(as_text=True)
    assert ours in page and theirs not in page and plain not in page
    assert "govhall-delayed-service" in client.get(f"/caseview/show/{ours_id}").get_data(as_text=True)
