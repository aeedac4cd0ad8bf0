"""The inspections register (issue 19.3) with a fixed `now`: a finding becomes a deduction that the
month's scoring counts, a sanction the collect job turns into a deduction, a rectification order
with its deadline; a joint meeting's overdue follow-up is told once; the annual assessment of the
sub-centers and township centers ranks as computed by hand; bad input changes nothing."""

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AssessmentRecord, AssessmentRule, MonthlyScore, RectificationOrder, Sanction
from app.models.assessment import ScoreKind
from app.models.inspection import FindingOutcome, Inspection, InspectionFinding, MeetingFollowUp
from app.models.notice import Notice, NoticeKind
from app.models.org import Center, CenterLevel, Staff
from app.services import assessment, center_assessment, complaints, inspections, rectification_orders, scoring_month
from app.services.inspections import InspectionError
from tests.services.test_case_flow import actor

NOW = datetime(2026, 10, 9, 10, 0)  # a Friday; Saturday 10 October is a makeup working day
OCTOBER = date(2026, 10, 1)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


def patrol(world_ids, who="supervisor", center=None, at=datetime(2026, 10, 9, 9, 0)):
    inspection = inspections.record_inspection(
        db.session,
        actor(who),
        NOW,
        kind="unannounced",
        inspected_at=at,
        center_id=center or world_ids["county"],
        inspectors="督查科 李四、王五",
        summary="上午暗访大厅窗口纪律",
        place="一楼大厅",
    )
    db.session.commit()
    return inspection


def finding_on(inspection, world_ids, **target):
    target = target or {"staff_id": world_ids["staff_staff_a"]}
    finding, _ = inspections.add_finding(
        db.session, actor("supervisor"), NOW, inspection, description="窗口人员上班时间玩手机", **target
    )
    db.session.commit()
    return finding


def test_two_inspections_recorded_at_once_get_different_numbers(app, world_ids):
    import threading

    barrier, numbers, errors = threading.Barrier(2), [], []

    def record(name):
        with app.app_context():
            barrier.wait()
            try:
                numbers.append(patrol(world_ids, who=name).number)
            except Exception as exc:  # noqa: BLE001 - any failure is the test's finding
                errors.append(repr(exc))
            db.session.remove()

    threads = [threading.Thread(target=record, args=(n,)) for n in ("supervisor", "manager")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and sorted(numbers) == ["XC20261009-01", "XC20261009-02"]


def rule(code):
    return db.session.scalar(sa.select(AssessmentRule).where(AssessmentRule.code == code))


def test_an_inspection_is_numbered_by_its_day_and_names_its_recorder(ctx, world_ids):
    first = patrol(world_ids)
    second = patrol(world_ids)
    assert (first.number, second.number) == ("XC20261009-01", "XC20261009-02")
    assert first.recorded_by_id == world_ids["user_supervisor"] and first.place == "一楼大厅"


def test_a_finding_on_a_staff_member_takes_the_window_and_department(ctx, world_ids):
    finding = finding_on(patrol(world_ids), world_ids)
    assert (finding.department_id, finding.window_id) == (world_ids["dept_a"], world_ids["win_a"])
    assert finding.outcome is FindingOutcome.none


def test_a_finding_turned_into_a_deduction_is_counted_in_the_months_score(ctx, world_ids):
    finding = finding_on(patrol(world_ids), world_ids)
    record = inspections.to_assessment(
        db.session, actor("supervisor"), NOW, finding, finding.version, rule_id=rule("unrelated_activity").id
    )
    db.session.commit()
    assert record.month == OCTOBER and record.points == Decimal("-1") and "XC20261009-01" in record.evidence
    assert finding.outcome is FindingOutcome.assessment and finding.assessment_record_id == record.id
    scoring_month.run_month(db.session, OCTOBER, datetime(2026, 11, 2, 2, 0))
    db.session.commit()
    score = db.session.scalar(
        sa.select(MonthlyScore).where(
            MonthlyScore.month == OCTOBER, MonthlyScore.staff_id == world_ids["staff_staff_a"]
        )
    )
    # 十不准 −1 on the staff member; the chief representative answers for it too (连带责任).
    assert score.deductions == Decimal("1") and score.score == Decimal("99")
    with pytest.raises(InspectionError) as refused:
        inspections.to_assessment(
            db.session, actor("supervisor"), NOW, finding, finding.version, rule_id=rule("untidy").id
        )
    assert refused.value.code == "duplicate"


def test_a_sanctioned_finding_is_deducted_by_the_collect_job(ctx, world_ids):
    finding = finding_on(patrol(world_ids), world_ids)
    sanction = inspections.to_sanction(
        db.session, actor("supervisor"), NOW, finding, finding.version, kind="warning", note="当场警告"
    )
    db.session.commit()
    assert sanction.complaint_id is None and finding.sanction is sanction
    assessment.collect(db.session, OCTOBER, NOW)
    db.session.commit()
    record = db.session.scalar(
        sa.select(AssessmentRecord).where(AssessmentRecord.source_key == f"sanction:{sanction.id}")
    )
    assert record.rule.code == "inspection_sanction" and record.points == Decimal("-2")
    assert record.staff_id == world_ids["staff_staff_a"] and record.window_id == world_ids["win_a"]
    assert assessment.collect(db.session, OCTOBER, NOW) == 0  # a rerun writes nothing new


def test_a_circulated_finding_reaches_every_chief_representative_and_the_center_once(ctx, world_ids):
    finding = finding_on(patrol(world_ids), world_ids)
    sanction = inspections.to_sanction(
        db.session, actor("supervisor"), NOW, finding, finding.version, kind="circulated"
    )
    db.session.commit()
    sent = db.session.scalars(sa.select(Notice).where(Notice.kind == NoticeKind.sanction_circulated)).all()
    assert {n.user_id for n in sent} == {
        world_ids[f"user_{name}"] for name in ("supervisor", "manager", "chief_a", "chief_b")
    }
    assert all("通报批评：暗访 XC20261009-01" in n.detail and "予以通报批评" in n.detail for n in sent)
    assert complaints.circulate(db.session, sanction, "暗访", finding.department_id, NOW) == 0  # once


def test_a_finding_opens_a_rectification_order_due_in_five_working_days(ctx, world_ids):
    finding = finding_on(patrol(world_ids), world_ids)
    due = inspections.order_due(db.session, NOW)
    order = inspections.order_rectification(db.session, actor("supervisor"), NOW, finding, finding.version, due_at=due)
    db.session.commit()
    # Friday 9 October + 5 working days: Sat 10 (makeup), Mon 12, Tue 13, Wed 14, Thu 15 at closing.
    assert order.due_at == datetime(2026, 10, 15, 17, 30)
    assert order.department_id == world_ids["dept_a"] and order.inspection_finding_id == finding.id
    assert order.complaint_id is None and order.number == f"ZG20261009-01-{finding.id}"
    told = db.session.scalars(sa.select(Notice).where(Notice.kind == NoticeKind.order_issued)).all()
    assert [n.user_id for n in told] == [world_ids["user_chief_a"]] and "检查 XC20261009-01" in told[0].detail
    with pytest.raises(InspectionError):
        inspections.order_rectification(db.session, actor("supervisor"), NOW, finding, finding.version, due_at=due)
    # Past its deadline the center hears of it through the existing scan.
    assert rectification_orders.flag_overdue(db.session, datetime(2026, 10, 16, 9, 0)) >= 1
    overdue = db.session.scalar(sa.select(Notice).where(Notice.kind == NoticeKind.order_overdue))
    assert "检查 XC20261009-01" in overdue.detail


def test_a_finding_without_department_orders_nothing_and_the_chief_rep_records_nothing(ctx, world_ids):
    inspection = patrol(world_ids)
    finding = finding_on(inspection, world_ids, department_id=None)
    with pytest.raises(InspectionError):
        inspections.order_rectification(db.session, actor("supervisor"), NOW, finding, finding.version, due_at=NOW)
    with pytest.raises(InspectionError) as refused:
        inspections.add_finding(db.session, actor("chief_a"), NOW, inspection, description="x")
    assert refused.value.code == "role"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RectificationOrder)) == 0


@pytest.mark.parametrize(
    "inputs, code",
    [
        ({"kind": "spot"}, "input"),
        ({"inspected_at": datetime(2026, 10, 10, 9, 0)}, "date"),  # tomorrow
        ({"inspectors": "  "}, "input"),
        ({"summary": "x" * 2001}, "input"),
        ({"kind": "sub_center"}, "center"),  # the county is no sub-center
    ],
)
def test_bad_inspection_input_is_refused_and_nothing_is_stored(ctx, world_ids, inputs, code):
    values = {
        "kind": "patrol",
        "inspected_at": datetime(2026, 10, 9, 9, 0),
        "center_id": world_ids["county"],
        "inspectors": "李四",
        "summary": "巡查",
    } | inputs
    with pytest.raises(InspectionError) as refused:
        inspections.record_inspection(db.session, actor("supervisor"), NOW, **values)
    assert refused.value.code == code
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)) == 0


def test_a_township_finding_cannot_name_a_county_window(ctx, world_ids):
    inspection = patrol(world_ids, center=world_ids["town"])
    with pytest.raises(InspectionError) as refused:
        inspections.add_finding(
            db.session, actor("supervisor"), NOW, inspection, description="x", window_id=world_ids["win_a"]
        )
    assert refused.value.code == "target"


def _meeting(world_ids, due_on=date(2026, 10, 20)):
    meeting = inspections.record_meeting(
        db.session,
        actor("manager"),
        NOW,
        held_on=date(2026, 10, 8),
        topic="第三季度分中心联席会议",
        attendees="中心主任、各分中心负责人",
        minutes="通报三季度检查情况",
        decisions="统一标识标牌",
        center_ids=[world_ids["town"]],
    )
    follow_up = inspections.add_follow_up(
        db.session,
        actor("manager"),
        NOW,
        meeting,
        action="更换统一标识标牌",
        owner="城关镇便民服务中心",
        due_on=due_on,
        owner_center_id=world_ids["town"],
    )
    db.session.commit()
    return meeting, follow_up


def test_an_overdue_follow_up_is_told_to_the_center_once_and_not_after_closing(ctx, world_ids):
    meeting, follow_up = _meeting(world_ids)
    assert inspections.flag_overdue_follow_ups(db.session, datetime(2026, 10, 20, 18, 0)) == 0  # due that day
    told = inspections.flag_overdue_follow_ups(db.session, datetime(2026, 10, 21, 9, 0))
    db.session.commit()
    rows = db.session.scalars(sa.select(Notice).where(Notice.kind == NoticeKind.follow_up_overdue)).all()
    assert told == 2 and {n.user_id for n in rows} == {world_ids["user_supervisor"], world_ids["user_manager"]}
    assert "更换统一标识标牌" in rows[0].detail and "2026-10-20" in rows[0].detail
    assert inspections.flag_overdue_follow_ups(db.session, datetime(2026, 10, 22, 9, 0)) == 0
    inspections.close_follow_up(db.session, actor("manager"), NOW, follow_up, follow_up.version, note="已更换")
    db.session.commit()
    assert follow_up.closed_at == NOW and follow_up.closed_by
    with pytest.raises(InspectionError):
        inspections.close_follow_up(db.session, actor("manager"), NOW, follow_up, follow_up.version, note="again")


def test_a_follow_up_cannot_be_due_before_its_meeting_nor_closed_by_a_department(ctx, world_ids):
    with pytest.raises(InspectionError):
        _meeting(world_ids, due_on=date(2026, 10, 1))
    db.session.rollback()
    _, follow_up = _meeting(world_ids)
    with pytest.raises(InspectionError) as refused:
        inspections.close_follow_up(db.session, actor("chief_a"), NOW, follow_up, follow_up.version, note="x")
    assert refused.value.code == "role"
    assert db.session.get(MeetingFollowUp, follow_up.id).closed_at is None


# -- the annual assessment ----------------------------------------------------------------------


def _score(center_id, kind, month, score, **subject):
    db.session.add(
        MonthlyScore(
            month=month,
            kind=kind,
            center_id=center_id,
            score=Decimal(score),
            additions=0,
            deductions=0,
            computed_at=NOW,
            **subject,
        )
    )


@pytest.fixture
def network_year(ctx, world_ids):
    """Three centers of 2026, by hand:
    城关镇 (town): windows 96, 98 (mean 97); staff 90 (mean 90) → base 93.5; two findings, one
      sanctioned, one order closed late → 93.5 − (2×1 + 1×2 + 1×1) = 88.5.
    河湾镇 (town2): windows only, 92 → base 92; no findings → 92.
    东区分中心 (sub): staff 95 and 85 (mean 90), no windows → 90; one finding → 89.
    A village point is not assessed. Ranks: 河湾镇 1, 东区分中心 2, 城关镇 3."""
    county = db.session.get(Center, world_ids["county"])
    town2 = Center(code="XZ-T8", name="河湾镇便民服务中心", level=CenterLevel.township, parent=county)
    sub = Center(code="XZ-S1", name="东区分中心", level=CenterLevel.sub_center, parent=county)
    village = Center(code="XZ-T1-V1", name="南坡村便民服务站", level=CenterLevel.village, parent=county)
    db.session.add_all([town2, sub, village])
    db.session.flush()
    town, staff = world_ids["town"], world_ids["staff_staff_a"]
    _score(town, ScoreKind.window, date(2026, 3, 1), "96", window_id=world_ids["win_a"])
    _score(town, ScoreKind.window, date(2026, 4, 1), "98", window_id=world_ids["win_a"])
    _score(town, ScoreKind.staff, date(2026, 4, 1), "90", staff_id=staff)
    _score(town, ScoreKind.staff, date(2025, 12, 1), "10", staff_id=staff)  # another year
    _score(town2.id, ScoreKind.window, date(2026, 5, 1), "92", window_id=world_ids["win_b"])
    _score(sub.id, ScoreKind.staff, date(2026, 6, 1), "95", staff_id=world_ids["staff_staff_b"])
    _score(sub.id, ScoreKind.staff, date(2026, 7, 1), "85", staff_id=world_ids["staff_staff_b"])
    db.session.commit()
    inspection = patrol(world_ids, center=town)
    first = finding_on(inspection, world_ids, department_id=world_ids["dept_a"])
    second = finding_on(inspection, world_ids, department_id=world_ids["dept_a"])
    db.session.add(
        Sanction(inspection_finding_id=first.id, kind="talk", at=NOW, decided_by="督查", window_id=world_ids["win_a"])
    )
    order = inspections.order_rectification(
        db.session, actor("supervisor"), NOW, second, second.version, due_at=datetime(2026, 10, 15, 17, 30)
    )
    order.status, order.closed_at = "closed", datetime(2026, 10, 20, 9, 0)  # closed five days late
    sub_inspection = inspections.record_inspection(
        db.session,
        actor("supervisor"),
        NOW,
        kind="sub_center",
        inspected_at=datetime(2026, 10, 8, 15, 0),
        center_id=sub.id,
        inspectors="督查科",
        summary="分中心检查",
    )
    inspections.add_finding(db.session, actor("supervisor"), NOW, sub_inspection, description="政务公开栏未更新")
    db.session.commit()
    return {"town2": town2.id, "sub": sub.id}


def test_the_annual_assessment_ranks_the_centers_as_computed_by_hand(network_year, world_ids):
    lines = center_assessment.annual(db.session, 2026, datetime(2026, 12, 31, 12, 0))
    got = [(line.name, line.base, line.deduction, line.score, line.rank) for line in lines]
    assert got == [
        ("河湾镇便民服务中心", Decimal("92.00"), Decimal("0.00"), Decimal("92.00"), 1),
        ("东区分中心", Decimal("90.00"), Decimal("1.00"), Decimal("89.00"), 2),
        ("城关镇便民服务中心", Decimal("93.50"), Decimal("5.00"), Decimal("88.50"), 3),
    ]
    town = lines[2]
    assert (town.window_months, town.staff_months, town.findings, town.sanctioned, town.late_orders) == (2, 1, 2, 1, 1)


def test_the_annual_weights_and_points_are_settings(network_year, world_ids):
    weights = center_assessment.Weights(Decimal("1"), Decimal("0"), Decimal("0"), Decimal("0"), Decimal("0"))
    lines = center_assessment.annual(db.session, 2026, datetime(2026, 12, 31), weights)
    town = next(line for line in lines if line.center_id == world_ids["town"])
    assert town.score == Decimal("97.00") and lines[0].center_id == world_ids["town"]
    tied = center_assessment.Weights(Decimal("0.5"), Decimal("0.5"), Decimal("0"), Decimal("0"), Decimal("0"))
    ranks = [line.rank for line in center_assessment.annual(db.session, 2026, datetime(2026, 12, 31), tied)]
    assert ranks == [1, 2, 3]  # 93.5, 92, 90


def test_the_annual_workbook_has_a_title_row_chinese_headers_and_the_ranked_rows(network_year):
    lines = center_assessment.annual(db.session, 2026, datetime(2026, 12, 31))
    handle = io.BytesIO()
    center_assessment.write_workbook(handle, "2026年度分中心及便民服务中心考核", lines, "说明")
    sheet = openpyxl.load_workbook(io.BytesIO(handle.getvalue())).active
    assert sheet["A1"].value == "2026年度分中心及便民服务中心考核"
    assert [cell.value for cell in sheet[3]][:2] == ["名次", "中心"] and sheet["M3"].value == "年度得分"
    assert [(row[0], row[1], row[12]) for row in sheet.iter_rows(min_row=4, values_only=True)] == [
        (1, "河湾镇便民服务中心", 92.0),
        (2, "东区分中心", 89.0),
        (3, "城关镇便民服务中心", 88.5),
    ]


def test_a_finding_counts_against_the_center_even_without_staff(ctx, world_ids):
    inspection = patrol(world_ids, center=world_ids["town"])
    finding = finding_on(inspection, world_ids, department_id=None)
    assert db.session.get(InspectionFinding, finding.id).inspection.center_id == world_ids["town"]
    db.session.add(
        MonthlyScore(
            month=OCTOBER,
            kind=ScoreKind.staff,
            center_id=world_ids["town"],
            staff_id=db.session.scalar(sa.select(Staff.id).limit(1)),
            score=Decimal("100"),
            additions=0,
            deductions=0,
            computed_at=NOW,
        )
    )
    db.session.commit()
    [line] = center_assessment.annual(db.session, 2026, NOW)
    assert (line.findings, line.score) == (1, Decimal("99.00"))
