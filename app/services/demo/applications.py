"""The demo county's online applications (网上申报, issue 17): a dozen over the last working days,
submitted through the service itself (so each has real, content-checked files under FILES_DIR):
most awaiting pre-review, two with a correction requested (一次性告知), one corrected, one
withdrawn. Deterministic; skipped when applications exist."""

import io
import random
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.models.application import Application, ApplicationAction, ApplicationEvent, ApplicationStatus
from app.models.matter import Matter, MatterStatus
from app.services import applications
from app.services.demo.cases import GIVEN, SURNAMES, _person_id

# A one-page scan's smallest honest form: what the content check accepts.
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200 + b"\xff\xd9"
NOTICES = (
    "身份证复印件不清晰，请重新扫描上传正反面；申请表缺少申请人签名，请签名后重新上传。",
    "营业执照副本已过有效期，请上传最新的营业执照副本扫描件。",
)


def seed_applications(session: Session, now: datetime, files_dir, seed: int = 2026) -> dict:
    if session.scalar(sa.select(sa.func.count()).select_from(Application)):
        return {"applications": 0}
    rng = random.Random(f"{seed}:applications")
    matters = session.scalars(
        sa.select(Matter)
        .where(Matter.online_available.is_(True), Matter.status == MatterStatus.active)
        .options(selectinload(Matter.materials), selectinload(Matter.department))
        .order_by(Matter.code)
        .limit(40)
    ).all()
    matters = [m for m in matters if m.materials]
    if not matters:
        return {"applications": 0}
    limits = applications.Limits.load(session, files_dir)
    made = []
    for index in range(12):
        matter = rng.choice(matters)
        submitted = now - timedelta(hours=rng.randint(1, 72), minutes=rng.randint(0, 59))
        uploads = []
        for m in matter.materials:
            content, extension = (PDF, "pdf") if rng.random() < 0.6 else (JPEG, "jpg")
            uploads.append(
                applications.Upload(m.id, io.BytesIO(content), f"{m.name[:40].replace('/', '、')}.{extension}")
            )
        applicant = applications.Applicant(
            "person", rng.choice(SURNAMES) + rng.choice(GIVEN), _person_id(rng), f"139{rng.randint(0, 10**8 - 1):08d}"
        )
        try:
            application = applications.submit(
                session, matter, applications.Submission(applicant, True, uploads), limits, submitted
            )
        except applications.ApplicationError:
            session.rollback()
            continue
        made.append(application)
        if index in (1, 4):
            _request_correction(session, application, submitted, rng)
        if index == 6:
            _request_correction(session, application, submitted, rng)
            asked = applications.asked_materials(application)
            applications.resubmit(
                session,
                application,
                [
                    applications.Upload(m.id, io.BytesIO(PDF), f"{m.name[:40].replace('/', '、')}（补正）.pdf")
                    for m in asked
                ],
                submitted + timedelta(hours=5),
                limits=limits,
            )
        if index == 9:
            applications.withdraw(session, application, submitted + timedelta(hours=2))
        session.commit()
    return {"applications": len(made)}


def _request_correction(session, application, submitted, rng):
    """What a reviewer's correction request leaves (the pre-review records it for real)."""
    at = submitted + timedelta(hours=2)
    asked = application.matter.materials[:1]
    application.status = ApplicationStatus.correction_requested
    application.round = 1
    application.correction_requested_at = at
    application.correction_material_ids = [m.id for m in asked]
    application.correction_notice = rng.choice(NOTICES)
    session.add(
        ApplicationEvent(
            application_id=application.id,
            action=ApplicationAction.request_correction,
            at=at,
            actor_name="预审窗口",
            note=application.correction_notice,
        )
    )
    session.flush()
