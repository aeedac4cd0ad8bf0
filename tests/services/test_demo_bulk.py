"""The demo's bulk insert (SQLite: the driver's executemany, PostgreSQL: COPY) stores exactly
what SQLAlchemy's executemany stores."""

import enum
from datetime import date, datetime, time
from decimal import Decimal

import sqlalchemy as sa

from app.services.demo import bulk


class Colour(enum.Enum):
    red = "红"
    green = "绿"


def _table(metadata, name):
    return sa.Table(
        name,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime),
        sa.Column("day", sa.Date),
        sa.Column("clock", sa.Time),
        sa.Column("data", sa.JSON),
        sa.Column("colour", sa.Enum(Colour, native_enum=False)),
        sa.Column("fee", sa.Numeric(10, 2)),
        sa.Column("flag", sa.Boolean),
        sa.Column("name", sa.String(20)),
        sa.Column("state", sa.Enum(Colour, native_enum=False), default=Colour.green),
    )


def test_bulk_insert_stores_what_sqlalchemy_stores(scratch_url):
    engine = sa.create_engine(scratch_url)
    metadata = sa.MetaData()
    ours, theirs = _table(metadata, "ours"), _table(metadata, "theirs")
    metadata.create_all(engine)
    rows = [
        {
            "id": 1,
            "at": datetime(2026, 3, 2, 9, 0),
            "day": date(2026, 3, 2),
            "clock": time(8, 25, 13),
            "data": {"days": 3, "deadline": "2026-03-05T17:30:00"},
            "colour": "red",
            "fee": Decimal("12.50"),
            "flag": True,
            "name": "张三",
        },
        {
            "id": 2,
            "at": datetime(2026, 3, 2, 14, 5, 7, 120),
            "day": None,
            "clock": None,
            "data": None,
            "colour": "green",
            "fee": None,
            "flag": False,
            "name": None,
        },
    ]
    with engine.begin() as connection:
        bulk.insert(connection, ours, rows)
        connection.execute(sa.insert(theirs), rows)
        stored = [
            connection.exec_driver_sql("SELECT * FROM ours ORDER BY id").all(),
            connection.exec_driver_sql("SELECT * FROM theirs ORDER BY id").all(),
        ]
        read_back = [connection.execute(sa.select(t).order_by(t.c.id)).all() for t in (ours, theirs)]
    engine.dispose()
    assert stored[0] == stored[1]
    assert read_back[0] == read_back[1]
