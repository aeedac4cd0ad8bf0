"""The tree of centers (county → sub-center → township → village point) and where staff sit in it.

The subtree of a center is computed in SQL, a recursive CTE down `center.parent_id` (indexed):
a `center` scope embeds it in every list's clause, so no id list is carried per request and a
center added below takes effect at once.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from app.models.org import Center, Department


def subtree(center_id) -> sa.Select:
    """SELECT of the ids of center `center_id` and of every center below it."""
    tree = sa.select(Center.id).where(Center.id == center_id).cte("center_tree", recursive=True)
    tree = tree.union_all(sa.select(Center.id).join(tree, Center.parent_id == tree.c.id))
    return sa.select(tree.c.id)


class InCenters(ColumnElement):
    """`column IN (centers)`, where `centers` is subtree() or ancestry().

    PostgreSQL runs it as `column = ANY(ARRAY(centers))`: the recursive CTE runs once first and
    the planner sees a handful of ids. Given `IN (SELECT … FROM center_tree)` it guessed the whole
    center table and hashed a full index scan: a township's list count at 1M cases took 265 ms,
    and 1 ms this way (bench/network.py). SQLite plans the plain IN well."""

    inherit_cache = True
    # Not Boolean: SQLite, without a native boolean, would compare a Boolean clause `= 1` in a WHERE
    # and give up the index (a township's list count: 2 → 110 ms at 1M cases).
    type = sa.types.NullType()
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("centers", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column, centers: sa.Select):
        self.column, self.centers = column, centers


@compiles(InCenters)
def _in_centers(element, compiler, **kw):
    return compiler.process(element.column.in_(element.centers), **kw)


@compiles(InCenters, "postgresql")
def _in_centers_postgresql(element, compiler, **kw):
    column = compiler.process(element.column, **kw)
    return f"{column} = ANY(ARRAY{compiler.process(element.centers.scalar_subquery(), **kw)})"


def ancestry(center_id) -> sa.Select:
    """SELECT of the ids of center `center_id` and of every center above it."""
    tree = sa.select(Center.id, Center.parent_id).where(Center.id == center_id).cte("center_up", recursive=True)
    tree = tree.union_all(sa.select(Center.id, Center.parent_id).join(tree, Center.id == tree.c.parent_id))
    return sa.select(tree.c.id)


def _within(session, center_id, department_id) -> bool:
    """Whether `center_id` is the center of department `department_id` or one below it."""
    department_center = sa.select(Department.center_id).where(Department.id == department_id).scalar_subquery()
    found = session.scalar(sa.select(sa.literal(1)).where(sa.literal(center_id).in_(subtree(department_center))))
    return found is not None


def _chosen_id(item, relation: str, column: str):
    """The id `item` refers to through `relation`: a form sets the relationship, the API its column."""
    if sa.inspect(item).attrs[relation].history.has_changes():
        target = getattr(item, relation)
        return target.id if target is not None else None
    return getattr(item, column)


def staff_errors(session, staff) -> list[str]:
    """A department's staff work at the department's center or at a center below it: a county
    department stations clerks at township centers, never at another county's or a sibling's."""
    department_id = _chosen_id(staff, "department", "department_id")
    center_id = _chosen_id(staff, "center", "center_id")
    if department_id is None or center_id is None:
        return []  # the form's required fields say so
    with session.no_autoflush:
        if _within(session, center_id, department_id):
            return []
    return [str(_l("A staff member works at their department's center or at a center below it."))]


def place(session, center_id, department_id) -> int:
    """The center of a staff member moving to department `department_id`: where they are if that
    is within the department's centers, otherwise the department's own center."""
    if center_id is not None and _within(session, center_id, department_id):
        return center_id
    return session.scalar(sa.select(Department.center_id).where(Department.id == department_id))
