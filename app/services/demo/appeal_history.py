"""Appeals (申诉) as the demo county's last two monthly runs leave them, through the appeal service:
deductions the month before last appealed and decided (one upheld, one cancelled, which scores
that month again), and the last month's still open (one waiting for the chief representative's
comment, one for the supervisor). Runs after the replay: appeals follow the deductions the
monthly job wrote, within the appeal period counted from the day it wrote them."""

from datetime import timedelta

import sqlalchemy as sa

from app.models.jobs import JobOutcome, JobRun
from app.models.org import StaffPosition
from app.services import appeals
from app.services.demo import data
from config import ROLE_DUTIES

TEXTS = data.document("history.json")


def seed_appeals(session, cast, now, rng) -> dict:
    runs = session.scalars(
        sa.select(JobRun.now)
        .where(JobRun.job == "monthly_scoring", JobRun.outcome == JobOutcome.ok)
        .order_by(JobRun.now.desc())
        .limit(2)
    ).all()
    plans = []  # (written at, how far it goes)
    if len(runs) == 2:
        plans += [(runs[1], "upheld"), (runs[1], "cancelled")]
    if runs:
        plans += [(runs[0], "filed"), (runs[0], "commented")]
    supervisor = cast.accounts.get("supervisor")
    clerks = [
        actor
        for actor in cast.staff
        if cast.positions[actor.staff_id] is not StaffPosition.chief_rep
        and actor.department_id in cast.chiefs
        and cast.chiefs[actor.department_id].roles & ROLE_DUTIES["department_chief"]
    ]
    rng.shuffle(clerks)
    counts: dict[str, int] = {}
    for written, goal in plans:
        filed_at = min(written + timedelta(hours=8, minutes=rng.randint(0, 90)), now - timedelta(hours=2))
        for clerk in clerks:
            records = [key for key, _label in appeals.appealable(session, clerk, filed_at) if key.startswith("record:")]
            if records:
                break
        else:
            continue
        clerks.remove(clerk)
        appeal = appeals.file(
            session,
            cast.acting(session, clerk),
            filed_at,
            record_id=int(records[0].split(":")[1]),
            reason=rng.choice(TEXTS["appeal_reasons"]),
        )
        if goal != "filed":
            chief = cast.acting(session, cast.chiefs[clerk.department_id])
            at = min(filed_at + timedelta(hours=3), now - timedelta(hours=1))
            appeals.comment(session, chief, appeal, appeal.version, at, text=rng.choice(TEXTS["appeal_comments"]))
        if goal in ("upheld", "cancelled"):
            at = min(filed_at + timedelta(hours=26), now - timedelta(minutes=30))
            note = TEXTS["appeal_decisions"][goal]
            acting = cast.acting(session, supervisor)
            appeals.decide(session, acting, appeal, appeal.version, at, cancel=goal == "cancelled", note=note)
        counts[appeal.status.name] = counts.get(appeal.status.name, 0) + 1
    return counts
