"""The demo staff's résumés (issue 19.5): 编制, 职级, 学历, birth dates, training records and previous
posts, so a staff card reads like a real one on first start. Its own random stream per staff
member (the rest of the demo county is unchanged) and two bulk inserts: a few hundred rows.

Most staff meet the seeds' conditions; a few do not (an older clerk, a contract worker, a chief
representative still a 科员, a missing or late 岗前培训), so the warnings have something to say.
"""

import random
from datetime import date, timedelta

import sqlalchemy as sa

from app.models.org import Education, Gender, Staff, Staffing, StaffPosition, StaffRank, TitleLevel
from app.models.staff_records import PreviousPost, TrainingKind, TrainingRecord

STAFFING = [(Staffing.civil_service, 66), (Staffing.public_institution, 18), (Staffing.civil_service_managed, 8)]
STAFFING += [(Staffing.contract, 6), (Staffing.dispatched, 2)]
EDUCATION = [(Education.bachelor, 60), (Education.college, 24), (Education.master, 13), (Education.secondary, 3)]
TITLES = [
    (TitleLevel.none, 70),
    (TitleLevel.junior, 17),
    (TitleLevel.intermediate, 11),
    (TitleLevel.associate_senior, 2),
]
RANKS = {
    StaffPosition.chief_rep: [(StaffRank.section, 58), (StaffRank.deputy_division, 36), (StaffRank.member, 6)],
    StaffPosition.leader: [(StaffRank.section, 70), (StaffRank.deputy_division, 30)],
}
OTHER_RANKS = [(StaffRank.member, 62), (StaffRank.clerk, 28), (StaffRank.section, 10)]
EARLIER = ["办公室", "综合股", "法规股", "业务股", "下属事业单位", "乡镇办事处"]
EARLIER_POSTS = ["科员", "办事员", "业务员", "副股长"]
IN_SERVICE = ["“一网通办”系统操作培训", "政务服务礼仪与沟通技巧", "行政许可法专题学习", "好差评与投诉处理规范"]
PROVIDERS = ["县政务服务中心", "县委党校", "县行政审批局"]


def _pick(rng, weighted):
    return rng.choices([value for value, _ in weighted], [weight for _, weight in weighted])[0]


def describe(staff: list[Staff], as_of: date, seed) -> None:
    """Fill each staff member's résumé fields (before they are inserted)."""
    for person in staff:
        rng = random.Random(f"{seed}:resume:{person.staff_no}")
        chief = person.position in RANKS
        age = rng.randint(36, 52) if chief else rng.randint(24, 44) + (6 if rng.random() < 0.05 else 0)
        person.birth_date = as_of - timedelta(days=age * 365 + rng.randint(0, 364))
        person.gender = rng.choice(list(Gender))
        person.staffing = _pick(rng, STAFFING[:3] if chief else STAFFING)
        person.cadre_rank = _pick(rng, RANKS.get(person.position, OTHER_RANKS))
        person.education = _pick(rng, EDUCATION)
        person.title_level = _pick(rng, TITLES)
        person.home_post = f"{person.department.short_name or ''}审批股股长" if chief else "科员"


def record(session, staff: list[Staff], as_of: date, seed) -> int:
    """Training records and previous posts of the staff (inserted, with ids): rows written."""
    trainings, posts = [], []
    for person in staff:
        rng = random.Random(f"{seed}:records:{person.staff_no}")
        joined = person.joined_on or as_of
        fate = rng.random()
        if fate > 0.05:  # one in twenty has no 岗前培训 on record; a few took it after starting
            day = (
                joined + timedelta(days=rng.randint(5, 40))
                if fate > 0.93
                else joined - timedelta(days=rng.randint(3, 30))
            )
            trainings.append(_training(person, day, TrainingKind.pre_service, "窗口工作人员岗前培训", 24, PROVIDERS[0]))
        if rng.random() > 0.12:
            day = joined - timedelta(days=rng.randint(10, 60))
            trainings.append(_training(person, day, TrainingKind.department, "本部门审批业务培训", 16, "派出单位"))
        for _ in range(rng.randint(0, 2)):
            day = as_of - timedelta(days=rng.randint(15, 360))
            if day > joined:
                trainings.append(
                    _training(person, day, TrainingKind.in_service, rng.choice(IN_SERVICE), 8, rng.choice(PROVIDERS))
                )
        start = person.birth_date + timedelta(days=365 * 22 + rng.randint(0, 700))
        middle = start + (joined - start) * rng.randint(35, 70) // 100
        name = person.department.name
        if middle > start:
            posts.append(_post(person, start, middle, f"{name}{rng.choice(EARLIER)}", rng.choice(EARLIER_POSTS)))
        if joined - timedelta(days=1) > middle:
            posts.append(
                _post(person, middle, joined - timedelta(days=1), f"{name}{rng.choice(EARLIER)}", person.home_post)
            )
    for model, rows in ((TrainingRecord, trainings), (PreviousPost, posts)):
        if rows:
            session.execute(sa.insert(model), rows)
    return len(trainings) + len(posts)


def _training(person, day, kind, title, hours, provider) -> dict:
    return {
        "staff_id": person.id,
        "day": day,
        "kind": kind,
        "title": title,
        "hours": hours,
        "provider": provider,
        "passed": True,
        "version": 1,
    }


def _post(person, started_on, ended_on, organisation, post) -> dict:
    return {
        "staff_id": person.id,
        "started_on": started_on,
        "ended_on": ended_on,
        "organisation": organisation[:100],
        "post": post,
        "version": 1,
    }
