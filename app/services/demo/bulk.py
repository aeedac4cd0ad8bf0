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
    """INSERT `rows` (dicts with the same keys), the values converted as SQLAlchemy would store
    them but column by column: on SQLite straight to the driver's executemany (SQLAlchemy's per-row
    processing of half a million event rows costs more than SQLite's insert), on PostgreSQL by
    COPY (several times faster than INSERTs)."""
    if not rows:
        return
    # Columns left out get their scalar defaults, as SQLAlchemy would give them.
    defaults = {c.key: c.default for c in table.columns if c.key not in rows[0] and c.default is not None}
    driver = connection.dialect.driver
    if driver not in ("pysqlite", "psycopg") or not all(default.is_scalar for default in defaults.values()):
        connection.execute(sa.insert(table), rows)
        return
    if defaults:
        fixed = {key: default.arg for key, default in defaults.items()}
        rows = [fixed | row for row in rows]
    if driver == "psycopg":
        _copy(connection, table, rows)
        return
    statement = sa.insert(table).compile(dialect=connection.dialect, column_keys=list(rows[0]))
    columns = [_stored([row[n] for row in rows], table.c[n].type, connection.dialect) for n in statement.positiontup]
    connection.exec_driver_sql(str(statement), list(zip(*columns, strict=True)))


def _copy(connection, table: sa.Table, rows: list[dict]) -> None:
    names = list(rows[0])
    columns = [_stored([row[name] for row in rows], table.c[name].type, connection.dialect) for name in names]
    quote = connection.dialect.identifier_preparer.quote
    target = f"{quote(table.name)} ({', '.join(map(quote, names))})"
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {target} FROM STDIN") as copy:
            for values in zip(*columns, strict=True):
                copy.write_row(values)


def _stored(values: list, column_type, dialect) -> list:
    """A column's values as SQLAlchemy hands them to the driver, converted column by column."""
    if dialect.name == "sqlite" and isinstance(column_type, sa.DateTime):
        # Its format: microseconds always written, so stored instants compare as text.
        return [value if value is None else value.isoformat(" ", "microseconds") for value in values]
    if dialect.name == "sqlite" and isinstance(column_type, sa.Date):
        return [value if value is None else value.isoformat() for value in values]
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return values
    try:  # enums, flags, amounts: each distinct value once
        stored = {value: process(value) for value in set(values)}
    except TypeError:  # JSON documents are not hashable
        null = process(None)
        return [null if value is None else process(value) for value in values]
    return [stored[value] for value in values]
