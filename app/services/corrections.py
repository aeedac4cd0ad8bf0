"""数据更正申请 (seed 000 第十四条): a wrong case fact is corrected through a request, never edited.

Window staff (or anyone who handles the case) file a request naming one correctable fact
(`CorrectionField`: the applicant's name, ID number and phone, and the fee recorded at the
decision — never the status, the clock, the deadline or the version, which the workflow
computes), the value asked for and the reason. The new value passes the validators of intake
(ID number or credit code check digit, phone normalization, the matter's fee rule) when filed
and again when approved.

The department's chief representative (duty department_chief), the head of the case's center
(center_head) or the center (center_approval) approves or rejects with a reason; nobody decides
their own request. On approval the system applies the change with one conditional UPDATE on
the case: it matches only while the fact still holds the value the request was filed against
and the case's version is the one just read, so a concurrent change is never overwritten — the
approval is refused with a message saying what the fact holds now. The request (an audited
record), the case change (one audit entry naming the request, with the values) and the case's own
event (CaseAction.correct: the field and the reason, so the version still counts the events) are
written in one transaction.
Two approvers at once: the request's version makes exactly one of them win. A refusal raises
CorrectionError and the caller rolls the transaction back (as with the other services).

Nothing else writes those facts after intake: `install_guard` refuses any ORM flush that changes
them on an existing case (a completed case's fee included), whatever path tries.
"""

from datetime import datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.models.audit import AuditAction, AuditLog
from app.models.case import ApplicantType, Case, CaseAction, CaseEvent, CaseResult
from app.models.correction import CorrectionField, CorrectionRequest, CorrectionStatus
from app.models.notice import NoticeKind
from app.services import notices
from app.services.case_flow.guards import allowed_fee
from app.services.idnumber import CREDIT_CODE_ERROR, valid_credit_code, valid_id_number
from app.services.phone import InvalidPhone, checked_phone
from config import ROLE_DUTIES

MAX_REASON = 500
MAX_VALUE = 100
# Who may file: whoever handles the case (row scope narrows it to the cases they hold); the center decides.
REQUESTERS = ROLE_DUTIES["window"] | ROLE_DUTIES["department_chief"] | ROLE_DUTIES["center_head"]
# Results that carry a fee (the fee rule of the decision applies to a corrected fee too).
FEE_RESULTS = (CaseResult.approved, CaseResult.default_approved)
# The facts the case flow never changes once a case exists; the fee only with the decision itself.
LOCKED = ("applicant_name", "applicant_id_number", "applicant_phone", "applicant_type")


class CorrectionError(Exception):
    """A refused request or decision; the message is for the user."""

    def __init__(self, message, code="refused"):
        super().__init__(str(message))
        self.code = code


class CaseFactsLocked(CorrectionError):
    """A direct write of a correctable case fact."""


def _field(value) -> CorrectionField:
    if isinstance(value, CorrectionField):
        return value
    field = CorrectionField.__members__.get(value) if isinstance(value, str) else None
    if field is None:
        raise CorrectionError(
            _l("This field cannot be corrected: only the applicant's name, ID number, phone and the fee can."),
            "field",
        )
    return field


def as_text(value) -> str | None:
    """A case fact as the request stores it."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    return str(value)


def _parsed_fee(case: Case, raw: str) -> Decimal:
    if case.fee is None or case.result not in FEE_RESULTS:
        raise CorrectionError(_l("Only the fee of an approved case can be corrected."), "input")
    try:
        fee = Decimal(raw.strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise CorrectionError(_l("Enter an amount in yuan."), "input") from None
    if not fee.is_finite() or fee < 0 or not allowed_fee(case.matter, fee):
        raise CorrectionError(
            _l("The fee %(fee)s does not match the matter's standard; it was not saved.", fee=fee), "input"
        )
    return fee


def validated(case: Case, field: CorrectionField, raw) -> object:
    """The value the case would store, checked as intake checks it; CorrectionError otherwise."""
    raw = raw if isinstance(raw, str) else ("" if raw is None else str(raw))
    if "\0" in raw or len(raw) > MAX_VALUE:
        raise CorrectionError(_l("The value is too long (at most %(limit)s characters).", limit=MAX_VALUE), "input")
    if field is CorrectionField.applicant_name:
        name = raw.strip()
        if not name:
            raise CorrectionError(_l("Enter the applicant's name."), "input")
        return name
    if field is CorrectionField.applicant_id_number:
        number = raw.strip().upper()
        if case.applicant_type is ApplicantType.organisation:
            if not valid_credit_code(number):
                raise CorrectionError(CREDIT_CODE_ERROR, "input")
        elif not valid_id_number(number):
            raise CorrectionError(_l("The ID card number is not valid (check digit or date wrong)."), "input")
        return number
    if field is CorrectionField.applicant_phone:
        try:
            return checked_phone(raw)
        except InvalidPhone as exc:
            raise CorrectionError(str(exc), "input") from None
    return _parsed_fee(case, raw)


def _text(value, message, limit=MAX_REASON) -> str:
    text = (value or "").strip()
    if not text:
        raise CorrectionError(message, "input")
    if len(text) > limit or "\0" in text:
        raise CorrectionError(_l("The text is too long (at most %(limit)s characters).", limit=limit), "input")
    return text


def request_correction(session: Session, actor, scope, now: datetime, *, case_id, field, new_value, reason):
    """File a pending request to change one fact of a case the actor's scope holds."""
    if not actor.roles & REQUESTERS:
        raise CorrectionError(_l("Corrections are requested by the staff who handle the case."), "actor")
    field = _field(field)
    case = (
        session.scalar(sa.select(Case).where(Case.id == case_id, scope.clause(Case)))
        if isinstance(case_id, int)
        else None
    )
    if case is None:
        raise CorrectionError(_l("No such case in your scope."), "scope")
    reason = _text(reason, _l("Give the reason for the correction."))
    value = validated(case, field, new_value)
    old = as_text(getattr(case, field.name))
    new = as_text(value) or ""
    if new == (old or ""):
        raise CorrectionError(_l("The new value is the same as the recorded one."), "input")
    pending = session.scalar(
        sa.select(CorrectionRequest.id).where(
            CorrectionRequest.case_id == case.id,
            CorrectionRequest.field == field,
            CorrectionRequest.status == CorrectionStatus.pending,
        )
    )
    if pending is not None:
        raise CorrectionError(_l("A correction of this field is already awaiting approval."), "duplicate")
    item = CorrectionRequest(
        case=case,
        department_id=case.department_id,
        center_id=case.center_id,
        field=field,
        old_value=old,
        new_value=new,
        reason=reason,
        status=CorrectionStatus.pending,
        requested_at=now,
        requested_by=actor.name[:100],
        requested_by_user_id=actor.user_id,
        staff_id=actor.staff_id,
    )
    session.add(item)
    session.flush()
    _notify(session, NoticeKind.correction_filed, item, _approvers(session, item), now)
    return item


def _notify(session: Session, kind: NoticeKind, item: CorrectionRequest, users: sa.Select, now: datetime) -> int:
    """Tell `users` (a select of user ids) about the request, once each."""
    users = users.subquery()
    if kind is NoticeKind.correction_filed:
        detail = f"{item.requested_by} 申请更正办件 {item.case.number} 的“{item.field.label}”，请审批。"
    else:
        note = item.decision_note or ""
        detail = f"办件 {item.case.number} “{item.field.label}”的更正申请：{item.status.label}。{note}"
    candidates = sa.select(
        users.c.user_id,
        sa.literal(f"correction:{item.id}:{kind.name}").label("key"),
        sa.literal(item.case_id, sa.Integer).label("case_id"),
        sa.literal(detail[:300]).label("detail"),
    ).where(users.c.user_id.is_not(None))
    return notices.insert(session.connection(), kind, candidates, now)


def _approvers(session: Session, item: CorrectionRequest) -> sa.Select:
    """The case's department's chief representatives but the requester; without one, the center."""
    staff = notices.STAFF
    chiefs = sa.select(staff.c.user_id.label("user_id")).where(notices.chief_reps(sa.literal(item.department_id)))
    if item.requested_by_user_id is not None:
        chiefs = chiefs.where(staff.c.user_id != item.requested_by_user_id)
    if session.scalar(sa.select(sa.exists(chiefs))):
        return chiefs
    center = notices.users_with_roles(*ROLE_DUTIES["center_approval"])
    return sa.select(center.c.user_id)


def may_decide(session: Session, actor, scope, item: CorrectionRequest) -> bool:
    """The center; the case's department's chief representative; the head of the case's center."""
    in_scope = session.scalar(
        sa.select(CorrectionRequest.id).where(CorrectionRequest.id == item.id, scope.clause(CorrectionRequest))
    )
    if in_scope is None:
        return False
    if actor.roles & ROLE_DUTIES["center_approval"]:
        return True
    if actor.roles & ROLE_DUTIES["department_chief"] and actor.department_id == item.department_id:
        return True
    return bool(actor.roles & ROLE_DUTIES["center_head"])


def _decide(session, actor, scope, item: CorrectionRequest, version):
    if not may_decide(session, actor, scope, item):
        raise CorrectionError(
            _l("A correction is approved by the department's chief representative or the center."), "actor"
        )
    if item.status is not CorrectionStatus.pending:
        raise CorrectionError(_l("This request has already been decided."), "state")
    if str(item.version) != str(version):
        raise CorrectionError(_l("Someone else changed this record meanwhile; reload the page."), "stale")
    if item.requested_by_user_id is not None and item.requested_by_user_id == actor.user_id:
        raise CorrectionError(_l("You cannot decide your own correction request."), "actor")


def _flush_decision(session: Session):
    """The request's UPDATE checks its version: of two approvers at once, the second finds none."""
    try:
        session.flush()
    except StaleDataError:
        raise CorrectionError(_l("This request has already been decided."), "state") from None


def approve(session: Session, actor, scope, item: CorrectionRequest, version, now: datetime, *, note=None):
    """Approve, and apply the change to the case in the same transaction (or refuse both)."""
    _decide(session, actor, scope, item, version)
    case = item.case
    table = Case.__table__
    column = table.c[item.field.name]
    current_version, current, status, step = session.execute(
        sa.select(table.c.version, column, table.c.status, table.c.step_seq).where(table.c.id == item.case_id)
    ).one()
    if as_text(current) != item.old_value:
        raise CorrectionError(
            _l(
                "The case's %(field)s has changed since the request was filed (it is now “%(now)s”): "
                "the correction was not applied. Reject this request and file a new one if still needed.",
                field=item.field.label,
                now=as_text(current) or "—",
            ),
            "stale",
        )
    value = validated(case, item.field, item.new_value)  # the rules of today, not of the filing day
    item.status, item.decided_at, item.decided_by = CorrectionStatus.applied, now, actor.name[:100]
    item.decision_note = (note or "").strip()[:MAX_REASON] or None
    _flush_decision(session)
    matches = column.is_(None) if current is None else column == current
    updated = session.execute(
        sa.update(Case.__table__)
        .where(Case.__table__.c.id == item.case_id, Case.__table__.c.version == current_version, matches)
        .values({column.name: value, "version": current_version + 1})
    ).rowcount
    if updated != 1:
        raise CorrectionError(
            _l("The case was changed by someone else at the same moment; nothing was applied. Try again."), "stale"
        )
    # The case's own history: like every change of the case, one event (the values stay in the audit log).
    session.add(
        CaseEvent(
            case_id=item.case_id,
            action=CaseAction.correct,
            at=now,
            actor_id=actor.user_id,
            actor_name=actor.name[:100],
            from_status=status,
            to_status=status,
            from_step=step,
            to_step=step,
            note=f"{item.field.label}：{item.reason}"[:1000],
            data={"correction_request": item.id, "field": item.field.name},
        )
    )
    session.flush()
    session.execute(
        sa.insert(AuditLog.__table__),
        {
            "at": now,
            "actor_id": actor.user_id,
            "actor_name": actor.name[:100],
            "action": AuditAction.update.name,
            "table_name": Case.__tablename__,
            "row_id": str(item.case_id),
            "summary": f"{case.number} 数据更正申请 #{item.id}"[:200],
            "changes": {item.field.name: [as_text(current), as_text(value)], "correction_request": [None, item.id]},
        },
    )
    session.expire(case)
    _notify_requester(session, item, now)
    return item


def _notify_requester(session: Session, item: CorrectionRequest, now: datetime) -> None:
    if item.requested_by_user_id is not None:
        requester = sa.select(sa.literal(item.requested_by_user_id, sa.Integer).label("user_id"))
        _notify(session, NoticeKind.correction_decided, item, requester, now)


def reject(session: Session, actor, scope, item: CorrectionRequest, version, now: datetime, *, note):
    _decide(session, actor, scope, item, version)
    item.decision_note = _text(note, _l("Give the reason for rejecting the correction."))
    item.status, item.decided_at, item.decided_by = CorrectionStatus.rejected, now, actor.name[:100]
    _flush_decision(session)
    _notify_requester(session, item, now)
    return item


ACTIONS = {"approve": approve, "reject": reject}


def _refuse_direct_writes(session, flush_context, instances):
    for obj in session.dirty:
        if not isinstance(obj, Case):
            continue
        state = inspect(obj)
        changed = [name for name in LOCKED if state.attrs[name].history.has_changes()]
        fee = state.attrs["fee"].history
        if fee.has_changes() and fee.deleted and fee.deleted[0] is not None:
            if not state.attrs["status"].history.has_changes():
                changed.append("fee")
        if changed:
            raise CaseFactsLocked(
                _l("Case facts are changed only through an approved correction request (数据更正申请)."), "direct"
            )


def install_guard(session_class) -> None:
    """Refuse direct ORM writes of correctable facts on existing cases (once per session class)."""
    if not event.contains(session_class, "before_flush", _refuse_direct_writes):
        event.listen(session_class, "before_flush", _refuse_direct_writes)
