"""Id sequences after bulk writes that chose their own ids.

PostgreSQL hands out ids from a sequence that rows written with an explicit id
never advance: the next ordinary insert would reuse id 1 and fail on the primary
key. SQLite's rowid follows the largest id by itself, so there is nothing to do.
"""

import sqlalchemy as sa

from app.extensions import db


def reset_id_sequences(connection, tables=None) -> None:
    """Move each table's id sequence past its largest id (every table when `tables` is None)."""
    if connection.dialect.name != "postgresql":
        return
    quote = connection.dialect.identifier_preparer.quote
    for table in db.metadata.sorted_tables if tables is None else tables:
        if "id" not in table.c or not isinstance(table.c.id.type, sa.Integer):
            continue
        largest = sa.select(sa.func.max(table.c.id)).scalar_subquery()
        # pg_get_serial_sequence reads an identifier: "window" must arrive quoted.
        sequence = sa.func.pg_get_serial_sequence(quote(table.name), "id")
        # is_called=false: the next value handed out is exactly largest + 1 (1 on an empty table).
        connection.execute(sa.select(sa.func.setval(sequence, sa.func.coalesce(largest, 0) + 1, False)))
