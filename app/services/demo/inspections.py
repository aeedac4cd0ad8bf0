"""Demo inspections register (issue 19.3): a handful of the supervisor's patrols and unannounced
visits of the county hall, an inspection of each of two township centers (and of a sub-center when
the network has one), their findings — one recorded as a deduction, one sanctioned, some with a
rectification order (most closed, one left overdue) — and one joint meeting with a closed and an
overdue follow-up. Written through the services (app/services/inspections.py), so the monthly
scoring and the scans replayed afterwards find them; a few dozen rows, skipped when any exist.
"""

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.models.assessment import AssessmentRule
from app.models.feedback import OrderStatus
from app.models.inspection import Inspection
from app.models.org import Center, CenterLevel, RecordStatus, Staff, StaffStatus, Window
from app.services import inspections

PROBLEMS = (
    "上班时间玩手机，未及时接待群众",
    "工作台面杂乱，资料摆放不规范",
    "窗口人员未佩戴工作牌",
    "离岗超过半小时，未履行请假手续",
    "办事指南未及时更新，与现行规定不符",
)
TOWN_PROBLEMS = ("政务公开栏内容过期", "便民服务中心未统一标识标牌", "代办员登记台账不完整")


def _staff_at_windows(session, center_id, limit):
    return session.execute(
        sa.select(Staff.id, Staff.window_id)
        .join(Window, Window.id == Staff.window_id)
        .where(Staff.status == StaffStatus.active, Window.center_id == center_id, Window.status == RecordStatus.active)
        .order_by(Staff.staff_no)
        .limit(limit)
    ).all()


def seed_inspections(session, cast, now: datetime, rng) -> int:
    """The register and one joint meeting; returns the rows written (the caller commits)."""
    if session.scalar(sa.select(sa.func.count()).select_from(Inspection)):
        return 0
    supervisor, manager = cast.accounts.get("supervisor"), cast.accounts.get("manager")
    county = session.scalar(sa.select(Center).where(Center.level == CenterLevel.county).order_by(Center.id))
    if supervisor is None or manager is None or county is None:
        return 0
    cast.acting(session, supervisor)
    rules = {r.code: r.id for r in session.scalars(sa.select(AssessmentRule))}
    people = _staff_at_windows(session, county.id, 40)
    written = 0
    for number, weeks in enumerate((20, 11, 6, 2)):
        at = datetime.combine(now.date() - timedelta(weeks=weeks, days=rng.randint(0, 3)), time(9 + number, 30))
        inspection = inspections.record_inspection(
            session,
            supervisor,
            at + timedelta(hours=2),
            kind="unannounced" if number % 2 else "patrol",
            inspected_at=at,
            center_id=county.id,
            inspectors="督查科 " + rng.choice(("李明、王芳", "赵强、陈静", "周婷、孙磊")),
            summary="对大厅各窗口人员在岗、工作纪律、窗口形象和政务公开进行检查。",
            place=rng.choice(("一楼大厅", "二楼大厅", "综合受理区")),
        )
        written += 1
        for index, (staff_id, _window) in enumerate(rng.sample(people, k=min(2, len(people)))):
            recorded = at + timedelta(hours=3)
            finding, _ = inspections.add_finding(
                session, supervisor, recorded, inspection, description=rng.choice(PROBLEMS), staff_id=staff_id
            )
            written += 1
            if index:
                continue  # the second finding is recorded only
            if number == 0 and "leave_post" in rules:
                inspections.to_assessment(
                    session, supervisor, recorded, finding, finding.version, rule_id=rules["leave_post"]
                )
            elif number == 1:
                inspections.to_sanction(
                    session, supervisor, recorded, finding, finding.version, kind="criticism", note="当场批评教育"
                )
            order = inspections.order_rectification(
                session,
                supervisor,
                recorded,
                finding,
                finding.version,
                due_at=inspections.order_due(session, recorded),
            )
            written += 1
            if number < 3:  # the older ones were put right in time; the newest is still open, overdue
                order.status, order.closed_at = OrderStatus.closed, order.due_at - timedelta(days=1)
                order.closed_by, order.closure_note = "首席代表", "已组织窗口人员学习管理制度，问题已整改。"
    towns = session.scalars(
        sa.select(Center).where(Center.level.in_(inspections.MEETING_LEVELS)).order_by(Center.code).limit(3)
    ).all()
    for days, center in zip((40, 25, 12), towns, strict=False):
        at = datetime.combine(now.date() - timedelta(days=days), time(14, 30))
        kind = "sub_center" if center.level is CenterLevel.sub_center else "unannounced"
        inspection = inspections.record_inspection(
            session,
            supervisor,
            at + timedelta(hours=2),
            kind=kind,
            inspected_at=at,
            center_id=center.id,
            inspectors="督查科 李明",
            summary=f"对{center.name}人员出勤、日常纪律、业务办理和政务公开进行检查。",
        )
        inspections.add_finding(
            session, supervisor, at + timedelta(hours=2), inspection, description=rng.choice(TOWN_PROBLEMS)
        )
        written += 2
    if towns:
        cast.acting(session, manager)
        held = now.date() - timedelta(days=30)
        meeting = inspections.record_meeting(
            session,
            manager,
            datetime.combine(held, time(16, 0)),
            held_on=held,
            topic="分中心及乡镇便民服务中心联席会议",
            attendees="中心主任、分管副主任、督查科科长，" + "、".join(c.name for c in towns) + "负责人",
            minutes="传达上级关于政务服务标准化建设的文件精神；通报近期巡查、暗访发现的问题；交流各中心窗口服务经验。",
            decisions="一、各中心统一标识标牌；二、政务公开栏每月更新；三、代办员台账按月报送中心。",
            center_ids=[c.id for c in towns],
        )
        for number, center in enumerate(towns[:2]):
            due: date = held + timedelta(days=10 if number == 0 else 20)
            follow_up = inspections.add_follow_up(
                session,
                manager,
                datetime.combine(held, time(17, 0)),
                meeting,
                action="统一更换标识标牌" if number == 0 else "政务公开栏内容更新并报送照片",
                owner=f"{center.name}负责人",
                due_on=due,
                owner_center_id=center.id,
            )
            if number == 0:
                inspections.close_follow_up(
                    session,
                    manager,
                    datetime.combine(due - timedelta(days=2), time(10, 0)),
                    follow_up,
                    follow_up.version,
                    note="标识标牌已按中心样式更换",
                )
        written += 3
    return written
