"""Monthly reports as records: generate, store, submit, and flag the late ones.

Every county, sub-center and township center has its own report each month
(its tree's figures); it is due on the N-th working day of the next month
(setting `report_due_workday`) and each center submits its own (seed 000 第十七条: a sub-center
reports its month to the center). Who may build or submit a center's report: a user whose scope
is everything (the county's committee), or a center's head (duty `center_head`) for their center
and the centers below it. `generate_as` and `submit_as` check that; `generate` and `submit` are
the system's own steps (the job of the 1st, the demo history).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.models.notice import NoticeKind
from app.models.org import Center, CenterLevel, Staff, StaffStatus
from app.models.report import MonthlyReport
from app.services import hall_figures, monthly_report, network_report, notices, online_figures, report_workbook
from app.services.centers import subtree
from app.services.scope import Kind, kind_for
from app.services.workdays import WorkCalendar
from config import ROLE_DUTIES, ROLE_SCOPES

REPORTING_LEVELS = (CenterLevel.county, CenterLevel.sub_center, CenterLevel.township)
LATE_ROLES = ROLE_DUTIES["center_notices"]
HEAD_ROLES = ROLE_DUTIES["center_head"]


class ReportError(Exception):
    pass


def reporting_centers(actor) -> sa.ColumnElement:
    """SQL condition on Center: the reporting centers whose report `actor` may build and submit."""
    reporting = Center.level.in_(REPORTING_LEVELS)
    if kind_for(actor.roles, ROLE_SCOPES) is Kind.everything:
        return reporting
    if not actor.roles & HEAD_ROLES or actor.center_id is None:
        return sa.false()
    return sa.and_(reporting, Center.id.in_(subtree(actor.center_id)))


def _require_covered(session: Session, actor, center_id: int) -> None:
    covered = session.scalar(sa.select(Center.id).where(Center.id == center_id, reporting_centers(actor)))
    if covered is None:
        raise ReportError(_l("This report belongs to a center outside yours."))


def due_on(calendar: WorkCalendar, month: date, workday: int) -> date:
    """The `workday`-th working day of the month after `month`."""
    last_day = monthly_report.month_bounds(month)[1].date() - timedelta(days=1)
    return calendar.add_workdays(last_day, workday)


def _json_figures(figures, network, online, hall=None) -> dict:
    line = figures.total
    values = {name: (str(value) if isinstance(value, Decimal) else value) for name, value in line.values.items()}
    return {
        **values,
        **line.rates,
        **(network.headline if network is not None else {}),
        **(hall.headline() if hall is not None else {}),
        # 网上申报与容缺 (issue 17.5): the sheet's lines, so a stored report shows them without the workbook.
        "online_figures": online.as_json(),
    }


def generate(
    session: Session, center: Center, month: date, now: datetime, actor_name: str, *, calendar, due_workday: int
) -> MonthlyReport:
    """Build (or rebuild on request) the center's report for `month`; caller commits."""
    if center.level not in REPORTING_LEVELS:
        raise ReportError(_l("Village points do not submit monthly reports."))
    month = month.replace(day=1)
    if month >= now.date().replace(day=1):
        raise ReportError(_l("A monthly report can only be built for a month that has ended."))
    report = session.scalar(
        sa.select(MonthlyReport).where(MonthlyReport.center_id == center.id, MonthlyReport.month == month)
    )
    if report is not None and report.submitted_at is not None:
        raise ReportError(_l("This report has been submitted; it can no longer be rebuilt."))
    figures = monthly_report.compute(session, center.id, month)
    # The county's report shows how the whole network worked (issue 16.7); its per-center counts
    # are the figures just computed.
    network = (
        network_report.network_summary(session, center.id, month, figures)
        if center.level is CenterLevel.county
        else None
    )
    # Tolerated materials still missing are counted as of the build.
    online = online_figures.for_centers(session, figures.center_ids, figures.start, figures.end, now.date())
    # The front of the hall (issue 18.5): the center's and its sub-tree's queues, inquiries, appointments.
    hall = hall_figures.figures(
        session, figures.start.date(), figures.end.date(), now, hall_figures.in_centers(figures.center_ids)
    )
    workbook = report_workbook.build(session, figures, center.name, now, network, online, hall)
    if report is None:
        report = MonthlyReport(center=center, month=month)
        session.add(report)
    report.due_on = due_on(calendar, month, due_workday)
    report.generated_at, report.generated_by = now, actor_name
    report.figures = _json_figures(figures, network, online, hall)
    report.file, report.file_name = workbook, f"{center.code}-{month:%Y-%m}-月报.xlsx"
    session.flush()
    return report


def generate_as(
    session: Session, actor, center: Center, month: date, now: datetime, *, calendar, due_workday: int
) -> MonthlyReport:
    """`generate` on behalf of a user: only for a center the actor's reports cover."""
    _require_covered(session, actor, center.id)
    return generate(session, center, month, now, actor.name, calendar=calendar, due_workday=due_workday)


def generate_missing(session: Session, now: datetime, *, calendar, due_workday: int, actor_name: str) -> int:
    """The job of the 1st: last month's report for every reporting center that has none."""
    month = monthly_report.previous_month(now.date())
    done = set(session.scalars(sa.select(MonthlyReport.center_id).where(MonthlyReport.month == month)))
    centers = session.scalars(
        sa.select(Center).where(Center.level.in_(REPORTING_LEVELS), Center.id.not_in(done)).order_by(Center.id)
    ).all()
    for center in centers:
        generate(session, center, month, now, actor_name, calendar=calendar, due_workday=due_workday)
        session.commit()  # one center at a time: a long run never holds the write lock for all of them
    return len(centers)


def submit(session: Session, report: MonthlyReport, now: datetime, actor_name: str) -> MonthlyReport:
    if report.submitted_at is not None:
        raise ReportError(_l("This report has already been submitted."))
    report.submitted_at, report.submitted_by = now, actor_name
    report.late = now.date() > report.due_on
    return report


def submit_as(session: Session, actor, report: MonthlyReport, now: datetime) -> MonthlyReport:
    """`submit` on behalf of a user: recorded under their name, for a center their reports cover."""
    _require_covered(session, actor, report.center_id)
    return submit(session, report, now, actor.name)


def flag_late(session: Session, now: datetime) -> int:
    """Tell the county's supervisors, and the late center's own head, once per report, about
    reports past due and not submitted."""
    table = MonthlyReport.__table__
    centers = Center.__table__
    staff = Staff.__table__
    late = (
        sa.select(table.c.id, table.c.center_id)
        .add_columns(
            notices.text(
                centers.c.name,
                " ",
                sa.func.substr(notices.day(table.c.month), 1, 7),
                " 月报应于 ",
                notices.day(table.c.due_on),
                " 前报送，至今未提交。",
            ).label("detail")
        )
        .join(centers, centers.c.id == table.c.center_id)
        .where(table.c.submitted_at.is_(None), table.c.due_on < now.date())
        .subquery()
    )
    key = notices.key("report:", late.c.id)
    no_case = sa.cast(sa.null(), sa.Integer).label("case_id")
    supervisors = notices.users_with_roles(*LATE_ROLES)
    county = sa.select(supervisors.c.user_id, key, no_case, late.c.detail).select_from(
        late.join(supervisors, sa.true())
    )
    heads = notices.users_with_roles(*HEAD_ROLES)
    own = (
        sa.select(heads.c.user_id, key, no_case, late.c.detail)
        .select_from(late)
        .join(staff, sa.and_(staff.c.center_id == late.c.center_id, staff.c.status == StaffStatus.active.name))
        .join(heads, heads.c.user_id == staff.c.user_id)
    )
    connection = session.connection()
    return notices.insert(connection, NoticeKind.report_late, county, now) + notices.insert(
        connection, NoticeKind.report_late, own, now
    )
