"""The annual appraisal (年度考核) of the staff stationed at a center: who is appraised, the grade, what bars 优秀.

The seeds:
- 003 第二条: 工作满半年且年底仍在大厅的，年度考核单独实施，由中心提出考核等次，列入各窗口部门考核范围，
  优秀等次比例按相关规定执行. Eligible: at least `appraisal_min_months` (6) whole calendar months
  at the center in the year (a month counts when the member was there from its first to its
  last day: from `Staff.joined_on` (none recorded: from 1 January), to the day before an approved
  or effective transfer out or return to the department; a transfer in after that starts a new
  stay), and — `appraisal_year_end` (1) — still there on 31 December.
  A member marked as having left with no leaving change on record counts the months they were
  scored in and is not there at the year's end.
- 003 (考核细则): 月考核得分的平均分为年度考核得分. The score is the mean of the year's monthly scores.
- The grade (优秀/称职/基本称职/不称职) by the settable lowest scores `appraisal_excellent_score` (90),
  `appraisal_competent_score` (80), `appraisal_basic_score` (70); the seeds give no figures.
- 001 / 003: 优秀比例可按国家有关规定的上限确定. 优秀 goes to at most `appraisal_excellent_share` (15 %)
  of the center's eligible staff, rounded down, in order of the annual score; on equal scores the
  lower staff number goes first (deterministic; the center reviews the list before confirming).
  Whoever the quota leaves out is 称职.
- 000 第二十二条: 年度内有2个季度(含)以上符合上述任一条款的，取消年终参评资格. The seed withdraws the
  year-end 评优 eligibility; the grade itself is owed to the home department (004 第三十四条), so
  two disqualified quarters bar 优秀 and leave 称职 at most. So do a complaint against the member
  found substantiated in the year (004 第三十六条: 被投诉并经查实的) and a 责令换人 sanction in the year
  (000 第十六条).
- 004 第三十四条: 考核结果由中心评定考核等次后按月和年度函告进驻部门. The letter to the home department
  is the print page (views/appraisal.py).

Generating a year replaces its unconfirmed rows; confirmed rows stay, and their 优秀 count
against the quota.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models.appraisal import AnnualAppraisal, AppraisalGrade
from app.models.assessment import MonthlyScore, QuarterlyResult
from app.models.feedback import Complaint, ComplaintFinding, Sanction, SanctionKind
from app.models.org import Center, Department, Staff, StaffStatus
from app.models.personnel import ChangeKind, ChangeStatus, PersonnelChange
from app.services import settings
from app.services.personnel import LEAVING
from app.services.scoring_periods import CENT, rank

DISQUALIFIED_QUARTERS = 2  # 000 第二十二条: 2个季度(含)以上


class AppraisalError(Exception):
    pass


@dataclass(frozen=True)
class Rules:
    min_months: int = 6
    year_end: bool = True
    excellent: Decimal = Decimal(90)
    competent: Decimal = Decimal(80)
    basic: Decimal = Decimal(70)
    share: Decimal = Decimal("0.15")

    @classmethod
    def load(cls, session: Session) -> "Rules":
        def number(key):
            return Decimal(settings.get(session, key))

        return cls(
            int(settings.get(session, "appraisal_min_months")),
            settings.get(session, "appraisal_year_end") == "1",
            number("appraisal_excellent_score"),
            number("appraisal_competent_score"),
            number("appraisal_basic_score"),
            number("appraisal_excellent_share"),
        )

    def grade(self, score: Decimal) -> AppraisalGrade:
        if score >= self.excellent:
            return AppraisalGrade.excellent
        if score >= self.competent:
            return AppraisalGrade.competent
        if score >= self.basic:
            return AppraisalGrade.basic
        return AppraisalGrade.incompetent


def whole_months(year: int, first_day: date, last_day: date) -> int:
    """Calendar months of `year` the member spent at the center from their first to their last day."""
    first_day, last_day = max(first_day, date(year, 1, 1)), min(last_day, date(year, 12, 31))
    if first_day > last_day:
        return 0
    first = first_day.month if first_day.day == 1 else first_day.month + 1
    last = last_day.month if (last_day + timedelta(days=1)).day == 1 else last_day.month - 1
    return max(0, last - first + 1)


@dataclass
class Line:
    staff_id: int
    staff_no: str
    center_id: int
    department_id: int
    months: int
    at_year_end: bool
    score: Decimal | None
    bars: list
    eligible: bool = False
    note: str | None = None
    grade: AppraisalGrade | None = None
    rank: int | None = None


def _periods(arrived: date, moves: list) -> list[tuple[date, date]]:
    """The member's stays at the center, (first day, last day) each, from the date of arrival and the dated
    moves (day, leaving?) in order: a transfer out or return ends a stay, a transfer in after it starts
    one. A stay not ended ends on `date.max`."""
    periods, first = [], arrived
    for day, leaving in moves:
        if leaving and first is not None and day > first:
            periods.append((first, day - timedelta(days=1)))
            first = None
        elif not leaving and first is None:
            first = day
    if first is not None:
        periods.append((first, date.max))
    return periods


def _counts(session: Session, query) -> dict[int, int]:
    return {key: int(count) for key, count in session.execute(query).all() if key is not None}


def _lines(session: Session, year: int) -> list[Line]:
    """Every staff member at a center some time in `year`, with months, score and bars: five grouped queries."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    since, until = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    people = session.execute(
        sa.select(Staff.id, Staff.staff_no, Staff.center_id, Staff.department_id, Staff.joined_on, Staff.status).where(
            sa.or_(Staff.joined_on.is_(None), Staff.joined_on <= end)
        )
    ).all()
    moves = {}
    for staff_id, kind, effective_on in session.execute(
        sa.select(PersonnelChange.staff_id, PersonnelChange.kind, PersonnelChange.effective_on)
        .where(
            PersonnelChange.kind.in_((*LEAVING, ChangeKind.transfer_in)),
            PersonnelChange.status.in_((ChangeStatus.approved, ChangeStatus.effective)),
        )
        .order_by(PersonnelChange.effective_on, PersonnelChange.id)
    ):
        moves.setdefault(staff_id, []).append((effective_on, kind in LEAVING))
    scores = {
        key: (mean, count)
        for key, mean, count in session.execute(
            sa.select(MonthlyScore.staff_id, sa.func.avg(MonthlyScore.score), sa.func.count())
            .where(MonthlyScore.staff_id.is_not(None), MonthlyScore.month >= start, MonthlyScore.month <= end)
            .group_by(MonthlyScore.staff_id)
        ).all()
    }
    quarters = _counts(
        session,
        sa.select(QuarterlyResult.staff_id, sa.func.count())
        .where(
            QuarterlyResult.eligible.is_(False),
            QuarterlyResult.quarter_start >= start,
            QuarterlyResult.quarter_start <= end,
        )
        .group_by(QuarterlyResult.staff_id),
    )
    complaints = _counts(
        session,
        sa.select(Complaint.staff_id, sa.func.count())
        .where(
            Complaint.finding == ComplaintFinding.substantiated,
            Complaint.filed_at >= since,
            Complaint.filed_at < until,
        )
        .group_by(Complaint.staff_id),
    )
    replaced = _counts(
        session,
        sa.select(Sanction.staff_id, sa.func.count())
        .where(Sanction.kind == SanctionKind.replacement, Sanction.at >= since, Sanction.at < until)
        .group_by(Sanction.staff_id),
    )
    lines = []
    for staff_id, staff_no, center_id, department_id, joined_on, status in people:
        mean, scored = scores.get(staff_id, (None, 0))
        periods = _periods(joined_on or start, moves.get(staff_id, []))
        if status is StaffStatus.left and periods and periods[-1][1] == date.max:
            months, at_year_end = scored, False  # no leaving date on record: the scored months
        else:
            months = sum(whole_months(year, *period) for period in periods)
            at_year_end = any(first <= end <= last for first, last in periods)
        if months == 0 and not scored:
            continue
        bars = []
        if quarters.get(staff_id, 0) >= DISQUALIFIED_QUARTERS:
            bars.append(f"年度内 {quarters[staff_id]} 个季度取消参评资格（2个季度（含）以上取消年终参评资格）")
        if complaints.get(staff_id):
            bars.append(f"年度内被投诉并经查实 {complaints[staff_id]} 次")
        if replaced.get(staff_id):
            bars.append("年度内受到责令换人处理")
        score = None if mean is None else Decimal(str(mean)).quantize(CENT, ROUND_HALF_UP)
        lines.append(Line(staff_id, staff_no, center_id, department_id, months, at_year_end, score, bars))
    return lines


def _grade(lines: list[Line], rules: Rules, confirmed: list) -> None:
    """Eligibility, grades and the 优秀 quota, center by center; `confirmed`: (center, eligible, grade) kept rows."""
    for line in lines:
        if line.months < rules.min_months:
            line.note = f"在中心工作 {line.months} 个整月，不足 {rules.min_months} 个月，不参加本年度考核"
        elif rules.year_end and not line.at_year_end:
            line.note = "年底已不在中心工作，不参加本年度考核"
        elif line.score is None:
            line.note = "本年度没有月度考核得分"
        else:
            line.eligible, line.grade = True, rules.grade(line.score)
    for center in {line.center_id for line in lines}:
        ours = [line for line in lines if line.center_id == center and line.eligible]
        kept = [grade for center_id, eligible, grade in confirmed if center_id == center and eligible]
        quota = int((rules.share * (len(ours) + len(kept))).to_integral_value(ROUND_FLOOR))
        places = quota - kept.count(AppraisalGrade.excellent)
        ranks = rank({line.staff_id: line.score for line in ours})
        for line in ours:
            line.rank = ranks[line.staff_id]
        candidates = sorted(
            (line for line in ours if line.grade is AppraisalGrade.excellent),
            key=lambda line: (-line.score, line.staff_no),
        )
        for line in candidates:
            if line.bars:
                line.grade = AppraisalGrade.competent
            elif places > 0:
                places -= 1
            else:
                line.grade = AppraisalGrade.competent
                line.note = f"优秀名额已满（本中心参评 {len(ours) + len(kept)} 人，优秀不超过 {quota} 人）"


def generate(session: Session, year: int, now: datetime, actor: str) -> int:
    """Appraise `year` for every center; returns the rows written. Confirmed rows are kept."""
    if not 2000 <= year <= now.year:
        raise AppraisalError(year)
    table = AnnualAppraisal.__table__
    session.execute(sa.delete(table).where(table.c.year == year, table.c.decided_at.is_(None)))
    confirmed = session.execute(
        sa.select(table.c.staff_id, table.c.center_id, table.c.eligible, table.c.grade).where(table.c.year == year)
    ).all()
    kept = {row.staff_id for row in confirmed}
    lines = [line for line in _lines(session, year) if line.staff_id not in kept]
    _grade(lines, Rules.load(session), [(row.center_id, row.eligible, row.grade) for row in confirmed])
    rows = [
        {
            "year": year,
            "staff_id": line.staff_id,
            "center_id": line.center_id,
            "department_id": line.department_id,
            "months": line.months,
            "eligible": line.eligible,
            "score": line.score,
            "rank": line.rank,
            "grade": line.grade.name if line.grade else None,
            "bars": line.bars or None,
            "note": line.note,
            "generated_at": now,
            "generated_by": actor,
        }
        for line in lines
    ]
    if rows:
        session.execute(sa.insert(table), rows)
    return len(rows)


def confirm(session: Session, year: int, visible, now: datetime, actor: str) -> int:
    """Confirm the year's unconfirmed rows that the SQL condition `visible` (the confirming user's scope)
    covers; returns how many. Confirmed rows survive a new generation."""
    query = (
        sa.update(AnnualAppraisal)
        .where(AnnualAppraisal.year == year, AnnualAppraisal.decided_at.is_(None), visible)
        .values(decided_at=now, decided_by=actor)
        .execution_options(synchronize_session=False)
    )
    return session.execute(query).rowcount


def results(session: Session, year: int, visible, department_id: int | None = None) -> list:
    """The year's rows `visible` (a scope's SQL condition) covers, in the order of the workbook and the
    letter: center, department, staff number."""
    query = (
        sa.select(
            Center.name.label("center"),
            Department.name.label("department"),
            Staff.staff_no,
            Staff.name,
            AnnualAppraisal.months,
            AnnualAppraisal.eligible,
            AnnualAppraisal.score,
            AnnualAppraisal.rank,
            AnnualAppraisal.grade,
            AnnualAppraisal.bars,
            AnnualAppraisal.note,
            AnnualAppraisal.decided_by,
            AnnualAppraisal.decided_at,
        )
        .join(Staff, Staff.id == AnnualAppraisal.staff_id)
        .join(Center, Center.id == AnnualAppraisal.center_id)
        .join(Department, Department.id == AnnualAppraisal.department_id)
        .where(AnnualAppraisal.year == year, visible)
        .order_by(Center.sort_order, Center.id, Department.sort_order, Department.id, Staff.staff_no)
    )
    if department_id is not None:
        query = query.where(AnnualAppraisal.department_id == department_id)
    return session.execute(query).all()
