"""The annual assessment of each sub-center and township center (issue 19.3), ranked and exported.

Seed 000 分中心管理办法 第二十条: 中心每年对分中心工作进行一次全面考评，并予以通报; 第三条 统一考核评比.
The seed gives no formula, so the composition is this, every weight and point a setting:

- base: the mean of the year's monthly scores of the center's windows (MonthlyScore kind window,
  ranked in that center) weighted `center_assessment_window_weight` (0.5), and of its staff's
  (kind staff) weighted `center_assessment_staff_weight` (0.5); the weights are normalised, and a
  center with only one of the two takes that one's mean (a township with one comprehensive window
  and no individually scored staff is not marked down for it). A center with neither is listed,
  unranked, without a score.
- minus, for the year's inspections of the center (巡查/暗访/分中心检查, 000 第十六条):
  `center_assessment_finding_points` (1.0) per finding; `center_assessment_sanction_points` (2.0)
  more per finding that led to a sanction (the heavier problems); and
  `center_assessment_late_order_points` (1.0) more per rectification order from those findings
  not closed by its deadline (closed late, or still open past it at `now` or the year's end).
- The score never falls below 0. Ranks are competition ranks (equal scores share a rank, the next
  rank skips), highest first; then by the center's code.

All figures are SQL aggregates (one query per part); the workbook is written with xlsxwriter, with
a title row and Chinese headers.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
import xlsxwriter
from sqlalchemy.orm import Session

from app.models.assessment import MonthlyScore, ScoreKind
from app.models.feedback import RectificationOrder, Sanction
from app.models.inspection import Inspection, InspectionFinding
from app.models.org import Center, CenterLevel
from app.services import settings
from app.services.excel import safe_cell

LEVELS = (CenterLevel.sub_center, CenterLevel.township)
CENT = Decimal("0.01")
HEADERS = (
    "名次",
    "中心",
    "层级",
    "窗口月均得分",
    "窗口评分月数",
    "人员月均得分",
    "人员评分月数",
    "基础得分",
    "检查发现问题",
    "其中受到处理",
    "逾期整改",
    "检查扣分",
    "年度得分",
)


@dataclass(frozen=True)
class Weights:
    window: Decimal
    staff: Decimal
    finding: Decimal
    sanction: Decimal
    late_order: Decimal

    @classmethod
    def load(cls, session: Session) -> "Weights":
        def value(key):
            return Decimal(settings.get(session, f"center_assessment_{key}"))

        return cls(
            value("window_weight"),
            value("staff_weight"),
            value("finding_points"),
            value("sanction_points"),
            value("late_order_points"),
        )


@dataclass
class Line:
    center_id: int
    code: str
    name: str
    level: CenterLevel
    window_mean: Decimal | None
    window_months: int
    staff_mean: Decimal | None
    staff_months: int
    findings: int
    sanctioned: int
    late_orders: int
    base: Decimal | None = None
    deduction: Decimal = Decimal(0)
    score: Decimal | None = None
    rank: int | None = None


def _round(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _means(session: Session, kind: ScoreKind, first: date, last: date) -> dict[int, tuple[Decimal, int]]:
    """center id -> (mean monthly score of the kind, distinct months scored) over the year."""
    rows = session.execute(
        sa.select(
            MonthlyScore.center_id,
            sa.func.avg(MonthlyScore.score),
            sa.func.count(sa.distinct(MonthlyScore.month)),
        )
        .where(MonthlyScore.kind == kind, MonthlyScore.month >= first, MonthlyScore.month <= last)
        .group_by(MonthlyScore.center_id)
    )
    return {center: (_round(mean), months) for center, mean, months in rows}


def _findings(session: Session, start: datetime, end: datetime, now: datetime) -> dict[int, tuple[int, int, int]]:
    """center id -> (findings, findings sanctioned, orders not closed by their deadline)."""
    cutoff = min(now, end)
    late = sa.or_(
        RectificationOrder.closed_at > RectificationOrder.due_at,
        sa.and_(RectificationOrder.closed_at.is_(None), RectificationOrder.due_at < cutoff),
    )
    sanctioned = sa.exists().where(Sanction.inspection_finding_id == InspectionFinding.id)
    late_order = sa.exists().where(RectificationOrder.inspection_finding_id == InspectionFinding.id, late)
    rows = session.execute(
        sa.select(
            Inspection.center_id,
            sa.func.count(InspectionFinding.id),
            sa.func.sum(sa.case((sanctioned, 1), else_=0)),
            sa.func.sum(sa.case((late_order, 1), else_=0)),
        )
        .join(InspectionFinding, InspectionFinding.inspection_id == Inspection.id)
        .where(Inspection.inspected_at >= start, Inspection.inspected_at < end)
        .group_by(Inspection.center_id)
    )
    return {center: (count, int(sanctions or 0), int(lates or 0)) for center, count, sanctions, lates in rows}


def annual(session: Session, year: int, now: datetime, weights: Weights | None = None) -> list[Line]:
    """Every sub-center and township center with its year's figures, ranked (see the module)."""
    weights = weights or Weights.load(session)
    first, last = date(year, 1, 1), date(year, 12, 1)
    start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    windows = _means(session, ScoreKind.window, first, last)
    staff = _means(session, ScoreKind.staff, first, last)
    found = _findings(session, start, end, now)
    centers = session.execute(
        sa.select(Center.id, Center.code, Center.name, Center.level)
        .where(Center.level.in_(LEVELS))
        .order_by(Center.code)
    )
    lines = []
    for center_id, code, name, level in centers:
        window_mean, window_months = windows.get(center_id, (None, 0))
        staff_mean, staff_months = staff.get(center_id, (None, 0))
        findings, sanctioned, late = found.get(center_id, (0, 0, 0))
        line = Line(
            center_id,
            code,
            name,
            level,
            window_mean,
            window_months,
            staff_mean,
            staff_months,
            findings,
            sanctioned,
            late,
        )
        parts = [(m, w) for m, w in ((window_mean, weights.window), (staff_mean, weights.staff)) if m is not None]
        total = sum(w for _, w in parts)
        if parts:
            line.base = _round(
                sum(m * w for m, w in parts) / total if total > 0 else sum(m for m, _ in parts) / len(parts)
            )
        line.deduction = _round(findings * weights.finding + sanctioned * weights.sanction + late * weights.late_order)
        if line.base is not None:
            line.score = max(Decimal("0.00"), _round(line.base - line.deduction))
        lines.append(line)
    scored = sorted((line for line in lines if line.score is not None), key=lambda line: (-line.score, line.code))
    for position, line in enumerate(scored, start=1):
        previous = scored[position - 2] if position > 1 else None
        line.rank = previous.rank if previous is not None and previous.score == line.score else position
    return scored + [line for line in lines if line.score is None]


def _number(value):
    return None if value is None else float(value)


def rows(lines: list[Line]):
    """The table's rows as the page and the workbook show them."""
    for line in lines:
        yield (
            line.rank,
            line.name,
            line.level.label,
            _number(line.window_mean),
            line.window_months,
            _number(line.staff_mean),
            line.staff_months,
            _number(line.base),
            line.findings,
            line.sanctioned,
            line.late_orders,
            _number(line.deduction),
            _number(line.score),
        )


def write_workbook(target, title: str, lines: list[Line], note: str = "") -> None:
    """The ranked table as an .xlsx: a title row, a note row, the Chinese headers, one row a center."""
    workbook = xlsxwriter.Workbook(target, {"strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("年度考核")
    title_fmt = workbook.add_format({"bold": True, "font_size": 14, "align": "center"})
    header_fmt = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    number_fmt = workbook.add_format({"num_format": "0.00"})
    sheet.merge_range(0, 0, 0, len(HEADERS) - 1, safe_cell(title), title_fmt)
    sheet.merge_range(1, 0, 1, len(HEADERS) - 1, safe_cell(note))
    for col, header in enumerate(HEADERS):
        sheet.write_string(2, col, header, header_fmt)
        sheet.set_column(col, col, 24 if col == 1 else 12)
    sheet.freeze_panes(3, 0)
    for row_number, row in enumerate(rows(lines), start=3):
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, float):
                sheet.write_number(row_number, col, value, number_fmt)
            elif isinstance(value, int):
                sheet.write_number(row_number, col, value)
            else:
                sheet.write_string(row_number, col, safe_cell(value))
    workbook.close()
