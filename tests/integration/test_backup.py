"""Restore drills: seed, back up, change things, restore, and get every table back exactly; the
same while window staff take in cases during the backups; and the files a restore must refuse
(damaged, another version, another engine, data that disagrees with its manifest) without
touching the live database."""

import hashlib
import json
import re
import shutil
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.cli import seed_demo_data
from app.extensions import db
from app.models import AttendanceRecord, Case, CaseEvent, Department, Matter, Staff, User
from app.models.matter import MatterStatus
from app.security import actor_for
from app.services import backup, case_flow

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
        scratch_app.config["DEMO_LOGINS"] = seed_demo_data().logins
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
    made = backup.verify(file, engine_name=manifest["engine"], expected_revision=manifest["revision"])
    miscounted = copy_of(made, tmp_path / "miscounted", tables={**manifest["tables"], "matter": 0})
    result = runner.invoke(args=["restore", str(miscounted), "--yes"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "恢复失败，当前数据库未改动：备份中的数据与清单不一致" in result.output
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


class CaseWriter(threading.Thread):
    """A window clerk taking in cases as fast as the database allows, one transaction each (an
    accepted case and its event): the application writing while backups are taken."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app, self.stop, self.written, self.error = app, threading.Event(), 0, None

    def run(self):
        try:
            with self.app.app_context():
                username = self.app.config["DEMO_LOGINS"]["WindowStaff"]
                actor = actor_for(db.session.scalar(sa.select(User).where(User.username == username)))
                matter = db.session.scalar(
                    sa.select(Matter)
                    .where(Matter.department_id == actor.department_id, Matter.status == MatterStatus.active)
                    .order_by(Matter.id)
                    .limit(1)
                )
                application = case_flow.Application(
                    matter_id=matter.id,
                    applicant_name="张三",
                    applicant_id_number="11010519491231002X",
                    received_material_ids=tuple(m.id for m in matter.materials),
                )
                clock = case_flow.Clock.load(db.session)
                while not self.stop.is_set():
                    case_flow.intake(db.session, actor, NOW + timedelta(seconds=self.written), application, clock)
                    db.session.commit()
                    self.written += 1
                db.session.remove()
        except Exception as exc:  # reported by the test, not lost in the thread
            self.error = exc

    def wait_for(self, count, timeout=60):
        deadline = time.monotonic() + timeout
        while self.written < count and self.error is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self.error is None and self.written >= count, self.error


def test_backups_taken_while_cases_are_taken_in_restore_to_exactly_their_manifests(seeded, tmp_path):
    writer = CaseWriter(seeded)
    writer.start()
    made = []
    try:
        with seeded.app_context():
            for second in range(3):
                writer.wait_for(writer.written + 5)  # the day moves on between backups
                made.append(backup.backup(db.engine, tmp_path, NOW + timedelta(seconds=second), keep=5))
            writer.wait_for(writer.written + 5)  # and goes on after the last one
    finally:
        writer.stop.set()
        writer.join(60)
    assert writer.error is None
    cases = [manifest.tables["case"] for manifest in made]
    assert 0 < cases[0] < cases[1] < cases[2] < writer.written, "each backup caught the writer mid-day"
    with seeded.app_context():
        for manifest in made:
            backup.restore(db.engine, manifest.file, expected_revision=manifest.revision)
            with db.engine.connect() as connection:
                assert backup.row_counts(connection) == manifest.tables
                events = connection.execute(sa.select(sa.func.count()).select_from(CaseEvent)).scalar()
                assert connection.execute(sa.select(sa.func.count()).select_from(Case)).scalar() == events
        db.session.remove()


def live_state(engine):
    """SQLite: the database file's bytes (after a checkpoint moves the WAL into it). PostgreSQL: every
    table's row count and content checksum."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            return backup.sha256(Path(engine.url.database))
        return table_checksums(connection)


def copy_of(made, folder, damage=None, **manifest):
    """Another backup made from `made`: its file damaged by `damage` (the manifest's checksum then
    recomputed, so only a look inside can tell) and its manifest fields overridden."""
    folder.mkdir()
    file = folder / made.file.name
    shutil.copyfile(made.file, file)
    if damage:
        file.write_bytes(damage(file.read_bytes()))
    data = json.loads(made.path.read_text(encoding="utf-8"))
    data.update(sha256=backup.sha256(file), **manifest)
    file.with_suffix(".json").write_text(json.dumps(data), encoding="utf-8")
    return file


def garbled(data):
    """4 KB of the middle overwritten: torn pages (SQLite), unreadable data blocks (pg_dump)."""
    middle = len(data) // 2
    return data[:middle] + b"\xab" * 4096 + data[middle + 4096 :]


def mistyped(data):
    """Bytes that are not UTF-8 inside the matter table's definition, which both engines keep as
    text: SQLite's schema cannot be read; on PostgreSQL pg_restore passes it on and the server
    refuses it halfway through the restore, after the live tables were dropped in its transaction."""
    start = re.search(rb'CREATE TABLE (public\.)?"?matter"? \(', data).end()
    return data[:start] + b"\xab" * 8 + data[start + 8 :]


def test_a_restore_that_fails_a_check_leaves_the_live_database_exactly_as_it_was(seeded, tmp_path):
    with seeded.app_context():
        engine = db.engine
        made = backup.backup(engine, tmp_path / "good", NOW, keep=3)
        # A backup whose data is of another version, though its manifest claims this one.
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE alembic_version SET version_num = '0001'"))
        older = backup.backup(engine, tmp_path / "older", NOW, keep=3)
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE alembic_version SET version_num = :head"), {"head": made.revision})
        assert older.revision == "0001"
        refused = {
            "older": (copy_of(older, tmp_path / "older-claims-head", revision=made.revision), "0001"),
            "garbled": (copy_of(made, tmp_path / "garbled", garbled), "损坏|完整性|执行失败"),
            "mistyped": (copy_of(made, tmp_path / "mistyped", mistyped), "损坏|执行失败"),
            "miscounted": (
                copy_of(made, tmp_path / "miscounted", tables={**made.tables, "matter": made.tables["matter"] + 1}),
                "清单",
            ),
        }
        # The day goes on after the backups, so replacing the live database would show.
        db.session.add(Department(code="D-NEW", name="县新设局", center_id=1))
        db.session.execute(sa.delete(AttendanceRecord))
        db.session.commit()
        db.session.remove()
        before = live_state(engine)
        for name, (file, message) in refused.items():
            with pytest.raises(backup.BackupError, match=message):
                backup.restore(engine, file, expected_revision=made.revision)
            assert live_state(engine) == before, name
        if engine.dialect.name == "sqlite":
            assert not list(Path(engine.url.database).parent.glob("*.restore*")), "the staged copy is removed"
        backup.restore(engine, made.file, expected_revision=made.revision)  # a good one still goes in
        assert live_state(engine) != before
