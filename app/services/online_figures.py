"""Online applications (网上申报), pre-review (预审) and 容缺受理 counted for a scope and a period
(issue 17.5): the dashboard's panel, the monthly report's sheet 网上申报与容缺 and the bulletin's
网上办理率 read the definitions below.

Definitions (an application or case counts in the period [start, end) when the named instant falls
in it):
- received (收到网上申报): submitted_at;
- correction requested (补正告知): correction_requested_at (一次性告知, at most once an application);
- passed (预审通过): closed_at, passed by a reviewer; of them first pass (一次通过: no correction
  round) and passed after correction;
- refused (不予受理), withdrawn (申请人撤回): closed_at with that status;
- deemed accepted (视为受理, 行政许可法 §32): closed_at, passed by the system (the case is flagged
  `deemed_accepted`); not a reviewer's decision, so outside `decided` and the two rates;
- decided (预审办结): passed + refused, the reviewers' decisions closing an application;
- first-pass rate (一次通过率) = first pass ÷ decided; correction rate (补正率) = decided
  applications that went through a correction round ÷ decided;
- pre-review time (预审用时): natural hours from each receipt to the reviewer's answer — the first
  submission to the correction notice, and the submission (or the corrected resubmission) to the
  final pass or refusal — for answers given in the period; the average and the longest. The
  applicant's own time between a notice and the resubmission is not counted;
- 容缺 (tolerated missing materials, services/tolerated.py): cases accepted in the period with
  tolerated materials missing; of them the open ones still waiting for one, and those past a due
  date, as of `today`;
- 网上办理率 (online rate) = cases accepted in the period with channel online ÷ cases accepted.

Two GROUP BY department statements (applications with their pre-review times, cases accepted) and
one for the departments' names; the totals are the departments' lines summed. Measured on SQLite at
a month of 100k applications and 100k cases (every row in the month: the worst case for the
ranges), on a shared 2-core machine at load 8–11: 2.5–4 s, the applications' statement most of it
(a bare scan of the same rows took 0.65–0.9 s there, and monthly_report.compute 3.8 s).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models.application import Application, ApplicationStatus
from app.models.case import Case, Channel
from app.models.org import Department
from app.services import tolerated
from app.services.network_report import hours_between

APPLICATION_COUNTS = (
    "received",
    "correction_requested",
    "passed",
    "first_pass",
    "passed_after_correction",
    "refused",
    "withdrawn",
    "deemed_accepted",
    "decided",
    "corrected",
)
CASE_COUNTS = ("accepted", "online", *(f"tolerated_{name}" for name in tolerated.COUNTS))
# The figures by name, in the order the sheet 网上申报与容缺 and the dashboard show them.
LABELS = {
    "received": "收到网上申报",
    "reviews": "预审答复",
    "correction_requested": "补正告知",
    "passed": "预审通过",
    "first_pass": "其中一次通过",
    "passed_after_correction": "其中补正后通过",
    "refused": "不予受理",
    "withdrawn": "申请人撤回",
    "deemed_accepted": "视为受理",
    "decided": "预审办结",
    "first_pass_rate": "一次通过率",
    "correction_rate": "补正率",
    "average_hours": "预审平均用时（小时）",
    "longest_hours": "预审最长用时（小时）",
    "accepted": "受理件数",
    "online": "网上受理件数",
    "online_rate": "网上办理率",
    "tolerated_accepted": "容缺受理",
    "tolerated_waiting": "容缺材料待补",
    "tolerated_overdue": "容缺材料逾期未补",
}
RATES = ("first_pass_rate", "correction_rate", "online_rate")
HOURS = ("average_hours", "longest_hours")
NOTES = (
    "网上申报与容缺（预审、容缺受理）口径：",
    "收到网上申报按提交时间计入当期；补正告知按告知时间计入；预审通过、不予受理、申请人撤回、视为受理按办结时间计入。",
    "视为受理：收到申请后五个工作日内未一次性告知补正，由系统按收到之日受理（行政许可法第三十二条），不计入预审办结。",
    "预审办结 = 预审通过 + 不予受理；一次通过率 = 未经补正即通过的件数 ÷ 预审办结件数；"
    "补正率 = 预审办结件中经过补正告知的件数 ÷ 预审办结件数。",
    "预审用时：每次预审答复（补正告知、通过或不予受理）距该次收到材料（首次提交或补正后重新提交）的自然小时数，"
    "按答复时间计入当期；不含申请人补正所用时间；列平均与最长。",
    "容缺受理：当期受理的办件中以容缺方式受理的件数；待补为尚未办结且仍缺容缺材料的件数，"
    "逾期未补为其中已过承诺补交日期的件数（统计时点为报表生成时）。",
    "网上办理率 = 当期受理的网上申报渠道办件数 ÷ 当期受理的办件数。",
)


@dataclass
class OnlineLine:
    """One department's figures, or the total (`key` None)."""

    key: int | None
    name: str
    values: dict = field(default_factory=lambda: dict.fromkeys((*APPLICATION_COUNTS, *CASE_COUNTS), 0))
    reviews: int = 0  # pre-review answers timed
    review_hours: float = 0.0  # their sum
    longest_hours: float | None = None

    @property
    def rates(self) -> dict:
        values = self.values
        return {
            "first_pass_rate": _ratio(values["first_pass"], values["decided"]),
            "correction_rate": _ratio(values["corrected"], values["decided"]),
            "online_rate": _ratio(values["online"], values["accepted"]),
            "average_hours": round(self.review_hours / self.reviews, 1) if self.reviews else None,
            "longest_hours": None if self.longest_hours is None else round(self.longest_hours, 1),
        }

    def as_dict(self) -> dict:
        """Every figure by name (JSON-safe): the stored report's and the sheet's."""
        return {"name": self.name, **self.values, "reviews": self.reviews, **self.rates}


@dataclass
class OnlineFigures:
    start: datetime
    end: datetime
    total: OnlineLine
    departments: list[OnlineLine]

    def as_json(self) -> dict:
        return {"total": self.total.as_dict(), "departments": [line.as_dict() for line in self.departments]}


def _ratio(numerator, denominator):
    return numerator / denominator if denominator else None


def _in(column, start, end):
    return sa.and_(column >= start, column < end)


def _count_if(*conditions):
    return sa.func.count().filter(*conditions)


def compute(
    session: Session,
    start: datetime,
    end: datetime,
    today: date,
    *,
    application_scope,
    case_scope,
    names: bool = True,
) -> OnlineFigures:
    """The figures of the definitions above for [start, end). `application_scope` and
    `case_scope`: conditions on Application and Case (a user's row scope, or a center tree);
    `names=False` leaves the departments unnamed (one statement fewer: the dashboard's totals)."""
    lines: dict[int, OnlineLine] = {}

    def line(key):
        return lines.setdefault(key, OnlineLine(key, ""))

    table = Application.__table__
    case = Case.__table__
    status = table.c.status
    closed = _in(table.c.closed_at, start, end)
    passed = sa.and_(closed, status == ApplicationStatus.passed.name)
    # Passed by the system (§32): no reviewer, and its case is flagged. The case is read only for
    # those without a reviewer (a CASE evaluates its branch lazily), not joined for every row.
    flagged = sa.select(case.c.deemed_accepted).where(case.c.id == table.c.case_id).scalar_subquery()
    by_system = sa.case((table.c.reviewer_id.is_(None), sa.func.coalesce(flagged, sa.false())), else_=sa.false())
    deemed = sa.and_(passed, by_system)
    by_reviewer = sa.and_(passed, ~by_system)
    corrected = table.c.correction_requested_at.is_not(None)
    refused = sa.and_(closed, status == ApplicationStatus.refused.name)
    # One range on closed_at, no OR: the index serves it (an OR of two ranges read it twice).
    decided = sa.and_(closed, status.in_([ApplicationStatus.passed.name, ApplicationStatus.refused.name]), ~by_system)
    application_columns = {
        "received": _count_if(_in(table.c.submitted_at, start, end)),
        "correction_requested": _count_if(_in(table.c.correction_requested_at, start, end)),
        "passed": _count_if(by_reviewer),
        "first_pass": _count_if(by_reviewer, ~corrected),
        "passed_after_correction": _count_if(by_reviewer, corrected),
        "refused": _count_if(refused),
        "withdrawn": _count_if(closed, status == ApplicationStatus.withdrawn.name),
        "deemed_accepted": _count_if(deemed),
        "decided": _count_if(decided),
        "corrected": _count_if(decided, corrected),
    }
    # Pre-review answers, timed in the same pass: the correction notices (from the submission) and
    # the reviewers' final decisions (from the submission or the corrected resubmission).
    noticed = _in(table.c.correction_requested_at, start, end)
    notice_hours = hours_between(session, table.c.correction_requested_at, table.c.submitted_at)
    final_hours = hours_between(
        session, table.c.reviewed_at, sa.func.coalesce(table.c.resubmitted_at, table.c.submitted_at)
    )
    timing_columns = {
        "notice_hours": sa.func.sum(notice_hours).filter(noticed),
        "notice_longest": sa.func.max(notice_hours).filter(noticed),
        "final_hours": sa.func.sum(final_hours).filter(decided),
        "final_longest": sa.func.max(final_hours).filter(decided),
    }
    rows = session.execute(
        sa.select(
            table.c.department_id,
            *(column.label(name) for name, column in {**application_columns, **timing_columns}.items()),
        )
        .where(application_scope, sa.or_(_in(table.c.submitted_at, start, end), noticed, closed))
        .group_by(table.c.department_id)
    )
    for row in rows:
        figures = row._mapping
        department = line(row.department_id)
        department.values.update({name: figures[name] or 0 for name in application_columns})
        department.reviews = figures["correction_requested"] + figures["decided"]
        department.review_hours = float(figures["notice_hours"] or 0) + float(figures["final_hours"] or 0)
        longest = [float(value) for value in (figures["notice_longest"], figures["final_longest"]) if value is not None]
        department.longest_hours = max(longest) if longest else None

    accepted = _in(Case.accepted_at, start, end)
    case_columns = {
        "accepted": sa.func.count(),
        "online": _count_if(Case.channel == Channel.online),
        **{f"tolerated_{name}": column for name, column in tolerated.columns(today).items()},
    }
    for row in session.execute(
        sa.select(Case.department_id, *(column.label(name) for name, column in case_columns.items()))
        .where(case_scope, accepted)
        .group_by(Case.department_id)
    ):
        line(row.department_id).values.update({name: row._mapping[name] or 0 for name in case_columns})

    if names and lines:
        labels = dict(session.execute(sa.select(Department.id, Department.name).where(Department.id.in_(lines))).all())
        for key, department in lines.items():
            department.name = labels.get(key, "—")
    total = OnlineLine(None, "合计")
    for department in lines.values():
        for name, value in department.values.items():
            total.values[name] += value
        total.reviews += department.reviews
        total.review_hours += department.review_hours
        if department.longest_hours is not None:
            total.longest_hours = max(total.longest_hours or 0.0, department.longest_hours)
    ordered = sorted(lines.values(), key=lambda item: (-item.values["received"], -item.values["accepted"], item.name))
    return OnlineFigures(start, end, total, ordered)


def for_centers(session: Session, center_ids, start: datetime, end: datetime, today: date) -> OnlineFigures:
    """The figures of a center tree (the monthly report's)."""
    return compute(
        session,
        start,
        end,
        today,
        application_scope=Application.center_id.in_(center_ids),
        case_scope=Case.center_id.in_(center_ids),
    )
