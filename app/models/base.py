"""Shared model pieces: labelled enums, optimistic locking, audit opt-in."""

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


class LabeledEnum(enum.Enum):
    """An enum whose value is its translatable label.

    The database stores the member *name* (stable ASCII); FAB's EnumField shows
    `str(value)`, so the label appears in forms, and `__str__`/`__html__` make
    lists and exports show the label too.
    """

    def __str__(self) -> str:
        return str(self.value)

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(str(self.value)))

    @property
    def label(self) -> str:
        return str(self.value)

    @classmethod
    def from_label(cls, text: str):
        """Member whose label or name equals `text` (importers accept both)."""
        text = (text or "").strip()
        for member in cls:
            if text in (member.name, str(member.value)):
                return member
        return None


def enum_column(enum_cls, **kwargs):
    # native_enum=False: a VARCHAR + CHECK works the same on SQLite and PostgreSQL
    # and adding a member later is a plain migration, not ALTER TYPE.
    return sa.Enum(enum_cls, native_enum=False, length=32, validate_strings=True, **kwargs)


def enum_field(enum_cls, **kwargs):
    """A mapped enum column; the REST API reads and writes member names, not labels."""
    return mapped_column(enum_column(enum_cls), info={"marshmallow_by_value": False}, **kwargs)


class VersionedMixin:
    """Optimistic locking: every UPDATE checks and bumps `version`.

    FAB's edit view reloads the row before applying the form, so the view also
    carries the version in the form and compares it (see views.model_view).
    """

    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.version}


class Audited:
    """Marker: inserts, updates and deletes of this model are written to the audit log."""

    __audited__ = True


def only_on(dialect: str, index: sa.Index) -> sa.Index:
    """An index that exists on one database engine only (its migration checks the engine too).

    `ddl_if` keeps `create_all` from emitting it elsewhere; `info["dialect"]` keeps
    autogenerate (migrations/env.py) from proposing it elsewhere.
    """
    index.info["dialect"] = dialect
    return index.ddl_if(dialect=dialect)
