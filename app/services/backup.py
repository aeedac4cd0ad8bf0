"""Online backups with a manifest, and restores that check everything before they replace anything.

A backup is two files in the backup folder: the database copy (`govhall-YYYYmmdd-HHMMSS.db` from
SQLite's online backup API, or `.dump` from `pg_dump -Fc`) and its manifest (`.json`: engine,
migration revision, SHA-256, row count per table). The revision and the counts describe the copy
itself, whatever the application writes meanwhile: on SQLite they are read from the finished copy;
on PostgreSQL inside the transaction whose exported snapshot pg_dump copies.

Stored files (uploaded scans, StoredFile) are part of a backup: every file the copy's `stored_file`
rows name is copied into a folder beside it (`govhall-….files/`, under its random name) and listed
in the manifest with its SHA-256 (`files`); a file missing or differing from its row fails the
backup. A restore checks every listed file against the manifest before anything is replaced, and
puts them back into FILES_DIR after the database.

A restore refuses a file whose checksum, engine or manifest revision is wrong, then checks the
copy's integrity, the revision in the copy's own data and every table's row count against the
manifest before the live database sees any of it. A refused or failed restore changes nothing:
- SQLite: the copy is staged in a file next to the database and checked there, then written in with
  the online backup API: one write transaction on the live file, safe with WAL and with other
  connections open (replacing the file under them is not).
- PostgreSQL: pg_restore's script and the checks run through psql in one transaction that commits
  only when pg_restore finished and the checks passed. Chosen over restoring into a scratch database
  and renaming it: no CREATEDB privilege needed, the database keeps its name, owner, grants and
  settings, and there is no moment without a database of that name.
"""

import contextlib
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
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
    # Stored files: storage key → SHA-256 (empty for a backup made without them).
    files: dict = None

    @property
    def path(self) -> Path:
        return self.file.with_suffix(".json")

    @property
    def files_folder(self) -> Path:
        return self.file.with_suffix(".files")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def revision(connection) -> str:
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def row_counts(connection) -> dict:
    """Rows per table of the connection's default schema."""
    names = sorted(sa.inspect(connection).get_table_names())
    return {name: connection.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar() for name in names}


def cases_at_risk(connection) -> int:
    """Cases in the database: what a schema downgrade could take with it."""
    if not sa.inspect(connection).has_table("case"):
        return 0
    return connection.execute(sa.select(sa.func.count()).select_from(sa.table("case"))).scalar()


def backup(engine, folder: Path, now: datetime, *, keep: int, files_dir=None) -> Manifest:
    """Copy the database into `folder` while the application runs, and (given `files_dir`) the
    stored files its rows name; keep the newest `keep` backups."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{PREFIX}{now:%Y%m%d-%H%M%S}"
    if engine.dialect.name == "sqlite":
        target = folder / f"{name}.db"
        partial = target.with_suffix(".part")
        _sqlite_copy(Path(engine.url.database), partial, journal_mode="DELETE")  # one self-contained file
        current, tables, rows = _sqlite_contents(partial, with_files=True)
    else:
        target = folder / f"{name}.dump"
        partial = target.with_suffix(".part")
        current, tables, rows = _pg_dump(engine, partial)
    files = {}
    try:
        if files_dir is not None:
            files = _copy_files(rows, Path(files_dir), target.with_suffix(".files"))
    except BaseException:
        partial.unlink(missing_ok=True)
        shutil.rmtree(target.with_suffix(".files"), ignore_errors=True)
        raise
    os.replace(partial, target)
    manifest = Manifest(target, engine.dialect.name, current, sha256(target), now.isoformat(), tables, files)
    manifest.path.write_text(
        json.dumps(
            {
                "file": target.name,
                "engine": manifest.engine,
                "revision": manifest.revision,
                "sha256": manifest.sha256,
                "created_at": manifest.created_at,
                "tables": tables,
                "files": files,
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    prune(folder, keep)
    return manifest


def backup_kept(session: Session, folder: Path, now: datetime, files_dir=None) -> Manifest:
    """A backup as the daily job and `flask backup` make it: keeping the newest `backup_keep`."""
    keep = int(settings.get(session, "backup_keep"))
    session.commit()  # the copy is taken from its own connection; hold no transaction open
    return backup(session.get_bind(), folder, now, keep=keep, files_dir=files_dir)


def _copy_files(rows, source: Path, target: Path) -> dict:
    """Copy each stored file (storage key, SHA-256 of its row) into `target`, checking it on the
    way; {key: sha256}. A file missing or not what its row says fails the backup."""
    files = {}
    if rows:
        target.mkdir(parents=True, exist_ok=True)
    for key, expected in rows:
        if not re.fullmatch(r"[0-9a-f]{16,64}", key or ""):
            raise BackupError(_l("A stored file has an unexpected name: %(key)s", key=key))
        origin = source / key
        if not origin.is_file():
            raise BackupError(_l("A stored file is missing from the files folder: %(key)s", key=key))
        shutil.copyfile(origin, target / key)
        found = sha256(target / key)
        if found != expected:
            raise BackupError(_l("A stored file differs from its checksum: %(key)s", key=key))
        files[key] = found
    return files


def _stored_file_rows(connection) -> list:
    if not sa.inspect(connection).has_table("stored_file"):
        return []
    return connection.execute(sa.text("SELECT storage_key, sha256 FROM stored_file ORDER BY id")).all()


def _verify_files(manifest: Manifest) -> None:
    for key, expected in (manifest.files or {}).items():
        path = manifest.files_folder / key
        if not re.fullmatch(r"[0-9a-f]{16,64}", key) or not path.is_file() or sha256(path) != expected:
            raise BackupError(
                _l("The backup's stored file %(key)s is missing or damaged: its checksum does not match.", key=key)
            )


def _restore_files(manifest: Manifest, files_dir) -> None:
    """Put the backup's stored files into FILES_DIR (each written beside, then renamed in)."""
    if files_dir is None or not manifest.files:
        return
    files_dir = Path(files_dir)
    files_dir.mkdir(parents=True, exist_ok=True)
    for key in manifest.files:
        partial = files_dir / f"{key}.restore"
        shutil.copyfile(manifest.files_folder / key, partial)
        os.replace(partial, files_dir / key)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups (file and manifest); returns what was deleted."""
    manifests = sorted(Path(folder).glob(f"{PREFIX}*.json"), reverse=True)
    deleted = []
    for old in manifests[max(keep, 1) :]:
        for path in [old, *old.parent.glob(f"{old.stem}.db"), *old.parent.glob(f"{old.stem}.dump")]:
            path.unlink(missing_ok=True)
            deleted.append(path)
        if old.with_suffix(".files").is_dir():
            shutil.rmtree(old.with_suffix(".files"), ignore_errors=True)
            deleted.append(old.with_suffix(".files"))
    return deleted


def verify(file: Path, *, engine_name: str, expected_revision: str) -> Manifest:
    """The backup's manifest, once its checksum, engine and revision are what this program needs.
    Quick checks of the file as a whole; `restore` checks the data inside as well."""
    file = Path(file)
    manifest_path = file.with_suffix(".json")
    if not file.is_file() or not manifest_path.is_file():
        raise BackupError(_l("The backup or its manifest (.json beside it) is missing."))
    try:
        data = json.loads(manifest_path.read_text(encoding="utf-8"))
        manifest = Manifest(
            file,
            data["engine"],
            data["revision"],
            data["sha256"],
            data["created_at"],
            data["tables"],
            data.get("files"),
        )
        if manifest.files is not None and not isinstance(manifest.files, dict):
            raise TypeError("files")
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
    _check_revision(manifest.revision, expected_revision)
    _verify_files(manifest)
    return manifest


def restore(engine, file: Path, *, expected_revision: str, files_dir=None) -> Manifest:
    """Replace the database with a verified backup, and put its stored files back into
    `files_dir`. A BackupError means nothing was changed."""
    manifest = verify(file, engine_name=engine.dialect.name, expected_revision=expected_revision)
    engine.dispose()
    if engine.dialect.name == "sqlite":
        _sqlite_restore(Path(engine.url.database), manifest, expected_revision)
    else:
        _pg_restore(engine, manifest, expected_revision)
    _restore_files(manifest, files_dir)
    return manifest


def _check_revision(found, expected_revision):
    if found != expected_revision:
        raise BackupError(
            _l(
                "The backup was made by database version %(backup)s; this program needs %(current)s. "
                "Restore it with the matching program version, then upgrade.",
                backup=found,
                current=expected_revision,
            )
        )


def _check_counts(expected: dict, found: dict):
    if found != expected:
        differences = [
            f"{name} {expected.get(name, '-')}/{found.get(name, '-')}"
            for name in sorted(expected.keys() | found.keys())
            if expected.get(name) != found.get(name)
        ]
        raise BackupError(
            _l(
                "The backup's data does not match its manifest (table rows in the manifest/in the data: %(tables)s).",
                tables="; ".join(differences[:5]) + ("…" if len(differences) > 5 else ""),
            )
        )


# SQLite ------------------------------------------------------------------------------------------


def _sqlite_file(path: Path, *, read_only=False):
    uri = path.resolve().as_uri() + ("?mode=ro" if read_only else "")
    return contextlib.closing(sqlite3.connect(uri, uri=True))


def _sqlite_copy(source: Path, target: Path, *, read_only=False, journal_mode=None):
    """A consistent snapshot of `source` written into `target` in one write transaction (SQLite's
    online backup API), while others read and write either file."""
    with _sqlite_file(source, read_only=read_only) as origin, _sqlite_file(target) as copy:
        origin.backup(copy)
        if journal_mode:
            copy.execute(f"PRAGMA journal_mode={journal_mode}")


def _sqlite_contents(path: Path, *, with_files=False) -> tuple:
    engine = sa.create_engine(f"sqlite:///{path}", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            if with_files:
                return revision(connection), row_counts(connection), _stored_file_rows(connection)
            return revision(connection), row_counts(connection)
    finally:
        engine.dispose()


def _sqlite_restore(live: Path, manifest: Manifest, expected_revision: str):
    staged = live.with_name(f"{live.name}.restore")  # beside the database: same disk, no second copy elsewhere
    try:
        try:
            _sqlite_copy(manifest.file, staged, read_only=True)
            with _sqlite_file(staged) as copy:
                result = "; ".join(row[0] for row in copy.execute("PRAGMA integrity_check(5)"))
            if result != "ok":
                raise BackupError(_l("The backup file fails SQLite's integrity check: %(result)s", result=result))
            found, counts = _sqlite_contents(staged)
        except (sqlite3.DatabaseError, sa.exc.DBAPIError) as exc:  # "database disk image is malformed"
            raise BackupError(_l("The backup file is damaged or unreadable: %(error)s", error=_reason(exc))) from exc
        _check_revision(found, expected_revision)
        _check_counts(manifest.tables, counts)
        try:
            _sqlite_copy(staged, live)
        except sqlite3.Error as exc:  # the backup API's write transaction rolled back
            raise BackupError(_l("The database could not be replaced: %(error)s", error=exc)) from exc
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{staged}{suffix}").unlink(missing_ok=True)


def _reason(exc) -> str:
    return str(getattr(exc, "orig", None) or exc)


# PostgreSQL --------------------------------------------------------------------------------------


def _libpq(engine) -> tuple[str, dict]:
    """The URL libpq tools take (no "+driver"), with the password in the environment rather than
    on a command line other users can read."""
    url = engine.url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = dict(os.environ)
    if engine.url.password:
        env["PGPASSWORD"] = engine.url.password
    return url, env


def _pg_dump(engine, target: Path) -> tuple[str, dict, list]:
    """pg_dump of the snapshot this transaction exports, so the revision and counts read here are
    exactly what the dump holds."""
    url, env = _libpq(engine)
    with engine.connect() as connection:
        connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        snapshot = connection.execute(sa.text("SELECT pg_export_snapshot()")).scalar()
        current, tables, rows = revision(connection), row_counts(connection), _stored_file_rows(connection)
        # The snapshot lives as long as this transaction: pg_dump runs inside the block.
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-password",
                f"--snapshot={snapshot}",
                f"--file={target}",
                url,
            ],
            env,
        )
    return current, tables, rows


# Run after the restore script in its transaction; an exception rolls all of it back.
_PG_CHECKS = """
RESET search_path;
DO $govhall$
DECLARE
  found_revision text := (SELECT string_agg(version_num, ',') FROM alembic_version);
  counts jsonb := '{}';
  table_name text;
  counted bigint;
BEGIN
  IF found_revision IS DISTINCT FROM current_setting('govhall.expected_revision') THEN
    RAISE EXCEPTION 'govhall-revision %', found_revision;
  END IF;
  FOR table_name IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
    EXECUTE format('SELECT count(*) FROM %I.%I', current_schema(), table_name) INTO counted;
    counts := counts || jsonb_build_object(table_name, counted);
  END LOOP;
  IF counts <> current_setting('govhall.expected_tables')::jsonb THEN
    RAISE EXCEPTION 'govhall-rows %', counts;
  END IF;
END
$govhall$;
"""


def _pg_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"  # the script sets standard_conforming_strings on


def _pg_restore(engine, manifest: Manifest, expected_revision: str):
    for tool in ("pg_restore", "psql"):
        _require(tool)
    url, env = _libpq(engine)
    checks = (
        f"SELECT set_config('govhall.expected_revision', {_pg_literal(expected_revision)}, true),"
        f" set_config('govhall.expected_tables', {_pg_literal(json.dumps(manifest.tables))}, true);" + _PG_CHECKS
    )
    with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as psql_errors:
        script = subprocess.Popen(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--file=-", str(manifest.file)],
            stdout=subprocess.PIPE,
            stderr=restore_errors,
        )
        psql = subprocess.Popen(
            ["psql", "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1", f"--dbname={url}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_errors,
            env=env,
        )
        killed = False
        try:
            psql.stdin.write(b"BEGIN;\n")
            shutil.copyfileobj(script.stdout, psql.stdin, 1 << 20)
            # COMMIT only after a complete script and passed checks; otherwise psql ends with the
            # transaction open and the server rolls it back.
            if script.wait() == 0:
                psql.stdin.write((checks + "COMMIT;\n").encode())
        except BrokenPipeError:  # psql stopped at an error (ON_ERROR_STOP): rolled back
            script.kill()
            killed = True
        finally:
            with contextlib.suppress(BrokenPipeError):
                psql.stdin.close()
            script.wait()
            psql.wait()
        if script.returncode != 0 and not killed:
            raise BackupError(_l("%(tool)s failed: %(error)s", tool="pg_restore", error=_output(restore_errors)[-500:]))
        if killed or psql.returncode != 0:
            _raise_psql(_output(psql_errors), manifest, expected_revision)


def _raise_psql(error: str, manifest: Manifest, expected_revision: str):
    if found := re.search(r"govhall-revision (\S*)", error):
        _check_revision(found.group(1), expected_revision)
    if found := re.search(r"govhall-rows (\{.*\})", error):
        _check_counts(manifest.tables, json.loads(found.group(1)))
    raise BackupError(_l("%(tool)s failed: %(error)s", tool="psql", error=error[-500:]))


def _output(handle) -> str:
    # Tool output may carry bytes of a damaged file: never let decoding raise.
    handle.seek(0)
    return handle.read().decode("utf-8", errors="replace").strip()


def _require(tool):
    if shutil.which(tool) is None:
        raise BackupError(_l("%(tool)s is not installed (PostgreSQL client tools).", tool=tool))


def _run(command, env):
    _require(command[0])
    completed = subprocess.run(command, capture_output=True, env=env)
    if completed.returncode != 0:
        error = completed.stderr.decode("utf-8", errors="replace").strip()[-500:]
        raise BackupError(_l("%(tool)s failed: %(error)s", tool=command[0], error=error))
