"""Online applications' files over time (issue 17.2): a backup copies every stored file and lists
it with its checksum, a restore checks them all before anything changes and puts them back; closed
applications past the retention are deleted with their files, open and recent ones stay."""

import hashlib
import io
import json
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Matter
from app.models.application import Application, ApplicationEvent, ApplicationStatus
from app.models.transfer import StoredFile
from app.services import applications, backup

NOW = datetime(2026, 12, 3, 10, 0)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _file(session, files_dir, content: bytes, key: str) -> StoredFile:
    (files_dir / key).write_bytes(content)
    row = StoredFile(
        storage_key=key,
        original_name="申请书.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_at=NOW,
        uploaded_by="申请人",
    )
    session.add(row)
    return row


def test_a_backup_holds_every_stored_file_and_a_restore_puts_them_back(scratch_app, tmp_path):
    files_dir, folder = tmp_path / "files", tmp_path / "backups"
    files_dir.mkdir()
    with scratch_app.app_context():
        _file(db.session, files_dir, PDF, "a" * 32)
        _file(db.session, files_dir, PDF + b"\n", "b" * 32)
        db.session.commit()
        made = backup.backup(db.engine, folder, NOW, keep=3, files_dir=files_dir)
        manifest = json.loads(made.path.read_text(encoding="utf-8"))
        assert manifest["files"] == {
            "a" * 32: hashlib.sha256(PDF).hexdigest(),
            "b" * 32: hashlib.sha256(PDF + b"\n").hexdigest(),
        }
        assert sorted(p.name for p in made.files_folder.iterdir()) == ["a" * 32, "b" * 32]

        # Files lost after the backup come back with the restore.
        for path in files_dir.iterdir():
            path.unlink()
        backup.restore(db.engine, made.file, expected_revision=made.revision, files_dir=files_dir)
        assert (files_dir / ("a" * 32)).read_bytes() == PDF
        assert not list(files_dir.glob("*.restore"))

        # A damaged copy in the backup: refused before anything changes.
        (made.files_folder / ("b" * 32)).write_bytes(b"tampered")
        db.session.execute(sa.delete(StoredFile).where(StoredFile.storage_key == "a" * 32))
        db.session.commit()
        with pytest.raises(backup.BackupError, match="校验"):
            backup.restore(db.engine, made.file, expected_revision=made.revision, files_dir=files_dir)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 1
        db.session.remove()


def test_a_stored_file_missing_from_disk_fails_the_backup_and_leaves_nothing(scratch_app, tmp_path):
    files_dir, folder = tmp_path / "files", tmp_path / "backups"
    files_dir.mkdir()
    with scratch_app.app_context():
        _file(db.session, files_dir, PDF, "c" * 32)
        db.session.commit()
        (files_dir / ("c" * 32)).unlink()
        with pytest.raises(backup.BackupError, match="c" * 32):
            backup.backup(db.engine, folder, NOW, keep=3, files_dir=files_dir)
        db.session.remove()
    assert list(folder.iterdir()) == []


@pytest.fixture
def files_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "FILES_DIR", tmp_path)
    return tmp_path


def _submit(session, files_dir, id_number, matter):
    limits = applications.Limits.load(session, files_dir)
    uploads = [applications.Upload(m.id, io.BytesIO(PDF), "a.pdf") for m in matter.materials]
    return applications.submit(
        session,
        matter,
        applications.Submission(applications.Applicant("person", "王五", id_number, "13800001234"), True, uploads),
        limits,
        NOW,
    )


def test_closed_applications_past_the_retention_go_with_their_files(app, files_dir):
    with app.app_context():
        session = db.session
        matter = session.scalar(sa.select(Matter).where(Matter.code == "XZ-D01-0001"))
        old = _submit(session, files_dir, "11010519491231002X", matter)
        recent = _submit(session, files_dir, "110105194912310038", matter)
        still_open = _submit(session, files_dir, "110105194912310054", matter)
        session.commit()
        applications.withdraw(session, old, NOW - timedelta(days=400))
        applications.withdraw(session, recent, NOW - timedelta(days=10))
        still_open.submitted_at = NOW - timedelta(days=800)
        session.commit()
        old_keys = [f.storage_key for f in old.files]
        assert len(list(files_dir.iterdir())) == 6

        assert applications.purge_expired(session, NOW, files_dir) == 1
        assert applications.purge_expired(session, NOW, files_dir) == 0  # idempotent
        left = session.scalars(sa.select(Application.id).order_by(Application.id)).all()
        assert left == [recent.id, still_open.id]
        assert session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 4
        assert not session.scalar(
            sa.select(sa.func.count()).select_from(ApplicationEvent).where(ApplicationEvent.application_id == old.id)
        )
        assert all(not (files_dir / key).exists() for key in old_keys)
        assert len(list(files_dir.iterdir())) == 4
        assert session.get(Application, recent.id).status is ApplicationStatus.withdrawn
