"""Village requests through HTTP: the agent registers (scans checked by content), prints the
receipt and forwards; the township receives and accepts; scope keeps every other village point
and township out (404, nothing changed); scans are served only in scope, never sniffed."""

import io
import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, Matter
from app.models.transfer import StoredFile, Transfer, TransferStatus
from tests.conftest import login
from tests.transfer_world import ID_NUMBER, build_network

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"


@pytest.fixture
def network(app, world_ids, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "FILES_DIR", tmp_path)
    return build_network(app, world_ids)


def _form(app, ids, **extra):
    with app.app_context():
        matter = db.session.get(Matter, ids["matter_a"])
        materials = [m.id for m in matter.materials]
    data = {
        "applicant_type": "person",
        "applicant_name": "王五",
        "applicant_id_number": ID_NUMBER,
        "applicant_phone": "13800001234",
        "materials": [str(m) for m in materials],
        "destination": f"{ids['town']}-0-0",
    }
    data.update(extra)
    return data


def _register(client, app, ids, **extra):
    return client.post(
        f"/transferview/register/{ids['matter_a']}",
        data=_form(app, ids, **extra),
        content_type="multipart/form-data",
    )


def _transfers(app):
    with app.app_context():
        rows = db.session.scalars(sa.select(Transfer).order_by(Transfer.id)).all()
        db.session.expunge_all()
        return rows


def _stored(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile))


def test_agent_registers_prints_and_the_township_accepts(app, client, network, tmp_path):
    login(client, "tw_agent")
    page = client.get("/transferview/register").get_data(as_text=True)
    assert "食品经营许可（新办）" in page
    response = _register(client, app, network, scans=[(io.BytesIO(PDF), "申请书.pdf"), (io.BytesIO(JPEG), "执照.jpg")])
    assert response.status_code == 302
    [transfer] = _transfers(app)
    assert transfer.status is TransferStatus.sent and transfer.to_center_id == network["town"]
    assert _stored(app) == 2 and len(list(tmp_path.iterdir())) == 2
    receipt = client.get(f"/transferview/receipt/{transfer.id}").get_data(as_text=True)
    assert transfer.number in receipt and "代办服务一律免费" in receipt and ID_NUMBER not in receipt
    show = client.get(f"/transferview/show/{transfer.id}").get_data(as_text=True)
    assert "申请书.pdf" in show and "转交" in show
    client.get("/logout/")

    login(client, "tw_town")
    listed = client.get("/transferview/list/?quick=incoming").get_data(as_text=True)
    assert transfer.number in listed
    assert "转交编号" in listed and "投诉编号" not in listed  # not the complaint's tracking number
    show = client.get(f"/transferview/show/{transfer.id}").get_data(as_text=True)
    assert "确认接收" in show and "受理为办件" in show
    [file_id] = re.findall(r"/transferview/scan/(\d+)", show)[:1]
    scan = client.get(f"/transferview/scan/{file_id}")
    assert scan.status_code == 200 and scan.data == PDF
    assert scan.headers["X-Content-Type-Options"] == "nosniff"
    assert scan.headers["Content-Type"] == "application/pdf"
    assert scan.headers["Content-Disposition"].startswith("attachment;")
    version = transfer.version
    assert client.post(f"/transferview/act/{transfer.id}/receive", data={"version": version}).status_code == 302
    accepted = client.post(f"/transferview/act/{transfer.id}/accept", data={"version": version + 1})
    assert accepted.status_code == 302
    [transfer] = _transfers(app)
    assert transfer.status is TransferStatus.accepted and transfer.case_id is not None
    with app.app_context():
        assert db.session.get(Case, transfer.case_id).channel.name == "proxy"
    # A second accept with the old version: refused in Chinese, nothing changed.
    again = client.post(f"/transferview/act/{transfer.id}/accept", data={"version": version + 1}, follow_redirects=True)
    assert "已被他人受理" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 1
    # The agent follows the case the request became (the request's page links to it); the other
    # township's agent reaches neither.
    client.get("/logout/")
    login(client, "tw_agent")
    request_page = client.get(f"/transferview/show/{transfer.id}").get_data(as_text=True)
    assert f"/caseview/show/{transfer.case_id}" in request_page
    assert client.get(f"/caseview/show/{transfer.case_id}").status_code == 200
    assert client.get(f"/api/v1/case/{transfer.case_id}").status_code == 200
    client.get("/logout/")
    login(client, "tw_agent2")
    assert client.get(f"/caseview/show/{transfer.case_id}").status_code == 404


def test_export_lists_the_rows_of_the_list(app, client, network):
    login(client, "tw_agent")
    _register(client, app, network)
    client.get("/logout/")
    login(client, "manager")
    response = client.get("/transferview/export/?quick=open")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("fee", ["5", "0.5", "abc"])
def test_a_posted_proxy_fee_is_refused(app, client, network, fee):
    login(client, "tw_agent")
    page = _register(client, app, network, proxy_fee=fee)
    assert page.status_code == 200 and "代办服务一律免费" in page.get_data(as_text=True)
    assert _transfers(app) == []


@pytest.mark.parametrize(
    "name, body",
    [
        ("setup.pdf", b"MZ\x90\x00\x03" + b"\x00" * 500),  # a program renamed
        ("scan.pdf", PDF[:-7]),  # truncated: no %%EOF
        ("photo.jpg", JPEG[:-2]),  # truncated: no end marker
        ("page.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50),  # truncated PNG
        ("x.html", b"<html><script>alert(1)</script></html>"),
        ("empty.pdf", b""),
    ],
)
def test_hostile_files_are_refused_and_nothing_is_stored(app, client, network, tmp_path, name, body):
    login(client, "tw_agent")
    page = _register(client, app, network, scans=[(io.BytesIO(PDF), "ok.pdf"), (io.BytesIO(body), name)])
    assert page.status_code == 200 and "未保存" in page.get_data(as_text=True)
    assert _transfers(app) == [] and _stored(app) == 0
    assert list(tmp_path.iterdir()) == []


def test_an_oversized_file_is_refused_and_nothing_is_stored(app, client, network, tmp_path):
    from app.models import Setting

    with app.app_context():
        db.session.execute(sa.update(Setting).where(Setting.key == "stored_file_max_megabytes").values(value="1"))
        db.session.commit()
    login(client, "tw_agent")
    big = PDF[:-6] + b"0" * (1024 * 1024) + b"%%EOF\n"
    page = _register(client, app, network, scans=[(io.BytesIO(big), "big.pdf")])
    assert page.status_code == 200 and "1 MB" in page.get_data(as_text=True)
    assert _transfers(app) == [] and _stored(app) == 0 and list(tmp_path.iterdir()) == []


def _sent(client, app, ids, agent="tw_agent", town="town"):
    login(client, agent)
    response = _register(client, app, ids, scans=[(io.BytesIO(PDF), "a.pdf")], destination=f"{ids[town]}-0-0")
    assert response.status_code == 302
    client.get("/logout/")
    transfer = _transfers(app)[-1]
    with app.app_context():
        file_id = db.session.scalar(sa.select(StoredFile.id).where(StoredFile.transfer_id == transfer.id))
    return transfer, file_id


@pytest.mark.parametrize("who", ["tw_agent2", "tw_town2", "staff_b", "chief_b"])
def test_others_cannot_see_or_act_404(app, client, network, who):
    transfer, file_id = _sent(client, app, network)
    login(client, who)
    assert transfer.number not in client.get("/transferview/list/").get_data(as_text=True)
    for url in (
        f"/transferview/show/{transfer.id}",
        f"/transferview/receipt/{transfer.id}",
        f"/transferview/scan/{file_id}",
    ):
        assert client.get(url).status_code == 404, url
    for step in ("receive", "accept", "forward"):
        response = client.post(f"/transferview/act/{transfer.id}/{step}", data={"version": transfer.version})
        assert response.status_code in (403, 404), step
    response = client.post(f"/transferview/act/{transfer.id}/return", data={"version": transfer.version, "reason": "x"})
    assert response.status_code in (403, 404)
    assert client.get("/transferview/export/").status_code in (200, 403)
    [after] = _transfers(app)
    assert (after.status, after.version) == (TransferStatus.sent, transfer.version)


def test_an_agent_sees_only_the_own_village_points_requests(app, client, network):
    mine, _ = _sent(client, app, network, "tw_agent")
    theirs, _ = _sent(client, app, network, "tw_agent2", "town2")
    login(client, "tw_agent")
    listed = client.get("/transferview/list/").get_data(as_text=True)
    assert mine.number in listed and theirs.number not in listed
    assert client.get(f"/transferview/show/{theirs.id}").status_code == 404


def test_a_county_window_sees_what_is_sent_to_its_department(app, client, network):
    transfer, file_id = _sent(client, app, network)
    login(client, "staff_a")  # addressed to the township, not to department A
    assert client.get(f"/transferview/show/{transfer.id}").status_code == 404
    client.get("/logout/")
    login(client, "tw_agent")
    client.post(
        f"/transferview/register/{network['matter_a']}",
        data=_form(app, network, destination=f"{network['county']}-{network['dept_a']}-0"),
        content_type="multipart/form-data",
    )
    county = _transfers(app)[-1]
    client.get("/logout/")
    login(client, "staff_a")
    assert client.get(f"/transferview/show/{county.id}").status_code == 200
    login_b = client.get("/logout/")
    assert login_b.status_code in (200, 302)
    login(client, "staff_b")
    assert client.get(f"/transferview/show/{county.id}").status_code == 404


def test_a_body_past_the_limits_is_refused_before_it_is_read(app, client, network, tmp_path):
    from app.models import Setting

    with app.app_context():
        for key in ("stored_file_max_megabytes", "transfer_max_files"):
            db.session.execute(sa.update(Setting).where(Setting.key == key).values(value="1"))
        db.session.commit()
    login(client, "tw_agent")
    body = PDF[:-6] + b"0" * (3 * 1024 * 1024) + b"%%EOF\n"
    page = _register(client, app, network, scans=[(io.BytesIO(body), "big.pdf")])
    assert page.status_code == 200 and "上传内容过大" in page.get_data(as_text=True)
    assert _transfers(app) == [] and list(tmp_path.iterdir()) == []


def test_scans_are_added_while_the_agent_holds_the_request(app, client, network, tmp_path):
    login(client, "tw_agent")
    _register(client, app, network, destination="")
    [transfer] = _transfers(app)
    assert transfer.status is TransferStatus.registered
    url = f"/transferview/attach/{transfer.id}"
    client.post(url, data={"scans": [(io.BytesIO(JPEG), "身份证.jpg")]}, content_type="multipart/form-data")
    assert _stored(app) == 1
    forward = client.post(
        f"/transferview/act/{transfer.id}/forward", data={"version": transfer.version, "destination": "x-y"}
    )
    assert forward.status_code == 302 and _transfers(app)[0].status is TransferStatus.registered
    client.post(
        f"/transferview/act/{transfer.id}/forward",
        data={"version": transfer.version, "destination": f"{network['town']}-0-0"},
    )
    assert _transfers(app)[0].status is TransferStatus.sent
    page = client.post(
        url, data={"scans": [(io.BytesIO(JPEG), "b.jpg")]}, content_type="multipart/form-data", follow_redirects=True
    )
    assert "扫描件须在转交前上传" in page.get_data(as_text=True) and _stored(app) == 1
    client.get("/logout/")
    login(client, "tw_agent2")
    assert client.post(url, data={}, content_type="multipart/form-data").status_code == 404


def test_a_refused_forward_keeps_no_scan_on_disk(app, client, network, tmp_path):
    login(client, "tw_agent")
    page = _register(client, app, network, scans=[(io.BytesIO(PDF), "a.pdf")], destination=f"{network['town2']}-0-0")
    assert page.status_code == 200 and "请选择转交去向" in page.get_data(as_text=True)
    assert _transfers(app) == [] and _stored(app) == 0 and list(tmp_path.iterdir()) == []
