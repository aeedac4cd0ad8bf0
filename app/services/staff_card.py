"""The staff card (员工档案卡, issue 19.5): everything the center files about one staff member —
résumé, training, previous posts, personnel changes, the last monthly scores and what the
seeds' conditions say of them today. Read-only; a handful of indexed queries by staff id."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from app.models.assessment import MonthlyScore, ScoreKind
from app.models.org import Staff
from app.models.personnel import PersonnelChange
from app.models.staff_records import PreviousPost, TrainingRecord
from app.services import eligibility

RECENT_SCORES = 12


@dataclass(frozen=True)
class Card:
    staff: Staff
    age: int | None
    trainings: list
    posts: list
    changes: list
    scores: list
    warnings: list


def destination(change: PersonnelChange) -> str:
    """Where the change takes the staff member: department, window, position, rank (what it names)."""
    parts = (change.to_department and change.to_department.name, change.to_window, change.to_position, change.to_rank)
    return "，".join(str(part) for part in parts if part)


def card(session: Session, staff: Staff, today: date) -> Card:
    trainings = session.scalars(
        sa.select(TrainingRecord).where(TrainingRecord.staff_id == staff.id).order_by(TrainingRecord.day)
    ).all()
    posts = session.scalars(
        sa.select(PreviousPost).where(PreviousPost.staff_id == staff.id).order_by(PreviousPost.started_on)
    ).all()
    changes = session.scalars(
        sa.select(PersonnelChange)
        .options(joinedload(PersonnelChange.to_window), joinedload(PersonnelChange.to_department))
        .where(PersonnelChange.staff_id == staff.id)
        .order_by(PersonnelChange.effective_on, PersonnelChange.id)
    ).all()
    scores = session.execute(
        sa.select(MonthlyScore.month, MonthlyScore.score, MonthlyScore.rank)
        .where(MonthlyScore.staff_id == staff.id, MonthlyScore.kind == ScoreKind.staff)
        .order_by(MonthlyScore.month.desc())
        .limit(RECENT_SCORES)
    ).all()
    return Card(
        staff=staff,
        age=eligibility.age_on(staff.birth_date, today) if staff.birth_date else None,
        trainings=list(trainings),
        posts=list(posts),
        changes=[(change, destination(change)) for change in changes],
        scores=list(reversed(scores)),
        warnings=eligibility.check_staff(session, staff, today),
    )
