"""Transfers (接件登记 → 转交): a village agent's request forwarded up the network, received,
and accepted into a case or returned; the same steps hand any transfer between two places.

Steps (each checks the actor's side, the transfer's status and the version the actor read):
- register: the agent (duty village_intake) records the villager's request at the agent's
  village point: applicant, a matter the village level may receive, the materials received
  ticked from the matter's list, scans (StoredFile). The agent's service is free: a proxy
  fee above zero is refused (seed 001: 代办员 are village cadres; fees are collected only at
  the center, 规范收费行为).
- forward: the sending side sends it to a center above (the township) or to a department of
  a center above (the county window), optionally to one of its windows; receipt is due
  `transfer_confirm_days` working days later at closing time (the day sent is day 0, as the
  case clock counts); a returned transfer may be forwarded again.
- receive: the receiving side (window duty, at the addressed center and department) confirms
  receipt. Past the due time the flag scan (job transfer_scan) marks it once and tells the
  receiving side and the center.
- accept: the receiving side takes it in as a case (case_flow.intake, channel proxy: the case
  gets its clock), linked by Transfer.case_id; receipt is implied.
- return_transfer: the receiving side sends it back with a reason; the agent hears of it.

Two people acting at once: every step is one conditional UPDATE on (id, status, version),
so exactly one wins and the other is told in Chinese what happened.
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.models.case import ApplicantType, Channel
from app.models.matter import Matter, MatterStatus
from app.models.notice import Notice, NoticeKind
from app.models.org import Center, CenterLevel, RecordStatus, Staff, StaffStatus, Window
from app.models.transfer import (
    PENDING_STATUSES,
    StoredFile,
    Transfer,
    TransferAction,
    TransferEvent,
    TransferKind,
    TransferStatus,
)
from app.services import matter_levels, notices, proxy, settings, stored_files
from app.services.case_flow import Application, Clock, intake
from app.services.case_flow.guards import Actor
from app.services.deadlines import deadline
from app.services.idnumber import CREDIT_CODE_ERROR, valid_credit_code, valid_id_number
from app.services.phone import InvalidPhone, checked_phone
from config import ROLE_DUTIES

AGENT_ROLES = ROLE_DUTIES["village_intake"]
RECEIVER_ROLES = ROLE_DUTIES["window"]
SYSTEM = "系统"


class TransferError(Exception):
    """A step was refused; the message is for the user. Nothing was changed."""

    def __init__(self, message):
        super().__init__(str(message))


class StaleTransfer(TransferError):
    pass


@dataclass
class VillageRequest:
    matter_id: int | None
    applicant_name: str
    applicant_id_number: str
    applicant_phone: str | None = None
    applicant_type: ApplicantType = ApplicantType.person
    material_ids: tuple = ()
    note: str | None = None
    # The agent's service is free: anything but nothing or zero is refused.
    proxy_fee: object = None
    # (binary stream, original file name) of each scan.
    uploads: list = field(default_factory=list)


# -- who ---------------------------------------------------------------------------------


def _staff(session: Session, actor: Actor) -> Staff:
    staff = session.get(Staff, actor.staff_id) if actor.staff_id else None
    if staff is None or staff.status is not StaffStatus.active:
        raise TransferError(_l("Only staff on duty may handle transfers."))
    return staff


def _sender(session, actor, transfer) -> Staff:
    """The sending side: a village agent at the transfer's origin (and department, when it has one)."""
    staff = _staff(session, actor)
    if not actor.roles & AGENT_ROLES or staff.center_id != transfer.from_center_id:
        raise TransferError(_l("Only the sending point may do this."))
    if transfer.from_department_id is not None and staff.department_id != transfer.from_department_id:
        raise TransferError(_l("Only the sending point may do this."))
    return staff


def _receiver(session, actor, transfer) -> Staff:
    """The receiving side: window staff at the addressed center (and department, when named)."""
    staff = _staff(session, actor)
    addressed = staff.center_id == transfer.to_center_id and transfer.to_department_id in (None, staff.department_id)
    if not actor.roles & RECEIVER_ROLES or not addressed:
        raise TransferError(_l("This transfer is addressed to another center or department."))
    return staff


def _village_only(transfer) -> None:
    """A duty hand-off moves with its case (case_flow/duty.py), never through these steps."""
    if transfer.kind is TransferKind.duty_handoff:
        raise TransferError(_l("A duty hand-off is handed over and received on its case's page."))


def may_send(session, actor, transfer) -> bool:
    try:
        _village_only(transfer)
        _sender(session, actor, transfer)
    except TransferError:
        return False
    return True


def may_receive(session, actor, transfer) -> bool:
    try:
        _village_only(transfer)
        _receiver(session, actor, transfer)
    except TransferError:
        return False
    return True


# -- the one write of every step -----------------------------------------------------------

_DONE = {
    TransferStatus.received: _l("This transfer has already been received."),
    TransferStatus.accepted: _l("This transfer has already been accepted into a case by someone else."),
    TransferStatus.returned: _l("This transfer has already been returned."),
}


def _version(version) -> int:
    if isinstance(version, str) and version.isascii() and version.isdigit():
        version = int(version)
    if isinstance(version, bool) or not isinstance(version, int):
        raise TransferError(_l("Send the transfer's version (a whole number, as last read)."))
    return version


def _move(session, transfer, version, allowed, **values) -> None:
    """One conditional UPDATE: the transfer moves only from a status in `allowed` and at the
    version the actor read; otherwise nothing changes and the actor is told why."""
    version = _version(version)
    moved = session.execute(
        sa.update(Transfer)
        .where(Transfer.id == transfer.id, Transfer.version == version, Transfer.status.in_(allowed))
        .values(version=Transfer.version + 1, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(transfer)
    if moved == 1:
        return
    if transfer.status not in allowed:
        raise TransferError(
            _DONE.get(
                transfer.status,
                _l("This is not possible while the transfer is “%(status)s”.", status=transfer.status.label),
            )
        )
    raise StaleTransfer(_l("The transfer was changed by someone else. Reload it and try again."))


def _event(session, transfer, action, now, actor_name, note=None):
    session.add(TransferEvent(transfer_id=transfer.id, action=action, at=now, actor_name=actor_name, note=note))


def _text(value, message=None, limit=1000):
    text = (value or "").strip()
    if message and not text:
        raise TransferError(message)
    if len(text) > limit:
        raise TransferError(_l("The text is too long (at most %(n)s characters).", n=limit))
    return text or None


# -- register ------------------------------------------------------------------------------


def register(session: Session, actor: Actor, now: datetime, request: VillageRequest, limits=None) -> Transfer:
    """The agent's 接件登记 at their village point. `limits`: stored_files.Limits for the scans.
    Caller commits; on an exception it rolls back (the scans' files are removed already)."""
    if not actor.roles & AGENT_ROLES:
        raise TransferError(_l("Only a village point's agent may register a villager's request."))
    staff = _staff(session, actor)
    point = staff.center
    if point.level is not CenterLevel.village:
        raise TransferError(_l("Requests are registered at a village point."))
    _no_proxy_fee(request.proxy_fee)
    matter = session.get(Matter, request.matter_id) if isinstance(request.matter_id, int) else None
    if matter is None or matter.status is not MatterStatus.active:
        raise TransferError(_l("This matter is not in service."))
    refused = matter_levels.refusal(matter, CenterLevel.village)
    if refused:
        raise TransferError(refused)
    applicant_type, name, id_number, phone = _applicant(request)
    own = {m.id for m in matter.materials}
    material_ids = sorted({int(i) for i in request.material_ids})
    if not set(material_ids) <= own:
        raise TransferError(_l("Tick only materials of this matter."))
    transfer = Transfer(
        number=_number(session, now),
        kind=TransferKind.village_request,
        status=TransferStatus.registered,
        matter_id=matter.id,
        applicant_type=applicant_type,
        applicant_name=name,
        applicant_id_number=id_number,
        applicant_phone=phone,
        material_ids=material_ids,
        note=_text(request.note),
        from_center_id=point.id,
        from_department_id=None,
        from_staff_id=staff.id,
        registered_at=now,
    )
    session.add(transfer)
    session.flush()
    _event(session, transfer, TransferAction.register, now, actor.name)
    if request.uploads:
        attach(session, actor, now, transfer, request.uploads, limits)
    return transfer


def _no_proxy_fee(fee) -> None:
    """代办 is free: no amount above zero is taken, whatever its spelling."""
    if not proxy.is_free(fee):
        raise TransferError(_l("The agent's service is free of charge: no proxy fee may be taken."))


def _applicant(request: VillageRequest):
    name = _text(request.applicant_name, _l("Enter the applicant's name."), limit=100)
    id_number = (request.applicant_id_number or "").strip().upper()
    if request.applicant_type is ApplicantType.person and not valid_id_number(id_number):
        raise TransferError(_l("The ID card number is not valid (check digit or date wrong)."))
    if request.applicant_type is ApplicantType.organisation and not valid_credit_code(id_number):
        raise TransferError(CREDIT_CODE_ERROR)
    try:
        phone = checked_phone(request.applicant_phone)
    except InvalidPhone as exc:
        raise TransferError(str(exc)) from None
    return request.applicant_type, name, id_number, phone


def _number(session, now) -> str:
    """ZJ + date + 6 random digits: printed on the receipt, not guessable from the last one."""
    while True:
        number = f"ZJ{now:%Y%m%d}{secrets.randbelow(10**6):06d}"
        if session.scalar(sa.select(Transfer.id).where(Transfer.number == number)) is None:
            return number


def attach(session, actor, now, transfer, uploads, limits) -> list[StoredFile]:
    """Store scans with a transfer the sending side still holds (registered or returned)."""
    _village_only(transfer)
    _sender(session, actor, transfer)
    if transfer.status not in (TransferStatus.registered, TransferStatus.returned):
        raise TransferError(_l("Scans are added before the request is forwarded."))
    if limits is None:
        raise TransferError(_l("Uploads are not possible here."))
    present = session.scalar(sa.select(sa.func.count()).where(StoredFile.transfer_id == transfer.id))
    most = int(settings.get(session, "transfer_max_files"))
    if present + len(uploads) > most:
        raise TransferError(_l("At most %(n)s scans per request.", n=most))
    stored = []
    try:
        for stream, name in uploads:
            stored.append(
                stored_files.store(session, stream, name, limits, now=now, actor_name=actor.name, transfer=transfer)
            )
    except BaseException:
        stored_files.discard(limits.directory, stored)
        raise
    session.flush()
    _event(session, transfer, TransferAction.attach, now, actor.name, "、".join(f.original_name for f in stored)[:1000])
    return stored


# -- forward, receive, accept, return ------------------------------------------------------


@dataclass(frozen=True)
class Destination:
    center_id: int
    department_id: int | None = None
    window_id: int | None = None

    @property
    def key(self) -> str:
        """The destination as a form sends it: center-department-window, 0 for none."""
        return f"{self.center_id}-{self.department_id or 0}-{self.window_id or 0}"

    @classmethod
    def parse(cls, text) -> "Destination | None":
        parts = (text or "").split("-")
        if len(parts) != 3 or not all(p.isascii() and p.isdigit() and len(p) < 10 for p in parts):
            return None
        center, department, window = (int(p) for p in parts)
        return cls(center, department or None, window or None)


def destinations(session: Session, from_center_id: int, matter: Matter | None) -> list[tuple[Destination, str]]:
    """Where a request of `matter` from `from_center_id` may be forwarded: each township or
    sub-center above the origin, and the matter's department (with each of its active windows)
    when that department sits at a center above (直接转县窗口)."""
    above = _centers_above(session, from_center_id)
    choices = [(Destination(c.id), c.name) for c in above if c.level in (CenterLevel.township, CenterLevel.sub_center)]
    department = matter.department if matter is not None else None
    if (
        department is not None
        and department.status is RecordStatus.active
        and department.center_id in {c.id for c in above}
    ):
        where = f"{department.center.name} · {department.name}"
        choices.append((Destination(department.center_id, department.id), where))
        for window in _windows(session, department):
            choices.append((Destination(department.center_id, department.id, window.id), f"{where} · {window}"))
    return choices


def _centers_above(session, center_id) -> list[Center]:
    """The centers above `center_id`, nearest first (a tree of at most four levels)."""
    found = []
    center = session.get(Center, center_id)
    while center is not None and center.parent_id is not None and len(found) < 10:
        center = center.parent
        found.append(center)
    return found


def _windows(session, department) -> list[Window]:
    from app.models.org import window_member_department as members

    member = sa.select(members.c.window_id).where(members.c.department_id == department.id)
    return session.scalars(
        sa.select(Window)
        .where(
            Window.center_id == department.center_id,
            Window.status == RecordStatus.active,
            sa.or_(Window.department_id == department.id, Window.id.in_(member)),
        )
        .order_by(Window.code)
    ).all()


def confirm_due(session: Session, now: datetime, clock: Clock | None = None) -> datetime:
    """When receipt of a transfer sent `now` must be confirmed: closing time of the
    `transfer_confirm_days`-th working day after the day sent."""
    clock = clock or Clock.load(session)
    days = int(settings.get(session, "transfer_confirm_days"))
    return deadline(now, days, clock.calendar, clock.hours).due_at


def forward(
    session: Session,
    actor: Actor,
    now: datetime,
    transfer: Transfer,
    version,
    destination: Destination | None,
) -> Transfer:
    """转交: send it to `destination` (one of `destinations`). Caller commits."""
    _village_only(transfer)
    _sender(session, actor, transfer)
    allowed = {choice for choice, _label in destinations(session, transfer.from_center_id, transfer.matter)}
    if destination not in allowed:
        raise TransferError(_l("Choose where to forward it: the township center or the county window."))
    level = session.get(Center, destination.center_id).level
    refused = transfer.matter and matter_levels.refusal(transfer.matter, level)
    if refused:
        raise TransferError(refused)
    due = confirm_due(session, now)
    _move(
        session,
        transfer,
        version,
        (TransferStatus.registered, TransferStatus.returned),
        status=TransferStatus.sent,
        to_center_id=destination.center_id,
        to_department_id=destination.department_id,
        to_window_id=destination.window_id,
        sent_at=now,
        confirm_due_at=due,
        flagged_at=None,
        received_at=None,
        received_by_id=None,
        returned_at=None,
        return_reason=None,
    )
    _event(session, transfer, TransferAction.forward, now, actor.name, transfer.destination)
    return transfer


def receive(session: Session, actor: Actor, now: datetime, transfer: Transfer, version) -> Transfer:
    """确认接收. Caller commits."""
    _village_only(transfer)
    staff = _receiver(session, actor, transfer)
    _move(
        session,
        transfer,
        version,
        (TransferStatus.sent,),
        status=TransferStatus.received,
        received_at=now,
        received_by_id=staff.id,
    )
    _event(session, transfer, TransferAction.receive, now, actor.name)
    notices.resolve(session, f"transfer:{transfer.id}:{transfer.version - 1}", now)
    return transfer


def accept(session: Session, actor: Actor, now: datetime, transfer: Transfer, version, clock: Clock | None = None):
    """受理: take the village request in as a case (channel proxy), which gets its clock.
    Returns case_flow's Outcome. Caller commits; on a CaseError it rolls back."""
    staff = _receiver(session, actor, transfer)
    if transfer.kind is not TransferKind.village_request:
        raise TransferError(_l("Only a village request is accepted into a case."))
    _move(
        session,
        transfer,
        version,
        PENDING_STATUSES,
        status=TransferStatus.accepted,
        accepted_at=now,
        received_at=sa.func.coalesce(Transfer.received_at, now),
        received_by_id=sa.func.coalesce(Transfer.received_by_id, staff.id),
    )
    outcome = intake(
        session,
        actor,
        now,
        Application(
            matter_id=transfer.matter_id,
            applicant_name=transfer.applicant_name or "",
            applicant_id_number=transfer.applicant_id_number or "",
            applicant_phone=transfer.applicant_phone,
            applicant_type=transfer.applicant_type or ApplicantType.person,
            channel=Channel.proxy,
            received_material_ids=tuple(transfer.material_ids or ()),
        ),
        clock or Clock.load(session),
    )
    outcome.event.note = f"村级代办转交件 {transfer.number}（{transfer.from_center.name}）"
    session.execute(
        sa.update(Transfer)
        .where(Transfer.id == transfer.id)
        .values(case_id=outcome.case.id)
        .execution_options(synchronize_session=False)
    )
    session.refresh(transfer)
    _event(session, transfer, TransferAction.accept, now, actor.name, outcome.case.number)
    notices.resolve(session, f"transfer:{transfer.id}:{transfer.version - 1}", now)
    return outcome


def return_transfer(session: Session, actor: Actor, now: datetime, transfer: Transfer, version, reason) -> Transfer:
    """退回 with a reason; it comes back to the sending side, whose agent is told. Caller commits."""
    _village_only(transfer)
    _receiver(session, actor, transfer)
    reason = _text(reason, _l("Give the reason for returning it."))
    _move(
        session,
        transfer,
        version,
        PENDING_STATUSES,
        status=TransferStatus.returned,
        returned_at=now,
        return_reason=reason,
    )
    _event(session, transfer, TransferAction.return_transfer, now, actor.name, reason)
    sender = transfer.from_staff
    if sender is not None and sender.user_id is not None:
        session.add(
            Notice(
                user_id=sender.user_id,
                kind=NoticeKind.transfer_returned,
                key=f"transfer_returned:{transfer.id}:{transfer.version}",
                detail=f"转交件 {transfer.number}（{transfer.applicant_name or ''}）被退回：{reason}"[:300],
                created_at=now,
            )
        )
    notices.resolve(session, f"transfer:{transfer.id}:{transfer.version - 1}", now)
    return transfer


# -- the flag scan -------------------------------------------------------------------------


def flag_overdue(session: Session, now: datetime) -> int:
    """Mark every transfer sent and not confirmed by its due time (once per sending), write its
    event, and tell the receiving side and the center. Idempotent: a second run changes nothing."""
    table = Transfer.__table__
    flagged = (
        session.execute(
            sa.update(table)
            .where(
                table.c.status == TransferStatus.sent.name, table.c.confirm_due_at < now, table.c.flagged_at.is_(None)
            )
            .values(flagged_at=now)
            .returning(table.c.id)
        )
        .scalars()
        .all()
    )
    if flagged:
        session.execute(
            sa.insert(TransferEvent.__table__),
            [
                {
                    "transfer_id": transfer_id,
                    "action": TransferAction.flag.name,
                    "at": now,
                    "actor_name": SYSTEM,
                    "note": "超过确认接收时限",
                }
                for transfer_id in flagged
            ],
        )
    return len(flagged) + _notify_overdue(session, now)


def _notify_overdue(session, now) -> int:
    """The receiving side (window staff and the center's head at the addressed center and
    department) and the center (duty center_notices) hear of each flagged, still unconfirmed
    transfer once: the key holds the version it was sent at."""
    table = Transfer.__table__
    staff = Staff.__table__
    origin = Center.__table__.alias("origin")
    pending = (
        sa.select(table.c.id, table.c.version, table.c.number, table.c.to_center_id, table.c.to_department_id)
        .add_columns(origin.c.name.label("origin"), table.c.applicant_name, table.c.confirm_due_at)
        .join(origin, origin.c.id == table.c.from_center_id)
        .where(table.c.status == TransferStatus.sent.name, table.c.flagged_at.is_not(None))
        .subquery()
    )
    detail = notices.text(
        "转交件 ",
        pending.c.number,
        "（",
        pending.c.origin,
        " ",
        pending.c.applicant_name,
        "）应于 ",
        notices.minute(pending.c.confirm_due_at),
        " 前确认接收，现已超时",
    ).label("detail")
    key = notices.key("transfer:", pending.c.id, pending.c.version)
    receivers = notices.users_with_roles(*(RECEIVER_ROLES | ROLE_DUTIES["center_head"]))
    receiving_side = (
        sa.select(staff.c.user_id, key, sa.cast(sa.null(), sa.Integer).label("case_id"), detail)
        .select_from(pending)
        .join(
            staff,
            sa.and_(
                staff.c.center_id == pending.c.to_center_id,
                staff.c.status == StaffStatus.active.name,
                sa.or_(pending.c.to_department_id.is_(None), staff.c.department_id == pending.c.to_department_id),
            ),
        )
        .join(receivers, receivers.c.user_id == staff.c.user_id)
    )
    center = notices.users_with_roles(*ROLE_DUTIES["center_notices"])
    center_side = (
        sa.select(center.c.user_id, key, sa.cast(sa.null(), sa.Integer).label("case_id"), detail)
        .select_from(pending)
        .join(center, sa.true())
    )
    connection = session.connection()
    return notices.insert(connection, NoticeKind.transfer_overdue, receiving_side, now) + notices.insert(
        connection, NoticeKind.transfer_overdue, center_side, now
    )
