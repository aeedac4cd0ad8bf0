"""Audit log writer: one row per inserted, updated or deleted audited object.

Hooked on the session's `after_flush`, where primary keys of new rows exist and
attribute history still holds the values before the flush. Rows are written
with a Core INSERT on the flush's connection, so they commit or roll back with
the change they describe.
"""

from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app import clock
from app.models.audit import AuditAction, AuditLog

SESSION_ACTOR = "govhall_actor"  # session.info key: (user id, display name)


def set_actor(session: Session, actor_id: int | None, actor_name: str) -> None:
    """Attribute the session's following writes to this actor (jobs, CLI, services)."""
    session.info[SESSION_ACTOR] = (actor_id, actor_name)


def _resolve_actor(session: Session):
    if SESSION_ACTOR in session.info:
        return session.info[SESSION_ACTOR]
    from flask import g, has_request_context

    user = getattr(g, "user", None) if has_request_context() else None
    if user is not None and getattr(user, "is_authenticated", False):
        return user.id, user.username
    return None, "system"


def log_summary(session: Session, action: AuditAction, table_name: str, row_id: str, summary: str, changes: dict):
    """One entry for a bulk write that bypasses the ORM (an import, a re-scoring), by the session's actor."""
    actor_id, actor_name = _resolve_actor(session)
    session.execute(
        sa.insert(AuditLog.__table__),
        {
            "at": clock.now(),
            "actor_id": actor_id,
            "actor_name": actor_name,
            "action": action.name,
            "table_name": table_name,
            "row_id": row_id,
            "summary": summary[:200],
            "changes": changes,
        },
    )


def log_changes(session: Session, table_name: str, entries, at: datetime, actor=None) -> int:
    """One update entry per row changed by a conditional UPDATE that bypasses the ORM (an
    appointment's status change, the no-show scan): `entries` are (row id, summary,
    {field: [before, after]}), written in one INSERT at `at` by `actor` — (user id or None,
    name) — or, without one, by the session's actor. Returns the rows written."""
    entries = list(entries)
    if not entries:
        return 0
    actor_id, actor_name = actor or _resolve_actor(session)
    session.execute(
        sa.insert(AuditLog.__table__),
        [
            {
                "at": at,
                "actor_id": actor_id,
                "actor_name": str(actor_name)[:100],
                "action": AuditAction.update.name,
                "table_name": table_name,
                "row_id": str(row_id),
                "summary": str(summary)[:200],
                "changes": {key: [_plain(before), _plain(after)] for key, (before, after) in changes.items()},
            }
            for row_id, summary, changes in entries
        ],
    )
    return len(entries)


def _plain(value):
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _column_attrs(obj):
    mapper = inspect(obj).mapper
    return [attr for attr in mapper.column_attrs if attr.key != "version"]


def _row_id(obj) -> str:
    state = inspect(obj)
    return ",".join(str(part) for part in state.mapper.primary_key_from_instance(obj))


def _entry(obj, action: AuditAction, changes: dict, at, actor) -> dict:
    return {
        "at": at,
        "actor_id": actor[0],
        "actor_name": actor[1],
        "action": action.name,
        "table_name": obj.__tablename__,
        "row_id": _row_id(obj),
        "summary": str(obj)[:200],
        "changes": changes,
    }


def _audited(objects):
    return [obj for obj in objects if getattr(obj, "__audited__", False)]


def _update_changes(session: Session, obj) -> dict:
    state = inspect(obj)
    changes = {}
    for attr in _column_attrs(obj):
        history = state.attrs[attr.key].history
        if history.has_changes():
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if before != after:
                changes[attr.key] = [_plain(before), _plain(after)]
    return changes


def _before_flush(session, flush_context, instances):
    """Capture what only exists before the flush: old values of updated and deleted rows."""
    pending = session.info.setdefault("govhall_pending_audit", [])
    for obj in _audited(session.dirty):
        if session.is_modified(obj, include_collections=False):
            changes = _update_changes(session, obj)
            if changes:
                pending.append((obj, AuditAction.update, changes))
    for obj in _audited(session.deleted):
        changes = {a.key: [_plain(getattr(obj, a.key)), None] for a in _column_attrs(obj)}
        pending.append((obj, AuditAction.delete, changes))
    # Inserts are read after the flush, when defaults and primary keys are filled in.
    pending.extend((obj, AuditAction.insert, None) for obj in _audited(session.new))


def _after_flush(session, flush_context):
    pending = session.info.pop("govhall_pending_audit", [])
    if not pending:
        return
    at = clock.now()
    actor = _resolve_actor(session)
    rows = []
    for obj, action, changes in pending:
        if action is AuditAction.insert:
            changes = {a.key: [None, _plain(getattr(obj, a.key))] for a in _column_attrs(obj)}
        rows.append(_entry(obj, action, changes, at, actor))
    session.connection().execute(sa.insert(AuditLog.__table__), rows)


def _after_soft_rollback(session, previous_transaction):
    session.info.pop("govhall_pending_audit", None)


def install(session_class) -> None:
    """Listen on the session class once, however many apps are created (tests)."""
    for name, handler in (
        ("before_flush", _before_flush),
        ("after_flush", _after_flush),
        ("after_soft_rollback", _after_soft_rollback),
    ):
        if not event.contains(session_class, name, handler):
            event.listen(session_class, name, handler)
