"""全程代办 and 急办件 as a year leaves them: a few matters with their own urgent limit, and a
handful of key projects' cases under full-process proxy — agents from the case's center, a few
rows each in the 承办表, most completed ones called back, two awaiting their call-back — written
through app/services/proxy.py (a refusal would be a fault of the demo: raised, not skipped),
the proxy rows themselves as proxy.assign writes them (it takes open cases only; these were)."""

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from app.models.case import Case, CaseStatus
from app.models.matter import Matter
from app.models.proxy import CallbackVerdict, CaseProxy
from app.services import proxy

PROJECTS = (
    "年产5万吨饲料加工项目",
    "县工业园区标准化厂房建设项目",
    "城南农贸市场改造项目",
    "光伏发电并网项目",
    "冷链物流仓储中心项目",
    "乡村旅游综合体项目",
    "农产品深加工扩建项目",
    "新能源汽车配件生产项目",
)
STEPS = (
    "上门收取并核对申请材料",
    "代为填写申请表并网上申报",
    "陪同现场踏勘",
    "协调相关部门联合审查",
    "代为领取审批结果并送达",
)
VERDICTS = (CallbackVerdict.satisfied,) * 4 + (CallbackVerdict.basically_satisfied,)


def seed_proxies(session, cast, now: datetime, rng) -> dict:
    # Matters with a promise of a week or more: an urgent limit of a third of it (one UPDATE).
    urgent = session.execute(
        sa.update(Matter)
        .where(Matter.promised_limit_days >= 6, Matter.id % 4 == 0, Matter.urgent_limit_days.is_(None))
        .values(urgent_limit_days=Matter.promised_limit_days / 3)
    ).rowcount
    agents: dict[int, list] = {}
    for actor in cast.staff:
        agents.setdefault(actor.center_id, []).append(actor)
    cases = session.scalars(
        sa.select(Case)
        .where(
            Case.accepted_at.between(now - timedelta(days=60), now - timedelta(days=3)),
            Case.center_id.in_(list(agents)),
            Case.status.in_((CaseStatus.completed, CaseStatus.in_progress, CaseStatus.accepted)),
            Case.parent_id.is_(None),
            ~sa.exists().where(CaseProxy.case_id == Case.id),
        )
        .order_by(Case.id)
        .limit(400)
    ).all()
    rng.shuffle(cases)
    made = called = 0
    for project, case in zip(PROJECTS, cases, strict=False):
        agent = rng.choice(agents[case.center_id])
        who = proxy.Agent(staff_id=agent.staff_id, name=agent.name)
        assigned_at = case.accepted_at + timedelta(minutes=30)
        # Marked when it was still open (proxy.assign refuses a closed case): the row as assign writes it.
        item = CaseProxy(
            case_id=case.id,
            agent_id=agent.staff_id,
            key_project=project,
            proxy_fee=0,
            free_declared=True,
            assigned_at=assigned_at,
            assigned_by=agent.name,
        )
        session.add(item)
        session.flush()
        end = case.finished_at or now - timedelta(hours=2)
        for number, step in enumerate(STEPS[: rng.randint(2, 4)]):
            at = min(assigned_at + timedelta(days=number, hours=rng.randint(1, 5)), end)
            proxy.add_entry(session, who, at, item, handled=step, at=at)
        made += 1
        # The last two completed ones still await their call-back.
        if case.status is CaseStatus.completed and made <= len(PROJECTS) - 2:
            when = datetime.combine((case.finished_at + timedelta(days=2)).date(), time(10, 0))
            if when < now:
                proxy.record_callback(session, who, when, item, verdict=rng.choice(VERDICTS), note="")
                called += 1
    session.flush()
    return {"urgent_matters": urgent, "proxies": made, "callbacks": called}
