"""Numbered document series (缺席默认通知书, inspections): the next number of a series and year.

One counter row per series and year, bumped by an UPDATE … RETURNING: two writers at once wait on
the row and get different numbers, and a rolled-back writer leaves no gap (a count of existing rows
would hand both the same number and fail on the unique constraint).
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models.case import DocumentCounter


def next_number(session: Session, series: str, year: int) -> int:
    return bump(session, DocumentCounter.__table__, series=series, year=year)


def bump(session: Session, table: sa.Table, **keys) -> int:
    """The next value of the counter row `keys` of `table` (its column `last`), the row made at 0 first."""
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    session.execute(insert(table).values(**keys, last=0).on_conflict_do_nothing())
    return session.execute(
        sa.update(table)
        .where(*(table.c[name] == value for name, value in keys.items()))
        .values(last=table.c.last + 1)
        .returning(table.c.last)
    ).scalar_one()
