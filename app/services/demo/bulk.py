"""The demo's bulk writes: one connection with room for the indexes being filled, and an
executemany that skips SQLAlchemy's per-row parameter processing on SQLite."""

from contextlib import contextmanager

import sqlalchemy as sa

# SQLite's default page cache (2 MB) is far smaller than the case table's twenty indexes: each
# insert of a year of cases would read its index pages back from the OS, about twice as slow.
SQLITE_CACHE_KIB = 256 * 1024


@contextmanager
def bulk_connection(engine):
    """A transaction on a connection whose SQLite page cache holds the indexes; the connection
    goes back to the pool with its usual cache."""
    with engine.begin() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            usual = connection.exec_driver_sql("PRAGMA cache_size").scalar()
            connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        try:
            yield connection
        finally:
            if sqlite:
                connection.exec_driver_sql(f"PRAGMA cache_size={usual}")


def insert(connection, table: sa.Table, rows: list[dict]) -> None:
    """INSERT `rows` (dicts with the same keys). On SQLite the values go to the driver as
    SQLAlchemy would store them: its per-row processing of half a million event rows costs more
    than SQLite's own insert. Elsewhere (psycopg batches the rows itself) the usual executemany."""
    if not rows:
        return
    if connection.dialect.name != "sqlite":
        connection.execute(sa.insert(table), rows)
        return
    statement = sa.insert(table).compile(dialect=connection.dialect, column_keys=list(rows[0]))
    # Columns left out get their scalar defaults, as SQLAlchemy would give them.
    defaults = {name: table.c[name].default for name in statement.positiontup if name not in rows[0]}
    if any(default is None or not default.is_scalar for default in defaults.values()):
        connection.execute(sa.insert(table), rows)
        return
    if defaults:
        fixed = {name: default.arg for name, default in defaults.items()}
        rows = [fixed | row for row in rows]
    pairs = [(name, _stored(table.c[name].type, connection.dialect)) for name in statement.positiontup]
    connection.exec_driver_sql(str(statement), [tuple(store(row[name]) for name, store in pairs) for row in rows])


def _same(value):
    return value


def _instant(value):
    # SQLAlchemy's SQLite format: microseconds always written, so stored instants compare as text.
    return value if value is None else value.isoformat(" ", "microseconds")


def _day(value):
    return value if value is None else value.isoformat()


def _stored(column_type, dialect):
    """value -> what SQLAlchemy stores for it in a column of `column_type` on SQLite."""
    if isinstance(column_type, sa.DateTime):
        return _instant
    if isinstance(column_type, sa.Date):
        return _day
    return column_type.dialect_impl(dialect).bind_processor(dialect) or _same
