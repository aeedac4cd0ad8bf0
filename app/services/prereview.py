"""Pre-review (预审) of online applications (issue 17.3; seed 002: 网上接件、预审).

An application submitted on the portal (services/applications.py) waits in its department's
queue (and its township's, for a center scope). Window staff of the matter's department (or the
township window of the application's center) review it within `prereview_limit_days` working
days (counted like the case clock: the day received is day 0, due at closing time of the N-th
working day after it) and do one of three things:

- pass: the case is accepted (case_flow.intake, channel online, every required material
  received): its clock runs from the pass, per the existing rules; `Application.case_id` links it.
- request_correction (一次性告知): one notice listing every missing or defective material and
  why. Once per application: a second request is refused. The applicant's resubmission brings
  it back to the queue with a new limit.
- refuse: not within the matter (不属于本事项受理范围), with the reason.

The scan (job warning_scan, `scan`):
- a pre-review past its limit is flagged once per round: one violation (prereview_overdue) of the
  department's window, and one notice to its chief representatives, the center (duty
  center_notices) and, for a township's application, the township's heads;
- 行政许可法 §32: an application not answered with a correction notice within 5 working days of
  its receipt counts as accepted on its receipt date. The system accepts it itself: the case's
  clock runs from the receipt, and the case is flagged `deemed_accepted` (视为受理). A joint
  matter's (联办) it cannot accept, as only a person can name the co-departments: it records the
  acceptance on receipt on the application (an ApplicationEvent `deemed_accepted`), tells the
  department's chief representatives and the center once, and the reviewer's pass, naming them,
  accepts the case on the receipt date, `deemed_accepted` too. Such an application may no longer
  be asked for a correction or refused: the law has accepted it.

Two reviewers at once: every decision is one conditional UPDATE on (id, status, version), so
exactly one wins and the other is told in Chinese what happened.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.models.application import (
    AWAITING_REVIEW_STATUSES,
    Application,
    ApplicationAction,
    ApplicationEvent,
    ApplicationStatus,
)
from app.models.case import Channel, Violation, ViolationKind
from app.models.matter import CaseKind, Matter
from app.models.notice import NoticeKind
from app.models.org import RecordStatus, Staff, StaffStatus, Window
from app.services import notices, settings
from app.services.case_flow import Actor, CaseError, Clock, intake
from app.services.case_flow import Application as Intake
from app.services.case_flow.clock import recompute_deadline, record_overdue, start_step
from app.services.case_flow.guards import TOWNSHIP_ROLES, WINDOW_ROLES
from app.services.deadlines import deadline
from config import ROLE_DUTIES

SYSTEM = "系统"
# 行政许可法 §32: 逾期不告知的，自收到申请材料之日起即为受理. Fixed by law, not a setting.
DEEMED_ACCEPTANCE_DAYS = 5
APPLICATION = Application.__table__
EVENT = ApplicationEvent.__table__
VIOLATION = Violation.__table__
STAFF = notices.STAFF
AWAITING = [status.name for status in AWAITING_REVIEW_STATUSES]
# The system accepting for the matter's department (§32): window work without a person or a desk;
# the department is the application's (set per call).
SYSTEM_ROLES = WINDOW_ROLES - TOWNSHIP_ROLES


class PreReviewError(Exception):
    """A decision was refused; the message is for the user. Nothing was changed."""

    def __init__(self, message):
        super().__init__(str(message))


class StaleApplication(PreReviewError):
    pass


@dataclass(frozen=True)
class Defect:
    """One line of the correction notice: a material of the matter (or None: something else) and why."""

    material_id: int | None
    reason: str


# -- when ----------------------------------------------------------------------------------


def review_due(session: Session, received_at: datetime, clock: Clock | None = None) -> datetime:
    """When the pre-review of an application received (or resubmitted) at `received_at` is due:
    closing time of the `prereview_limit_days`-th working day after the day received."""
    clock = clock or Clock.load(session)
    days = int(settings.get(session, "prereview_limit_days"))
    return deadline(received_at, days, clock.calendar, clock.hours).due_at


def deemed_at(received_at: datetime, clock: Clock) -> datetime:
    """行政许可法 §32: past this instant (closing time of the 5th working day after the day
    received) an application with no correction notice counts as accepted on its receipt."""
    return deadline(received_at, DEEMED_ACCEPTANCE_DAYS, clock.calendar, clock.hours).due_at


# -- who -----------------------------------------------------------------------------------


def _reviewer(session: Session, actor: Actor, application: Application) -> Staff:
    """Window staff (or the chief) of the application's department, or the township window of its center."""
    staff = session.get(Staff, actor.staff_id) if actor.staff_id else None
    if staff is None or staff.status is not StaffStatus.active or not actor.roles & WINDOW_ROLES:
        raise PreReviewError(_l("Only window staff on duty may pre-review applications."))
    township = actor.roles & TOWNSHIP_ROLES and staff.center_id == application.center_id
    if not township and staff.department_id != application.department_id:
        raise PreReviewError(_l("This application belongs to another department."))
    return staff


def deemed(session: Session, application: Application) -> bool:
    """Has the §32 scan recorded this (joint) application as accepted on its receipt, awaiting the
    pass that names its co-departments?"""
    return bool(session.scalar(sa.select(_deemed_event(application.id))))


def _deemed_event(application_id):
    return sa.exists().where(
        EVENT.c.application_id == application_id, EVENT.c.action == ApplicationAction.deemed_accepted.name
    )


def _not_deemed(session: Session, application: Application) -> None:
    if deemed(session, application):
        raise PreReviewError(
            _l("This application counts as accepted on receipt (行政许可法 §32): pass it, naming the co-departments.")
        )


def may_review(session: Session, actor: Actor, application: Application) -> bool:
    try:
        _reviewer(session, actor, application)
    except PreReviewError:
        return False
    return application.status in AWAITING_REVIEW_STATUSES


# -- the one write of every decision -------------------------------------------------------

_DONE = {
    ApplicationStatus.passed: _l("This application has already passed pre-review (by someone else)."),
    ApplicationStatus.refused: _l("This application has already been refused."),
    ApplicationStatus.withdrawn: _l("The applicant has withdrawn this application."),
    ApplicationStatus.correction_requested: _l(
        "A correction has already been requested; the application returns when the applicant resubmits."
    ),
}


def _version(version) -> int:
    if isinstance(version, str) and version.isascii() and version.isdigit() and len(version) < 10:
        version = int(version)
    if isinstance(version, bool) or not isinstance(version, int):
        raise PreReviewError(_l("Send the application's version (a whole number, as last read)."))
    return version


def _move(session, application, version, *conditions, **values) -> None:
    """One conditional UPDATE: the application moves only while awaiting pre-review, at the
    version the actor read, and when `conditions` hold; otherwise nothing changes and the actor
    is told why."""
    version = _version(version) if version is not None else application.version
    moved = session.execute(
        sa.update(Application)
        .where(
            Application.id == application.id,
            Application.version == version,
            Application.status.in_(AWAITING_REVIEW_STATUSES),
            *conditions,
        )
        .values(version=Application.version + 1, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(application)
    if moved == 1:
        return
    if application.status not in AWAITING_REVIEW_STATUSES:
        raise PreReviewError(
            _DONE.get(
                application.status,
                _l("This is not possible while the application is “%(status)s”.", status=application.status.label),
            )
        )
    if application.version != version:
        raise StaleApplication(_l("The application was changed by someone else. Reload it and try again."))
    raise PreReviewError(_l("A correction may be requested only once (一次性告知); pass or refuse it now."))


def _event(session, application, action, now, actor_name, note=None):
    session.add(
        ApplicationEvent(
            application_id=application.id, action=action, at=now, actor_name=actor_name, note=(note or None)
        )
    )


def _text(value, message, limit=1000):
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise PreReviewError(message)
    if len(text) > limit:
        raise PreReviewError(_l("The text is too long (at most %(n)s characters).", n=limit))
    return text


# -- the three decisions -------------------------------------------------------------------


def pass_review(
    session: Session, actor: Actor, now: datetime, application: Application, version, clock=None, co_department_ids=()
):
    """通过: the case is accepted now (channel online; the clock from the pass). Returns
    case_flow's Outcome. A joint matter's (联办) pass names its co-departments as window intake
    does (`co_department_ids`, checked by case_flow's accept: departments in use, at least one):
    the case gets one task per co-department. One the §32 scan recorded as accepted on receipt
    (`deemed`) is accepted on its receipt date, `deemed_accepted`, its tasks due with the case.
    Caller commits; on an exception it rolls back."""
    staff = _reviewer(session, actor, application)
    on_receipt = application.submitted_at if deemed(session, application) else None
    _move(
        session,
        application,
        version,
        status=ApplicationStatus.passed,
        reviewed_at=now,
        reviewer_id=staff.id,
        closed_at=now,
    )
    outcome = _accept(
        session,
        actor,
        now,
        application,
        clock or Clock.load(session),
        accepted_at=on_receipt,
        co_department_ids=co_department_ids,
    )
    note = outcome.case.number + ("（视为受理：行政许可法第三十二条）" if on_receipt else "")
    _event(session, application, ApplicationAction.pass_review, now, actor.name, note)
    return outcome


def request_correction(
    session: Session, actor: Actor, now: datetime, application: Application, version, defects, note=None
) -> Application:
    """一次性告知: one notice listing every missing or defective material and why; once per
    application (a second request is refused). Caller commits."""
    staff = _reviewer(session, actor, application)
    _not_deemed(session, application)
    materials = {m.id: m.name for m in application.matter.materials}
    lines, asked = [], []
    for defect in defects:
        if defect.material_id is not None and defect.material_id not in materials:
            raise PreReviewError(_l("Name only materials of this matter."))
        reason = _text(defect.reason, _l("Say why each material ticked is missing or defective."), limit=300)
        name = materials.get(defect.material_id, str(_l("Other")))
        lines.append(f"{len(lines) + 1}. {name}：{reason}")
        if defect.material_id is not None:
            asked.append(defect.material_id)
    extra = (note or "").strip() if isinstance(note, str) else ""
    if len(extra) > 1000:
        raise PreReviewError(_l("The text is too long (at most %(n)s characters).", n=1000))
    if not lines:
        raise PreReviewError(_l("Tick at least one missing or defective material and say why."))
    notice = "\n".join(lines + ([f"{str(_l('Note'))}：{extra}"] if extra else []))
    _move(
        session,
        application,
        version,
        Application.correction_requested_at.is_(None),
        status=ApplicationStatus.correction_requested,
        correction_requested_at=now,
        correction_notice=notice,
        correction_material_ids=sorted(set(asked)),
        round=1,
        reviewed_at=now,
        reviewer_id=staff.id,
    )
    _event(session, application, ApplicationAction.request_correction, now, actor.name, notice[:1000])
    return application


def refuse(session: Session, actor: Actor, now: datetime, application: Application, version, reason) -> Application:
    """不予受理: not within the matter, with the reason the applicant reads. Caller commits."""
    staff = _reviewer(session, actor, application)
    _not_deemed(session, application)
    reason = _text(reason, _l("Give the reason for refusing it."))
    _move(
        session,
        application,
        version,
        status=ApplicationStatus.refused,
        refusal_reason=reason,
        reviewed_at=now,
        reviewer_id=staff.id,
        closed_at=now,
    )
    _event(session, application, ApplicationAction.refuse, now, actor.name, reason)
    return application


def _accept(session, actor, now, application, clock, accepted_at=None, co_department_ids=()):
    """The case of a passed (or deemed accepted) application: intake with every required
    material received, channel online, received when the application was; linked both ways."""
    outcome = intake(
        session,
        actor,
        now,
        Intake(
            matter_id=application.matter_id,
            applicant_type=application.applicant_type,
            applicant_name=application.applicant_name or "",
            applicant_id_number=application.applicant_id_number or "",
            applicant_phone=application.applicant_phone,
            channel=Channel.online,
            received_material_ids=tuple(m.id for m in application.matter.materials),
            co_department_ids=tuple(co_department_ids),
        ),
        clock,
    )
    case = outcome.case
    # The reception is the application's (after intake: its late-entry rule is the pre-review's here).
    case.received_at = application.submitted_at
    if accepted_at is not None:
        case.accepted_at = accepted_at
        case.deemed_accepted = True
        outcome.event.data = {**(outcome.event.data or {}), "deemed_accepted": True}
        recompute_deadline(case, clock, now)
        start_step(case, clock, now)
        for task in case.tasks:
            # A joint case's tasks were given the deadline from now: theirs is the case's.
            task.deadline_at = case.deadline_at
        outcome.event.data["deadline"] = case.deadline_at.isoformat()
        # Accepted days ago, it may be red already: its overdue event follows the acceptance.
        record_overdue(case)
    outcome.event.note = f"网上申报 {application.number}" + (
        "（视为受理：行政许可法第三十二条）" if accepted_at else ""
    )
    session.flush()
    session.execute(
        sa.update(Application)
        .where(Application.id == application.id)
        .values(case_id=case.id)
        .execution_options(synchronize_session=False)
    )
    session.refresh(application)
    return outcome


# -- the scan ------------------------------------------------------------------------------


def scan(session: Session, now: datetime, clock: Clock | None = None) -> int:
    """Pre-reviews past their limit, then deemed acceptances (job warning_scan). Rows written."""
    clock = clock or Clock.load(session)
    return fill_due(session, clock) + flag_overdue(session, now) + deem_accepted(session, now, clock)


def fill_due(session: Session, clock: Clock) -> int:
    """Give every application awaiting pre-review without a due time its due time (from its
    resubmission, else its receipt). Submission and resubmission set it (`set_due`); this
    catches rows written any other way (an import, an older version)."""
    rows = session.execute(
        sa.select(APPLICATION.c.id, sa.func.coalesce(APPLICATION.c.resubmitted_at, APPLICATION.c.submitted_at)).where(
            APPLICATION.c.status.in_(AWAITING), APPLICATION.c.review_due_at.is_(None)
        )
    ).all()
    for application_id, received in rows:
        session.execute(
            sa.update(APPLICATION)
            .where(APPLICATION.c.id == application_id, APPLICATION.c.review_due_at.is_(None))
            .values(review_due_at=review_due(session, received, clock))
        )
    return len(rows)


def set_due(session: Session, application: Application, received_at: datetime, clock: Clock | None = None) -> None:
    """At submission and resubmission: the pre-review is due `prereview_limit_days` later."""
    application.review_due_at = review_due(session, received_at, clock)


def flag_overdue(session: Session, now: datetime) -> int:
    """Every application awaiting pre-review past its `review_due_at`, once per due time: flagged,
    one violation of the department's window and notices to the chiefs, the center and the
    township's heads. Idempotent: a second run writes nothing."""
    flagged = (
        session.execute(
            sa.update(APPLICATION)
            .where(
                APPLICATION.c.status.in_(AWAITING),
                APPLICATION.c.review_due_at < now,
                sa.or_(
                    APPLICATION.c.review_flagged_at.is_(None),
                    APPLICATION.c.review_flagged_at < APPLICATION.c.review_due_at,
                ),
            )
            .values(review_flagged_at=now)
            .returning(APPLICATION.c.id)
        )
        .scalars()
        .all()
    )
    if not flagged:
        return 0
    connection = session.connection()
    late = (
        sa.select(
            APPLICATION.c.id,
            APPLICATION.c.number,
            APPLICATION.c.round,
            APPLICATION.c.department_id,
            APPLICATION.c.center_id,
            APPLICATION.c.applicant_name,
            APPLICATION.c.review_due_at,
            notices.case_names(APPLICATION)[1].label("matter_name"),
        )
        .where(APPLICATION.c.id.in_(flagged))
        .subquery()
    )
    detail = notices.text(
        "网上申报 ",
        late.c.number,
        "（",
        late.c.matter_name,
        "，",
        late.c.applicant_name,
        "）应于 ",
        notices.minute(late.c.review_due_at),
        " 前完成预审，现已超时",
    ).label("detail")
    sent = _tell(connection, late, notices.key("prereview:", late.c.id, late.c.round), detail, now)
    window = Window.__table__
    department_window = (
        sa.select(sa.func.min(window.c.id))
        .where(window.c.department_id == late.c.department_id, window.c.status == RecordStatus.active.name)
        .scalar_subquery()
    )
    recorded = connection.execute(
        sa.insert(VIOLATION).from_select(
            ["kind", "at", "department_id", "window_id", "detail"],
            sa.select(
                sa.literal(ViolationKind.prereview_overdue.name),
                late.c.review_due_at,
                late.c.department_id,
                department_window,
                sa.func.substr(detail, 1, 500),
            ),
        ),
        execution_options={"preserve_rowcount": True},
    ).rowcount
    return len(flagged) + sent + recorded


def _tell(connection, rows, key, detail, now: datetime) -> int:
    """Notices (prereview_overdue, once per key) about the applications in `rows` (a subquery with
    department_id and center_id): to the department's chief representatives, the center (duty
    center_notices) and, for a township's application, the township's heads."""
    no_case = sa.cast(sa.null(), sa.Integer).label("case_id")
    chiefs = (
        sa.select(STAFF.c.user_id, key, no_case, detail)
        .select_from(rows)
        .join(STAFF, notices.chief_reps(rows.c.department_id))
    )
    center = notices.users_with_roles(*ROLE_DUTIES["center_notices"])
    center_side = sa.select(center.c.user_id, key, no_case, detail).select_from(rows).join(center, sa.true())
    heads = notices.users_with_roles(*ROLE_DUTIES["center_head"])
    township = (
        sa.select(STAFF.c.user_id, key, no_case, detail)
        .select_from(rows)
        .join(STAFF, sa.and_(STAFF.c.center_id == rows.c.center_id, STAFF.c.status == StaffStatus.active.name))
        .join(heads, heads.c.user_id == STAFF.c.user_id)
    )
    return sum(
        notices.insert(connection, NoticeKind.prereview_overdue, candidates, now)
        for candidates in (chiefs, center_side, township)
    )


def deem_accepted(session: Session, now: datetime, clock: Clock) -> int:
    """行政许可法 §32: applications still awaiting their first pre-review (never asked for a
    correction) past the 5th working day after receipt are accepted on their receipt date.

    The index range on (status, submitted_at) keeps only those received more than 5 calendar
    days ago (5 working days are at least that); the exact instant is checked per row, and
    such applications are few (every one is a department's failure), so the ORM is fine here.
    A joint matter's is recorded as accepted on receipt and its department told (`deem_joint`),
    once: those recorded are not candidates again."""
    candidates = session.execute(
        sa.select(Application, Matter.case_kind)
        .join(Matter, Matter.id == Application.matter_id)
        .where(
            Application.status == ApplicationStatus.submitted,
            Application.correction_requested_at.is_(None),
            Application.submitted_at <= now - timedelta(days=DEEMED_ACCEPTANCE_DAYS),
            ~_deemed_event(Application.id),
        )
        .order_by(Application.submitted_at)
    ).all()
    done, joint = 0, []
    for application, case_kind in candidates:
        if now <= deemed_at(application.submitted_at, clock):
            continue
        if case_kind is CaseKind.joint:
            joint.append(application)
            continue
        try:
            with session.begin_nested():
                _move(
                    session,
                    application,
                    None,
                    Application.status == ApplicationStatus.submitted,
                    status=ApplicationStatus.passed,
                    reviewed_at=now,
                    closed_at=now,
                )
                system = Actor(user_id=None, name=SYSTEM, roles=SYSTEM_ROLES, department_id=application.department_id)
                outcome = _accept(session, system, now, application, clock, accepted_at=application.submitted_at)
                _event(
                    session,
                    application,
                    ApplicationAction.pass_review,
                    now,
                    SYSTEM,
                    f"视为受理（行政许可法第三十二条）：{outcome.case.number}",
                )
        except (PreReviewError, CaseError):
            # Decided meanwhile, or the matter no longer takes applications: nothing changed.
            continue
        done += 1
    return done + deem_joint(session, now, joint)


def deem_joint(session: Session, now: datetime, applications) -> int:
    """行政许可法 §32 for joint matters (联办) the system cannot accept itself (case_flow's accept
    needs the co-departments, which only a person can name): each application is recorded as
    accepted on its receipt (one ApplicationEvent `deemed_accepted`; its version moves on, so a
    reviewer's correction or refusal read before it is refused as stale), and the department's
    chief representatives, the center and a township's heads are told once that it must be passed
    naming the co-departments. Rows written."""
    if not applications:
        return 0
    claimed = (
        session.execute(
            sa.update(APPLICATION)
            .where(
                APPLICATION.c.id.in_([application.id for application in applications]),
                APPLICATION.c.status == ApplicationStatus.submitted.name,
                APPLICATION.c.correction_requested_at.is_(None),
                ~_deemed_event(APPLICATION.c.id),
            )
            .values(version=APPLICATION.c.version + 1)
            .returning(APPLICATION.c.id)
        )
        .scalars()
        .all()
    )
    if not claimed:
        return 0
    connection = session.connection()
    receipt = sa.func.substr(sa.cast(APPLICATION.c.submitted_at, sa.String), 1, 10)
    connection.execute(
        sa.insert(EVENT).from_select(
            ["application_id", "action", "at", "actor_name", "note"],
            sa.select(
                APPLICATION.c.id,
                sa.literal(ApplicationAction.deemed_accepted.name),
                sa.literal(now),
                sa.literal(SYSTEM),
                notices.text("视为受理（行政许可法第三十二条），受理日为收件日 ", receipt, "；待指定协办部门后通过"),
            ).where(APPLICATION.c.id.in_(claimed)),
        )
    )
    rows = (
        sa.select(
            APPLICATION.c.id,
            APPLICATION.c.department_id,
            APPLICATION.c.center_id,
            notices.text(
                "网上申报 ",
                APPLICATION.c.number,
                "（",
                notices.case_names(APPLICATION)[1],
                "，",
                APPLICATION.c.applicant_name,
                "）未在五个工作日内告知补正，依行政许可法第三十二条自收件日 ",
                receipt,
                " 起视为受理；此为联办事项，请指定协办部门后通过预审",
            ).label("detail"),
        )
        .where(APPLICATION.c.id.in_(claimed))
        .subquery()
    )
    sent = _tell(connection, rows, notices.key("deemed:", rows.c.id), rows.c.detail, now)
    for application in applications:
        session.expire(application)  # its version moved on
    return len(claimed) + sent
