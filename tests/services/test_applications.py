"""services/applications.py rules without a request: names with a path or control characters,
the applicant's checks, the second factor, withdrawing once."""

import io
from datetime import datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Matter
from app.models.application import ApplicationStatus
from app.services import applications

NOW = datetime(2026, 12, 3, 10, 0)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def ctx(app, tmp_path):
    with app.app_context():
        matter = db.session.scalar(sa.select(Matter).where(Matter.code == "XZ-D01-0001"))
        yield db.session, matter, applications.Limits.load(db.session, tmp_path), tmp_path
        db.session.rollback()


def _submission(matter, name="a.pdf", **applicant):
    who = {"kind": "person", "name": "王五", "id_number": "11010519491231002x", "phone": "138 0000 1234", **applicant}
    uploads = [applications.Upload(m.id, io.BytesIO(PDF), name) for m in matter.materials]
    return applications.Submission(applications.Applicant(**who), True, uploads)


@pytest.mark.parametrize("name", ["C:\\Users\\x\\a.pdf", "../a.pdf", "a\r\n.pdf", "a\x00.pdf", "x" * 201])
def test_a_file_name_with_a_path_or_control_characters_is_refused(ctx, name):
    session, matter, limits, files_dir = ctx
    with pytest.raises(applications.ApplicationError):
        applications.submit(session, matter, _submission(matter, name), limits, NOW)
    assert list(files_dir.iterdir()) == []


def test_the_applicant_is_stored_in_one_written_form_and_found_by_either_factor(ctx):
    session, matter, limits, _files = ctx
    application = applications.submit(session, matter, _submission(matter), limits, NOW)
    assert application.applicant_id_number == "11010519491231002X" and application.applicant_phone == "13800001234"
    assert application.center_id == matter.department.center_id and application.department_id == matter.department_id
    session.flush()
    assert applications.find_for_applicant(session, application.number.lower(), "002x") is application
    assert applications.find_for_applicant(session, application.number, "1234") is application
    for factor in ("", "12345", "0000", "' OR"):
        assert applications.find_for_applicant(session, application.number, factor) is None


def test_an_enterprise_needs_a_valid_code_and_a_contact_person(ctx):
    session, matter, limits, _files = ctx
    with pytest.raises(applications.ApplicationError):
        applications.submit(
            session, matter, _submission(matter, kind="organisation", id_number="91350100M000100Y44"), limits, NOW
        )
    with pytest.raises(applications.ApplicationError):
        applications.submit(
            session, matter, _submission(matter, kind="organisation", id_number="91350100M000100Y43"), limits, NOW
        )


def test_withdrawn_once_then_closed(ctx):
    session, matter, limits, _files = ctx
    application = applications.submit(session, matter, _submission(matter), limits, NOW)
    applications.withdraw(session, application, NOW)
    assert application.status is ApplicationStatus.withdrawn and application.closed_at == NOW
    with pytest.raises(applications.ApplicationError):
        applications.withdraw(session, application, NOW)
    with pytest.raises(applications.ApplicationError):
        applications.resubmit(session, application, [], NOW, limits=limits)
