"""Violations to be confirmed (待确认): a second supplement request, with the clerk's reason.

000 forbids only unjustified (无故) repeated supplement requests, so case_flow records a
further request as a pending violation. A supervisor (duty `appeal_review`) confirms it — it
counts from then on, in the scores and towards the quarter's violations — or dismisses it as
justified. The daily `violation_lapse` job tells the supervisors of each new pending one and
confirms what nobody decided within `violation_confirm_days` whole working days (setting, 3).
A month already scored is scored again.
"""

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.models.audit import AuditAction, AuditLog
from app.models.case import Violation, ViolationStatus
from app.models.notice import NoticeKind
from app.services import notices, settings
from app.services.appeals import AppealError, rescore_scored
from app.services.workdays import WorkCalendar
from config import ROLE_DUTIES

SYSTEM = "系统"


def _audit(session, now, actor_id, actor_name, row_id, summary, changes):
    """Violation is not an audited model (the scans write thousands): its decisions are logged here."""
    session.add(
        AuditLog(
            at=now,
            actor_id=actor_id,
            actor_name=actor_name[:100],
            action=AuditAction.update,
            table_name=Violation.__tablename__,
            row_id=row_id,
            summary=summary[:200],
            changes=changes,
        )
    )


def decide(session: Session, actor, violation: Violation, now: datetime, *, confirm: bool, note=None) -> Violation:
    """A supervisor confirms the pending violation or dismisses it (a dismissal needs its reason)."""
    if not actor.roles & ROLE_DUTIES["appeal_review"]:
        raise AppealError(_l("Only a supervisor confirms or dismisses a violation."), "actor")
    if violation.status is not ViolationStatus.pending:
        raise AppealError(_l("This violation is not waiting for confirmation."), "state")
    note = (note or "").strip()[:300]
    if not confirm and not note:
        raise AppealError(_l("Give the reason for dismissing the violation."), "input")
    before = violation.status
    violation.status = ViolationStatus.confirmed if confirm else ViolationStatus.dismissed
    violation.decided_by, violation.decided_at = actor.name[:100], now
    session.flush()
    changes = {"status": [before.name, violation.status.name]}
    if note:
        changes["note"] = [None, note]
    _audit(session, now, actor.user_id, actor.name, str(violation.id), str(violation), changes)
    if confirm:
        rescore_scored(session, {violation.at.date()}, now)
    return violation


def _announce(session: Session, now: datetime) -> int:
    """Tell the supervisors of every pending violation, once each."""
    reviewers = notices.users_with_roles(*ROLE_DUTIES["appeal_review"])
    candidates = (
        sa.select(
            reviewers.c.user_id,
            notices.key("violation-pending:", Violation.id),
            Violation.case_id,
            sa.func.substr(Violation.detail, 1, 300).label("detail"),
        )
        .select_from(Violation.__table__.join(reviewers, sa.true()))  # every reviewer hears of each one
        .where(Violation.status == ViolationStatus.pending)
    )
    return notices.insert(session.connection(), NoticeKind.violation_pending, candidates, now)


def lapse(session: Session, now: datetime, calendar: WorkCalendar) -> int:
    """Announce the pending violations, then confirm those older than `violation_confirm_days`
    whole working days; rows written."""
    announced = _announce(session, now)
    days = int(settings.get(session, "violation_confirm_days"))
    # Whole working days only: the day the job runs on has not passed yet.
    before = datetime.combine(calendar.elapsed_since(now.date() - timedelta(days=1), days), time())
    due = sa.and_(Violation.status == ViolationStatus.pending, Violation.at < before)
    months = {at.date().replace(day=1) for at in session.scalars(sa.select(Violation.at).where(due))}
    if not months:
        return announced
    changed = session.execute(
        sa.update(Violation)
        .where(due)
        .values(status=ViolationStatus.confirmed, decided_by=SYSTEM, decided_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    _audit(
        session,
        now,
        None,
        SYSTEM,
        "*",
        f"{changed} 条待确认违规逾期未确认，已计为违规",
        {"status": [ViolationStatus.pending.name, ViolationStatus.confirmed.name], "before": [None, str(before)]},
    )
    return announced + changed + rescore_scored(session, months, now)
