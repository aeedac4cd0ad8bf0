"""Who may be appointed to a window: the seeds' conditions, checked as warnings (issue 19.5).

The seeds say 原则上 (in principle) and 应 (should); none says the center must refuse, so every
finding is a warning: shown on the staff form after saving and stored on the personnel change
for the approver (`PersonnelChange.eligibility_warning`). Each threshold is a setting with the
seed's value as default (app/services/settings.py):

- age (003 第三条（四）): 年龄在45周岁以下 (`staff_max_age`, 45), 中层以上干部和中级以上职称专业技术人员
  可适当放宽至50岁 (`staff_max_age_relaxed`, 50) — a middle cadre is a rank at or above
  `chief_rep_min_rank`, an intermediate title is 中级 or above. The seeds set no lower bound.
- 编制 (003 第三条（一）: 公务员身份或…事业单位在职在编人员; 004 第三十一条: 首席代表…有正式编制):
  `staff_required_staffing` (行政编制, 参公, 事业编制).
- the chief representative's rank (003 第三条（一）: 首席代表应为窗口部门中层以上干部):
  `chief_rep_min_rank` (股级, a county department's middle cadre).
- training (004 第三十条: 须经过本部门业务培训和中心组织的岗前培训): each kind in
  `staff_required_training` (岗前培训, 部门业务培训) on record, passed, on or before the start;
  one taken only after the start is named as late.

Education (学历) has no condition in the seeds: it is recorded, not checked.
The check is pure: the caller gives the profile and the date (`on`), nothing reads the clock.
"""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.models.org import Staff, Staffing, StaffPosition, StaffRank, TitleLevel
from app.models.staff_records import TrainingKind, TrainingRecord
from app.services import settings

MAX_TEXT = 500


@dataclass(frozen=True)
class Rules:
    max_age: int = 45
    max_age_relaxed: int = 50
    staffing: frozenset = frozenset(
        {Staffing.civil_service, Staffing.civil_service_managed, Staffing.public_institution}
    )
    chief_min_rank: StaffRank = StaffRank.section
    training: tuple = (TrainingKind.pre_service, TrainingKind.department)

    @classmethod
    def load(cls, session: Session) -> "Rules":
        def names(key, enum):
            return [enum[n.strip()] for n in settings.get(session, key).split(",") if n.strip() in enum.__members__]

        rank = settings.get(session, "chief_rep_min_rank").strip()
        return cls(
            int(settings.get(session, "staff_max_age")),
            int(settings.get(session, "staff_max_age_relaxed")),
            frozenset(names("staff_required_staffing", Staffing)),
            StaffRank[rank] if rank in StaffRank.__members__ else StaffRank.section,
            tuple(names("staff_required_training", TrainingKind)),
        )


@dataclass(frozen=True)
class Profile:
    """What the rules read of a person taking a post: résumé facts and passed trainings (kind, day)."""

    birth_date: date | None
    staffing: Staffing | None
    rank: StaffRank | None
    title_level: TitleLevel | None
    position: StaffPosition | None
    trainings: tuple = field(default=())


def age_on(birth: date, day: date) -> int:
    """Full years (周岁) on `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def middle_cadre(rank: StaffRank | None, rules: Rules) -> bool:
    return rank is not None and rank.order >= rules.chief_min_rank.order


def warnings(profile: Profile, rules: Rules, on: date) -> list[str]:
    """The seeds' conditions the person does not meet when starting on `on` (empty: none)."""
    found = []
    if profile.birth_date is None:
        found.append(_l("No birth date on record: the age limit could not be checked."))
    else:
        relaxed = middle_cadre(profile.rank, rules) or (
            profile.title_level is not None and profile.title_level.order >= TitleLevel.intermediate.order
        )
        limit = rules.max_age_relaxed if relaxed else rules.max_age
        age = age_on(profile.birth_date, on)
        if age > limit:
            found.append(_l("Aged %(age)s on %(day)s, over the limit of %(limit)s.", age=age, day=on, limit=limit))
    if profile.staffing is None:
        found.append(_l("No establishment (编制) on record."))
    elif rules.staffing and profile.staffing not in rules.staffing:
        found.append(
            _l("Establishment %(kind)s: window staff should hold a formal establishment.", kind=profile.staffing)
        )
    if profile.position is StaffPosition.chief_rep and not middle_cadre(profile.rank, rules):
        found.append(
            _l(
                "A chief representative should be a middle cadre: rank %(rank)s is below %(minimum)s.",
                rank=profile.rank or _l("not recorded"),
                minimum=rules.chief_min_rank,
            )
        )
    for kind in rules.training:
        days = sorted(day for taken, day in profile.trainings if taken is kind)
        if not days:
            found.append(_l("No %(kind)s on record.", kind=kind))
        elif days[0] > on:
            found.append(
                _l("%(kind)s taken on %(day)s, after starting on %(start)s.", kind=kind, day=days[0], start=on)
            )
    return [str(text) for text in found]


def joined(found: list[str]) -> str | None:
    """The warnings as one stored text (None when there are none)."""
    return "；".join(found)[:MAX_TEXT] or None


def profile_of(session: Session, staff: Staff, *, position=None, rank=None) -> Profile:
    """The staff member's profile, as it would be in `position` at `rank` (a change's new post)."""
    trainings = ()
    if staff.id is not None:
        trainings = tuple(
            session.execute(
                sa.select(TrainingRecord.kind, TrainingRecord.day).where(
                    TrainingRecord.staff_id == staff.id, TrainingRecord.passed.is_(True)
                )
            ).all()
        )
    return Profile(
        staff.birth_date,
        staff.staffing,
        rank or staff.cadre_rank,
        staff.title_level,
        position or staff.position,
        trainings,
    )


def check_staff(session: Session, staff: Staff, today: date, rules: Rules | None = None) -> list[str]:
    """The warnings of a staff record as saved: starting on its date of joining (else today)."""
    rules = rules or Rules.load(session)
    return warnings(profile_of(session, staff), rules, staff.joined_on or today)
