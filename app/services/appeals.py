"""Appeals (申诉) against automatically detected violations and automatic deductions (issue 14 §5).

- `file`: the staff member whose violation or automatic deduction it is appeals it within
  `appeal_days` working days (setting, 3) of the day it happened (a deduction: of the day it was
  written, when the monthly job wrote it later), with a reason and text
  evidence (no file uploads: a written account, document numbers, who can confirm it). A
  deduction written from a violation is appealed as that violation.
- `comment`: the department's chief representative (duty `department_chief`) comments. A
  chief representative's own appeal has nobody above it in the department: it goes straight
  to the supervisors.
- `decide`: a supervisor (duty `appeal_review`) upholds the deduction or cancels it. A
  cancelled violation is marked cancelled, so it counts neither in the scores nor towards the
  quarter's violations; a cancelled automatic record is deleted and the collection never writes
  its (rule, source) again. A month already scored is scored again, and a quarter already
  assessed is assessed again.

Every step writes the appeal row (audited: Appeal is `Audited`) and tells the next person in
the inbox. Functions take (session, actor, …, now) and refuse with AppealError (message for the
user, `code` for tests), changing nothing; the caller commits.
"""

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.models.appeal import Appeal, AppealStatus
from app.models.assessment import AssessmentOrigin, AssessmentRecord, MonthlyScore, QuarterlyResult
from app.models.case import Violation, ViolationStatus
from app.models.notice import NoticeKind
from app.services import calendar as calendar_service
from app.services import notices, scoring_month, scoring_periods, settings
from config import ROLE_DUTIES

MAX_REASON = 2000
MAX_EVIDENCE = 4000
VIOLATION_SOURCE = "violation:"
# The file form lists what happened this long ago at most (the appeal period is far shorter).
LOOKBACK = timedelta(days=62)


class AppealError(Exception):
    def __init__(self, message, code="refused"):
        super().__init__(str(message))
        self.code = code


def _text(value, limit, message=None):
    text = (value or "").strip()
    if message is not None and not text:
        raise AppealError(message, "input")
    if len(text) > limit:
        raise AppealError(_l("The text is too long (at most %(limit)s characters).", limit=limit), "input")
    if "\0" in text:
        raise AppealError(_l("The text contains characters that are not allowed."), "input")
    return text or None


def _require_version(appeal: Appeal, version):
    if str(appeal.version) != str(version):
        raise AppealError(_l("Someone else changed this appeal meanwhile; reload the page."), "stale")


def _require_status(appeal: Appeal, *allowed):
    if appeal.status not in allowed:
        raise AppealError(
            _l("This is not possible while the appeal is “%(status)s”.", status=appeal.status.label), "state"
        )


def last_day(session: Session, happened_on: date) -> date:
    """The last day of the appeal period: the `appeal_days`-th working day after the day it happened."""
    days = int(settings.get(session, "appeal_days"))
    return calendar_service.load(session).add_workdays(happened_on, days)


# ---------------------------------------------------------------------------
# What is appealed
# ---------------------------------------------------------------------------


def _violation_target(session, violation: Violation | None) -> dict:
    if violation is None:
        raise AppealError(_l("Choose the violation or deduction to appeal."), "input")
    if violation.status is ViolationStatus.pending:
        raise AppealError(_l("This violation is still to be confirmed by a supervisor: no appeal is needed."), "state")
    if violation.status is not ViolationStatus.confirmed:
        raise AppealError(_l("This violation no longer counts: there is nothing to appeal."), "state")
    return {
        "staff_id": violation.staff_id,
        "violation_id": violation.id,
        "happened_on": violation.at.date(),
        "month": violation.at.date().replace(day=1),
        "subject": f"{violation.kind.label} {violation.at:%Y-%m-%d}：{violation.detail}"[:500],
        "case_id": violation.case_id,
    }


def _target(session, *, violation_id=None, record_id=None) -> dict:
    if record_id is None:
        return _violation_target(session, session.get(Violation, violation_id) if violation_id else None)
    record = session.get(AssessmentRecord, record_id)
    if record is None or record.origin is not AssessmentOrigin.automatic or record.points >= 0:
        raise AppealError(_l("Only automatic deductions can be appealed here."), "input")
    if (record.source_key or "").startswith(VIOLATION_SOURCE):
        number = record.source_key[len(VIOLATION_SOURCE) :]
        return _violation_target(session, session.get(Violation, int(number)) if number.isdigit() else None)
    return {
        "staff_id": record.staff_id,
        "record_id": record.id,
        "rule_id": record.rule_id,
        "source_key": record.source_key,
        "points": record.points,
        # A record written by the month's job after the fact is appealable from the day it was written.
        "happened_on": max(record.occurred_at.date(), record.recorded_at.date()),
        "month": record.month,
        "subject": f"{record.rule.name} {record.occurred_at:%Y-%m-%d}（{record.points} 分）"[:500],
        "case_id": None,
    }


def _appealed(session, target) -> bool:
    if target.get("violation_id"):
        condition = Appeal.violation_id == target["violation_id"]
    else:
        condition = sa.and_(Appeal.rule_id == target["rule_id"], Appeal.source_key == target["source_key"])
    return session.scalar(sa.select(Appeal.id).where(condition)) is not None


def appealable(session: Session, actor, now: datetime) -> list[tuple[str, str]]:
    """("violation:ID" or "record:ID", label) of the actor's violations and automatic deductions
    still open to appeal, newest first: the choices of the file form."""
    if actor.staff_id is None:
        return []
    since = now - LOOKBACK
    violations = session.scalars(
        sa.select(Violation)
        .where(
            Violation.staff_id == actor.staff_id,
            Violation.status == ViolationStatus.confirmed,
            Violation.at >= since,
            ~sa.exists().where(Appeal.violation_id == Violation.id),
        )
        .order_by(Violation.at.desc())
    ).all()
    records = session.scalars(
        sa.select(AssessmentRecord)
        .where(
            AssessmentRecord.staff_id == actor.staff_id,
            AssessmentRecord.origin == AssessmentOrigin.automatic,
            AssessmentRecord.points < 0,
            AssessmentRecord.recorded_at >= since,
            sa.not_(AssessmentRecord.source_key.startswith(VIOLATION_SOURCE)),
            ~sa.exists().where(
                Appeal.rule_id == AssessmentRecord.rule_id, Appeal.source_key == AssessmentRecord.source_key
            ),
        )
        .order_by(AssessmentRecord.recorded_at.desc())
    ).all()
    choices = [(f"violation:{v.id}", _violation_target(session, v)) for v in violations]
    choices += [(f"record:{r.id}", _target(session, record_id=r.id)) for r in records]
    today = now.date()
    return [(key, target["subject"]) for key, target in choices if last_day(session, target["happened_on"]) >= today]


# ---------------------------------------------------------------------------
# Notices
# ---------------------------------------------------------------------------


def _notify(session, kind: NoticeKind, appeal: Appeal, users: sa.Select, now: datetime, case_id=None) -> int:
    """Tell `users` (a select of user ids) about the appeal's step, once each."""
    users = users.subquery()
    asks = {
        NoticeKind.appeal_filed: "请首席代表签署意见。",
        NoticeKind.appeal_commented: "请督查作出决定。",
    }
    outcome = {AppealStatus.upheld: "维持扣分", AppealStatus.cancelled: "撤销扣分"}.get(appeal.status, "")
    ask = asks.get(kind, f"决定：{outcome}。{appeal.decision_note or ''}")
    detail = f"{appeal.staff.name} 对“{appeal.subject}”的申诉：{ask}"[:300]
    candidates = sa.select(
        users.c.user_id,
        sa.literal(f"appeal:{appeal.id}:{kind.name}").label("key"),
        sa.literal(case_id, sa.Integer).label("case_id"),
        sa.literal(detail).label("detail"),
    ).where(users.c.user_id.is_not(None))
    return notices.insert(session.connection(), kind, candidates, now)


def _chief_reps(appeal: Appeal) -> sa.Select:
    staff = notices.STAFF
    return sa.select(staff.c.user_id.label("user_id")).where(
        notices.chief_reps(sa.literal(appeal.department_id)), staff.c.id != appeal.staff_id
    )


def _reviewers() -> sa.Select:
    users = notices.users_with_roles(*ROLE_DUTIES["appeal_review"])
    return sa.select(users.c.user_id)


def _appellant(appeal: Appeal) -> sa.Select:
    staff = notices.STAFF
    return sa.select(staff.c.user_id.label("user_id")).where(staff.c.id == appeal.staff_id)


# ---------------------------------------------------------------------------
# Steps
# ---------------------------------------------------------------------------


def file(session: Session, actor, now: datetime, *, violation_id=None, record_id=None, reason, evidence=None) -> Appeal:
    """The staff member's appeal of their own violation or automatic deduction, in time."""
    target = _target(session, violation_id=violation_id, record_id=record_id)
    if actor.staff_id is None or target["staff_id"] != actor.staff_id:
        raise AppealError(_l("You may appeal only your own violations and deductions."), "actor")
    until = last_day(session, target["happened_on"])
    if now.date() > until:
        raise AppealError(
            _l(
                "The appeal period has passed: appeals are accepted within %(days)s working days, until %(date)s.",
                days=settings.get(session, "appeal_days"),
                date=until.isoformat(),
            ),
            "late",
        )
    if _appealed(session, target):
        raise AppealError(_l("This has already been appealed."), "duplicate")
    reason = _text(reason, MAX_REASON, _l("Give the reason for the appeal."))
    evidence = _text(evidence, MAX_EVIDENCE)
    case_id = target.pop("case_id")
    target.pop("happened_on")
    own_chief = bool(actor.roles & ROLE_DUTIES["department_chief"])
    appeal = Appeal(
        **target,
        department_id=actor.department_id,
        reason=reason,
        evidence=evidence,
        status=AppealStatus.commented if own_chief else AppealStatus.filed,
        filed_at=now,
        filed_by=actor.name[:100],
    )
    session.add(appeal)
    session.flush()
    if own_chief:
        _notify(session, NoticeKind.appeal_commented, appeal, _reviewers(), now, case_id)
    else:
        _notify(session, NoticeKind.appeal_filed, appeal, _chief_reps(appeal), now, case_id)
    return appeal


def comment(session: Session, actor, appeal: Appeal, version, now: datetime, *, text) -> Appeal:
    """The department's chief representative's comment; the appeal goes to the supervisors."""
    chief = bool(actor.roles & ROLE_DUTIES["department_chief"]) and actor.department_id == appeal.department_id
    if not chief or actor.staff_id == appeal.staff_id:
        raise AppealError(_l("Only the department's chief representative comments on an appeal."), "actor")
    _require_status(appeal, AppealStatus.filed)
    _require_version(appeal, version)
    appeal.chief_comment = _text(text, MAX_REASON, _l("Write the comment."))
    appeal.commented_by, appeal.commented_at = actor.name[:100], now
    appeal.status = AppealStatus.commented
    session.flush()
    _notify(session, NoticeKind.appeal_commented, appeal, _reviewers(), now, _case_id(appeal))
    return appeal


def decide(session: Session, actor, appeal: Appeal, version, now: datetime, *, cancel: bool, note) -> Appeal:
    """A supervisor upholds the deduction or cancels it (the scores and counts follow)."""
    if not actor.roles & ROLE_DUTIES["appeal_review"] or actor.staff_id == appeal.staff_id:
        raise AppealError(_l("Only a supervisor decides an appeal."), "actor")
    if appeal.status is AppealStatus.filed:
        raise AppealError(_l("The department's chief representative comments on the appeal first."), "state")
    _require_status(appeal, AppealStatus.commented)
    _require_version(appeal, version)
    appeal.decision_note = _text(note, MAX_REASON, _l("Give the reason for the decision."))
    appeal.decided_by, appeal.decided_at = actor.name[:100], now
    appeal.status = AppealStatus.cancelled if cancel else AppealStatus.upheld
    if cancel:
        _cancel(session, actor, appeal, now)
    session.flush()
    if cancel:
        rescore_scored(session, {appeal.month}, now)
    _notify(session, NoticeKind.appeal_decided, appeal, _appellant(appeal), now, _case_id(appeal))
    return appeal


def _case_id(appeal: Appeal):
    return appeal.violation.case_id if appeal.violation is not None else None


def _cancel(session, actor, appeal: Appeal, now):
    if appeal.violation is not None:
        appeal.violation.status = ViolationStatus.cancelled
        appeal.violation.decided_by, appeal.violation.decided_at = actor.name[:100], now
        # Its records (violation:ID) would leave with the next collection; they go now, audited.
        records = session.scalars(
            sa.select(AssessmentRecord).where(
                AssessmentRecord.source_key == f"{VIOLATION_SOURCE}{appeal.violation_id}",
                AssessmentRecord.origin == AssessmentOrigin.automatic,
            )
        ).all()
    else:
        records = [appeal.record] if appeal.record is not None else []
        appeal.record = None
    for record in records:
        session.delete(record)


def rescore_scored(session: Session, months, now: datetime) -> int:
    """Score again the months already scored among `months`, and assess again their quarters
    already assessed: a change to what counts reaches the published figures."""
    rows = 0
    quarters = set()
    for month in sorted({m.replace(day=1) for m in months}):
        if session.scalar(sa.select(MonthlyScore.id).where(MonthlyScore.month == month).limit(1)) is None:
            continue
        rows += scoring_month.run_month(session, month, now)
        quarters.add(scoring_periods.quarter_of(month))
    for quarter in sorted(quarters):
        assessed = sa.select(QuarterlyResult.id).where(QuarterlyResult.quarter_start == quarter).limit(1)
        if session.scalar(assessed) is not None:
            rows += scoring_periods.assess_quarter(session, quarter, now)
    return rows
