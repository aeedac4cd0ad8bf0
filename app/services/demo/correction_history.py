"""数据更正申请 as a year leaves them: a phone number corrected (approved by the chief
representative and applied), a name correction rejected after checking the originals, and a
phone correction still waiting — filed by the clerks who took the cases in, through the service."""

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from app.models.case import Case
from app.models.org import Staff
from app.services import corrections
from app.services.scope import scope_for
from config import ROLE_SCOPES

# (field, decision, filed days ago)
PLANS = (
    ("applicant_phone", "approved", 20),
    ("applicant_name", "rejected", 12),
    ("applicant_phone", None, 1),
)
REASONS = {
    "applicant_phone": "受理时联系电话录入错误，申请人来电核实后申请更正",
    "applicant_name": "申请人反映姓名录入有误（同音字），申请更正",
}
NAMES = ("王建军", "李秀英", "张志刚", "刘桂兰", "陈国华")
REJECTION = "经核对申请材料原件，登记信息无误，不予更正"


def seed_corrections(session, cast, now: datetime, rng) -> dict:
    clerks = {actor.staff_id: actor for actor in cast.staff}
    cases = session.scalars(
        sa.select(Case)
        .where(
            Case.accepted_at.between(now - timedelta(days=60), now - timedelta(days=25)),
            Case.accepted_by_id.in_(list(clerks)),
            Case.department_id.in_(list(cast.chiefs)),
        )
        .order_by(Case.id)
        .limit(200)
    ).all()
    rng.shuffle(cases)
    pool = iter(cases)
    counts: dict[str, int] = {}
    for field, decision, days_ago in PLANS:
        filed_at = min(
            datetime.combine((now - timedelta(days=days_ago)).date(), time(9, 0))
            + timedelta(minutes=rng.randint(0, 420)),
            now - timedelta(hours=1),
        )
        found = _file(session, cast, clerks, pool, rng, field, filed_at)
        if found is None:
            break
        item, chief = found
        decided_at = min(filed_at + timedelta(hours=20), now - timedelta(minutes=30))
        # A refusal from here on would be a fault of the demo: it is raised, not skipped.
        if decision == "approved":
            chief_actor = cast.acting(session, chief)
            corrections.approve(session, chief_actor, _scope(session, chief), item, item.version, decided_at)
        elif decision == "rejected":
            chief_actor = cast.acting(session, chief)
            corrections.reject(
                session, chief_actor, _scope(session, chief), item, item.version, decided_at, note=REJECTION
            )
        counts[item.status.name] = counts.get(item.status.name, 0) + 1
    return counts


def _file(session, cast, clerks, pool, rng, field, filed_at):
    """The request filed by the clerk who took in the next case that takes one (its own department's,
    not the chief's own intake); None when the cases run out."""
    for case in pool:
        clerk, chief = clerks[case.accepted_by_id], cast.chiefs[case.department_id]
        if clerk.staff_id == chief.staff_id or case.accepted_at >= filed_at:
            continue
        value = f"139{rng.randrange(10**8):08d}" if field == "applicant_phone" else rng.choice(NAMES)
        try:
            item = corrections.request_correction(
                session,
                cast.acting(session, clerk),
                _scope(session, clerk),
                filed_at,
                case_id=case.id,
                field=field,
                new_value=value,
                reason=REASONS[field],
            )
        except corrections.CorrectionError:  # refused before anything is written: the next case
            continue
        return item, chief
    return None


def _scope(session, actor):
    return scope_for(actor.roles, ROLE_SCOPES, session.get(Staff, actor.staff_id))
