"""Queue devices and the calling panel (issue 18.3): token binding, no personal data, the staff
panel's scope, the case accepted from a ticket, the rating device, rate limits, bad input."""

import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, MatterMaterial
from app.models.queue import DeviceKind, QueueDevice, QueueTicket, TicketStatus
from tests.conftest import login
from tests.integration.test_portal import _limited_app
from tests.services.test_queue import book, make_groups

KIOSK, DISPLAY = "kiosk-token-for-the-county-hall-0001", "display-token-for-the-county-hall-01"


NOW = datetime(2026, 12, 3, 8, 50)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    from app import clock

    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def hall(app, world_ids):
    with app.app_context():
        groups = make_groups(db.session, world_ids)
        db.session.add_all(
            [
                QueueDevice(name="大厅取号机", kind=DeviceKind.kiosk, center_id=world_ids["county"], token=KIOSK),
                QueueDevice(name="大厅显示屏", kind=DeviceKind.display, center_id=world_ids["county"], token=DISPLAY),
                QueueDevice(
                    name="停用", kind=DeviceKind.kiosk, center_id=world_ids["county"], token="x" * 30, active=False
                ),
            ]
        )
        db.session.commit()
        db.session.remove()
    return groups


def _tickets(app):
    with app.app_context():
        rows = db.session.execute(sa.select(QueueTicket.number, QueueTicket.status)).all()
        db.session.remove()
        return rows


def test_devices_need_their_own_valid_token(client, hall):
    assert client.get(f"/queue/kiosk/{KIOSK}").status_code == 200
    assert client.get(f"/queue/display/{DISPLAY}").status_code == 200
    for url in (
        "/queue/kiosk/wrong",
        f"/queue/kiosk/{DISPLAY}",  # a display's token opens no kiosk
        f"/queue/display/{KIOSK}/state.json",
        f"/queue/kiosk/{'x' * 30}",  # switched off
        f"/queue/kiosk/{'y' * 500}",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "没有" in response.get_data(as_text=True) or "权限" in response.get_data(as_text=True)
    assert client.post("/queue/kiosk/wrong/ticket", data={"group_id": hall["A"]}).status_code == 403


def test_kiosk_issues_a_ticket_and_shows_its_slip(app, client, hall):
    page = client.post(f"/queue/kiosk/{KIOSK}/ticket", data={"group_id": hall["A"]}, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "A001" in text
    client.post(f"/queue/kiosk/{KIOSK}/ticket", data={"group_id": hall["A"], "green": "1"})
    assert sorted(_tickets(app)) == [("A001", TicketStatus.waiting), ("A002", TicketStatus.waiting)]
    state = client.get(f"/queue/kiosk/{KIOSK}/state.json").get_json()
    assert {g["prefix"]: g["waiting"] for g in state["groups"]} == {"A": 2, "B": 0, "G": 0}


def test_bad_kiosk_input_gets_a_message_and_issues_nothing(app, client, hall, world_ids):
    for data in ({"group_id": "abc"}, {"group_id": "999999"}, {}, {"group_id": "1 OR 1=1"}):
        page = client.post(f"/queue/kiosk/{KIOSK}/ticket", data=data, follow_redirects=True)
        assert page.status_code == 200 and "queue-alert-danger" in page.get_data(as_text=True)
    for data in ({"number": "<script>", "phone4": "12"}, {"number": "x" * 3000, "phone4": "1234"}, {}):
        page = client.post(f"/queue/kiosk/{KIOSK}/checkin", data=data, follow_redirects=True)
        assert page.status_code == 200 and "queue-alert-danger" in page.get_data(as_text=True)
    assert _tickets(app) == []


def test_display_and_kiosk_json_carry_ticket_numbers_and_window_names_only(app, client, hall, world_ids):
    client.post(f"/queue/kiosk/{KIOSK}/ticket", data={"group_id": hall["A"]})
    login(client, "staff_a")
    client.post("/queue-panel/act", data={"action": "call_next"})
    [(ticket_id,)] = _ids(app)
    _accept(app, client, world_ids, ticket_id)
    client.get("/logout/")
    display = client.get(f"/queue/display/{DISPLAY}/state.json")
    state = display.get_json()
    assert state["calls"][0]["number"] == "A001" and state["calls"][0]["window"] == "市场监管窗口"
    assert set(state["calls"][0]) == {"number", "window", "key"}
    assert state["windows"] == [{"window": "市场监管窗口", "number": "A001"}]
    for body in (display.get_data(as_text=True), client.get(f"/queue/kiosk/{KIOSK}/state.json").get_data(as_text=True)):
        for secret in ("王小明", "13900005678", "410102199001011234", "测试staff_a", "食品经营许可"):
            assert secret not in body.encode().decode("unicode_escape")
    page = client.get(f"/queue/display/{DISPLAY}").get_data(as_text=True)
    assert "A001" in page and "王小明" not in page and "//cdn" not in page and "http" not in page.split("<body")[1]


def _ids(app):
    with app.app_context():
        rows = db.session.execute(sa.select(QueueTicket.id)).all()
        db.session.remove()
        return rows


def _accept(app, client, world_ids, ticket_id):
    """Accept matter A from the ticket at the intake form, for 王小明."""
    return client.post(
        f"/case-intake/{world_ids['matter_a']}?ticket={ticket_id}",
        data={
            "applicant_type": "person",
            "applicant_name": "王小明",
            "applicant_id_number": "410102199001011234",
            "applicant_phone": "13900005678",
            "channel": "window",
            "materials": _materials(app, world_ids),
        },
    )


def _materials(app, world_ids):
    with app.app_context():
        ids = db.session.scalars(
            sa.select(MatterMaterial.id).where(MatterMaterial.matter_id == world_ids["matter_a"])
        ).all()
        db.session.remove()
        return [str(i) for i in ids]


def test_a_case_accepted_from_the_ticket_is_linked_and_the_rating_device_shows_it(app, client, hall, world_ids):
    client.post(f"/queue/kiosk/{KIOSK}/ticket", data={"group_id": hall["A"]})
    login(client, "staff_a")
    panel = client.post("/queue-panel/act", data={"action": "call_next"}, follow_redirects=True).get_data(as_text=True)
    assert 'data-ticket="A001"' in panel
    [(ticket_id,)] = _ids(app)
    choose = client.get(f"/case-intake/?ticket={ticket_id}").get_data(as_text=True)
    assert "A001" in choose and f"ticket={ticket_id}" in choose
    response = _accept(app, client, world_ids, ticket_id)
    assert response.status_code == 302
    case_id = int(re.search(r"/caseview/show/(\d+)", response.headers["Location"]).group(1))
    with app.app_context():
        ticket = db.session.get(QueueTicket, ticket_id)
        assert ticket.case_id == case_id and ticket.status is TicketStatus.serving
        number = db.session.get(Case, case_id).number
        db.session.remove()
    client.get("/logout/")
    device = client.get(f"/portal/window/{world_ids['win_a']}").get_data(as_text=True)
    assert 'data-served="A001"' in device and number in device and "王小明" not in device


def test_the_panel_acts_only_at_the_users_own_window_on_its_queues(app, client, hall):
    client.post(f"/queue/kiosk/{KIOSK}/ticket", data={"group_id": hall["A"]})
    login(client, "staff_b")  # B01 serves group B only
    page = client.post("/queue-panel/act", data={"action": "call_next"}, follow_redirects=True)
    assert page.status_code == 200 and "A001" not in page.get_data(as_text=True).split("govhall-queue-current")[1]
    assert _tickets(app) == [("A001", TicketStatus.waiting)]
    for data in ({"action": "recall"}, {"action": "transfer", "group_id": "abc"}, {"action": "drop table"}, {}):
        page = client.post("/queue-panel/act", data=data, follow_redirects=True)
        assert page.status_code == 200 and "alert-danger" in page.get_data(as_text=True)
    assert _tickets(app) == [("A001", TicketStatus.waiting)]
    client.get("/logout/")
    login(client, "manager")  # no Staff record, no calling permission
    assert client.get("/queue-panel/").status_code == 403
    assert client.post("/queue-panel/act", data={"action": "call_next"}).status_code == 403
    assert client.get("/queueticketview/list/").status_code == 200
    assert _tickets(app) == [("A001", TicketStatus.waiting)]


def test_taking_tickets_is_rate_limited(app, hall):
    limited = _limited_app(app, WTF_CSRF_ENABLED=False, QUEUE_TICKET_LIMIT="3 per minute")
    client = limited.test_client()
    codes = [client.post(f"/queue/kiosk/{KIOSK}/ticket", data={"group_id": hall["A"]}).status_code for _ in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    assert client.get(f"/queue/kiosk/{KIOSK}").status_code == 200  # reading the page is not counted
    assert len(_tickets(app)) == 3


def test_device_admin_is_admin_only(client, hall):
    login(client, "admin")
    assert client.get("/queuedeviceview/list/").status_code == 200
    client.get("/logout/")
    login(client, "manager")
    assert client.get("/queuedeviceview/list/").status_code == 403


def test_kiosk_check_in_gives_the_appointment_a_priority_ticket_and_prefills_the_intake(app, client, hall, world_ids):
    with app.app_context():
        book(db.session, world_ids, hall["A"])
        db.session.remove()
    client.post(f"/queue/kiosk/{KIOSK}/ticket", data={"group_id": hall["A"]})
    wrong = client.post(f"/queue/kiosk/{KIOSK}/checkin", data={"number": "YY20261203001", "phone4": "0000"})
    assert "queue-alert-danger" in client.get(wrong.headers["Location"]).get_data(as_text=True)
    slip = client.post(
        f"/queue/kiosk/{KIOSK}/checkin", data={"number": "YY20261203001", "phone4": "5678"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "A002" in slip and "李四" not in slip and "13700005678" not in slip
    login(client, "staff_a")
    panel = client.post("/queue-panel/act", data={"action": "call_next"}, follow_redirects=True).get_data(as_text=True)
    assert 'data-ticket="A002"' in panel  # ahead of the walk-in A001
    [ticket_id] = [t for (t,) in _ids(app) if t != min(t for (t,) in _ids(app))]
    form = client.get(f"/case-intake/{world_ids['matter_a']}?ticket={ticket_id}").get_data(as_text=True)
    assert 'value="李四"' in form and 'value="13700005678"' in form


@pytest.fixture
def comprehensive(app, hall, world_ids):
    """The county's comprehensive group C (window C01, co-used by department A) and a township's
    comprehensive group T whose window also lists department A: tickets C001, T001, A001, B001."""
    from app.models import Staff, Window
    from app.models.appointment import WindowGroup, WindowGroupKind
    from app.models.org import Department, WindowKind
    from app.services import queue

    with app.app_context():
        win_c = db.session.get(Window, world_ids["win_c"])
        town_window = Window(
            code="T01",
            name="乡镇综合窗口",
            kind=WindowKind.comprehensive,
            center_id=world_ids["town"],
            member_departments=[db.session.get(Department, world_ids["dept_a"])],
        )
        county_c, town_t = (
            WindowGroup(
                center_id=world_ids[center],
                name=name,
                prefix=prefix,
                kind=WindowGroupKind.comprehensive,
                windows=[window],
            )
            for center, name, prefix, window in (
                ("county", "综合受理", "C", win_c),
                ("town", "乡镇综合", "T", town_window),
            )
        )
        db.session.add_all([town_window, county_c, town_t])
        db.session.flush()
        numbers = {}
        for center, group in (
            ("county", county_c.id),
            ("town", town_t.id),
            ("county", hall["A"]),
            ("county", hall["B"]),
        ):
            ticket = queue.issue(db.session, world_ids[center], group, NOW)
            numbers[ticket.number] = ticket.id
        # staff_a sits at the comprehensive window C01 (its Staff record's window).
        db.session.get(Staff, world_ids["staff_staff_a"]).window_id = win_c.id
        db.session.commit()
        db.session.remove()
    return numbers


@pytest.mark.parametrize(
    ("who", "seen"),
    [
        ("staff_a", {"C001", "A001"}),  # its own group and the comprehensive group its department co-uses
        ("chief_a", {"C001", "A001"}),
        ("staff_b", {"B001"}),  # department B serves at no comprehensive window
        ("chief_b", {"B001"}),
        ("manager", {"C001", "T001", "A001", "B001"}),
    ],
)
def test_the_ticket_list_shows_the_comprehensive_groups_tickets_to_its_departments_only(
    client, comprehensive, who, seen
):
    login(client, who)
    page = client.get("/queueticketview/list/?psize_QueueTicketView=100").get_data(as_text=True)
    assert {number for number in comprehensive if number in page} == seen
    for number, ticket_id in comprehensive.items():
        expected = 200 if number in seen else 404
        assert client.get(f"/queueticketview/show/{ticket_id}").status_code == expected, number


def test_another_centers_comprehensive_tickets_stay_hidden_though_its_window_lists_the_department(
    app, world_ids, comprehensive
):
    from app.models import Staff
    from app.models.queue import QueueTicket
    from app.services.scope import Kind, Scope

    with app.app_context():
        staff = db.session.get(Staff, world_ids["staff_staff_a"])
        scope = Scope(
            kind=Kind.department, center_id=staff.center_id, department_id=staff.department_id, staff_id=staff.id
        )
        visible = set(db.session.scalars(sa.select(QueueTicket.number).where(scope.clause(QueueTicket))))
        assert visible == {"C001", "A001"} and "T001" not in visible
        db.session.remove()


def test_department_staff_at_the_comprehensive_window_call_its_groups_tickets(app, client, comprehensive):
    login(client, "staff_a")  # at C01, which serves groups A, G and C
    panel = client.get("/queue-panel/").get_data(as_text=True)
    assert "综合受理" in panel
    page = client.post("/queue-panel/act", data={"action": "call_next"}, follow_redirects=True)
    assert "C001" in page.get_data(as_text=True).split("govhall-queue-current")[1]
    client.post("/queue-panel/act", data={"action": "call_next"})  # finishes C001, calls A001
    assert set(_tickets(app)) == {
        ("C001", TicketStatus.done),
        ("A001", TicketStatus.called),
        ("B001", TicketStatus.waiting),
        ("T001", TicketStatus.waiting),
    }


def _ticket_row(app, number):
    with app.app_context():
        row = db.session.execute(
            sa.select(QueueTicket.source, QueueTicket.priority, QueueTicket.status, QueueTicket.window_id).where(
                QueueTicket.number == number
            )
        ).one()
        db.session.remove()
        return row


def test_a_kiosk_green_ticket_is_to_be_verified_and_the_clerk_confirms_it(app, client, hall):
    from app.models.queue import TicketSource

    client.post(f"/queue/kiosk/{KIOSK}/ticket", data={"group_id": hall["A"]})
    client.post(f"/queue/kiosk/{KIOSK}/ticket", data={"group_id": hall["A"], "green": "1"})
    assert _ticket_row(app, "A002").source is TicketSource.green_claimed
    login(client, "staff_a")
    page = client.post("/queue-panel/act", data={"action": "call_next"}, follow_redirects=True).get_data(as_text=True)
    current = page.split("govhall-queue-current")[1]
    assert "A002" in current and "待核验" in current and "核验通过" in page  # called first, flagged
    client.post("/queue-panel/act", data={"action": "green_ok"})
    assert _ticket_row(app, "A002")[:3] == (TicketSource.green, 2, TicketStatus.called)
    page = client.post("/queue-panel/act", data={"action": "green_ok"}, follow_redirects=True).get_data(as_text=True)
    assert "没有待核验" in page  # verified once


def test_a_green_claim_found_not_eligible_goes_back_to_its_queue_as_an_ordinary_ticket(app, client, hall):
    from app.models.queue import TicketSource

    client.post(f"/queue/kiosk/{KIOSK}/ticket", data={"group_id": hall["A"]})  # A001 at 08:50
    client.post(f"/queue/kiosk/{KIOSK}/ticket", data={"group_id": hall["A"], "green": "1"})  # A002 claims green
    login(client, "staff_a")
    client.post("/queue-panel/act", data={"action": "call_next"})  # A002 first
    client.post("/queue-panel/act", data={"action": "green_no"})
    assert _ticket_row(app, "A002") == (TicketSource.walk_in, 0, TicketStatus.waiting, None)
    page = client.post("/queue-panel/act", data={"action": "call_next"}, follow_redirects=True).get_data(as_text=True)
    assert "A001" in page.split("govhall-queue-current")[1]  # by issue time now, as an ordinary ticket
    assert "待核验" not in page


def test_a_verified_or_ordinary_ticket_has_nothing_to_verify(app, client, hall):
    client.post(f"/queue/kiosk/{KIOSK}/ticket", data={"group_id": hall["A"]})
    login(client, "staff_a")
    client.post("/queue-panel/act", data={"action": "call_next"})
    page = client.post("/queue-panel/act", data={"action": "green_no"}, follow_redirects=True).get_data(as_text=True)
    assert "没有待核验" in page and "核验通过" not in page
    assert _tickets(app) == [("A001", TicketStatus.called)]
