"""One connection for the demo's bulk writes, with room for the indexes being filled."""

from contextlib import contextmanager

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
