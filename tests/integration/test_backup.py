"""Restore drill: seed, back up, change things, restore, and get every table back exactly;
and the files a restore must refuse (damaged, another version, another engine)."""

import hashlib
import json
from datetime import datetime

import pytest
import sqlalchemy as sa

from app.cli import seed_demo_data
from app.extensions import db
from app.models import AttendanceRecord, Department, Matter, Staff
from app.services import backup

NOW = datetime(2026, 12, 1, 2, 30)


def table_checksums(connection):
    """Row count and a SHA-256 over every row, ordered by primary key, per table."""
    result = {}
    for table in db.metadata.sorted_tables:
        digest = hashlib.sha256()
        order = list(table.primary_key.columns) or list(table.columns)
        rows = connection.execute(sa.select(table).order_by(*order)).all()
        for row in rows:
            digest.update(repr(tuple(row)).encode())
        result[table.name] = (len(rows), digest.hexdigest())
    return result


@pytest.fixture
def seeded(scratch_app):
    with scratch_app.app_context():
        seed_demo_data()
        db.session.remove()
    return scratch_app


def head(app):
    with app.app_context(), db.engine.connect() as connection:
        return backup.revision(connection)


def test_restore_drill_gives_back_every_table_exactly(seeded, tmp_path):
    with seeded.app_context():
        engine = db.engine
        made = backup.backup(engine, tmp_path, NOW, keep=3)
        with engine.connect() as connection:
            before = table_checksums(connection)
        # After the backup, the day goes on: edits, deletions, new rows.
        db.session.execute(sa.update(Matter).values(name=Matter.name + "（改）"))
        db.session.execute(sa.update(Staff).values(phone="13900000000"))
        db.session.execute(sa.delete(AttendanceRecord))  # a table nothing refers to
        db.session.add(Department(code="D-NEW", name="县新设局", center_id=1))
        db.session.commit()
        db.session.remove()
        with engine.connect() as connection:
            assert table_checksums(connection) != before
        restored = backup.restore(engine, made.file, expected_revision=made.revision)
        with engine.connect() as connection:
            after = table_checksums(connection)
    assert after == before
    assert restored.tables["matter"] == before["matter"][0] > 300
    assert made.sha256 == backup.sha256(made.file)


def test_a_damaged_or_mismatched_backup_is_refused_and_nothing_changes(seeded, tmp_path):
    with seeded.app_context():
        engine = db.engine
        made = backup.backup(engine, tmp_path, NOW, keep=3)
        with engine.connect() as connection:
            before = table_checksums(connection)
        manifest = json.loads(made.path.read_text(encoding="utf-8"))

        with pytest.raises(backup.BackupError, match="0001"):
            backup.restore(engine, made.file, expected_revision="0001")  # made by a newer program

        made.path.write_text(json.dumps({**manifest, "engine": "oracle"}), encoding="utf-8")
        with pytest.raises(backup.BackupError, match="oracle"):
            backup.restore(engine, made.file, expected_revision=made.revision)

        made.path.write_text(json.dumps(manifest), encoding="utf-8")
        data = bytearray(made.file.read_bytes())
        data[len(data) // 2] ^= 0xFF
        made.file.write_bytes(bytes(data))
        with pytest.raises(backup.BackupError, match="校验值"):
            backup.restore(engine, made.file, expected_revision=made.revision)

        made.path.unlink()
        with pytest.raises(backup.BackupError, match="清单"):
            backup.restore(engine, made.file, expected_revision=made.revision)
        with engine.connect() as connection:
            assert table_checksums(connection) == before


def test_retention_keeps_the_newest_backups(seeded, tmp_path):
    with seeded.app_context():
        made = [backup.backup(db.engine, tmp_path, NOW.replace(day=day), keep=2) for day in (1, 2, 3)]
    left = sorted(path.name for path in tmp_path.iterdir())
    assert left == sorted([made[1].file.name, made[1].path.name, made[2].file.name, made[2].path.name])


def test_cli_backup_then_restore_and_a_refused_file(seeded, tmp_path):
    runner = seeded.test_cli_runner()
    result = runner.invoke(args=["backup", "--to", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "备份完成" in result.output
    (file,) = [path for path in tmp_path.iterdir() if path.suffix in (".db", ".dump")]
    with seeded.app_context():
        db.session.execute(sa.delete(Matter).where(Matter.id.in_(sa.select(Matter.id).limit(3).scalar_subquery())))
        db.session.commit()
        db.session.remove()
    result = runner.invoke(args=["restore", str(file), "--yes"])
    assert result.exit_code == 0, result.output
    assert "完整性检查通过" in result.output
    manifest = json.loads(file.with_suffix(".json").read_text(encoding="utf-8"))
    with seeded.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Matter)) == manifest["tables"]["matter"]
        db.session.remove()
    file.write_bytes(file.read_bytes()[:-10])  # truncated
    result = runner.invoke(args=["restore", str(file), "--yes"])
    assert result.exit_code == 1 and "拒绝恢复" in result.output


def test_the_daily_job_backs_up_into_the_configured_folder(seeded, tmp_path):
    from app.jobs import backup_job
    from app.services import job_runs

    seeded.config["BACKUP_DIR"] = tmp_path
    with seeded.app_context():
        record = job_runs.run(db.session, "backup", backup_job, NOW, lambda: NOW, (None, "test"))
        assert record.outcome.name == "ok", record.error
        db.session.remove()
    assert sorted(path.suffix for path in tmp_path.iterdir())[-1] == ".json"
    assert len(list(tmp_path.glob("govhall-20261201-023000.*"))) == 2
