"""What the public portal reads: matter guides, the directory, a case's progress.

Nothing here returns an applicant's personal data: the progress of a case is
its status, current step, deadline and the timeline of actions.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.models.case import Case, CaseAction, CaseEvent, CaseStatus, DeliveryMethod
from app.models.matter import Matter, MatterCategory, MatterStatus
from app.models.org import Center, Department, RecordStatus, Window
from app.models.transfer import Transfer, TransferEvent, TransferKind
from app.services.evaluations import RATEABLE_STATUSES
from app.services.phone import phone_tail

PAGE_SIZE = 20
MAX_QUERY = 50


@dataclass
class Progress:
    """The applicant's case as a whole: the case first received (a township's, when it was
    escalated), with one timeline over the chain: the village request, every case, delivery."""

    number: str
    matter: str
    department: str
    status: CaseStatus
    step: str | None
    accepted_at: datetime | None
    deadline_at: datetime | None
    finished_at: datetime | None
    timeline: list[tuple[datetime, str]]
    # The other cases of the chain: (number, center name), e.g. the county case of a township's.
    related: list[tuple[str, str]] = field(default_factory=list)


def search_matters(
    session: Session, text: str = "", department_id=None, category: str = "", page: int = 1, *, online=False
):
    """(matters of the page, total) for a name/code search, a department and a category: the matters
    handled in the hall, or with `online` those one can apply for on the portal (网上申报)."""
    offered = Matter.online_available if online else Matter.stationed
    query = sa.select(Matter).where(Matter.status == MatterStatus.active, offered.is_(True))
    text = (text or "").strip()[:MAX_QUERY]
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(sa.or_(Matter.name.like(pattern, escape="\\"), Matter.code.like(pattern, escape="\\")))
    if department_id:
        query = query.where(Matter.department_id == department_id)
    if category in MatterCategory.__members__:
        query = query.where(Matter.category == MatterCategory[category])
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    page = max(1, page)
    rows = session.scalars(
        query.options(selectinload(Matter.department))
        .order_by(Matter.code)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return rows, total


def matter_guide(session: Session, code: str) -> Matter | None:
    return session.scalar(
        sa.select(Matter)
        .where(Matter.code == code, Matter.status == MatterStatus.active)
        .options(selectinload(Matter.materials), selectinload(Matter.steps), selectinload(Matter.department))
    )


def directory(session: Session):
    """Departments in service with their windows, in the hall's order."""
    departments = session.scalars(
        sa.select(Department)
        .where(Department.status == RecordStatus.active)
        .order_by(Department.sort_order, Department.id)
    ).all()
    windows = session.execute(
        sa.select(Window.department_id, Window.code, Window.name)
        .where(Window.status == RecordStatus.active)
        .order_by(Window.code)
    ).all()
    by_department = {}
    for department_id, code, name in windows:
        by_department.setdefault(department_id, []).append((code, name))
    return [(department, by_department.get(department.id, [])) for department in departments]


def find_case(session: Session, number: str, factor: str) -> Case | None:
    """The case whose number matches and whose applicant's ID number or phone ends with
    `factor` (4 digits or characters); None for any mismatch, without saying which."""
    number, factor = (number or "").strip().upper(), (factor or "").strip().upper()
    if not number or len(number) > 40 or len(factor) != 4 or not factor.isalnum():
        return None
    case = session.scalar(sa.select(Case).where(Case.number == number))
    if case is None:
        return None
    id_tail = (case.applicant_id_number or "")[-4:].upper()
    return case if factor in (id_tail, phone_tail(case.applicant_phone)) else None


def chain_of(session: Session, case: Case) -> list[Case]:
    """Every case of the applicant's chain, the first received first: up to the case without a
    parent (上报 goes township → county), then down through the children level by level."""
    root = case
    while root.parent_id is not None:
        root = root.parent
    cases, level = [root], [root.id]
    while level:
        below = session.scalars(sa.select(Case).where(Case.parent_id.in_(level)).order_by(Case.id)).all()
        cases += below
        level = [child.id for child in below]
    return cases


def _timeline(session: Session, case_ids: list[int]) -> list[tuple[datetime, str]]:
    """Events of every case and of the village request the chain started from, by time, each
    said with the center where it happened. No personal data (the receiver's name stays out)."""
    events = session.execute(
        sa.select(CaseEvent.at, CaseEvent.action, CaseEvent.data, Center.name)
        .join(Case, Case.id == CaseEvent.case_id)
        .join(Center, Center.id == Case.center_id)
        # Not the office's bookkeeping: going overdue, a data correction (数据更正).
        .where(CaseEvent.case_id.in_(case_ids), CaseEvent.action.notin_([CaseAction.overdue, CaseAction.correct]))
        .order_by(CaseEvent.at, CaseEvent.id)
    ).all()
    timeline = []
    for at, action, data, center in events:
        label = f"{center}：{action.label}"
        if action is CaseAction.deliver and data and data.get("method") in DeliveryMethod.__members__:
            label += f"（{DeliveryMethod[data['method']].label}）"
        timeline.append((at, label))
    requests = session.execute(
        sa.select(TransferEvent.at, TransferEvent.action, Center.name)
        .join(Transfer, Transfer.id == TransferEvent.transfer_id)
        .join(Center, Center.id == Transfer.from_center_id)
        .where(Transfer.case_id.in_(case_ids), Transfer.kind == TransferKind.village_request)
        .order_by(TransferEvent.at, TransferEvent.id)
    ).all()
    # A stable sort: a request's steps come before the case it became when they share a time.
    timeline = [(at, f"{center}：{action.label}") for at, action, center in requests] + timeline
    return sorted(timeline, key=lambda item: item[0])


def progress(session: Session, case: Case) -> Progress:
    """The progress of the chain `case` belongs to: the same whichever of its numbers was asked."""
    cases = chain_of(session, case)
    root = cases[0]
    step = root.current_step
    return Progress(
        number=root.number,
        matter=root.matter.name,
        department=root.department.name,
        status=root.status,
        step=step.name if step and root.is_open else None,
        accepted_at=root.accepted_at,
        deadline_at=root.deadline_at,
        finished_at=root.finished_at,
        timeline=_timeline(session, [c.id for c in cases]),
        related=[(c.number, c.center.name) for c in cases[1:]],
    )


def last_finished_at_window(session: Session, window_id: int, now: datetime, within_minutes: int = 30):
    """The kiosk's case: the window's most recent rateable case (completed, denied or returned), if it
    finished recently."""
    window = session.scalar(sa.select(Window).where(Window.id == window_id, Window.status == RecordStatus.active))
    if window is None:
        return None, None
    case = session.scalar(
        sa.select(Case)
        .where(
            Case.window_id == window.id,
            Case.status.in_(RATEABLE_STATUSES),
            Case.finished_at >= now - timedelta(minutes=within_minutes),
            Case.finished_at <= now,
        )
        .order_by(Case.finished_at.desc())
        .limit(1)
    )
    return window, case
