"""整改通知 pages: the department's chief representative closes its own orders, other departments
get 404, the center refers to 纪检; bad input is refused with a message, never a 500."""

import io

import openpyxl
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import RectificationOrder
from app.models.feedback import OrderStatus
from tests.services.test_rectification_orders import handled_complaint


@pytest.fixture
def order(app, world_ids):
    with app.app_context():
        handled_complaint(world_ids)
        row = db.session.scalar(sa.select(RectificationOrder))
        yield {"id": row.id, "number": row.number, "version": row.version}
        db.session.remove()


def _order(app, pk):
    with app.app_context():
        row = db.session.get(RectificationOrder, pk)
        db.session.expunge(row)
        return row


def test_the_chief_rep_sees_and_closes_the_own_departments_order(app, client, order, login_as):
    login_as("chief_a")
    listing = client.get("/rectificationorderview/list/").get_data(as_text=True)
    assert order["number"] in listing and "整改通知" in listing
    page = client.get(f"/rectificationorderview/show/{order['id']}").get_data(as_text=True)
    assert "登记整改情况并办结" in page and "移送纪检监察机关" not in page  # referral is the center's
    refused = client.post(f"/rectificationorderview/act/{order['id']}/close", data={"version": order["version"]})
    assert refused.status_code == 302 and _order(app, order["id"]).status is OrderStatus.open
    done = client.post(
        f"/rectificationorderview/act/{order['id']}/close", data={"version": order["version"], "note": "全员培训"}
    )
    assert done.status_code == 302
    closed = _order(app, order["id"])
    assert closed.status is OrderStatus.closed and closed.closure_note == "全员培训" and closed.closed_by
    again = client.post(
        f"/rectificationorderview/act/{order['id']}/close", data={"version": order["version"], "note": "再次"}
    )
    assert again.status_code == 302 and _order(app, order["id"]).closure_note == "全员培训"


def test_another_department_and_window_staff_never_reach_the_order(app, client, order, login_as):
    login_as("chief_b")
    assert order["number"] not in client.get("/rectificationorderview/list/").get_data(as_text=True)
    assert client.get(f"/rectificationorderview/show/{order['id']}").status_code == 404
    closing = client.post(f"/rectificationorderview/act/{order['id']}/close", data={"version": 1, "note": "x"})
    assert closing.status_code == 404
    client.get("/logout/")
    login_as("staff_a")
    assert client.get("/rectificationorderview/list/").status_code in (302, 403)
    assert client.get(f"/rectificationorderview/show/{order['id']}").status_code in (302, 403)
    assert _order(app, order["id"]).status is OrderStatus.open


def test_the_leader_reads_and_exports_but_does_not_act(app, client, order, login_as):
    login_as("leader")
    export = client.get("/rectificationorderview/export/")
    assert export.status_code == 200 and export.mimetype.endswith("sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(export.data)).active
    assert order["number"] in [cell.value for cell in sheet["A"]]
    page = client.get(f"/rectificationorderview/show/{order['id']}").get_data(as_text=True)
    assert "登记整改情况并办结" not in page
    acting = client.post(f"/rectificationorderview/act/{order['id']}/close", data={"version": 1, "note": "x"})
    assert acting.status_code in (302, 403) and _order(app, order["id"]).status is OrderStatus.open


@pytest.mark.parametrize(
    "data",
    [
        {"referred_on": "abc", "number": "纪移1号"},
        {"referred_on": "2999-01-01", "number": "纪移1号"},
        {"referred_on": "2026-10-20", "number": ""},
        {"referred_on": "2026-10-20", "number": "号" * 500},
        {"referred_on": "2026-10-20", "number": "纪移1号", "version": "zzz"},
        {"referred_on": "2026-10-20", "number": "纪移1号", "version": "99"},
        {"referred_on": "2026-10-20\x00", "number": "纪移1号"},
    ],
)
def test_bad_referrals_answer_with_a_message_and_store_nothing(app, client, order, login_as, data):
    login_as("supervisor")
    response = client.post(
        f"/rectificationorderview/act/{order['id']}/refer", data={"version": order["version"], **data}
    )
    assert response.status_code in (302, 400)  # a message on the page; NUL bytes: 400 at the door
    assert _order(app, order["id"]).referred_on is None


def test_the_supervisor_refers_an_order_to_discipline_inspection(app, client, order, login_as):
    login_as("supervisor")
    page = client.get(f"/rectificationorderview/show/{order['id']}").get_data(as_text=True)
    assert "移送纪检监察机关" in page and "移送文号" in page
    response = client.post(
        f"/rectificationorderview/act/{order['id']}/refer",
        data={
            "version": order["version"],
            "referred_on": "2026-10-20",
            "number": "纪移〔2026〕3号",
            "note": "整改不到位",
        },
    )
    assert response.status_code == 302
    referred = _order(app, order["id"])
    assert str(referred.referred_on) == "2026-10-20" and referred.referral_number == "纪移〔2026〕3号"
    assert "纪移〔2026〕3号" in client.get(f"/rectificationorderview/show/{order['id']}").get_data(as_text=True)
    unknown = client.post(f"/rectificationorderview/act/{order['id']}/approve", data={"version": referred.version})
    assert unknown.status_code == 302
    search = client.get("/rectificationorderview/list/?_flt_0_department=abc&_flt_0_due_at=notadate")
    assert search.status_code in (200, 302, 400)


def test_the_complaint_page_links_its_order(app, client, order, login_as):
    login_as("supervisor")
    with app.app_context():
        complaint_id = db.session.get(RectificationOrder, order["id"]).complaint_id
    page = client.get(f"/complaintview/show/{complaint_id}").get_data(as_text=True)
    assert order["number"] in page and "整改通知" in page
