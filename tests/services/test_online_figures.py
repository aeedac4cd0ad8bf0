"""Online applications, pre-review and 容缺 counted everywhere (issue 17.5), on a hand-built
October 2026: department A has a first pass, a pass after correction, a refusal, a withdrawal, a
deemed acceptance (行政许可法 §32), one awaiting its correction and one received in September and
passed in October; department B one first pass. Cases: the online ones the applications became,
walk-in ones (three accepted with tolerated materials missing) and one outside the month. The
expected figures are counted by hand below; a department user sees only their department's; the
monthly report's sheet 网上申报与容缺 is read back with openpyxl; bulletins rank by 网上办理率."""

import io
from datetime import date, datetime

import openpyxl
import pytest
import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import Case, CaseStatus, Center, Channel, ToleratedMaterial, User
from app.models.application import Application, ApplicationStatus
from app.models.case import ApplicantType
from app.models.matter import CaseKind
from app.security import staff_of
from app.services import bulletins, dashboard, online_figures, online_sheet, reports
from app.services import calendar as calendar_service
from app.services.scope import scope_for
from app.views.report import _figures

OCTOBER = date(2026, 10, 1)
START, END = datetime(2026, 10, 1), datetime(2026, 11, 1)
TODAY = date(2026, 10, 31)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield db.session
        db.session.remove()


def _case(ids, number, accepted, *, department="a", channel=Channel.window, deemed=False, status=None):
    case = Case(
        number=f"T{number:06d}",
        center_id=ids["county"],
        matter_id=ids[f"matter_{department}"],
        department_id=ids[f"dept_{department}"],
        applicant_name="张三",
        applicant_id_number="110101199001011234",
        channel=channel,
        kind=CaseKind.promised,
        status=status or CaseStatus.in_progress,
        submitted_at=accepted,
        accepted_at=accepted,
        deadline_at=datetime(2026, 11, 30, 17, 30),
        deemed_accepted=deemed,
    )
    db.session.add(case)
    db.session.flush()
    return case


def _application(ids, number, status, submitted, *, department="a", case=None, **times):
    db.session.add(
        Application(
            number=f"WS{number:010d}",
            status=status,
            matter_id=ids[f"matter_{department}"],
            center_id=ids["county"],
            department_id=ids[f"dept_{department}"],
            applicant_type=ApplicantType.person,
            applicant_name="王五",
            applicant_id_number=f"1101051949123100{number:02d}",
            applicant_phone="13800001234",
            declaration_accepted=True,
            submitted_at=submitted,
            round=1 if times.get("correction_requested_at") else 0,
            case_id=case.id if case else None,
            **times,
        )
    )


def _decided(ids, number, status, submitted, decided, **extra):
    """An application a reviewer (or the system) closed at `decided`."""
    _application(ids, number, status, submitted, reviewed_at=decided, closed_at=decided, **extra)


def _tolerated(case, due, received=None):
    db.session.add(ToleratedMaterial(case_id=case.id, name="经营场所证明", due_on=due, received_at=received))


def build_month(ids):
    at = datetime
    passed, refused = ApplicationStatus.passed, ApplicationStatus.refused
    # Department A.
    first = _case(ids, 1, at(2026, 10, 12, 13, 0), channel=Channel.online)
    _decided(ids, 1, passed, at(2026, 10, 12, 9, 0), first.accepted_at, case=first)  # 4 h
    corrected = _case(ids, 2, at(2026, 10, 15, 20, 0), channel=Channel.online)
    _application(
        ids,
        2,
        passed,
        at(2026, 10, 13, 9, 0),
        case=corrected,
        correction_requested_at=at(2026, 10, 13, 15, 0),  # 6 h
        resubmitted_at=at(2026, 10, 15, 10, 0),
        reviewed_at=at(2026, 10, 15, 20, 0),  # 10 h from the resubmission
        closed_at=at(2026, 10, 15, 20, 0),
    )
    _decided(ids, 3, refused, at(2026, 10, 14, 8, 0), at(2026, 10, 14, 10, 0))  # 2 h
    _application(
        ids,
        4,
        ApplicationStatus.withdrawn,
        at(2026, 10, 16, 9, 0),
        withdrawn_at=at(2026, 10, 16, 12, 0),
        closed_at=at(2026, 10, 16, 12, 0),
    )
    deemed = _case(ids, 3, at(2026, 10, 19, 9, 0), channel=Channel.online, deemed=True)
    _decided(ids, 5, passed, at(2026, 10, 19, 9, 0), at(2026, 10, 27, 2, 0), case=deemed)  # by the scan
    _application(
        ids,
        6,
        ApplicationStatus.correction_requested,
        at(2026, 10, 20, 9, 0),
        correction_requested_at=at(2026, 10, 21, 9, 0),
    )  # 24 h
    september = _case(ids, 4, at(2026, 10, 9, 9, 0), channel=Channel.online)
    _decided(ids, 7, passed, at(2026, 9, 29, 9, 0), september.accepted_at, case=september)  # 240 h
    _application(ids, 8, ApplicationStatus.submitted, at(2026, 11, 2, 9, 0))  # November: nowhere
    missing_overdue = _case(ids, 5, at(2026, 10, 20, 10, 0))
    _tolerated(missing_overdue, date(2026, 10, 23))
    brought = _case(ids, 6, at(2026, 10, 21, 10, 0))
    _tolerated(brought, date(2026, 10, 26), received=at(2026, 10, 24, 9, 0))
    _case(ids, 7, at(2026, 10, 22, 10, 0), status=CaseStatus.completed)
    missing = _case(ids, 8, at(2026, 10, 23, 10, 0))
    _tolerated(missing, date(2026, 11, 5))
    _case(ids, 9, at(2026, 9, 20, 10, 0), channel=Channel.online)  # September: nowhere
    # Department B: one first pass, two walk-in cases.
    own = _case(ids, 10, at(2026, 10, 12, 11, 0), department="b", channel=Channel.online)
    _decided(ids, 9, passed, at(2026, 10, 12, 10, 0), own.accepted_at, department="b", case=own)  # 1 h
    _case(ids, 11, at(2026, 10, 12, 9, 0), department="b")
    _case(ids, 12, at(2026, 10, 13, 9, 0), department="b")
    db.session.commit()


DEPARTMENT_A = {
    "received": 6,
    "correction_requested": 2,
    "passed": 3,
    "first_pass": 2,
    "passed_after_correction": 1,
    "refused": 1,
    "withdrawn": 1,
    "deemed_accepted": 1,
    "decided": 4,
    "corrected": 1,
    "reviews": 6,  # notices 6 h and 24 h, decisions 4, 10, 2 and 240 h
    "first_pass_rate": 0.5,
    "correction_rate": 0.25,
    "average_hours": 47.7,  # 286 / 6
    "longest_hours": 240.0,
    "accepted": 8,
    "online": 4,
    "online_rate": 0.5,
    "tolerated_accepted": 3,
    "tolerated_waiting": 2,
    "tolerated_overdue": 1,
}
# One first pass in an hour; three cases accepted, one of them online.
DEPARTMENT_B = {
    **dict.fromkeys(DEPARTMENT_A, 0),
    **dict.fromkeys(("received", "passed", "first_pass", "decided", "reviews"), 1),
    "first_pass_rate": 1.0,
    "correction_rate": 0.0,
    "average_hours": 1.0,
    "longest_hours": 1.0,
    "accepted": 3,
    "online": 1,
    "online_rate": 1 / 3,
}
TOTAL = {
    **{
        key: DEPARTMENT_A[key] + DEPARTMENT_B[key]
        for key in (*online_figures.APPLICATION_COUNTS, *online_figures.CASE_COUNTS, "reviews")
    },
    "first_pass_rate": 0.6,  # 3 / 5
    "correction_rate": 0.2,
    "average_hours": 41.0,  # 287 / 7
    "longest_hours": 240.0,
    "online_rate": 5 / 11,
}


def _without_name(line):
    values = line.as_dict()
    values.pop("name")
    return values


def _statements(run):
    seen = []

    def note(*_args):
        seen.append(1)

    engine = db.session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        result = run()
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    return result, len(seen)


def test_figures_by_department_and_total_match_the_hand_count(ctx, world_ids):
    build_month(world_ids)
    figures, statements = _statements(
        lambda: online_figures.for_centers(db.session, [world_ids["county"], world_ids["town"]], START, END, TODAY)
    )
    assert statements == 3  # applications with their pre-review times, cases, names
    lines = {line.name: _without_name(line) for line in figures.departments}
    assert lines == {"县市场监督管理局": pytest.approx(DEPARTMENT_A), "县公安局": pytest.approx(DEPARTMENT_B)}
    assert _without_name(figures.total) == pytest.approx(TOTAL)
    # A month with nothing: zeros, no rates.
    empty = online_figures.for_centers(
        db.session, [world_ids["county"]], datetime(2026, 6, 1), datetime(2026, 7, 1), TODAY
    )
    assert empty.departments == [] and empty.total.rates == dict.fromkeys(online_figures.RATES + online_figures.HOURS)


def _scope(username):
    user = db.session.scalar(sa.select(User).where(User.username == username))
    return scope_for([r.name for r in user.roles], current_app.config["ROLE_SCOPES"], staff_of(user))


def _dashboard(username):
    scope = _scope(username)
    from app.models import Evaluation

    return dashboard.build(
        db.session,
        scope.clause(Case),
        scope.clause(Evaluation),
        datetime(2026, 10, 31, 12, 0),
        calendar_service.load(db.session),
        application_scope=scope.clause(Application),
    ).online


def test_the_dashboard_panel_follows_the_scope(ctx, world_ids):
    build_month(world_ids)
    assert _without_name(_dashboard("manager")) == pytest.approx(TOTAL)
    assert _without_name(_dashboard("chief_a")) == pytest.approx(DEPARTMENT_A)
    assert _without_name(_dashboard("staff_b")) == pytest.approx(DEPARTMENT_B)
    # Without an application scope the dashboard is as before (no panel).
    assert (
        dashboard.build(
            db.session, sa.true(), sa.true(), datetime(2026, 10, 31), calendar_service.load(db.session)
        ).online
        is None
    )


def test_the_monthly_report_has_the_sheet_and_stores_the_figures(ctx, world_ids):
    build_month(world_ids)
    county = db.session.get(Center, world_ids["county"])
    report = reports.generate(
        db.session,
        county,
        OCTOBER,
        datetime(2026, 11, 2, 12, 0),  # 容缺 still missing as of the build
        "测试",
        calendar=calendar_service.load(db.session),
        due_workday=5,
    )
    # Stored with the report: the total and every department's line.
    stored = report.figures["online_figures"]
    assert {key: stored["total"][key] for key in TOTAL} == pytest.approx(TOTAL)
    assert [line["name"] for line in stored["departments"]] == ["县市场监督管理局", "县公安局"]
    assert report.figures["online"] == 5  # the monthly report's own case count agrees
    assert "网上申报 7，一次通过率 60.0%，补正率 20.0%，网上办理率 45.5%，容缺受理 3（待补 2）" in str(
        _figures(report.figures)
    )

    book = openpyxl.load_workbook(io.BytesIO(report.file))
    assert book.sheetnames[-3:] == ["网上申报与容缺", "大厅服务", "指标口径"]
    rows = list(book["网上申报与容缺"].iter_rows(values_only=True))
    header = rows[3]
    assert header == ("进驻部门", *(label for _, label in online_sheet.COLUMNS))
    table = {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in rows[4:]}
    assert list(table) == ["县市场监督管理局", "县公安局", "合计"]
    for name, expected in (("县市场监督管理局", DEPARTMENT_A), ("县公安局", DEPARTMENT_B), ("合计", TOTAL)):
        read = {key: table[name][label] for key, label in online_sheet.COLUMNS}
        assert read == pytest.approx({key: expected[key] for key, _ in online_sheet.COLUMNS})
    notes = [row[0] for row in book["指标口径"].iter_rows(values_only=True) if row[0]]
    assert all(line in notes for line in online_figures.NOTES)


def test_bulletins_rank_by_the_online_rate(ctx, world_ids):
    build_month(world_ids)
    assert ("online_rate", "网上办理率", True) in bulletins.INDICATORS and "online_rate" in bulletins.DEFINITIONS
    rows = bulletins.compute(db.session, world_ids["county"], START, END, "online_rate")
    ranked = [(row.rank, row.name, row.values["online_rate"]) for row in rows]
    assert ranked == [
        (1, "县市场监督管理局", pytest.approx(0.5)),
        (2, "县公安局", pytest.approx(1 / 3)),
        (0, "县气象局", None),  # no case accepted: unranked, last
    ]
    book = openpyxl.load_workbook(io.BytesIO(bulletins.workbook(rows, "示范县", START, END, "online_rate")))
    sheet = list(book["效能通报"].iter_rows(values_only=True))
    assert sheet[1][0] == "按网上办理率排名"
    column = sheet[3].index("网上办理率")
    assert [row[column] for row in sheet[4:6]] == pytest.approx([0.5, 1 / 3])


def test_the_pre_review_services_own_decisions_are_counted(ctx, world_ids):
    """Through prereview itself: a reviewer's pass (a first pass, 2 h) and a deemed acceptance by
    the scan (§32), kept apart from the reviewers' decisions; both cases are online."""
    from app.services import prereview
    from tests.services.test_prereview import actor, applied, fresh

    passed = applied(world_ids, at=datetime(2026, 10, 12, 10, 0), number="WS2026000001")
    prereview.pass_review(db.session, actor("staff_a"), datetime(2026, 10, 12, 12, 0), passed, passed.version)
    db.session.commit()
    deemed = applied(world_ids, at=datetime(2026, 10, 12, 10, 0), number="WS2026000002")
    assert prereview.scan(db.session, datetime(2026, 10, 19, 17, 31)) >= 1
    db.session.commit()
    assert fresh(deemed).case.deemed_accepted
    figures = online_figures.for_centers(db.session, [world_ids["county"]], START, END, TODAY).total
    assert {key: figures.values[key] for key in ("received", "passed", "first_pass", "deemed_accepted", "decided")} == {
        "received": 2,
        "passed": 1,
        "first_pass": 1,
        "deemed_accepted": 1,
        "decided": 1,
    }
    assert figures.rates["first_pass_rate"] == 1.0 and figures.rates["average_hours"] == 2.0
    assert figures.values["online"] == figures.values["accepted"] == 2
