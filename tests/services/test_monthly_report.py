"""The monthly report: workbook totals equal independent SQL counts; empty months;
formula-safe cells; stored once, submitted once, late flagged."""

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import Role

from app.extensions import db
from app.jobs import monthly_report_job, report_check_job
from app.models import Case, CaseStatus, Center, Complaint, Evaluation, MonthlyReport, Staff, User
from app.models.feedback import ComplaintChannel, EvaluationChannel
from app.models.matter import CaseKind
from app.models.notice import Notice
from app.models.org import StaffStatus
from app.services import calendar, job_runs, reports
from app.services.report_workbook import COLUMNS

NOW = datetime(2026, 11, 24, 10, 0)
OCTOBER = date(2026, 10, 1)
START, END = datetime(2026, 10, 1), datetime(2026, 11, 1)


@pytest.fixture
def county(demo_county):
    """The demo county, plus evaluations and complaints in October."""
    with demo_county.app_context():
        cases = db.session.scalars(
            sa.select(Case)
            .where(
                Case.status == CaseStatus.completed,
                Case.finished_at >= START,
                ~sa.exists().where(Evaluation.case_id == Case.id),  # not rated by the demo already
            )
            .limit(40)
        ).all()
        for number, case in enumerate(cases):
            db.session.add(
                Evaluation(
                    case_id=case.id,
                    center_id=case.center_id,
                    department_id=case.department_id,
                    window_id=case.window_id,
                    staff_id=case.accepted_by_id,
                    level=number % 5 + 1,
                    channel=EvaluationChannel.portal,
                    created_at=datetime(2026, 10, 1 + number % 28, 15, 0),
                )
            )
        db.session.add(
            Complaint(
                number="TS-20261015-0001",
                channel=ComplaintChannel.portal,
                filed_at=datetime(2026, 10, 15, 9, 0),
                center_id=cases[0].center_id,
                department_id=cases[0].department_id,
                subject='=HYPERLINK("http://evil")',
                content="窗口人员态度差",
            )
        )
        db.session.commit()
    return demo_county


def _count(*conditions, column=None):
    query = sa.select(sa.func.count() if column is None else sa.func.coalesce(sa.func.sum(column), 0))
    return db.session.scalar(query.select_from(Case).where(*conditions))


def _evaluations(*conditions):
    query = sa.select(sa.func.count()).select_from(Evaluation)
    return db.session.scalar(query.where(Evaluation.created_at >= START, Evaluation.created_at < END, *conditions))


def _sheet_totals(workbook):
    summary = workbook["汇总"]
    headers = [cell.value for cell in summary[4]]
    total = next(row for row in summary.iter_rows(min_row=5, values_only=True) if row[0] == "合计")
    return dict(zip(headers, total, strict=False))


def test_workbook_totals_equal_independent_sql_counts(county):
    with county.app_context():
        center = db.session.scalar(sa.select(Center).where(Center.parent_id.is_(None)))
        report = reports.generate(
            db.session, center, OCTOBER, NOW, "测试", calendar=calendar.load(db.session), due_workday=5
        )
        db.session.commit()
        workbook = openpyxl.load_workbook(io.BytesIO(report.file))
        totals = _sheet_totals(workbook)
        completed = (Case.status == CaseStatus.completed, Case.finished_at >= START, Case.finished_at < END)
        expected = {
            "受理": _count(Case.accepted_at >= START, Case.accepted_at < END),
            "办结": _count(*completed),
            "按时办结": _count(*completed, Case.finished_at <= Case.deadline_at),
            "超期": _count(
                Case.deadline_at >= START,
                Case.deadline_at < END,
                Case.status != CaseStatus.withdrawn,
                sa.or_(Case.finished_at.is_(None), Case.finished_at > Case.deadline_at),
            ),
            "即办件": _count(Case.accepted_at >= START, Case.accepted_at < END, Case.kind == CaseKind.immediate),
            "退件": _count(Case.status == CaseStatus.returned, Case.finished_at >= START, Case.finished_at < END),
            "补正": _count(Case.accepted_at >= START, Case.accepted_at < END, Case.supplement_count > 0),
            # Voluntary and default ratings apart (issue 14 §2, rating_rates.py).
            "自愿评价数": _evaluations(Evaluation.is_default.is_(False)),
            "好评数": _evaluations(Evaluation.is_default.is_(False), Evaluation.level >= 3),
            "差评数": _evaluations(Evaluation.is_default.is_(False), Evaluation.level <= 2),
            "默认评价数": _evaluations(Evaluation.is_default.is_(True)),
            "投诉": 1,
        }
        assert expected["受理"] > 150 and expected["办结"] > 150 and expected["超期"] > 0  # a real month
        # The 40 added, levels 1–5 in turn, and the demo's.
        assert expected["差评数"] >= 16 and expected["自愿评价数"] > 100
        for label, value in expected.items():
            assert totals[label] == value, label
        assert Decimal(str(totals["收费（元）"])) == _count(*completed, column=Case.fee)
        assert totals["按时办结率"] == pytest.approx(expected["按时办结"] / expected["办结"])
        # The department table adds up to the total; the overdue list has a row per overdue case.
        summary = workbook["汇总"]
        rows = list(summary.iter_rows(values_only=True))
        department_header = next(i for i, row in enumerate(rows) if row[0] == "进驻部门")
        departments = [row for row in rows[department_header + 1 :] if row[0]]
        assert sum(row[1] for row in departments) == expected["受理"]
        assert workbook["超期办件清单"].max_row - 1 == expected["超期"]
        assert report.figures["accepted"] == expected["受理"]
        assert [cell.value for cell in workbook["按窗口"][1]][1:] == [label for _, label in COLUMNS]
        # openpyxl does not read charts back: look inside the package.
        with zipfile.ZipFile(io.BytesIO(report.file)) as package:
            charts = [name for name in package.namelist() if name.startswith("xl/charts/chart")]
        assert len(charts) == 2


def test_cells_are_formula_safe(county):
    with county.app_context():
        center = db.session.scalar(sa.select(Center).where(Center.parent_id.is_(None)))
        report = reports.generate(
            db.session, center, OCTOBER, NOW, "测试", calendar=calendar.load(db.session), due_workday=5
        )
        workbook = openpyxl.load_workbook(io.BytesIO(report.file))
        subjects = [row[5] for row in workbook["投诉清单"].iter_rows(min_row=2, values_only=True)]
        assert subjects == ['\'=HYPERLINK("http://evil")']
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                assert all(cell.data_type != "f" for cell in row), sheet.title
        db.session.rollback()


def test_a_month_without_cases_gives_a_valid_report(county):
    with county.app_context():
        center = db.session.scalar(sa.select(Center).where(Center.parent_id.is_(None)))
        report = reports.generate(
            db.session, center, date(2025, 3, 1), NOW, "测试", calendar=calendar.load(db.session), due_workday=5
        )
        workbook = openpyxl.load_workbook(io.BytesIO(report.file))
        totals = _sheet_totals(workbook)
        assert totals["受理"] == 0 and totals["按时办结率"] is None
        assert workbook["超期办件清单"].max_row == 1
        db.session.rollback()


def test_the_job_builds_each_reporting_center_once_and_flags_late_submissions(county):
    with county.app_context():

        def run(job, now, name):
            record = job_runs.run(db.session, name, job, now, lambda: now, (None, "test"))
            assert record.outcome.name == "ok", record.error
            return record.rows

        db.session.execute(sa.delete(MonthlyReport))
        db.session.commit()
        reporting = db.session.scalar(
            sa.select(sa.func.count()).select_from(Center).where(Center.level.in_(reports.REPORTING_LEVELS))
        )
        assert run(monthly_report_job, datetime(2026, 11, 1, 1, 0), "monthly_report") == reporting
        assert run(monthly_report_job, datetime(2026, 11, 1, 2, 0), "monthly_report") == 0
        report = db.session.scalar(sa.select(MonthlyReport).order_by(MonthlyReport.id))
        assert report.month == OCTOBER and report.due_on == date(2026, 11, 6)  # 5th working day
        assert run(report_check_job, datetime(2026, 11, 6, 9, 0), "report_check") == 0  # not late yet
        reports.submit(db.session, report, datetime(2026, 11, 6, 16, 0), "首席")
        db.session.commit()
        assert not report.late
        late = run(report_check_job, datetime(2026, 11, 9, 9, 0), "report_check")
        # The supervisor and the manager, once per unsubmitted report, and each late center's own head.
        heads = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Staff)
            .join(User.roles)
            .where(
                Staff.user_id == User.id,
                Staff.center_id.in_(sa.select(MonthlyReport.center_id).where(MonthlyReport.submitted_at.is_(None))),
                Role.name.in_(reports.HEAD_ROLES),
                Staff.status == StaffStatus.active,
            )
        )
        assert heads > 0 and late == (reporting - 1) * 2 + heads
        assert run(report_check_job, datetime(2026, 11, 10, 9, 0), "report_check") == 0
        other = db.session.scalar(sa.select(MonthlyReport).where(MonthlyReport.id != report.id).limit(1))
        reports.submit(db.session, other, datetime(2026, 11, 9, 10, 0), "首席")
        assert other.late
        with pytest.raises(reports.ReportError):
            reports.submit(db.session, other, datetime(2026, 11, 9, 11, 0), "首席")
        with pytest.raises(reports.ReportError):  # submitted: no silent rebuild
            reports.generate(
                db.session, other.center, OCTOBER, NOW, "测试", calendar=calendar.load(db.session), due_workday=5
            )
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) == late
        db.session.rollback()
