"""Online backups with a manifest, and restores that refuse what they cannot trust.

A backup is two files in the backup folder: the database copy
(`govhall-YYYYmmdd-HHMMSS.db` from SQLite's online backup API, or `.dump` from
`pg_dump -Fc`) and its manifest (`.json`: engine, migration revision, SHA-256,
row count per table). A restore checks the checksum and that the revision is
the one this program runs, so a corrupt file or one from another version never
reaches the database; on SQLite it then runs `PRAGMA integrity_check`.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.services import settings

PREFIX = "govhall-"


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Manifest:
    file: Path
    engine: str
    revision: str
    sha256: str
    created_at: str
    tables: dict

    @property
    def path(self) -> Path:
        return self.file.with_suffix(".json")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def revision(connection) -> str:
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def row_counts(connection) -> dict:
    """Rows per table of the live schema (the manifest's record of what was copied)."""
    names = sorted(sa.inspect(connection).get_table_names())
    return {name: connection.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar() for name in names}


def _libpq_url(engine) -> str:
    # pg_dump speaks libpq URLs, without SQLAlchemy's "+driver".
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def backup(engine, folder: Path, now: datetime, *, keep: int) -> Manifest:
    """Copy the database into `folder` while the application runs; keep the newest `keep` backups."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{PREFIX}{now:%Y%m%d-%H%M%S}"
    with engine.connect() as connection:
        current, tables = revision(connection), row_counts(connection)
    if engine.dialect.name == "sqlite":
        target = folder / f"{name}.db"
        partial = target.with_suffix(".part")
        source = sqlite3.connect(engine.url.database)
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # a consistent snapshot, page by page, while others write
        finally:
            copy.close()
            source.close()
    else:
        target = folder / f"{name}.dump"
        partial = target.with_suffix(".part")
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={partial}", _libpq_url(engine)])
    os.replace(partial, target)
    manifest = Manifest(target, engine.dialect.name, current, sha256(target), now.isoformat(), tables)
    manifest.path.write_text(
        json.dumps(
            {
                "file": target.name,
                "engine": manifest.engine,
                "revision": manifest.revision,
                "sha256": manifest.sha256,
                "created_at": manifest.created_at,
                "tables": tables,
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    prune(folder, keep)
    return manifest


def backup_kept(session: Session, folder: Path, now: datetime) -> Manifest:
    """A backup as the daily job and `flask backup` make it: keeping the newest `backup_keep`."""
    keep = int(settings.get(session, "backup_keep"))
    session.commit()  # the copy is taken from its own connection; hold no transaction open
    return backup(session.get_bind(), folder, now, keep=keep)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups (file and manifest); returns what was deleted."""
    manifests = sorted(Path(folder).glob(f"{PREFIX}*.json"), reverse=True)
    deleted = []
    for old in manifests[max(keep, 1) :]:
        for path in [old, *old.parent.glob(f"{old.stem}.db"), *old.parent.glob(f"{old.stem}.dump")]:
            path.unlink(missing_ok=True)
            deleted.append(path)
    return deleted


def verify(file: Path, *, engine_name: str, expected_revision: str) -> Manifest:
    """The backup's manifest, once its checksum, engine and revision are what this program needs."""
    file = Path(file)
    manifest_path = file.with_suffix(".json")
    if not file.is_file() or not manifest_path.is_file():
        raise BackupError(_l("The backup or its manifest (.json beside it) is missing."))
    try:
        data = json.loads(manifest_path.read_text(encoding="utf-8"))
        manifest = Manifest(file, data["engine"], data["revision"], data["sha256"], data["created_at"], data["tables"])
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(_l("The backup's manifest is unreadable.")) from exc
    if sha256(file) != manifest.sha256:
        raise BackupError(_l("The backup file is damaged: its checksum does not match the manifest."))
    if manifest.engine != engine_name:
        raise BackupError(
            _l(
                "This backup is of a %(backup)s database; this installation runs %(current)s.",
                backup=manifest.engine,
                current=engine_name,
            )
        )
    if manifest.revision != expected_revision:
        raise BackupError(
            _l(
                "The backup was made by database version %(backup)s; this program needs %(current)s. "
                "Restore it with the matching program version, then upgrade.",
                backup=manifest.revision,
                current=expected_revision,
            )
        )
    return manifest


def restore(engine, file: Path, *, expected_revision: str) -> Manifest:
    """Replace the database with a verified backup. Nothing is touched when verification fails."""
    manifest = verify(file, engine_name=engine.dialect.name, expected_revision=expected_revision)
    engine.dispose()
    if engine.dialect.name == "sqlite":
        copy = sqlite3.connect(f"file:{manifest.file}?mode=ro", uri=True)
        try:
            if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(_l("The backup file fails SQLite's integrity check."))
            live = sqlite3.connect(engine.url.database)
            try:
                copy.backup(live)
                result = live.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                live.close()
        finally:
            copy.close()
        if result != "ok":
            raise BackupError(_l("The restored database fails SQLite's integrity check: %(result)s", result=result))
    else:
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_libpq_url(engine)}",
                str(manifest.file),
            ]
        )
    with engine.connect() as connection:
        counts = row_counts(connection)
    if counts != manifest.tables:
        raise BackupError(_l("The restored row counts differ from the backup's manifest."))
    return manifest


def _run(command):
    if shutil.which(command[0]) is None:
        raise BackupError(_l("%(tool)s is not installed (PostgreSQL client tools).", tool=command[0]))
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise BackupError(_l("%(tool)s failed: %(error)s", tool=command[0], error=completed.stderr.strip()[-500:]))
