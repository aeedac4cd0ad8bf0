"""The inspections register (巡查/暗访) and the sub-centers' joint meetings (联席会议), issue 19.3.

Seed 000 分中心管理办法: 第十六条 the center inspects 人员出勤、日常纪律、业务办理、政务公开、机构管理
and may sanction (批评、谈话教育、通报批评、警告、黄牌、责令换人); 第十八条 联席会议; 第十九条 problems
found are told to the sub-center with 整改意见, which rectifies them.

- `record_inspection`: when, which center (and where in it), who inspected, what was seen.
- `add_finding`: one problem, against a department, window and/or staff member of the inspected
  center (or one below it), with photos through the stored-file service (content-checked
  PDF/JPEG/PNG, kept outside static, served after a scope check).
- A finding becomes, once, either an assessment record (`to_assessment`: a manual rule's deduction,
  dated in the inspection's month, evidence naming the inspection, so monthly scoring counts it)
  or a sanction (`to_sanction`: the same kinds as a complaint's; the collect job writes its
  deduction under the rule of trigger `inspection_sanction`; 责令换人 opens the same 退回
  request for the center to approve). Independently it may open one rectification order
  (`order_rectification`, the existing 整改通知: deadline `inspection_order_days` working days,
  closure, referral to 纪检 and the overdue notice of app/services/rectification_orders.py).
- `record_meeting`, `add_follow_up`, `close_follow_up`: the joint meeting, its decisions' follow-ups
  (what, owner, due date) and their closure — by the center, or by the head of the center owning it.
- `flag_overdue_follow_ups` (job feedback_scan, beside the overdue orders): an open follow-up past
  its due date is told once to the center (duty center_notices) and the owning center's heads.

Only the center records (duty `inspections`). Functions take the session, the actor and `now`,
refuse with InspectionError (a Chinese message, `code` for tests) changing nothing, and leave the
commit to the caller.
"""

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.models.assessment import AssessmentOrigin, AssessmentRecord, AssessmentRule, AssessmentTrigger
from app.models.feedback import Sanction, SanctionKind
from app.models.inspection import (
    FindingOutcome,
    Inspection,
    InspectionFinding,
    InspectionKind,
    JointMeeting,
    MeetingFollowUp,
)
from app.models.notice import NoticeKind
from app.models.org import Center, CenterLevel, Department, Staff, StaffStatus, Window
from app.services import complaints, document_numbers, notices, personnel, rectification_orders, settings, stored_files
from config import ROLE_DUTIES

RECORDERS = ROLE_DUTIES["inspections"]
HEADS = ROLE_DUTIES["center_head"]
MAX_SUMMARY, MAX_DESCRIPTION, MAX_TEXT, MAX_LINE = 2000, 1000, 1000, 200
# How far back an inspection or a meeting may be entered: a typo in the year is refused.
LOOKBACK = timedelta(days=366)
# The centers a joint meeting concerns (000 第十八条: 中心和各分中心); townships are in the network too.
MEETING_LEVELS = (CenterLevel.sub_center, CenterLevel.township)


class InspectionError(Exception):
    def __init__(self, message, code="refused"):
        super().__init__(str(message))
        self.code = code


def _text(value, limit, message=None):
    text = (value or "").strip()
    if message is not None and not text:
        raise InspectionError(message, "input")
    if len(text) > limit or "\0" in text:
        raise InspectionError(_l("The text is too long (at most %(limit)s characters).", limit=limit), "input")
    return text or None


def _recorder(actor) -> None:
    if not actor.roles & RECORDERS:
        raise InspectionError(_l("Only the center's supervisors and managers record inspections."), "role")


def _version(item, version) -> None:
    if str(version) != str(item.version):
        raise InspectionError(_l("Someone else changed this record meanwhile; reload the page."), "stale")


def _within(center: Center, inspected: Center) -> bool:
    """Whether `center` is the inspected center or one below it."""
    while center is not None:
        if center.id == inspected.id:
            return True
        center = center.parent
    return False


def _number(session: Session, day: date) -> str:
    """XC + the inspection's date + its sequence in that year's register: XC20261009-01."""
    return f"XC{day:%Y%m%d}-{document_numbers.next_number(session, 'inspection', day.year):02d}"


def record_inspection(
    session: Session, actor, now: datetime, *, kind, inspected_at, center_id, inspectors, summary, place=None
) -> Inspection:
    """An inspection on the register (the center only)."""
    _recorder(actor)
    member = InspectionKind.__members__.get((kind or "").strip()) if isinstance(kind, str) else None
    if member is None:
        raise InspectionError(_l("Choose the kind of inspection."), "input")
    if not isinstance(inspected_at, datetime):
        raise InspectionError(_l("Give the time of the inspection (YYYY-MM-DD HH:MM)."), "input")
    if inspected_at > now or inspected_at < now - LOOKBACK:
        raise InspectionError(_l("The inspection must lie within the past year, not in the future."), "date")
    center = session.get(Center, center_id) if isinstance(center_id, int) else None
    if center is None or center.level is CenterLevel.village:
        raise InspectionError(_l("Choose the service center inspected."), "center")
    if member is InspectionKind.sub_center and center.level is not CenterLevel.sub_center:
        raise InspectionError(_l("A sub-center inspection names a sub-center."), "center")
    inspection = Inspection(
        number=_number(session, inspected_at.date()),
        kind=member,
        inspected_at=inspected_at,
        center_id=center.id,
        place=_text(place, MAX_LINE),
        inspectors=_text(inspectors, MAX_LINE, _l("Name the inspectors.")),
        summary=_text(summary, MAX_SUMMARY, _l("Summarise the inspection.")),
        recorded_at=now,
        recorded_by=actor.name[:100],
        recorded_by_id=actor.user_id,
    )
    session.add(inspection)
    session.flush()
    return inspection


def _targets(session: Session, inspection: Inspection, department_id, window_id, staff_id):
    """(department, window, staff) of a finding, each of the inspected center (or below) or None."""
    staff = window = department = None
    if staff_id is not None:
        staff = session.get(Staff, staff_id) if isinstance(staff_id, int) else None
        if staff is None or staff.status is not StaffStatus.active or not _within(staff.center, inspection.center):
            raise InspectionError(_l("The staff member must be on duty at the inspected center."), "target")
    if window_id is not None:
        window = session.get(Window, window_id) if isinstance(window_id, int) else None
        if window is None or not _within(window.center, inspection.center):
            raise InspectionError(_l("The window must be one of the inspected center's."), "target")
    elif staff is not None and staff.window_id is not None:
        window = staff.window
    if department_id is not None:
        department = session.get(Department, department_id) if isinstance(department_id, int) else None
        if department is None:
            raise InspectionError(_l("Choose one of the departments offered."), "target")
    else:
        department = staff.department if staff is not None else window.department if window is not None else None
    if staff is not None and department is not None and staff.department_id != department.id:
        raise InspectionError(_l("The staff member does not belong to the department named."), "target")
    return department, window, staff


def add_finding(
    session: Session,
    actor,
    now: datetime,
    inspection: Inspection,
    *,
    description,
    department_id=None,
    window_id=None,
    staff_id=None,
    uploads=(),
    limits: stored_files.Limits | None = None,
) -> tuple[InspectionFinding, list]:
    """A problem the inspection found, with its photos; returns (finding, stored files)."""
    _recorder(actor)
    text = _text(description, MAX_DESCRIPTION, _l("Describe what was found."))
    department, window, staff = _targets(session, inspection, department_id, window_id, staff_id)
    finding = InspectionFinding(
        inspection=inspection,
        department_id=department.id if department else None,
        window_id=window.id if window else None,
        staff_id=staff.id if staff else None,
        description=text,
        outcome=FindingOutcome.none,
        recorded_at=now,
        recorded_by=actor.name[:100],
    )
    session.add(finding)
    session.flush()
    stored = []
    for stream, name in uploads:
        stored.append(
            stored_files.store(
                session, stream, name, limits, now=now, actor_name=actor.name, inspection_finding_id=finding.id
            )
        )
    session.flush()
    return finding, stored


def _evidence(finding: InspectionFinding) -> str:
    inspection = finding.inspection
    return f"{inspection.kind.label} {inspection.number}（{inspection.inspected_at:%Y-%m-%d}）：{finding.description}"[
        :500
    ]


def _undecided(finding: InspectionFinding, version) -> None:
    _version(finding, version)
    if finding.outcome is not FindingOutcome.none:
        raise InspectionError(_l("This finding already carries a deduction or a sanction."), "duplicate")
    if finding.staff_id is None and finding.window_id is None:
        raise InspectionError(_l("Name the staff member or the window of the finding first."), "target")


def manual_rules(session: Session):
    """The rules a finding may be recorded under: the active ones a supervisor records by hand."""
    return session.scalars(
        sa.select(AssessmentRule)
        .where(AssessmentRule.active.is_(True), AssessmentRule.trigger == AssessmentTrigger.manual)
        .order_by(AssessmentRule.sort_order, AssessmentRule.id)
    ).all()


def to_assessment(session: Session, actor, now: datetime, finding: InspectionFinding, version, *, rule_id):
    """The finding as an assessment record under a manual rule, in the inspection's month."""
    _recorder(actor)
    _undecided(finding, version)
    rule = session.get(AssessmentRule, rule_id) if isinstance(rule_id, int) else None
    if rule is None or not rule.active or rule.trigger is not AssessmentTrigger.manual:
        raise InspectionError(_l("Choose one of the assessment rules offered."), "input")
    at = finding.inspection.inspected_at
    record = AssessmentRecord(
        rule_id=rule.id,
        month=at.date().replace(day=1),
        occurred_at=at,
        staff_id=finding.staff_id,
        window_id=finding.window_id,
        department_id=finding.department_id,
        points=rule.points,
        origin=AssessmentOrigin.manual,
        source_key=f"inspection:{finding.id}",
        evidence=_evidence(finding),
        recorded_by=actor.name[:100],
        recorded_at=now,
    )
    session.add(record)
    session.flush()
    finding.outcome = FindingOutcome.assessment
    finding.assessment_record_id = record.id
    session.flush()
    return record


def to_sanction(session: Session, actor, now: datetime, finding: InspectionFinding, version, *, kind, note=None):
    """The finding sanctioned (000 第十六条); its deduction follows from the collect job."""
    _recorder(actor)
    _undecided(finding, version)
    member = SanctionKind.__members__.get((kind or "").strip()) if isinstance(kind, str) else None
    if member is None:
        raise InspectionError(_l("Unknown sanction."), "input")
    sanction = Sanction(
        inspection_finding_id=finding.id,
        kind=member,
        staff_id=finding.staff_id,
        window_id=finding.window_id,
        at=now,
        decided_by=actor.name[:100],
        note=_text(note, 500),
    )
    session.add(sanction)
    finding.outcome = FindingOutcome.sanction
    session.flush()
    if member is SanctionKind.replacement:
        if finding.staff is None:
            raise InspectionError(_l("An ordered replacement needs the staff member of the finding."), "target")
        try:
            personnel.order_replacement(
                session,
                finding.staff,
                now,
                reason=f"{_evidence(finding)}。责令换人。",
                ordered_by=actor.name,
            )
        except personnel.ChangeError as exc:
            raise InspectionError(str(exc), exc.code) from None
    if member is SanctionKind.circulated:
        inspection = finding.inspection
        complaints.circulate(
            session, sanction, f"{inspection.kind.label} {inspection.number}", finding.department_id, now
        )
    return sanction


def order_due(session: Session, now: datetime) -> datetime:
    """A finding's order is due `inspection_order_days` working days after `now`, at the close of
    office hours (the working calendar and office hours of complaints' orders)."""
    limits = complaints.load_limits(session)
    return limits.due(now, int(settings.get(session, "inspection_order_days")))


def order_rectification(
    session: Session, actor, now: datetime, finding: InspectionFinding, version, *, due_at: datetime, requirement=None
):
    """The finding's 整改通知 to its department (the one mechanism of rectification_orders)."""
    _recorder(actor)
    _version(finding, version)
    try:
        order = rectification_orders.open_for_finding(session, finding, actor.name, now, due_at, requirement)
    except rectification_orders.OrderError as exc:
        raise InspectionError(str(exc), "order") from None
    return order


# -- joint meetings ------------------------------------------------------------------------------


def _day(value, message) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise InspectionError(message, "input")


def record_meeting(
    session: Session, actor, now: datetime, *, held_on, topic, attendees, minutes, decisions=None, center_ids=()
) -> JointMeeting:
    """A joint meeting of the center and the sub-centers (or township centers) it concerns."""
    _recorder(actor)
    held_on = _day(held_on, _l("Give the date of the meeting (YYYY-MM-DD)."))
    if held_on > now.date() or held_on < (now - LOOKBACK).date():
        raise InspectionError(_l("The meeting must lie within the past year, not in the future."), "date")
    ids = sorted({i for i in center_ids if isinstance(i, int)})
    centers = session.scalars(sa.select(Center).where(Center.id.in_(ids), Center.level.in_(MEETING_LEVELS))).all()
    if not ids or len(centers) != len(ids):
        raise InspectionError(_l("Choose the sub-centers or township centers the meeting concerns."), "center")
    meeting = JointMeeting(
        held_on=held_on,
        topic=_text(topic, MAX_LINE, _l("Give the meeting's topic.")),
        attendees=_text(attendees, MAX_TEXT, _l("List the attendees.")),
        minutes=_text(minutes, 20000, _l("Write the minutes.")),
        decisions=_text(decisions, 20000),
        recorded_at=now,
        recorded_by=actor.name[:100],
        centers=list(centers),
    )
    session.add(meeting)
    session.flush()
    return meeting


def add_follow_up(
    session: Session, actor, now: datetime, meeting: JointMeeting, *, action, owner, due_on, owner_center_id=None
) -> MeetingFollowUp:
    """A decision's follow-up: what is to be done, by whom, by when."""
    _recorder(actor)
    due_on = _day(due_on, _l("Give the due date (YYYY-MM-DD)."))
    if due_on < meeting.held_on:
        raise InspectionError(_l("The due date cannot precede the meeting."), "date")
    if owner_center_id is not None and owner_center_id not in {center.id for center in meeting.centers}:
        raise InspectionError(_l("The owning center must be one the meeting concerns."), "center")
    follow_up = MeetingFollowUp(
        meeting=meeting,
        action=_text(action, 500, _l("Say what is to be done.")),
        owner=_text(owner, 100, _l("Name who owns the follow-up.")),
        owner_center_id=owner_center_id,
        due_on=due_on,
    )
    session.add(follow_up)
    session.flush()
    return follow_up


def close_follow_up(session: Session, actor, now: datetime, follow_up: MeetingFollowUp, version, *, note) -> None:
    """Closed with what was done: by the center, or by the head of the center that owns it."""
    own = bool(actor.roles & HEADS) and follow_up.owner_center_id is not None
    if not (actor.roles & RECORDERS or (own and actor.center_id == follow_up.owner_center_id)):
        raise InspectionError(_l("Only the center or the head of the owning center closes a follow-up."), "role")
    _version(follow_up, version)
    if follow_up.closed_at is not None:
        raise InspectionError(_l("This follow-up is already closed."), "duplicate")
    follow_up.closure_note = _text(note, MAX_TEXT, _l("Describe what was done."))
    follow_up.closed_at = now
    follow_up.closed_by = actor.name[:100]
    session.flush()
    notices.resolve(session, f"follow-up:{follow_up.id}", now)


def flag_overdue_follow_ups(session: Session, now: datetime) -> int:
    """Open follow-ups past their due date: the center and the owning center's heads hear once each."""
    table = MeetingFollowUp.__table__
    meeting = JointMeeting.__table__
    staff = notices.STAFF
    center = notices.users_with_roles(*ROLE_DUTIES["center_notices"])
    heads = notices.users_with_roles(*HEADS)
    owners = (
        sa.select(staff.c.user_id.label("user_id"), staff.c.center_id.label("center_id"))
        .join(heads, heads.c.user_id == staff.c.user_id)
        .where(staff.c.status == StaffStatus.active.name)
        .subquery()
    )
    detail = notices.text(
        "联席会议（",
        notices.day(meeting.c.held_on),
        " ",
        meeting.c.topic,
        "）议定事项「",
        sa.func.substr(table.c.action, 1, 80),
        "」由 ",
        table.c.owner,
        " 负责，应于 ",
        notices.day(table.c.due_on),
        " 前完成，已逾期仍未办结。",
    ).label("detail")
    open_overdue = sa.and_(table.c.closed_at.is_(None), table.c.due_on < now.date())
    base = table.join(meeting, meeting.c.id == table.c.meeting_id)

    def rows(recipients, *condition):
        return (
            sa.select(
                recipients.c.user_id,
                notices.key("follow-up:", table.c.id),
                sa.cast(sa.null(), sa.Integer).label("case_id"),
                detail,
            )
            .select_from(base.join(recipients, sa.true() if not condition else condition[0]))
            .where(open_overdue)
        )

    touched = notices.insert(session.connection(), NoticeKind.follow_up_overdue, rows(center), now)
    touched += notices.insert(
        session.connection(),
        NoticeKind.follow_up_overdue,
        rows(owners, owners.c.center_id == table.c.owner_center_id),
        now,
    )
    return touched
