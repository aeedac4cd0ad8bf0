"""Applying online on the portal (issue 17): apply with a file per material, the receipt, one open
application per applicant and matter, following it with number + last four, answering a
correction with the materials asked, withdrawing; staff see it in scope only; the files are
served only in scope or after the second factor, never sniffed. Every bad upload is refused with
a Chinese message and leaves nothing stored: no rows, no files on disk."""

import io
import struct
import zipfile
import zlib

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Matter
from app.models.application import Application, ApplicationEvent, ApplicationStatus
from app.models.system import Setting
from app.models.transfer import StoredFile
from tests.conftest import login

ID_NUMBER = "11010519491231002X"
OTHER_ID = "110105194912310038"
CREDIT_CODE = "91350100M000100Y43"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


PNG = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", b"\x00" * 13) + _chunk(b"IEND", b"")


@pytest.fixture
def files_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "FILES_DIR", tmp_path)
    return tmp_path


@pytest.fixture
def materials(app, world_ids):
    with app.app_context():
        matter = db.session.get(Matter, world_ids["matter_a"])
        return [m.id for m in matter.materials]


def _form(materials, files=None, **extra):
    data = {
        "applicant_type": "person",
        "applicant_name": "王五",
        "applicant_id_number": ID_NUMBER,
        "applicant_phone": "13800001234",
        "declaration": "1",
    }
    if files is None:
        files = {materials[0]: [(PDF, "申请书.pdf")], materials[1]: [(JPEG, "执照.jpg"), (PNG, "执照背面.png")]}
    for material_id, items in files.items():
        data[f"file_{material_id}"] = [(io.BytesIO(content), name) for content, name in items]
    data.update(extra)
    return data


def _apply(client, materials, files=None, **extra):
    return client.post(
        "/portal/apply/XZ-D01-0001", data=_form(materials, files, **extra), content_type="multipart/form-data"
    )


def _count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _application(app):
    with app.app_context():
        row = db.session.scalar(sa.select(Application).order_by(Application.id.desc()))
        db.session.expunge_all()
        return row


def _nothing_stored(app, files_dir, applications=0, files=0):
    assert _count(app, Application) == applications
    assert _count(app, StoredFile) == files
    assert len(list(files_dir.iterdir())) == files


def _set(key, value):
    db.session.execute(sa.update(Setting).where(Setting.key == key).values(value=value))


def _follow(client, number, factor="002X"):
    return client.post("/portal/application", data={"number": number, "factor": factor})


def test_apply_receipt_follow_and_the_files_after_the_second_factor(app, client, files_dir, materials):
    listing = client.get("/portal/apply").get_data(as_text=True)
    assert "食品经营许可（新办）" in listing and "居民身份证换领" not in listing  # not online
    form = client.get("/portal/apply/XZ-D01-0001").get_data(as_text=True)
    assert "食品经营许可申请书" in form and f'name="file_{materials[1]}" multiple' in form
    assert client.get("/portal/apply/XZ-D02-0001").status_code == 404

    response = _apply(client, materials)
    assert response.status_code == 302 and response.headers["Location"].endswith("/portal/application/receipt")
    application = _application(app)
    assert application.status is ApplicationStatus.submitted and application.number.startswith("WS")
    assert application.applicant_id_number == ID_NUMBER and application.declaration_accepted
    _nothing_stored(app, files_dir, applications=1, files=3)
    with app.app_context():
        rows = db.session.scalars(sa.select(StoredFile).order_by(StoredFile.id)).all()
        assert [r.matter_material_id for r in rows] == [materials[0], materials[1], materials[1]]
        assert [r.content_type for r in rows] == ["application/pdf", "image/jpeg", "image/png"]
        assert all(r.round == 0 and len(r.sha256) == 64 for r in rows)
        file_id = rows[0].id
    receipt = client.get("/portal/application/receipt").get_data(as_text=True)
    assert application.number in receipt and "执照背面.png" in receipt and ID_NUMBER not in receipt

    # Another visitor: no file, not even with the number, without the second factor.
    stranger = app.test_client()
    assert stranger.get(f"/portal/application/file/{file_id}").status_code == 404
    page = _follow(stranger, application.number, "9999").get_data(as_text=True)
    assert "alert-danger" in page and "申请书.pdf" not in page
    page = _follow(stranger, application.number, "1234").get_data(as_text=True)  # phone's last four
    assert "申请书.pdf" in page
    served = stranger.get(f"/portal/application/file/{file_id}?inline=1")
    assert served.status_code == 200 and served.data == PDF
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("inline;")
    download = stranger.get(f"/portal/application/file/{file_id}")
    assert download.headers["Content-Disposition"].startswith("attachment;")


def test_the_same_applicant_cannot_apply_twice_while_one_is_open(app, client, files_dir, materials):
    _apply(client, materials)
    first = _application(app)
    page = _apply(client, materials, applicant_phone="13900001111").get_data(as_text=True)
    assert first.number in page and "alert-danger" in page
    _nothing_stored(app, files_dir, applications=1, files=3)
    # Withdrawn, it no longer blocks a new application.
    _follow(client, first.number)
    client.post("/portal/application/withdraw", data={"application_id": first.id})
    assert _application(app).status is ApplicationStatus.withdrawn
    assert _apply(client, materials).status_code == 302
    assert _count(app, Application) == 2


def test_a_second_submission_racing_the_first_loses_on_the_index(app, files_dir, materials, monkeypatch):
    """Both passed the pre-check before either committed: the partial unique index decides."""
    from app import clock
    from app.services import applications

    with app.app_context():
        limits = applications.Limits.load(db.session, files_dir)
        matter = db.session.scalar(sa.select(Matter).where(Matter.code == "XZ-D01-0001"))

        def submission():
            return applications.Submission(
                applications.Applicant("person", "王五", ID_NUMBER, "13800001234"),
                True,
                [applications.Upload(m, io.BytesIO(PDF), "a.pdf") for m in materials],
            )

        first = applications.submit(db.session, matter, submission(), limits, clock.now())
        db.session.commit()
        checks = []
        real_check = applications._refuse_open

        def checked_before_the_first_committed(*args):
            checks.append(args)
            if len(checks) > 1:  # after the index refused the insert, the number is looked up
                real_check(*args)

        monkeypatch.setattr(applications, "_refuse_open", checked_before_the_first_committed)
        with pytest.raises(applications.ApplicationError) as refused:
            applications.submit(db.session, matter, submission(), limits, clock.now())
        db.session.rollback()
        monkeypatch.undo()
        assert first.number in str(refused.value)
    _nothing_stored(app, files_dir, applications=1, files=2)


def test_an_enterprise_applies_with_its_credit_code_and_a_contact_person(app, client, files_dir, materials):
    page = _apply(client, materials, applicant_type="organisation", applicant_id_number=CREDIT_CODE)
    assert "经办人" in page.get_data(as_text=True) or "联系人" in page.get_data(as_text=True)
    _nothing_stored(app, files_dir)
    assert (
        _apply(
            client, materials, applicant_type="organisation", applicant_id_number=CREDIT_CODE, contact_name="李四"
        ).status_code
        == 302
    )
    application = _application(app)
    assert application.contact_name == "李四" and application.applicant_id_number == CREDIT_CODE


@pytest.mark.parametrize(
    "extra",
    [
        {"applicant_id_number": "110105194912310021"},  # wrong check digit
        {"applicant_phone": "12345"},
        {"declaration": ""},
        {"applicant_name": " "},
        {"applicant_type": "robot"},
    ],
)
def test_a_bad_form_is_refused_in_chinese_with_nothing_stored(app, client, files_dir, materials, extra):
    page = _apply(client, materials, **extra)
    assert page.status_code == 200 and "alert-danger" in page.get_data(as_text=True)
    _nothing_stored(app, files_dir)


def test_every_required_material_needs_a_file(app, client, files_dir, materials):
    page = _apply(client, materials, files={materials[0]: [(PDF, "申请书.pdf")]}).get_data(as_text=True)
    assert "营业执照" in page and "alert-danger" in page
    _nothing_stored(app, files_dir)


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.bin", b"\x00" * (20 * 1024 * 1024))
    return buffer.getvalue()


def _polyglot_pdf_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("run.js", "alert(1)")
    return PDF + buffer.getvalue()


def _polyglot_jpeg_zip() -> bytes:
    """A JPEG that ends as a JPEG should, with a ZIP archive inside its last comment."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("run.exe", b"MZ" + b"\x00" * 100)
    return b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xfe" + buffer.getvalue() + b"\xff\xd9"


BAD_FILES = {
    "renamed executable": (b"MZ\x90\x00\x03" + b"\x00" * 200 + b"PE\x00\x00", "申请书.pdf"),
    "renamed ELF": (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "执照.jpg"),
    "polyglot PDF+ZIP": (_polyglot_pdf_zip(), "申请书.pdf"),
    "polyglot JPEG+ZIP": (_polyglot_jpeg_zip(), "执照.jpg"),
    "PNG with data after IEND": (PNG + b"<script>alert(1)</script>", "a.png"),
    "PDF with JavaScript": (
        b"%PDF-1.4\n1 0 obj<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n%%EOF\n",
        "a.pdf",
    ),
    "PDF with an escaped /JS": (
        b"%PDF-1.4\n1 0 obj<</AA<</O<</S/Java#53cript/J#53 2 0 R>>>>>>endobj\n%%EOF\n",
        "a.pdf",
    ),
    "PDF with a launch action": (b"%PDF-1.4\n1 0 obj<</OpenAction<</S/Launch/F(cmd.exe)>>>>endobj\n%%EOF\n", "a.pdf"),
    "truncated PDF": (PDF[:-7], "申请书.pdf"),
    "truncated JPEG": (JPEG[:-2], "执照.jpg"),
    "empty file": (b"", "申请书.pdf"),
    "zip bomb renamed .pdf": (_zip_bomb(), "申请书.pdf"),
    "path in the file name": (PDF, "../../etc/passwd.pdf"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_is_refused_in_chinese_and_nothing_is_stored(app, client, files_dir, materials, case):
    content, name = BAD_FILES[case]
    files = {materials[0]: [(PDF, "好的.pdf"), (content, name)], materials[1]: [(JPEG, "执照.jpg")]}
    response = _apply(client, materials, files=files)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "alert-danger" in page, case
    message = page.split('alert-danger" role="alert">')[1].split("</div>")[0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message) and not any(w in message for w in ("file", "File")), (
        message
    )
    _nothing_stored(app, files_dir)


def test_a_pdf_whose_compressed_streams_happen_to_read_js_is_accepted(app, client, files_dir, materials):
    """Bytes between stream and endstream are data: three random bytes reading "/JS" are no script."""
    pdf = b"%PDF-1.4\n1 0 obj<</Length 9>>stream\nxx/JS yy\nendstream endobj\n%%EOF\n"
    assert (
        _apply(client, materials, files={materials[0]: [(pdf, "a.pdf")], materials[1]: [(JPEG, "b.jpg")]}).status_code
        == 302
    )


def test_an_oversized_file_is_refused_before_it_is_read_whole(app, client, files_dir, materials):
    with app.app_context():
        _set("stored_file_max_megabytes", "1")
        db.session.commit()
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10) + b"\n%%EOF\n"
    page = _apply(client, materials, files={materials[0]: [(big, "大.pdf")], materials[1]: [(JPEG, "b.jpg")]})
    assert "1 MB" in page.get_data(as_text=True)
    _nothing_stored(app, files_dir)


def test_an_application_larger_than_its_limit_is_refused_unread(app, client, files_dir, materials):
    with app.app_context():
        _set("application_max_megabytes", "1")
        db.session.commit()
    half = b"%PDF-1.4\n" + b"0" * (700 * 1024) + b"\n%%EOF\n"
    response = _apply(
        client, materials, files={materials[0]: [(half, "a.pdf"), (half, "b.pdf")], materials[1]: [(JPEG, "b.jpg")]}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/portal/apply/XZ-D01-0001")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "过大" in page or "太大" in page or "MB" in page
    _nothing_stored(app, files_dir)


def test_a_thousand_files_in_one_request_are_refused(app, client, files_dir, materials):
    files = {materials[0]: [(PDF, f"{i}.pdf") for i in range(1000)], materials[1]: [(JPEG, "b.jpg")]}
    response = _apply(client, materials, files=files)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "alert-danger" in page and "40" in page
    _nothing_stored(app, files_dir)


def test_more_files_than_the_setting_allows_are_refused(app, client, files_dir, materials):
    with app.app_context():
        _set("application_max_files", "2")
        db.session.commit()
    page = _apply(client, materials).get_data(as_text=True)  # 3 files
    assert "alert-danger" in page
    _nothing_stored(app, files_dir)


def test_a_file_for_a_material_of_another_matter_is_refused(app, client, files_dir, materials, world_ids):
    files = {materials[0]: [(PDF, "a.pdf")], materials[1]: [(JPEG, "b.jpg")], world_ids["material_b"]: [(PDF, "c.pdf")]}
    assert "alert-danger" in _apply(client, materials, files=files).get_data(as_text=True)
    _nothing_stored(app, files_dir)


def _request_correction(app, application_id, material_ids, notice="营业执照复印件不清晰，请重新上传。"):
    """What the department's pre-review does (built by the pre-review feature)."""
    with app.app_context():
        application = db.session.get(Application, application_id)
        application.status = ApplicationStatus.correction_requested
        application.round = 1
        application.correction_material_ids = material_ids
        application.correction_notice = notice
        db.session.commit()


def test_a_correction_is_answered_with_the_materials_asked_only(app, client, files_dir, materials):
    _apply(client, materials)
    application = _application(app)
    _request_correction(app, application.id, [materials[1]])
    page = _follow(client, application.number).get_data(as_text=True)
    assert "营业执照复印件不清晰" in page and f'name="file_{materials[1]}"' in page
    assert f'name="file_{materials[0]}"' not in page

    def resubmit(files, application_id=application.id, who=client):
        data = {"application_id": str(application_id)}
        for material_id, items in files.items():
            data[f"file_{material_id}"] = [(io.BytesIO(content), name) for content, name in items]
        return who.post("/portal/application/resubmit", data=data, content_type="multipart/form-data")

    # A material not asked for, a bad file, nothing at all: refused, nothing stored.
    for files in ({materials[0]: [(PDF, "a.pdf")]}, {materials[1]: [(b"MZ" + b"\x00" * 50, "b.jpg")]}, {}):
        page = client.get(resubmit(files).headers["Location"]).get_data(as_text=True)
        assert "alert-danger" in page
        _nothing_stored(app, files_dir, applications=1, files=3)
    # Another visitor posting to this application's id: refused before any file is read.
    stranger = app.test_client()
    _follow(stranger, "WS000", "1234")
    page = stranger.get(resubmit({materials[1]: [(JPEG, "x.jpg")]}, who=stranger).headers["Location"])
    assert "alert-danger" in page.get_data(as_text=True)
    _nothing_stored(app, files_dir, applications=1, files=3)

    resubmit({materials[1]: [(JPEG, "清晰执照.jpg")]})
    application = _application(app)
    assert application.status is ApplicationStatus.resubmitted and application.resubmitted_at is not None
    with app.app_context():
        newest = db.session.scalar(sa.select(StoredFile).order_by(StoredFile.id.desc()))
        assert newest.round == 1 and newest.matter_material_id == materials[1]
        assert [
            e.action.name for e in db.session.scalars(sa.select(ApplicationEvent).order_by(ApplicationEvent.id))
        ] == [
            "submit",
            "resubmit",
        ]
    _nothing_stored(app, files_dir, applications=1, files=4)
    # Answered once: a second upload is refused.
    page = client.get(resubmit({materials[1]: [(JPEG, "again.jpg")]}).headers["Location"]).get_data(as_text=True)
    assert "alert-danger" in page
    _nothing_stored(app, files_dir, applications=1, files=4)


def test_staff_see_the_department_s_applications_and_their_files_only(app, client, files_dir, materials):
    _apply(client, materials)
    application = _application(app)
    with app.app_context():
        file_id = db.session.scalar(sa.select(StoredFile.id).order_by(StoredFile.id))
    for user in ("chief_a", "staff_a", "manager"):
        staff = app.test_client()
        login(staff, user)
        assert application.number in staff.get("/applicationview/list/").get_data(as_text=True), user
        show = staff.get(f"/applicationview/show/{application.id}").get_data(as_text=True)
        assert "申请书.pdf" in show and "营业执照" in show and ID_NUMBER not in show
        served = staff.get(f"/applicationview/file/{file_id}?inline=1")
        assert served.status_code == 200 and served.headers["X-Content-Type-Options"] == "nosniff"
        assert served.headers["Content-Type"] == "application/pdf"
        # The register offers no steps of its own (pre-review has them): a crafted one is not found
        # (the manager, without the act permission, is turned away before).
        crafted = staff.post(f"/applicationview/act/{application.id}/pass", data={"version": "1"})
        assert crafted.status_code == (403 if user == "manager" else 404), user
    other = app.test_client()
    login(other, "chief_b")
    assert application.number not in other.get("/applicationview/list/").get_data(as_text=True)
    assert other.get(f"/applicationview/show/{application.id}").status_code == 404
    assert other.get(f"/applicationview/file/{file_id}").status_code == 404
    assert app.test_client().get(f"/applicationview/file/{file_id}").status_code in (302, 401)


def test_applications_and_uploads_are_rate_limited(app, files_dir, materials):
    from tests.integration.test_portal import _limited_app

    limited = _limited_app(app, WTF_CSRF_ENABLED=False, PORTAL_APPLY_LIMIT="2 per minute", FILES_DIR=files_dir)
    client = limited.test_client()
    codes = [_apply(client, materials, applicant_id_number=ID_NUMBER).status_code for _ in range(3)]
    assert codes == [302, 200, 429]
