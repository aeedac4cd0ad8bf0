"""The data interface every GovHall view and API reads and writes through.

FAB's SQLAInterface with what the project needs on top: a count that stops at
the cap and eager-loaded relations (lists stay fast at 1M rows), masked columns
searched by whole value and never sorted by, refused writes said in plain words,
and a streamed read of whole columns for Excel exports.
"""

from contextlib import contextmanager

from flask import current_app
from flask_appbuilder.exceptions import DatabaseException
from flask_appbuilder.models.sqla.filters import FilterEqual, SQLAFilterConverter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import Time
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import aliased, joinedload, selectinload


class CappedCount(int):
    """A row count that stopped at the cap: pages compute with it, the page shows "10000+"."""

    def __str__(self):
        return f"{int(self) - 1}+"

    __html__ = __str__


class _FilterConverter(SQLAFilterConverter):
    # FAB has no filter for TIME columns (attendance clock-in/out) and warned about each one at
    # every start-up; they are listed and exported, never filtered.
    conversion_table = (("is_time", []), *SQLAFilterConverter.conversion_table)

    def convert(self, col_name):
        # A column the lists show masked is searched by its whole value only: "starts with" or
        # "contains" on it gave the hidden digits back one at a time.
        if col_name in self.datamodel.masked:
            return [FilterEqual(col_name, self.datamodel)]
        return super().convert(col_name)


class WriteRefused(ValueError):
    """The database refused a write for its content (a duplicate, a value it cannot store)."""


CONFLICT_MESSAGE = _l("The record conflicts with an existing one (a duplicate code or name?).")


@contextmanager
def refused_writes(conflict_message):
    """A refused write says what went wrong in plain words.

    FAB's API put the database's own error into its 422 answer, SQL text and parameters
    included; anything but a constraint or a value the database cannot store goes on
    as the database's error (an outage is not the client's fault).
    """
    try:
        yield
    except (DatabaseException, SQLAlchemyError) as exc:
        cause = exc.__cause__ if isinstance(exc, DatabaseException) else exc
        if isinstance(cause, IntegrityError):
            raise WriteRefused(str(conflict_message)) from exc
        if isinstance(cause, DataError):
            raise WriteRefused(str(_l("A value is too long or out of range for its field."))) from exc
        if isinstance(cause, SQLAlchemyError):
            raise cause from None
        raise


def _dotted(item, column):
    value = item
    for part in column.split("."):
        value = getattr(value, part, None) if value is not None else None
    return value


class GovInterface(SQLAInterface):
    """SQLAInterface with a capped count and eager-loaded relations for lists."""

    filter_converter_class = _FilterConverter

    def __init__(self, obj, session=None, eager=(), masked=(), ranked_within=()):
        super().__init__(obj, session)
        self.eager = eager
        # Personal data the lists show masked: searched by exact value only, never sorted by.
        self.masked = frozenset(masked)
        # Columns a `rank` is counted within (a score's center): sorting by rank groups by them
        # first, so "rank 1" of two centers do not sit side by side.
        self.ranked_within = ranked_within

    def apply_order_by(self, query, order_column, order_direction, *args, **kwargs):
        if order_column == "rank" and self.ranked_within:
            query = query.order_by(*(getattr(self.obj, column) for column in self.ranked_within))
        return super().apply_order_by(query, order_column, order_direction, *args, **kwargs)

    def get_order_columns_list(self, list_columns=None):
        # Sorting by a masked column would rank the hidden digits against a value one enters.
        return [col for col in super().get_order_columns_list(list_columns) if col not in self.masked]

    def is_time(self, col_name: str) -> bool:
        column = self.list_columns.get(col_name)
        return column is not None and isinstance(column.type, Time)

    def _eager_options(self):
        # Many-to-one relations ride along in the page's own SELECT (a JOIN); only
        # collections need a second query.
        return [
            (joinedload if self.is_relation_many_to_one(name) else selectinload)(getattr(self.obj, name))
            for name in self.eager
        ]

    def query(
        self,
        filters=None,
        order_column="",
        order_direction="",
        page=None,
        page_size=None,
        select_columns=None,
        outer_default_load=False,
    ):
        # FAB runs an exact count(*) over the whole filtered set; past the cap
        # the number only feeds the pager, so stop counting there.
        cap = current_app.config["LIST_COUNT_CAP"]
        base = self.session.query(self.obj)
        counted = self._apply_inner_all(base, filters, aliases_mapping={}).with_entities(self.get_pk())
        count = counted.limit(cap + 1).count()
        if count > cap:
            count = CappedCount(count)
        rows = self.apply_all(base, filters, order_column, order_direction, page, page_size)
        return count, rows.options(*self._eager_options()).all()

    def add(self, item, commit=True):
        with refused_writes(CONFLICT_MESSAGE):
            super().add(item, commit)

    def edit(self, item, commit=True):
        with refused_writes(CONFLICT_MESSAGE):
            super().edit(item, commit)

    def delete(self, item, commit=True):
        with refused_writes(_l("This record is still used by other records and cannot be deleted.")):
            super().delete(item, commit)

    def stream(self, filters, columns, order_column="", order_direction="", batch=1000):
        """All rows the filters allow as tuples of `columns` values, in batches, for exports.

        Plain columns and `relation.column` of many-to-one relations are selected as
        columns (a 100k-row export spent a third of its time building ORM objects);
        anything else falls back to loading the objects.
        """
        query = self.apply_all(self.session.query(self.obj), filters, order_column, order_direction)
        entities = self._column_entities(columns)
        if entities is None:
            items = query.options(*self._eager_options()).yield_per(batch)
            return ([_dotted(item, col) for col in columns] for item in items)
        joins = {}
        selected = []
        for relation, attribute in entities:
            if relation is None:
                selected.append(self.column_expression(attribute))
                continue
            if relation not in joins:
                target = aliased(self.obj.__mapper__.relationships[relation].mapper.class_)
                joins[relation] = target
                query = query.outerjoin(target, getattr(self.obj, relation).of_type(target))
            selected.append(getattr(joins[relation], attribute))
        return query.with_entities(*selected).yield_per(batch)

    def column_expression(self, name):
        """What an export selects for a plain column (a model's interface may compute it instead)."""
        return getattr(self.obj, name)

    def _column_entities(self, columns):
        """(relation or None, column) per export column, or None if one is neither."""
        mapper = self.obj.__mapper__
        entities = []
        for col in columns:
            relation, _, attribute = col.rpartition(".")
            if not relation and attribute in mapper.columns:
                entities.append((None, attribute))
            elif relation in mapper.relationships and self.is_relation_many_to_one(relation):
                if attribute not in mapper.relationships[relation].mapper.columns:
                    return None
                entities.append((relation, attribute))
            else:
                return None
        return entities
