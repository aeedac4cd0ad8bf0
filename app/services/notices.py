"""Writing inbox notices in bulk, each (user, key) once, and reading a user's inbox."""

from datetime import datetime

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import Role, User, assoc_user_role
from sqlalchemy.orm import Session

from app.models.matter import Matter
from app.models.notice import Notice, NoticeKind
from app.models.org import Department, Staff, StaffPosition, StaffStatus

NOTICE = Notice.__table__
STAFF = Staff.__table__
DETAIL_LENGTH = Notice.__table__.c.detail.type.length


def key(prefix: str, *columns):
    """SQL for a notice key such as 'step:42:2' (prefix, then the columns joined by ':')."""
    expression = sa.literal(prefix)
    for number, column in enumerate(columns):
        expression = expression + (sa.literal(":") if number else sa.literal("")) + sa.cast(column, sa.String)
    return expression.label("key")


def text(*parts):
    """SQL concatenation of literals and columns in which a NULL part reads as empty: a plain `||`
    with one NULL (a case without a note, a deleted department) would leave the whole detail empty."""
    expression = sa.literal("")
    for part in parts:
        if isinstance(part, str):
            expression = expression + sa.literal(part)
        else:
            expression = expression + sa.func.coalesce(sa.cast(part, sa.String), sa.literal(""))
    return expression


def optional(prefix: str, column, suffix: str = ""):
    """`prefix` + column + `suffix` when the column has a value, else nothing."""
    return sa.case((column.is_(None), sa.literal("")), else_=text(prefix, column, suffix))


def minute(column):
    """A timestamp column as 'YYYY-MM-DD HH:MM' on SQLite and PostgreSQL alike (both cast it to ISO text)."""
    return sa.func.substr(sa.cast(column, sa.String), 1, 16)


def day(column):
    """A date or timestamp column as 'YYYY-MM-DD'."""
    return sa.func.substr(sa.cast(column, sa.String), 1, 10)


def case_names(case_table):
    """The case's department and matter names (correlated subqueries on a case table or alias)."""
    department = Department.__table__
    matter = Matter.__table__
    return (
        sa.select(department.c.name).where(department.c.id == case_table.c.department_id).scalar_subquery(),
        sa.select(matter.c.name).where(matter.c.id == case_table.c.matter_id).scalar_subquery(),
    )


def about_case(case_table) -> tuple:
    """The parts of '办件 XZ-…（部门，事项）' for `text`: which case, whose and what."""
    department, matter = case_names(case_table)
    return ("办件 ", case_table.c.number, "（", department, "，", matter, "）")


def insert(connection, kind: NoticeKind, candidates: sa.Select, now: datetime) -> int:
    """INSERT … SELECT the candidates' (user_id, key, case_id, detail) rows not already sent.
    The detail is cut to the column's 300 characters (PostgreSQL would refuse a longer one)."""
    rows = candidates.subquery()
    detail = sa.func.substr(rows.c.detail, 1, DETAIL_LENGTH)
    fresh = (
        sa.select(rows.c.user_id, sa.literal(kind.name), rows.c.key, rows.c.case_id, detail, sa.literal(now))
        .where(~sa.exists().where(NOTICE.c.user_id == rows.c.user_id, NOTICE.c.key == rows.c.key))
        .distinct()
    )
    return connection.execute(
        sa.insert(NOTICE).from_select(["user_id", "kind", "key", "case_id", "detail", "created_at"], fresh),
        # psycopg reports -1 for INSERT … SELECT unless asked to keep the count.
        execution_options={"preserve_rowcount": True},
    ).rowcount


def chief_reps(department_id_column):
    """Join target: the active chief representatives (with logins) of a department column."""
    return sa.and_(
        STAFF.c.department_id == department_id_column,
        STAFF.c.position == StaffPosition.chief_rep.name,
        STAFF.c.status == StaffStatus.active.name,
        STAFF.c.user_id.is_not(None),
    )


def tell_chief_reps(
    session: Session, kind: NoticeKind, key: str, department_id: int, detail: str, now: datetime, case_id=None
) -> int:
    """One inbox notice, once per key, to each active chief representative of a department."""
    candidates = sa.select(
        STAFF.c.user_id,
        sa.literal(key).label("key"),
        sa.cast(sa.literal(case_id), sa.Integer).label("case_id"),
        sa.literal(detail).label("detail"),
    ).where(chief_reps(sa.literal(department_id)))
    return insert(session.connection(), kind, candidates, now)


def users_with_roles(*names: str):
    """Subquery of active user ids holding any of the roles."""
    return (
        sa.select(User.id.label("user_id"))
        .join(assoc_user_role, assoc_user_role.c.user_id == User.id)
        .join(Role, Role.id == assoc_user_role.c.role_id)
        .where(Role.name.in_(names), User.active.is_(True))
        .distinct()
        .subquery()
    )


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(
        sa.select(sa.func.count()).select_from(Notice).where(Notice.user_id == user_id, Notice.read_at.is_(None))
    )


def mark_read(session: Session, user_id: int, ids, now: datetime) -> int:
    """Mark the user's own notices read; other users' ids are ignored."""
    return session.execute(
        sa.update(Notice)
        .where(Notice.user_id == user_id, Notice.id.in_(list(ids)), Notice.read_at.is_(None))
        .values(read_at=now)
    ).rowcount


def mark_all_read(session: Session, user_id: int, now: datetime) -> int:
    """Every unread notice of the user read, in one UPDATE; nobody else's is touched."""
    return session.execute(
        sa.update(Notice).where(Notice.user_id == user_id, Notice.read_at.is_(None)).values(read_at=now)
    ).rowcount


def resolve(session: Session, key: str, now: datetime) -> int:
    """Mark every unread notice with `key` read: the condition it reported has ended."""
    return session.execute(
        sa.update(Notice).where(Notice.key == key, Notice.read_at.is_(None)).values(read_at=now)
    ).rowcount
