"""好差评: taking a rating, the default rating, and opening a rectification for a bad one.

Levels 5 非常满意 … 1 非常不满意; 1–2 are bad reviews and each opens exactly one
rectification, assigned to the department's chief representative with
working-day limits for contacting the applicant and for rectifying.

Every service outcome can be rated (004 第十三条: 确保每个政务服务事项均可评价): a completed
case — approved, denied (不予许可) or approved by default — and a returned one (退回, the
not-qualified and the abandoned alike). A case the applicant withdrew has no outcome of the
center's to rate. The default rating covers the same finished cases.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models.case import Case, CaseStatus
from app.models.feedback import BAD_LEVELS, Evaluation, EvaluationChannel, Rectification
from app.models.org import Staff, StaffPosition, StaffStatus
from app.services import calendar as calendar_service
from app.services import settings
from app.services.deadlines import OfficeHours, deadline, parse_office_hours
from app.services.workdays import WorkCalendar

TAGS = ("办事效率高", "服务态度好", "一次办成", "指引清楚", "等候时间长", "态度生硬", "材料要求不清", "多次跑腿")
MAX_COMMENT = 500
MAX_TAGS = 8  # a form carries at most this many; more is a forged post
RATEABLE_STATUSES = (CaseStatus.completed, CaseStatus.returned)


class EvaluationError(Exception):
    pass


@dataclass(frozen=True)
class Limits:
    calendar: WorkCalendar
    hours: OfficeHours
    contact_days: int = 1
    rectify_days: int = 5


def already_rated(session: Session, case: Case, channel: EvaluationChannel, rule: str) -> bool:
    """Whether the rule leaves no rating open for `case` on `channel` (per channel, or once per case)."""
    earlier = sa.select(Evaluation.id).where(Evaluation.case_id == case.id)
    if rule != "once":
        earlier = earlier.where(Evaluation.channel == channel)
    return session.scalar(earlier.limit(1)) is not None


def rate(
    session: Session,
    case: Case,
    *,
    level,
    channel: EvaluationChannel,
    now: datetime,
    limits: Limits,
    rule: str = "per_channel",
    tags=(),
    comment: str | None = None,
) -> Evaluation:
    """Record the applicant's rating of a finished case; a bad one opens its rectification."""
    try:
        level = int(level)
    except (TypeError, ValueError):
        raise EvaluationError(_l("Choose a rating from 1 to 5.")) from None
    if not 1 <= level <= 5:
        raise EvaluationError(_l("Choose a rating from 1 to 5."))
    comment = (comment or "").strip() or None
    if comment and len(comment) > MAX_COMMENT:
        raise EvaluationError(_l("The comment is too long (at most 500 characters)."))
    tags = [tag for tag in tags if tag]
    if any(tag not in TAGS for tag in tags):
        raise EvaluationError(_l("Unknown tag."))
    if case.status not in RATEABLE_STATUSES:
        raise EvaluationError(_l("Only a completed, denied or returned case can be rated."))
    if already_rated(session, case, channel, rule):
        raise EvaluationError(_l("This case has already been rated."))
    evaluation = Evaluation(
        case_id=case.id,
        center_id=case.center_id,
        department_id=case.department_id,
        window_id=case.window_id,
        staff_id=case.accepted_by_id,
        level=level,
        channel=channel,
        is_default=False,
        tags=tags or None,
        comment=comment,
        created_at=now,
    )
    session.add(evaluation)
    try:
        session.flush()
    except IntegrityError:
        raise EvaluationError(_l("This case has already been rated.")) from None
    if level in BAD_LEVELS:
        open_rectification(session, evaluation, now, limits)
    return evaluation


def load_limits(session: Session) -> Limits:
    """The center's working calendar, office hours and rectification limits, from the settings."""
    return Limits(
        calendar_service.load(session),
        parse_office_hours(settings.get(session, "office_hours")),
        int(settings.get(session, "rectify_contact_days")),
        int(settings.get(session, "rectify_days")),
    )


def capture(
    session: Session, case: Case, *, channel: EvaluationChannel, now: datetime, level, tags=(), comment=None
) -> Evaluation:
    """Take one rating as a person gave it — staff recording a phone call-back, or the public on the
    portal or the window device — under the center's settings, and commit it.

    On a refusal the transaction is rolled back (a lost race leaves the session unusable) and the
    EvaluationError with its Chinese message is raised for the caller to show.
    """
    try:
        evaluation = rate(
            session,
            case,
            level=level,
            channel=channel,
            now=now,
            limits=load_limits(session),
            rule=settings.get(session, "evaluation_rule"),
            tags=list(tags)[:MAX_TAGS],
            comment=comment,
        )
    except EvaluationError:
        session.rollback()
        raise
    session.commit()
    return evaluation


def open_rectification(session: Session, evaluation: Evaluation, now: datetime, limits: Limits) -> Rectification:
    chief = session.scalar(
        sa.select(Staff.id)
        .where(
            Staff.department_id == evaluation.department_id,
            Staff.position == StaffPosition.chief_rep,
            Staff.status == StaffStatus.active,
        )
        .order_by(Staff.staff_no)
        .limit(1)
    )
    rectification = Rectification(
        evaluation_id=evaluation.id,
        department_id=evaluation.department_id,
        assignee_id=chief,
        opened_at=now,
        contact_due_at=deadline(now, limits.contact_days, limits.calendar, limits.hours).due_at,
        rectify_due_at=deadline(now, limits.rectify_days, limits.calendar, limits.hours).due_at,
    )
    session.add(rectification)
    session.flush()
    return rectification


def apply_defaults(session: Session, now: datetime, since: datetime | None, *, days: int, level: int) -> int:
    """Rateable cases finished more than `days` natural days ago and never rated get the default
    rating, marked as default. Set-based; a routine run only looks at the cases whose
    waiting time ran out in (since, now]."""
    case = Case.__table__
    cutoff = now - timedelta(days=days)
    conditions = [case.c.status.in_([status.name for status in RATEABLE_STATUSES]), case.c.finished_at <= cutoff]
    if since is not None:
        conditions.append(case.c.finished_at > since - timedelta(days=days))
    unrated = sa.select(
        case.c.id,
        case.c.center_id,
        case.c.department_id,
        case.c.window_id,
        case.c.accepted_by_id,
        sa.literal(level),
        sa.literal(EvaluationChannel.default.name),
        sa.literal(True),
        sa.literal(now),
    ).where(*conditions, ~sa.exists().where(Evaluation.case_id == case.c.id))
    return session.execute(
        sa.insert(Evaluation.__table__).from_select(
            [
                "case_id",
                "center_id",
                "department_id",
                "window_id",
                "staff_id",
                "level",
                "channel",
                "is_default",
                "created_at",
            ],
            unrated,
        ),
        execution_options={"preserve_rowcount": True},
    ).rowcount
