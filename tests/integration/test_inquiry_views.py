"""首问登记 pages: the short form records (bad input: a Chinese message, nothing saved, never a 500);
the list's phone box finds a caller's history in any written form (and says so of a bad number);
phones are masked in the list and the export; each role sees its own scope (404 beyond it); only the
first responder closes, the referred side replies."""

import io
import re

import openpyxl
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.inquiry import Inquiry, InquiryStatus

FORM = "/inquiryview/record"


def _count(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Inquiry))


def _inquiry(app, pk):
    with app.app_context():
        row = db.session.get(Inquiry, pk)
        db.session.expunge(row)
        return row


def _listed(client, query=""):
    page = client.get(f"/inquiryview/list/{query}")
    assert page.status_code == 200
    return sorted(int(pk) for pk in set(re.findall(r"/inquiryview/show/(\d+)", page.get_data(as_text=True))))


def _record(client, world_ids, **fields):
    data = {
        "channel": "phone",
        "inquirer_name": "王女士",
        "phone": "137 1234 5678",
        "topic": "户口迁移需要什么材料",
        "referred_department_id": str(world_ids["dept_b"]),
        **fields,
    }
    return client.post(FORM, data={k: v for k, v in data.items() if v is not None})


@pytest.fixture
def referred(app, client, world_ids, login_as):
    login_as("staff_a")
    response = _record(client, world_ids)
    assert response.status_code == 302, response.get_data(as_text=True)
    pk = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    client.get("/logout/")
    return pk


def test_the_form_is_chinese_and_records_a_referral(app, client, world_ids, login_as, referred):
    login_as("staff_a")
    page = client.get(FORM).get_data(as_text=True)
    assert "首问登记" in page and "联系电话" in page and "或转交给部门" in page
    row = _inquiry(app, referred)
    assert row.status is InquiryStatus.referred and row.phone == "13712345678" and row.due_at is not None
    assert row.responder_id == world_ids["staff_staff_a"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"phone": "12345"}, "电话号码"),
        ({"inquirer_name": ""}, "咨询人姓名"),
        ({"topic": " "}, "咨询事项内容"),
        ({"channel": "telegram"}, "咨询方式"),
        ({"referred_department_id": None}, "当场答复"),
        ({"answer": "已答"}, "二选一"),
        ({"referred_staff_id": "999999"}, "请从列表中选择"),
        ({"referred_department_id": "abc"}, "当场答复"),
        ({"topic": "长" * 600}, "500"),
        # A clerk names only colleagues in scope; another department is referred to as a department.
        ({"referred_staff_id": "out of scope", "referred_department_id": None}, "请从列表中选择"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(app, client, world_ids, login_as, fields, message):
    login_as("staff_a")
    if fields.get("referred_staff_id") == "out of scope":
        fields["referred_staff_id"] = str(world_ids["staff_staff_b"])
    response = _record(client, world_ids, **fields)
    assert response.status_code == 200
    assert re.search(message, response.get_data(as_text=True))
    assert _count(app) == 0


def test_a_login_without_a_staff_record_is_told_why(app, client, world_ids, login_as):
    login_as("supervisor")
    response = _record(client, world_ids)
    assert response.status_code == 200 and "在岗工作人员" in response.get_data(as_text=True)
    assert _count(app) == 0


def test_the_phone_box_finds_the_callers_history_in_any_written_form(app, client, world_ids, login_as, referred):
    login_as("staff_a")
    _record(client, world_ids, phone="13900001111")
    assert _listed(client, "?phone=137-1234-5678") == [referred]
    assert _listed(client, "?phone=%2B86%2013712345678") == [referred]
    assert _listed(client, "?phone=1371234") == []  # a part of a number finds nothing
    bad = client.get("/inquiryview/list/?phone=abc").get_data(as_text=True)
    assert "电话号码" in bad
    listing = client.get("/inquiryview/list/").get_data(as_text=True)
    assert "137****5678" in listing and "13712345678" not in listing
    # A filter on the masked column by part gives nothing away.
    assert _listed(client, "?_flt_0_phone=13712") == []


def test_the_export_honours_the_phone_box_and_masks_the_phone(app, client, world_ids, login_as, referred):
    login_as("chief_a")
    export = client.get("/inquiryview/export/?phone=13712345678")
    assert export.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(export.data)).active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    assert "137****5678" in rows[0] and "13712345678" not in rows[0]


def test_each_role_sees_its_scope(app, client, world_ids, login_as, referred):
    for who, sees in (
        ("staff_a", True),  # received it
        ("chief_a", True),  # the first responder's department
        ("chief_b", True),  # referred to the department
        ("manager", True),
        ("leader", True),
        ("staff_b", False),  # referred to the department, not to them: their chief answers
    ):
        login_as(who)
        assert (_listed(client) == [referred]) is sees, who
        assert client.get(f"/inquiryview/show/{referred}").status_code == (200 if sees else 404), who
        client.get("/logout/")
    # The chief representative refers one to a colleague of the department: the colleague sees it.
    login_as("chief_b")
    named = _record(client, world_ids, referred_department_id=None, referred_staff_id=str(world_ids["staff_staff_b"]))
    assert named.status_code == 302
    client.get("/logout/")
    login_as("staff_b")
    assert len(_listed(client)) == 1 and referred not in _listed(client)
    client.get("/logout/")
    login_as("staff_a")
    assert _listed(client) == [referred]


def test_the_referred_department_replies_and_only_the_first_responder_closes(app, client, login_as, referred):
    login_as("chief_b")
    page = client.get(f"/inquiryview/show/{referred}").get_data(as_text=True)
    assert "登记答复" in page and "办结首问事项" not in page
    version = _inquiry(app, referred).version
    client.post(f"/inquiryview/act/{referred}/reply", data={"version": version, "note": "需户口簿"})
    refused = client.post(f"/inquiryview/act/{referred}/close", data={"version": version + 1, "note": "已办"})
    assert refused.status_code == 302
    row = _inquiry(app, referred)
    assert row.reply == "需户口簿" and row.status is InquiryStatus.referred
    client.get("/logout/")
    login_as("chief_a")
    client.post(f"/inquiryview/act/{referred}/close", data={"version": row.version, "note": "已办"})
    assert _inquiry(app, referred).status is InquiryStatus.referred
    client.get("/logout/")
    login_as("staff_a")
    page = client.get(f"/inquiryview/show/{referred}").get_data(as_text=True)
    assert "办结首问事项" in page and "13712345678" in page  # the first responder sees the number in full
    client.post(f"/inquiryview/act/{referred}/close", data={"version": row.version, "note": "已电话告知"})
    row = _inquiry(app, referred)
    assert row.status is InquiryStatus.closed and row.answer == "已电话告知"
