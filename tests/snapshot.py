"""Reset the suite's database to its snapshot after a test, rewriting only the tables it wrote.

Rewriting all ~60 tables after every test cost ~0.3 s on PostgreSQL (~8 minutes of a CI run),
while most tests write a handful of tables or none. Every statement any engine sends to the
suite's database passes `note`, which records the tables named after INSERT INTO, UPDATE,
DELETE FROM and TRUNCATE (psycopg's COPY, which SQLAlchemy never sees, is noted too); anything
else that is not a plain read (DDL, an unknown verb) marks the whole database written. A DELETE
may cascade, so the tables that reference a deleted table, transitively, count as written too.

The written tables are emptied and refilled with foreign-key enforcement off (SQLite's pragma,
PostgreSQL's replica role), so a parent table can be rewritten without its untouched children.
When PostgreSQL refuses the replica role (a role that is not a superuser) every table is
rewritten in dependency order, as before. GOVHALL_TEST_VERIFY_RESTORE=1 compares the whole
database with the snapshot after each reset and fails on any difference.
"""

import os
import re
import threading

import sqlalchemy as sa

_WRITE = re.compile(
    r"\b(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)"
    r"\s+(?:ONLY\s+)?(?:\"?\w+\"?\.)?\"?(\w+)\"?",
    re.IGNORECASE,
)
_DELETE = re.compile(r"\b(?:DELETE\s+FROM|TRUNCATE)\b", re.IGNORECASE)
_READ_OR_WRITE = re.compile(
    r"^\s*\(?\s*(?:SELECT|WITH|INSERT|UPDATE|DELETE|REPLACE|TRUNCATE|PRAGMA|SET|SHOW|BEGIN|COMMIT|ROLLBACK|"
    r"SAVEPOINT|RELEASE|EXPLAIN|VALUES)\b",
    re.IGNORECASE,
)
_PRAGMA_WRITE = re.compile(r"^\s*PRAGMA\s+\w+\s*=", re.IGNORECASE)
_COPY = re.compile(r"^\s*COPY\s+(?:\"?\w+\"?\.)?\"?(\w+)\"?", re.IGNORECASE)
_ALL = "*"


class WriteLog:
    """The tables of one database written since the last reset (thread-safe: tests run threads)."""

    def __init__(self, url):
        self._url = sa.engine.make_url(url)
        self._lock = threading.Lock()
        self._paused = threading.local()
        self.written, self.deleted = set(), set()

    def watches(self, url):
        return (url.get_backend_name(), url.host, url.port, url.database) == (
            self._url.get_backend_name(),
            self._url.host,
            self._url.port,
            self._url.database,
        )

    def note(self, conn, _cursor, statement, _parameters, _context, _executemany):
        if getattr(self._paused, "on", False) or not self.watches(conn.engine.url):
            return
        names = {name.lower() for name in _WRITE.findall(statement)}
        everything = not _READ_OR_WRITE.match(statement) or (
            _PRAGMA_WRITE.match(statement) and not statement.lstrip().upper().startswith("PRAGMA FOREIGN_KEYS")
        )
        with self._lock:
            if everything:
                self.written.add(_ALL)
            self.written |= names
            if _DELETE.search(statement):
                self.deleted |= names

    def watch_copy(self):
        """psycopg's COPY (the demo's bulk inserts, app/services/demo/bulk.py) runs on the driver's
        own cursor, out of SQLAlchemy's sight: the cursor's copy() notes its table too."""
        try:
            import psycopg
        except ImportError:
            return
        original, log = psycopg.Cursor.copy, self

        def copy(cursor, statement, *args, **kwargs):
            if log._url.get_backend_name() == "postgresql" and cursor.connection.info.dbname == log._url.database:
                found = _COPY.match(str(statement))
                with log._lock:
                    log.written.add(found.group(1).lower() if found else _ALL)
            return original(cursor, statement, *args, **kwargs)

        psycopg.Cursor.copy = copy

    def take(self):
        with self._lock:
            taken = (set(self.written), set(self.deleted))
            self.written, self.deleted = set(), set()
        return taken

    def paused(self):
        log = self

        class _Pause:
            def __enter__(self):
                log._paused.on = True

            def __exit__(self, *_exc):
                log._paused.on = False

        return _Pause()


def tables_to_rewrite(snapshot, written, deleted):
    """The snapshot's tables to rewrite, in the snapshot's (dependency) order."""
    tables = [table for table, _rows in snapshot]
    if _ALL in written:
        return tables
    referencing = {}
    for table in tables:
        for key in table.foreign_keys:
            referencing.setdefault(key.column.table.name, set()).add(table.name)
    names = {name for name in written if name}
    pending = list(deleted)
    while pending:
        for child in referencing.get(pending.pop(), ()):
            if child not in names:
                names.add(child)
                pending.append(child)
    return [table for table in tables if table.name.lower() in names]


def rewrite(engine, snapshot, tables):
    """Empty `tables` and refill them from the snapshot; False if foreign keys could not be paused."""
    from app.services.id_sequences import reset_id_sequences

    rows = dict(snapshot)
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # The pragma is a no-op inside a transaction: set it before the first write.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        try:
            with conn.begin():
                if not sqlite:
                    try:
                        with conn.begin_nested():
                            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
                    except sa.exc.DBAPIError:
                        return False
                for table in reversed(tables):
                    conn.execute(table.delete())
                for table in tables:
                    if rows[table]:
                        conn.execute(table.insert(), rows[table])
                reset_id_sequences(conn, tables)
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()
    return True


def rewrite_in_order(engine, snapshot):
    """Every table, children emptied first and parents filled first, foreign keys enforced."""
    from app.services.id_sequences import reset_id_sequences

    with engine.begin() as conn:
        for table, _rows in reversed(snapshot):
            conn.execute(table.delete())
        for table, rows in snapshot:
            if rows:
                conn.execute(table.insert(), rows)
        reset_id_sequences(conn, [table for table, _rows in snapshot])


def verify(engine, snapshot):
    """Fail when any table differs from the snapshot (GOVHALL_TEST_VERIFY_RESTORE=1)."""
    if os.environ.get("GOVHALL_TEST_VERIFY_RESTORE") != "1":
        return
    with engine.connect() as conn:
        for table, rows in snapshot:
            key = [column.name for column in table.primary_key.columns] or [c.name for c in table.columns]
            found = [dict(row._mapping) for row in conn.execute(table.select())]
            ordered = sorted(found, key=lambda row: tuple(str(row[k]) for k in key))
            expected = sorted(rows, key=lambda row: tuple(str(row[k]) for k in key))
            assert ordered == expected, f"table {table.name} differs from the snapshot after the reset"
