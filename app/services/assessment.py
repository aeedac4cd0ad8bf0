"""Assessment rules (考核细则) as data, and the records the system writes from facts it holds.

The default rules come from the seeds' 考核细则 (工作纪律 30 分, 窗口形象 30 分, business
handling, additions). `ensure_rules` inserts the missing ones by code at init and never
touches a rule a county has edited.

`collect(session, month, now)` turns the month's facts into `AssessmentRecord` rows,
one INSERT … SELECT … WHERE NOT EXISTS per trigger (the same SQL on SQLite and
PostgreSQL), each row keyed by what it stands for ("attendance:17", "violation:42",
"evaluation:9", "sanction:3") so a rerun writes nothing new:

- attendance — late → `late`; early_leave → `early_leave`; late_and_early → both;
  absent_half → `absent_half`; absent_day → `absent_day` (−5 each: 003 无故旷工半天以上 1次扣5分);
- violations (confirmed ones only) — kind overdue → `case_overdue`; every other kind → `violation`;
- bad reviews — evaluations of level 1–2 that are not default ratings (a default is
  what the applicant did not say, never a bad review) → `bad_review`;
- sanctions on substantiated or partly substantiated complaints → `complaint_sanction`;
- sanctions on inspection findings (巡查/暗访, services/inspections.py) → `inspection_sanction`;
- first inquiries flagged overdue (首问登记, services/inquiries.py), the first responder's →
  `inquiry_overdue`; the overdue scan writes these at once (`collect_trigger`), the month's run again;
- queue tickets issued in the month that waited from issue to call longer than the setting
  `queue_wait_limit_minutes` (取号叫号, services/queue.py), the staff member and window who called
  them → `long_wait`.

A record carries the staff member and the window: an individual's deduction is also
the window's (分中心管理办法 第二十一条 "个人扣分值=部门扣分值"); the window is the
fact's own, else the staff member's current window. Only active rules produce records.
When a fact stops qualifying (an attendance record corrected to normal), the next run
removes its automatic record; manual records are never touched. A record cancelled on
appeal (services/appeals.py) is deleted there and never written again.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from app.models.appeal import Appeal, AppealStatus
from app.models.assessment import (
    AssessmentCategory,
    AssessmentOrigin,
    AssessmentRecord,
    AssessmentRule,
    AssessmentTrigger,
)
from app.models.case import Violation, ViolationKind, ViolationStatus
from app.models.feedback import Complaint, ComplaintFinding, Evaluation, Sanction
from app.models.inquiry import Inquiry
from app.models.inspection import Inspection, InspectionFinding
from app.models.org import Staff
from app.models.personnel import AttendanceKind, AttendanceRecord
from app.models.queue import QueueTicket
from app.services import settings
from app.services.monthly_report import month_bounds
from app.services.rating_rates import BAD_REVIEW

SYSTEM = "系统"
# Codes the quarterly assessment counts (分中心管理办法 第二十二条): keep them when renaming rules.
MEETING_ABSENCE = "meeting_absence"
NO_SYSTEM_USE = "no_system_use"


@dataclass(frozen=True)
class RuleSeed:
    """A default rule. (The docstring also keeps dataclass from rendering the signature's lazy
    enum defaults into __doc__ at import, before Babel is set up: the dashboard imports this early.)"""

    code: str
    name: str
    category: AssessmentCategory
    points: str
    trigger: AssessmentTrigger = AssessmentTrigger.manual
    note: str = ""
    # An earlier default of this rule (name, points, note): a row still holding exactly it and
    # never updated since it was seeded (version 1) takes the new default; see ensure_rules.
    was: tuple[str, str, str] | None = None
    # A breach of the 十不准: the chief representative answers for it too (连带责任, scoring_month.py).
    joint_liability: bool = False


# 003 考核细则 三、(一) 工作纪律, quoted in the attendance rules' notes.
DISCIPLINE = "003 考核细则（一）工作纪律：「"
D, IMG, B, A = (
    AssessmentCategory.discipline,
    AssessmentCategory.image,
    AssessmentCategory.business,
    AssessmentCategory.addition,
)
T = AssessmentTrigger
# 002 建绩效考核机制, quoted in the 十不准 rules' notes.
TEN = "002「凡窗口人员上班期间违反“十不准”规定，扣其100元/次，并追究其首席代表连带责任100元/次」；十不准：「"
DEFAULT_RULES = (
    # 工作纪律 (30 分)
    RuleSeed(
        "leave_post",
        "上班时间擅自离岗超过半小时",
        D,
        "-0.5",
        note=f"{DISCIPLINE}1.上班时间擅自离岗超过半小时，1次扣0.5分」；监督人员记录，须写明证据",
        was=("上班时间擅自离岗超过半小时", "-0.5", ""),
    ),
    RuleSeed(
        "late",
        "迟到",
        D,
        "-1",
        T.late,
        f"{DISCIPLINE}2.迟到或早退，1次扣1分」；不论迟到几分钟，迟到且早退时另计早退",
        was=("迟到", "-1", "考勤记录为迟到（迟到且早退时另计早退）"),
    ),
    RuleSeed(
        "early_leave",
        "早退",
        D,
        "-1",
        T.early_leave,
        f"{DISCIPLINE}2.迟到或早退，1次扣1分」；不论早退几分钟，迟到且早退时另计迟到",
        was=("早退", "-1", "考勤记录为早退（迟到且早退时另计迟到）"),
    ),
    RuleSeed(
        "unrelated_activity",
        "上班期间从事与工作无关的事项",
        D,
        "-1",
        note=f"{TEN}不准做与工作无关的一切事情」",
        joint_liability=True,
    ),
    RuleSeed(
        "absent_half",
        "无故旷工半天",
        D,
        "-5",
        T.absent_half,
        f"{DISCIPLINE}4.无故旷工半天以上，1次扣5分」；半天未到岗计1次",
        was=("无故旷工半天", "-5", ""),
    ),
    RuleSeed(
        "absent_day",
        "无故旷工一天",
        D,
        "-5",
        T.absent_day,
        f"{DISCIPLINE}4.无故旷工半天以上，1次扣5分」；整天旷工也是1次",
        was=("无故旷工一天", "-10", "按每半天扣5分计"),
    ),
    RuleSeed(MEETING_ABSENCE, "政治理论学习、业务培训、工作会议无故缺席", D, "-1", note="季度缺席3次以上取消评优资格"),
    RuleSeed("false_leave", "请假弄虚作假，不履行请假手续", D, "-2"),
    # 十不准 (002 names the rule and its first item; the other nine are the prohibitions 003 puts on
    # window staff at work). Each breach costs the same, as 002's 100元/次 does.
    *(
        RuleSeed(code, name, D, "-1", note=f"{TEN}…」；{source}", joint_liability=True)
        for code, name, source in (
            ("ten_private_gain", "利用职务便利谋取私利", "003 第七条「严禁利用职务便利谋取私利」"),
            ("ten_discrimination", "歧视办事群众", "003 第六条「不得歧视任何个体或群体」"),
            ("ten_shirking", "推诿、敷衍或怠慢工作", "003 第七条「不得推诿、敷衍或怠慢工作」"),
            ("ten_obstruction", "对群众态度冷漠、故意刁难", "003「不得对群众态度冷漠、推诿扯皮、故意刁难」"),
            ("ten_privacy", "泄露或滥用群众个人信息", "003 第八条「严禁泄露公民个人信息」"),
            ("ten_fees", "乱收费用", "003 第十四条「不得随意变动标准，不得乱收费用」"),
            ("ten_procedure", "随意改变办事流程或将责任推给其他窗口", "003 第十三条「不得随意改变流程」"),
            ("ten_materials", "擅自增加或减少申报材料", "003「对需提交的材料，应明确要求，不得擅自增加或减少」"),
            ("ten_seals", "私自带出、私用或出借票证、印章、密匙", "003 第十八条「严禁私自带出、私用或出借给他人」"),
        )
    ),
    # 窗口形象 (30 分)
    RuleSeed("rudeness", "言行举止不文明，与办事群众及窗口工作人员间争吵", IMG, "-1"),
    RuleSeed("untidy", "工作台不整洁，穿戴不整齐", IMG, "-1"),
    RuleSeed("documents", "资料不规范或资料遗失", IMG, "-2"),
    # 业务办理
    RuleSeed("case_overdue", "办件超时", B, "-1", T.case_overdue),
    RuleSeed("violation", "业务违规操作（系统检出）", B, "-0.5", T.violation),
    RuleSeed("bad_review", "服务评价为差评", B, "-1", T.bad_review, "默认好评不计"),
    RuleSeed("complaint_sanction", "投诉查实受到处理", B, "-2", T.complaint_sanction),
    # 000 第十六条 lets inspections sanction too; the seed sets no points: as a complaint's.
    RuleSeed(
        "inspection_sanction",
        "巡查暗访发现问题受到处理",
        B,
        "-2",
        T.inspection_sanction,
        "000 第十六条；分值同投诉查实",
    ),
    # 003 考核细则 (一) 工作纪律 names the 首问负责制度 without points: as a late arrival's, 1次扣1分.
    RuleSeed(
        "first_inquiry",
        "违反首问负责制：首问事项逾期未办结",
        D,
        "-1",
        T.inquiry_overdue,
        f"{DISCIPLINE}工作人员要严格遵守考勤制度、首问负责制度…」；004 第二十七条 首问负责制；细则未定分值，按1次扣1分",
    ),
    # 003 asks for an appointment system 「避免群众排队等待」 and sets no points for a long wait: as
    # a detected violation's, 1次扣0.5分 per ticket over the setting queue_wait_limit_minutes.
    RuleSeed(
        "long_wait",
        "群众取号后等候超过时限",
        B,
        "-0.5",
        T.long_wait,
        "003「通过预约系统，提前安排办事时间，避免群众排队等待」；细则未定分值，按1次扣0.5分；"
        "时限为系统设置“排队等候时限（分钟）”，记叫号的工作人员和窗口",
    ),
    RuleSeed(NO_SYSTEM_USE, "未使用电子监察系统办公", B, "-1", note="季度3次以上取消评优资格"),
    # 加分项
    RuleSeed("praise", "收到表扬信或锦旗", A, "1"),
    RuleSeed("innovation", "创新创优", A, "2"),
    RuleSeed("commendation", "受到通报表彰", A, "2"),
)


def ensure_rules(session: Session) -> int:
    """Insert the default rules missing by code; an existing (perhaps edited) rule is left alone,
    except one still holding a superseded default (`RuleSeed.was`) exactly, at version 1.

    Every edit through the rule page is an ORM update, which bumps the row's version; a row at
    version 1 has therefore never been edited since it was seeded, and if its name, points and
    note are the old default's it takes the new one. A center that wants the old value back
    edits the rule, and that edit is kept from then on. Returns the rows inserted or updated."""
    seeds = {seed.code: seed for seed in DEFAULT_RULES if seed.was}
    updated = 0
    for rule in session.scalars(sa.select(AssessmentRule).where(AssessmentRule.code.in_(list(seeds)))):
        seed = seeds[rule.code]
        name, points, note = seed.was
        if rule.version == 1 and (rule.name, rule.points, rule.note or "") == (name, Decimal(points), note):
            rule.name, rule.points, rule.note = seed.name, Decimal(seed.points), seed.note or None
            updated += 1
    present = set(session.scalars(sa.select(AssessmentRule.code)))
    missing = [
        AssessmentRule(
            code=seed.code,
            name=seed.name,
            category=seed.category,
            trigger=seed.trigger,
            points=Decimal(seed.points),
            active=True,
            sort_order=order,
            note=seed.note or None,
            joint_liability=seed.joint_liability,
        )
        for order, seed in enumerate(DEFAULT_RULES, start=1)
        if seed.code not in present
    ]
    session.add_all(missing)
    return len(missing) + updated


def _key(prefix: str, column):
    return sa.literal(prefix + ":") + sa.cast(column, sa.String)


def _sources(start: datetime, end: datetime, wait_limit_seconds: int):
    """(trigger, select of the qualifying facts) — every select yields the same labelled columns."""
    staff_window = sa.select(Staff.window_id).where(Staff.id == AttendanceRecord.staff_id).scalar_subquery()

    def attendance(kinds):
        return sa.select(
            _key("attendance", AttendanceRecord.id).label("source_key"),
            AttendanceRecord.day.label("occurred_at"),
            AttendanceRecord.staff_id.label("staff_id"),
            staff_window.label("window_id"),
            AttendanceRecord.department_id.label("department_id"),
            sa.null().label("evidence"),
        ).where(
            AttendanceRecord.day >= start.date(),
            AttendanceRecord.day < end.date(),
            AttendanceRecord.kind.in_(kinds),
        )

    violation_window = sa.func.coalesce(
        Violation.window_id, sa.select(Staff.window_id).where(Staff.id == Violation.staff_id).scalar_subquery()
    )

    def violations(condition):
        return sa.select(
            _key("violation", Violation.id).label("source_key"),
            Violation.at.label("occurred_at"),
            Violation.staff_id.label("staff_id"),
            violation_window.label("window_id"),
            Violation.department_id.label("department_id"),
            sa.func.substr(Violation.detail, 1, 500).label("evidence"),
        ).where(
            Violation.at >= start,
            Violation.at < end,
            condition,
            Violation.status == ViolationStatus.confirmed,
            sa.or_(Violation.staff_id.is_not(None), violation_window.is_not(None)),
        )

    evaluation_window = sa.func.coalesce(
        Evaluation.window_id, sa.select(Staff.window_id).where(Staff.id == Evaluation.staff_id).scalar_subquery()
    )
    bad_reviews = sa.select(
        _key("evaluation", Evaluation.id).label("source_key"),
        Evaluation.created_at.label("occurred_at"),
        Evaluation.staff_id.label("staff_id"),
        evaluation_window.label("window_id"),
        Evaluation.department_id.label("department_id"),
        sa.func.substr(Evaluation.comment, 1, 500).label("evidence"),
    ).where(
        Evaluation.created_at >= start,
        Evaluation.created_at < end,
        BAD_REVIEW,
        sa.or_(Evaluation.staff_id.is_not(None), evaluation_window.is_not(None)),
    )

    sanction_staff = aliased(Staff)
    sanction_window = sa.func.coalesce(Sanction.window_id, sanction_staff.window_id)
    sanctions = (
        sa.select(
            _key("sanction", Sanction.id).label("source_key"),
            Sanction.at.label("occurred_at"),
            Sanction.staff_id.label("staff_id"),
            sanction_window.label("window_id"),
            sa.func.coalesce(Complaint.department_id, sanction_staff.department_id).label("department_id"),
            sa.func.substr(Complaint.number + sa.literal(" ") + Complaint.subject, 1, 500).label("evidence"),
        )
        .join(Complaint, Complaint.id == Sanction.complaint_id)
        .outerjoin(sanction_staff, sanction_staff.id == Sanction.staff_id)
        .where(
            Sanction.at >= start,
            Sanction.at < end,
            Complaint.finding.in_([ComplaintFinding.substantiated, ComplaintFinding.partly]),
            sa.or_(Sanction.staff_id.is_not(None), sanction_window.is_not(None)),
        )
    )
    finding_staff = aliased(Staff)
    finding_window = sa.func.coalesce(Sanction.window_id, finding_staff.window_id)
    inspection_sanctions = (
        sa.select(
            _key("sanction", Sanction.id).label("source_key"),
            Sanction.at.label("occurred_at"),
            Sanction.staff_id.label("staff_id"),
            finding_window.label("window_id"),
            sa.func.coalesce(InspectionFinding.department_id, finding_staff.department_id).label("department_id"),
            sa.func.substr(Inspection.number + sa.literal(" ") + InspectionFinding.description, 1, 500).label(
                "evidence"
            ),
        )
        .join(InspectionFinding, InspectionFinding.id == Sanction.inspection_finding_id)
        .join(Inspection, Inspection.id == InspectionFinding.inspection_id)
        .outerjoin(finding_staff, finding_staff.id == Sanction.staff_id)
        .where(
            Sanction.at >= start,
            Sanction.at < end,
            sa.or_(Sanction.staff_id.is_not(None), finding_window.is_not(None)),
        )
    )
    inquiry_window = sa.select(Staff.window_id).where(Staff.id == Inquiry.responder_id).scalar_subquery()
    overdue_inquiries = sa.select(
        _key("inquiry", Inquiry.id).label("source_key"),
        Inquiry.due_at.label("occurred_at"),
        Inquiry.responder_id.label("staff_id"),
        inquiry_window.label("window_id"),
        Inquiry.department_id.label("department_id"),
        sa.func.substr(sa.literal("首问事项逾期：") + Inquiry.topic, 1, 500).label("evidence"),
    ).where(Inquiry.overdue_at.is_not(None), Inquiry.due_at >= start, Inquiry.due_at < end)
    caller_department = sa.select(Staff.department_id).where(Staff.id == QueueTicket.called_by_id).scalar_subquery()
    long_waits = sa.select(
        _key("ticket", QueueTicket.id).label("source_key"),
        QueueTicket.called_at.label("occurred_at"),
        QueueTicket.called_by_id.label("staff_id"),
        QueueTicket.window_id.label("window_id"),
        sa.func.coalesce(QueueTicket.department_id, caller_department).label("department_id"),
        sa.func.substr(
            sa.literal("等候超时：")
            + QueueTicket.number
            + sa.literal(" 等候秒数 ")
            + sa.cast(QueueTicket.wait_seconds, sa.String),
            1,
            500,
        ).label("evidence"),
    ).where(
        QueueTicket.issued_at >= start,
        QueueTicket.issued_at < end,
        QueueTicket.wait_seconds > wait_limit_seconds,
        sa.or_(QueueTicket.called_by_id.is_not(None), QueueTicket.window_id.is_not(None)),
    )
    K = AttendanceKind
    return (
        (T.late, attendance([K.late, K.late_and_early])),
        (T.early_leave, attendance([K.early_leave, K.late_and_early])),
        (T.absent_half, attendance([K.absent_half])),
        (T.absent_day, attendance([K.absent_day])),
        (T.case_overdue, violations(Violation.kind == ViolationKind.overdue)),
        (T.violation, violations(Violation.kind != ViolationKind.overdue)),
        (T.bad_review, bad_reviews),
        (T.complaint_sanction, sanctions),
        (T.inspection_sanction, inspection_sanctions),
        (T.inquiry_overdue, overdue_inquiries),
        (T.long_wait, long_waits),
    )


def wait_limit_seconds(session: Session) -> int:
    """The setting queue_wait_limit_minutes, in seconds."""
    return int(float(settings.get(session, "queue_wait_limit_minutes")) * 60)


def collect(session: Session, month: date, now: datetime) -> int:
    """Write the month's automatic records (and drop those whose fact no longer qualifies); rows changed."""
    month = month.replace(day=1)
    start, end = month_bounds(month)
    sources = _sources(start, end, wait_limit_seconds(session))
    return sum(_write(session, trigger, facts, month, now) for trigger, facts in sources)


def collect_trigger(session: Session, trigger: AssessmentTrigger, month: date, now: datetime) -> int:
    """`collect` for one trigger only (a scan that has just flagged facts writes their records at once)."""
    month = month.replace(day=1)
    start, end = month_bounds(month)
    sources = _sources(start, end, wait_limit_seconds(session))
    return sum(_write(session, t, facts, month, now) for t, facts in sources if t is trigger)


def _write(session: Session, trigger, facts, month: date, now: datetime) -> int:
    """One trigger's records for the month: the missing ones inserted, the stale ones removed."""
    record = AssessmentRecord.__table__
    rule = AssessmentRule.__table__
    facts = facts.subquery()
    existing = sa.select(record.c.id).where(record.c.rule_id == rule.c.id, record.c.source_key == facts.c.source_key)
    # A record cancelled on appeal stays away, though its fact still qualifies.
    cancelled = sa.select(Appeal.id).where(
        Appeal.rule_id == rule.c.id,
        Appeal.source_key == facts.c.source_key,
        Appeal.status == AppealStatus.cancelled,
    )
    rows = (
        sa.select(
            rule.c.id,
            sa.literal(month, sa.Date),
            facts.c.occurred_at,
            facts.c.staff_id,
            facts.c.window_id,
            facts.c.department_id,
            rule.c.points,
            sa.literal(AssessmentOrigin.automatic.name),
            facts.c.source_key,
            facts.c.evidence,
            sa.literal(SYSTEM),
            sa.literal(now, sa.DateTime),
            sa.literal(1),
        )
        .select_from(
            # The rules of this trigger: several active ones each write their own records.
            facts.join(rule, sa.and_(rule.c.trigger == trigger.name, rule.c.active.is_(True)))
        )
        .where(~sa.exists(existing), ~sa.exists(cancelled))
    )
    columns = [
        "rule_id",
        "month",
        "occurred_at",
        "staff_id",
        "window_id",
        "department_id",
        "points",
        "origin",
        "source_key",
        "evidence",
        "recorded_by",
        "recorded_at",
        "version",
    ]
    changed = session.execute(
        sa.insert(record).from_select(columns, rows), execution_options={"preserve_rowcount": True}
    ).rowcount
    # A fact that stopped qualifying (a corrected attendance record) takes its record with it.
    stale = sa.delete(record).where(
        record.c.month == month,
        record.c.origin == AssessmentOrigin.automatic.name,
        record.c.rule_id.in_(sa.select(rule.c.id).where(rule.c.trigger == trigger.name)),
        ~record.c.source_key.in_(sa.select(facts.c.source_key)),
    )
    changed += session.execute(stale).rowcount
    return changed
