"""Online applications (网上申报, issue 17; seeds 002 网上接件、预审, 003 在线申请, 004 第十六条):
the applicant's side. Pre-review (预审: pass, correction request, refusal) is the department's.

- submit: a matter marked online, the applicant checked (ID number or unified social credit code
  with a contact person), a phone, the declaration ticked, the matter's materials as files
  (several per material; every required material at least one), within the limits (settings
  application_max_files, application_max_megabytes, stored_file_max_megabytes). One open
  application per applicant and matter: a second is refused with the open one's number, also
  when both arrive at once (the partial unique index uq_application_open decides).
- find_for_applicant: number + last four of the ID number / credit code or of the phone.
- resubmit: after a correction request, files only for the materials it asks, each at least one.
- withdraw: while it is open.
- purge_expired: closed applications past the retention (setting application_retention_days)
  are deleted with their files.

Every refusal raises ApplicationError (or stored_files.FileRefused) with a Chinese message and
leaves nothing stored: the caller rolls back, and the files written so far are removed here.
"""

import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.models.application import (
    CLOSED_APPLICATION_STATUSES,
    OPEN_APPLICATION_STATUSES,
    Application,
    ApplicationAction,
    ApplicationEvent,
    ApplicationStatus,
)
from app.models.case import ApplicantType
from app.models.matter import Matter, MatterStatus
from app.models.transfer import StoredFile
from app.services import portal, prereview, settings, stored_files
from app.services.idnumber import CREDIT_CODE_ERROR, valid_credit_code, valid_id_number
from app.services.phone import InvalidPhone, checked_phone, phone_tail

APPLICANT = "申请人"
PAGE_SIZE = portal.PAGE_SIZE  # the apply list pages as the guide does (portal.search_matters)


class ApplicationError(Exception):
    """The application or upload was refused; the message is for the applicant."""


@dataclass(frozen=True)
class Upload:
    """One uploaded file for one of the matter's materials."""

    material_id: int
    stream: object
    filename: str


@dataclass(frozen=True)
class Limits:
    files: stored_files.Limits
    max_files: int
    max_bytes: int

    @classmethod
    def load(cls, session: Session, directory) -> "Limits":
        return cls(
            stored_files.Limits.load(session, directory),
            int(settings.get(session, "application_max_files")),
            int(settings.get(session, "application_max_megabytes")) * 1024 * 1024,
        )

    @property
    def request_bytes(self) -> int:
        """The largest request body an upload may send: the files plus room for the form."""
        return self.max_bytes + 256 * 1024


@dataclass
class Applicant:
    kind: str  # ApplicantType name: person | organisation
    name: str
    id_number: str
    phone: str
    contact_name: str = ""


@dataclass
class Submission:
    applicant: Applicant
    declaration: bool
    uploads: list = field(default_factory=list)


def online_matters(session: Session, text: str = "", page: int = 1):
    """(matters of the page, total): the active matters one can apply for online."""
    return portal.search_matters(session, text, page=page, online=True)


def online_matter(session: Session, code: str) -> Matter | None:
    return session.scalar(
        sa.select(Matter)
        .where(
            Matter.code == (code or "")[:40], Matter.status == MatterStatus.active, Matter.online_available.is_(True)
        )
        .options(selectinload(Matter.materials), selectinload(Matter.department))
    )


# -- submit --------------------------------------------------------------------------------------


def submit(session: Session, matter: Matter, submission: Submission, limits: Limits, now: datetime) -> Application:
    """Store the application and its files. Caller commits; on an exception it rolls back (the
    files written are removed already)."""
    if matter is None or matter.status is not MatterStatus.active or not matter.online_available:
        raise ApplicationError(_l("This matter cannot be applied for online."))
    applicant_type, name, id_number, phone, contact = _applicant(submission.applicant)
    if not submission.declaration:
        raise ApplicationError(_l("Tick the declaration: the materials are true, complete and your own."))
    materials = {m.id: m for m in matter.materials}
    _check_uploads(submission.uploads, set(materials), limits)
    missing = [
        m.name for m in matter.materials if m.required and m.id not in {u.material_id for u in submission.uploads}
    ]
    if missing:
        raise ApplicationError(_l("Upload every required material; missing: %(names)s.", names="、".join(missing)))
    _refuse_open(session, matter.id, id_number)
    application = Application(
        number=_number(session, now),
        status=ApplicationStatus.submitted,
        matter_id=matter.id,
        center_id=matter.department.center_id,
        department_id=matter.department_id,
        applicant_type=applicant_type,
        applicant_name=name,
        applicant_id_number=id_number,
        applicant_phone=phone,
        contact_name=contact,
        declaration_accepted=True,
        submitted_at=now,
        # The department's pre-review is due then (services/prereview.py).
        review_due_at=prereview.review_due(session, now),
        round=0,
    )
    session.add(application)
    try:
        session.flush()
    except IntegrityError:
        # A racing twin committed first: uq_application_open refused this one. The insert is this
        # request's first write, so the whole transaction goes; then the twin's number is told.
        session.rollback()
        _refuse_open(session, matter.id, id_number)
        raise ApplicationError(_l("An application for this matter is open already; follow it.")) from None
    _store(session, application, submission.uploads, limits, now, round_=0)
    _event(session, application, ApplicationAction.submit, now, APPLICANT)
    return application


def _applicant(applicant: Applicant):
    kind = ApplicantType.__members__.get(applicant.kind or "")
    if kind is None:
        raise ApplicationError(_l("Choose whether you apply as a person or as an enterprise."))
    name = _text(applicant.name, _l("Enter the applicant's name."), 100)
    id_number = (applicant.id_number or "").strip().upper()
    contact = None
    if kind is ApplicantType.person and not valid_id_number(id_number):
        raise ApplicationError(_l("The ID card number is not valid (check digit or date wrong)."))
    if kind is ApplicantType.organisation:
        if not valid_credit_code(id_number):
            raise ApplicationError(CREDIT_CODE_ERROR)
        contact = _text(applicant.contact_name, _l("Enter the enterprise's contact person."), 100)
    try:
        phone = checked_phone(applicant.phone, required=True)
    except InvalidPhone as exc:
        raise ApplicationError(str(exc)) from None
    return kind, name, id_number, phone, contact


def _text(value, message, limit):
    text = " ".join((value or "").split())
    if not text:
        raise ApplicationError(message)
    if len(text) > limit:
        raise ApplicationError(_l("The text is too long (at most %(n)s characters).", n=limit))
    return text


def _refuse_open(session: Session, matter_id: int, id_number: str) -> None:
    number = session.scalar(
        sa.select(Application.number).where(
            Application.matter_id == matter_id,
            Application.applicant_id_number == id_number,
            Application.status.in_(OPEN_APPLICATION_STATUSES),
        )
    )
    if number:
        raise ApplicationError(
            _l(
                "You have an open application for this matter already (number %(number)s): follow it or "
                "withdraw it before applying again.",
                number=number,
            )
        )


def _check_uploads(uploads, allowed_ids: set, limits: Limits) -> None:
    if not uploads:
        raise ApplicationError(_l("Upload the materials: each needs at least one file."))
    if len(uploads) > limits.max_files:
        raise ApplicationError(_l("At most %(n)s files per application.", n=limits.max_files))
    for upload in uploads:
        name = upload.filename or ""
        if "/" in name or "\\" in name or len(name) > 200 or any(unicodedata.category(ch)[0] == "C" for ch in name):
            raise ApplicationError(
                _l(
                    "A file name may not contain a folder path or control characters: rename 「%(name)s」.",
                    name=stored_files.clean_name(name),
                )
            )
    if any(upload.material_id not in allowed_ids for upload in uploads):
        raise ApplicationError(_l("A file was uploaded for a material this application does not ask for."))


def _store(session, application, uploads, limits: Limits, now, *, round_: int) -> list[StoredFile]:
    stored, total = [], 0
    try:
        for upload in uploads:
            row = stored_files.store(
                session,
                upload.stream,
                upload.filename,
                limits.files,
                now=now,
                actor_name=APPLICANT,
                application=application,
                matter_material_id=upload.material_id,
                round=round_,
            )
            stored.append(row)
            total += row.size
            if total > limits.max_bytes:
                raise ApplicationError(
                    _l(
                        "The files together are larger than %(mb)s MB.",
                        mb=limits.max_bytes // (1024 * 1024),
                    )
                )
        session.flush()
    except BaseException:
        stored_files.discard(limits.files.directory, stored)
        raise
    return stored


def _number(session, now) -> str:
    """WS + date + 6 random digits: on the receipt, not guessable from another one."""
    while True:
        number = f"WS{now:%Y%m%d}{secrets.randbelow(10**6):06d}"
        if session.scalar(sa.select(Application.id).where(Application.number == number)) is None:
            return number


def _event(session, application, action, now, actor_name, note=None):
    session.add(
        ApplicationEvent(application_id=application.id, action=action, at=now, actor_name=actor_name, note=note)
    )


# -- the applicant follows it --------------------------------------------------------------------


def find_for_applicant(session: Session, number: str, factor: str) -> Application | None:
    """The application whose number matches and whose applicant's ID number (credit code) or phone
    ends with `factor`; None for any mismatch, without saying which."""
    number, factor = (number or "").strip().upper(), (factor or "").strip().upper()
    if not number or len(number) > 40 or len(factor) != 4 or not factor.isalnum():
        return None
    application = session.scalar(sa.select(Application).where(Application.number == number))
    if application is None:
        return None
    tails = (application.applicant_id_number[-4:].upper(), phone_tail(application.applicant_phone))
    return application if factor in tails else None


def asked_materials(application: Application):
    """The matter's materials the correction request asks for, in the matter's order."""
    asked = set(application.correction_material_ids or [])
    return [m for m in application.matter.materials if m.id in asked]


def resubmit(session: Session, application: Application, files, now: datetime, *, limits: Limits) -> list[StoredFile]:
    """The applicant answers the correction request: `files` (Upload) only for the materials it
    asks, each of them at least one. Caller commits or rolls back."""
    if application.status is not ApplicationStatus.correction_requested:
        raise ApplicationError(_l("This application awaits no correction."))
    asked = {m.id for m in asked_materials(application)}
    _check_uploads(files, asked, limits)
    missing = [m.name for m in asked_materials(application) if m.id not in {f.material_id for f in files}]
    if missing:
        raise ApplicationError(_l("Upload every material asked for; missing: %(names)s.", names="、".join(missing)))
    stored = _store(session, application, files, limits, now, round_=application.round)
    # Conditional: a second correction racing this one (or a withdrawal) finds nothing to change.
    changed = session.execute(
        sa.update(Application)
        .where(Application.id == application.id, Application.status == ApplicationStatus.correction_requested)
        .values(
            status=ApplicationStatus.resubmitted,
            resubmitted_at=now,
            # Back in the queue with a new pre-review limit.
            review_due_at=prereview.review_due(session, now),
            version=Application.version + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        stored_files.discard(limits.files.directory, stored)
        raise ApplicationError(_l("This application awaits no correction."))
    _event(session, application, ApplicationAction.resubmit, now, APPLICANT, _names(stored))
    session.flush()
    session.refresh(application)
    return stored


def withdraw(session: Session, application: Application, now: datetime) -> None:
    """The applicant withdraws an open application. Caller commits."""
    changed = session.execute(
        sa.update(Application)
        .where(Application.id == application.id, Application.status.in_(OPEN_APPLICATION_STATUSES))
        .values(
            status=ApplicationStatus.withdrawn,
            withdrawn_at=now,
            closed_at=now,
            version=Application.version + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise ApplicationError(_l("This application can no longer be withdrawn."))
    _event(session, application, ApplicationAction.withdraw, now, APPLICANT)
    session.flush()
    session.refresh(application)


def _names(stored) -> str:
    return "、".join(row.original_name for row in stored)[:1000]


def timeline(application: Application) -> list[tuple[datetime, str]]:
    return [(event.at, event.action.label) for event in application.events]


# -- retention -----------------------------------------------------------------------------------


def purge_expired(session: Session, now: datetime, files_dir) -> int:
    """Delete the closed applications kept past the retention days, with their files; returns how
    many. The rows go first (one DELETE each for files and applications); the files on disk after
    the commit, so a failed run leaves rows without files never. Idempotent."""
    days = int(settings.get(session, "application_retention_days"))
    expired = (
        sa.select(Application.id)
        .where(Application.status.in_(CLOSED_APPLICATION_STATUSES), Application.closed_at < now - timedelta(days=days))
        .scalar_subquery()
    )
    keys = session.scalars(sa.select(StoredFile.storage_key).where(StoredFile.application_id.in_(expired))).all()
    session.execute(sa.delete(StoredFile).where(StoredFile.application_id.in_(expired)))
    session.execute(sa.delete(ApplicationEvent).where(ApplicationEvent.application_id.in_(expired)))
    count = session.execute(sa.delete(Application).where(Application.id.in_(expired))).rowcount
    session.commit()
    for key in keys:
        (Path(files_dir) / key).unlink(missing_ok=True)
    return count
