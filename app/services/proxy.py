"""Full-process proxy (全程代办), seed 004 第十七条: 对重点项目开辟绿色通道，实行预约服务、全程代办.

- assign: a case is marked 全程代办 for a key project, with an agent (an active staff member of
  the case's center). The proxy service is free: the proxy fee must be 0 and the declaration
  ticked, or nothing is saved (a CHECK constraint holds the fee at 0 too). One proxy per case
  (a unique constraint: of two racers exactly one wins).
- add_entry: a row of the 承办表 — what was handled for the applicant, when, by whom.
- record_callback: after completion the applicant is called back and the verdict recorded
  (满意/基本满意/不满意, a note; 不满意 needs one). Once: a conditional UPDATE, so two racers
  cannot both record it.
- awaiting_callback: completed proxy cases not yet called back, oldest completion first.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models.case import OPEN_STATUSES, Case, CaseStatus
from app.models.org import Staff, StaffStatus
from app.models.proxy import CallbackVerdict, CaseProxy, ProxyEntry


class ProxyError(Exception):
    """Refused; the message is for the user."""

    def __init__(self, message):
        super().__init__(str(message))


@dataclass(frozen=True)
class Agent:
    """Who records: the logged-in staff member (None: no staff record) and the name shown."""

    staff_id: int | None
    name: str


def is_free(fee) -> bool:
    """A proxy service fee of nothing or zero, whatever its spelling (代办 is free of charge)."""
    if fee is None or (isinstance(fee, str) and not fee.strip()):
        return True
    try:
        amount = Decimal(str(fee).strip())
    except InvalidOperation:
        return False
    return amount.is_finite() and amount == 0


def _text(value, message, limit) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if not text:
        raise ProxyError(message)
    if len(text) > limit:
        raise ProxyError(_l("The text is too long (at most %(limit)s characters).", limit=limit))
    return text


def assign(
    session: Session,
    who: Agent,
    now: datetime,
    case: Case,
    *,
    agent_id,
    key_project,
    proxy_fee=None,
    free_declared=False,
    scope=None,
) -> CaseProxy:
    """Mark an open case 全程代办 with its agent; refused in Chinese, nothing saved, otherwise."""
    if not is_free(proxy_fee):
        raise ProxyError(_l("Full-process proxy is free of charge: the proxy fee must be 0."))
    if free_declared is not True:
        raise ProxyError(_l("Tick the declaration that no fee is taken for the proxy service."))
    project = _text(key_project, _l("Enter the key project."), 200)
    if case.status not in OPEN_STATUSES:
        raise ProxyError(_l("Only an open case can be put under full-process proxy."))
    agent = session.get(Staff, agent_id) if isinstance(agent_id, int) and not isinstance(agent_id, bool) else None
    if agent is None or agent.status is not StaffStatus.active or agent.center_id != case.center_id:
        raise ProxyError(_l("The agent must be active staff of the case's center."))
    # The one assigning picks among the staff in his own scope (a chief representative: his department's).
    in_scope = sa.select(Staff.id).where(Staff.id == agent.id, scope.clause(Staff)) if scope is not None else None
    if in_scope is not None and session.scalar(in_scope) is None:
        raise ProxyError(_l("The agent must be active staff of the case's center."))
    proxy = CaseProxy(
        case_id=case.id,
        agent_id=agent.id,
        key_project=project,
        proxy_fee=Decimal("0"),
        free_declared=True,
        assigned_at=now,
        assigned_by=who.name[:100],
    )
    try:
        with session.begin_nested():
            session.add(proxy)
    except IntegrityError:
        raise ProxyError(_l("This case is already under full-process proxy.")) from None
    return proxy


def add_entry(session: Session, who: Agent, now: datetime, proxy: CaseProxy, *, handled, at=None) -> ProxyEntry:
    """One row of the 承办表: what was handled for the applicant and when (default: now)."""
    text = _text(handled, _l("Say what was handled for the applicant."), 500)
    at = now if at is None else at
    if not isinstance(at, datetime):
        raise ProxyError(_l("Enter when it was handled as a date and time."))
    at = at.replace(tzinfo=None, microsecond=0)
    if at > now:
        raise ProxyError(_l("The time handled cannot be in the future."))
    case = proxy.case
    if at < (case.received_at or case.submitted_at):
        raise ProxyError(_l("The time handled cannot be before the case was received."))
    entry = ProxyEntry(
        proxy_id=proxy.id, at=at, handled=text, staff_id=who.staff_id, staff_name=who.name[:100], recorded_at=now
    )
    session.add(entry)
    session.flush()
    return entry


def record_callback(session: Session, who: Agent, now: datetime, proxy: CaseProxy, *, verdict, note=None) -> None:
    """The applicant's verdict after completion, once (a conditional UPDATE)."""
    if isinstance(verdict, str):
        verdict = CallbackVerdict.__members__.get(verdict)
    if not isinstance(verdict, CallbackVerdict):
        raise ProxyError(_l("Choose the applicant's verdict."))
    note = (note or "").strip() if isinstance(note, str) or note is None else None
    if note is None or len(note) > 500:
        raise ProxyError(_l("The text is too long (at most %(limit)s characters).", limit=500))
    if verdict is CallbackVerdict.dissatisfied and not note:
        raise ProxyError(_l("A dissatisfied verdict needs a note: what the applicant said."))
    completed = sa.select(Case.id).where(Case.id == CaseProxy.case_id, Case.status == CaseStatus.completed)
    done = session.execute(
        sa.update(CaseProxy)
        .where(CaseProxy.id == proxy.id, CaseProxy.callback_at.is_(None), completed.exists())
        .values(
            callback_at=now,
            callback_verdict=verdict,
            callback_note=note or None,
            callback_by=who.name[:100],
            version=CaseProxy.version + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        session.refresh(proxy)
        if proxy.callback_at is not None:
            raise ProxyError(_l("The call-back has already been recorded."))
        raise ProxyError(_l("The call-back is made once the case is completed."))
    session.expire(proxy)


def awaiting_callback():
    """SELECT of completed proxy cases not called back yet, oldest completion first."""
    return (
        sa.select(CaseProxy)
        .join(Case, Case.id == CaseProxy.case_id)
        .where(CaseProxy.callback_at.is_(None), Case.status == CaseStatus.completed)
        .order_by(Case.finished_at)
    )
