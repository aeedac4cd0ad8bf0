"""The annual appraisal worked by hand: whole months and eligibility, grades by threshold, the 优秀 quota with
its tie rule, the three bars, re-running a year and confirmed rows."""

from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AnnualAppraisal, AppraisalGrade, Complaint, QuarterlyResult, Sanction
from app.models.assessment import MonthlyScore
from app.models.feedback import ComplaintChannel, ComplaintFinding, SanctionKind
from app.models.org import Staff, StaffStatus
from app.models.personnel import ChangeKind, ChangeStatus, PersonnelChange
from app.models.system import Setting
from app.services import appraisal

YEAR = 2025
NOW = datetime(2026, 1, 6, 9, 0)
EX, CO, BA, IN = AppraisalGrade.excellent, AppraisalGrade.competent, AppraisalGrade.basic, AppraisalGrade.incompetent


def set_setting(key, value):
    db.session.scalar(sa.select(Setting).where(Setting.key == key)).value = value


def member(world, number, score, joined=date(2024, 1, 1), department="dept_a", months=None):
    """A staff member of the county center scored `score` in each month from joining (or `months`) to December."""
    staff = Staff(
        staff_no=f"Y{number:03d}",
        name=f"年度{number:03d}",
        department_id=world[department],
        center_id=world["county"],
        joined_on=joined,
    )
    db.session.add(staff)
    db.session.flush()
    first = joined.month if joined.year == YEAR else 1
    table = MonthlyScore.__table__
    for month in range(first, 13) if months is None else months:
        values = {
            "month": date(YEAR, month, 1),
            "kind": "staff",
            "center_id": staff.center_id,
            "staff_id": staff.id,
            "department_id": staff.department_id,
            "score": Decimal(str(score)),
            "computed_at": NOW,
        }
        # The score's kind and center arrive with the department scores (issue 14 §3): written when present.
        db.session.execute(sa.insert(table).values({key: value for key, value in values.items() if key in table.c}))
    return staff.id


def run():
    appraisal.generate(db.session, YEAR, NOW, "manager")
    db.session.expire_all()  # the service writes with Core statements
    return {
        row.staff_id: row for row in db.session.scalars(sa.select(AnnualAppraisal).where(AnnualAppraisal.year == YEAR))
    }


@pytest.mark.parametrize(
    ("first_day", "last_day", "months"),
    [
        (date(2025, 7, 1), date(2025, 12, 31), 6),
        (date(2025, 8, 1), date(2025, 12, 31), 5),
        (date(2025, 7, 2), date(2025, 12, 31), 5),  # July is not whole
        (date(2024, 3, 1), date(2025, 6, 30), 6),
        (date(2024, 3, 1), date(2025, 6, 29), 5),  # June is not whole
        (date(2026, 1, 1), date(2026, 12, 31), 0),
    ],
)
def test_whole_months_at_the_center(first_day, last_day, months):
    assert appraisal.whole_months(YEAR, first_day, last_day) == months


def test_six_whole_months_are_eligible_and_five_are_not(db_session, world_ids):
    six = member(world_ids, 1, 92, joined=date(2025, 7, 1))
    five = member(world_ids, 2, 92, joined=date(2025, 8, 1))
    mid_july = member(world_ids, 3, 92, joined=date(2025, 7, 15))
    rows = run()
    assert (rows[six].months, rows[six].eligible, rows[six].grade) == (6, True, CO)  # quota: 15 % of 1 is 0
    assert (rows[five].months, rows[five].eligible, rows[five].grade) == (5, False, None)
    assert rows[five].note == "在中心工作 5 个整月，不足 6 个月，不参加本年度考核"
    assert (rows[mid_july].months, rows[mid_july].eligible) == (5, False)
    # The world's staff joined in 2024 but were never scored: appraised as there, not graded.
    world_staff = rows[world_ids["staff_staff_a"]]
    assert (world_staff.months, world_staff.eligible, world_staff.note) == (12, False, "本年度没有月度考核得分")


def change(world, staff_id, kind, effective_on):
    db.session.add(
        PersonnelChange(
            staff_id=staff_id,
            kind=kind,
            department_id=world["dept_a"],
            effective_on=effective_on,
            reason="人员变动",
            status=ChangeStatus.effective,
            requested_at=NOW,
            requested_by="chief_a",
        )
    )


def test_the_months_setting_and_a_transfer_out_before_the_year_end(db_session, world_ids):
    five = member(world_ids, 1, 85, joined=date(2025, 8, 1))
    left = member(world_ids, 2, 85, months=range(1, 12))
    change(world_ids, left, ChangeKind.transfer_out, date(2025, 12, 1))
    rows = run()
    assert (rows[left].months, rows[left].eligible, rows[left].note) == (
        11,
        False,
        "年底已不在中心工作，不参加本年度考核",
    )
    set_setting("appraisal_min_months", "5")
    set_setting("appraisal_year_end", "0")
    rows = run()
    assert (rows[five].eligible, rows[five].grade) == (True, CO)
    assert (rows[left].eligible, rows[left].grade) == (True, CO)


def test_stays_at_the_center_from_the_personnel_changes(db_session, world_ids):
    back = member(world_ids, 1, 85, months=[1, 2, 6, 7, 8, 9, 10, 11, 12])
    change(world_ids, back, ChangeKind.sent_back, date(2025, 3, 1))
    change(world_ids, back, ChangeKind.transfer_in, date(2025, 6, 1))
    later = member(world_ids, 2, 85)
    change(world_ids, later, ChangeKind.transfer_out, date(2026, 1, 1))  # left after the year
    unrecorded = member(world_ids, 3, 85, months=range(1, 8))
    old = member(world_ids, 4, 85, joined=date(2023, 1, 1), months=[])
    change(world_ids, old, ChangeKind.transfer_out, date(2024, 6, 1))
    db.session.execute(sa.update(Staff).where(Staff.id.in_([later, unrecorded, old])).values(status=StaffStatus.left))
    rows = run()
    assert (rows[back].months, rows[back].eligible) == (9, True)  # January–February and June–December
    assert (rows[later].months, rows[later].eligible) == (12, True)
    # Marked as left with no leaving change: the 7 scored months, and not there at the year's end.
    assert (rows[unrecorded].months, rows[unrecorded].eligible) == (7, False)
    assert old not in rows  # left before the year


def test_grades_follow_the_score_thresholds(db_session, world_ids):
    set_setting("appraisal_excellent_share", "1")
    scores = {90: EX, 89.99: CO, 80: CO, 79.99: BA, 70: BA, 69.99: IN}
    ids = {member(world_ids, number, score): grade for number, (score, grade) in enumerate(scores.items(), start=1)}
    rows = run()
    assert {rows[key].grade for key in ids} == set(scores.values())
    for key, grade in ids.items():
        assert rows[key].grade is grade, rows[key].score


def test_twenty_high_scores_give_at_most_three_excellent(db_session, world_ids):
    # 20 eligible at the county center: 15 % of 20 is 3. Two tie on the third place: the lower staff number wins.
    scores = [99, 98, 97, 97] + [96] * 16
    ids = [member(world_ids, number, score) for number, score in enumerate(scores, start=1)]
    rows = run()
    grades = [rows[key].grade for key in ids]
    assert grades[:3] == [EX, EX, EX]
    assert grades[3:] == [CO] * 17
    assert rows[ids[3]].note == "优秀名额已满（本中心参评 20 人，优秀不超过 3 人）"
    assert [rows[key].rank for key in ids[:5]] == [1, 2, 3, 3, 5]


def test_quota_rounds_down_and_counts_only_the_eligible(db_session, world_ids):
    ids = [member(world_ids, number, 95) for number in range(1, 14)]  # 13 × 15 % = 1.95 → 1
    member(world_ids, 99, 99, joined=date(2025, 9, 1))  # not eligible: takes no place
    rows = run()
    assert [rows[key].grade for key in ids].count(EX) == 1


def _quarters(staff_id, disqualified):
    for number in range(4):
        db.session.add(
            QuarterlyResult(
                quarter_start=date(YEAR, 3 * number + 1, 1),
                staff_id=staff_id,
                mean_score=Decimal("95"),
                eligible=number >= disqualified,
                reasons=["差评率 12.0%（3/25），达到 10.0%"] if number < disqualified else None,
                computed_at=NOW,
            )
        )


def _complaint(world, staff_id, finding, number, sanction=None):
    complaint = Complaint(
        number=f"TS{number:04d}",
        channel=ComplaintChannel.phone,
        filed_at=datetime(YEAR, 5, 10, 10, 0),
        center_id=world["county"],
        staff_id=staff_id,
        subject="服务态度",
        content="窗口人员态度生硬",
        finding=finding,
    )
    db.session.add(complaint)
    db.session.flush()
    if sanction:
        db.session.add(
            Sanction(
                complaint_id=complaint.id,
                kind=sanction,
                staff_id=staff_id,
                at=datetime(YEAR, 6, 1),
                decided_by="manager",
            )
        )


def test_bars_leave_competent_at_most(db_session, world_ids):
    set_setting("appraisal_excellent_share", "1")
    two_quarters = member(world_ids, 1, 95)
    one_quarter = member(world_ids, 2, 95)
    substantiated = member(world_ids, 3, 95)
    partly = member(world_ids, 4, 95)
    replaced = member(world_ids, 5, 95)
    warned = member(world_ids, 6, 95)
    barred_low = member(world_ids, 7, 75)
    _quarters(two_quarters, 2)
    _quarters(one_quarter, 1)
    _quarters(barred_low, 2)
    _complaint(world_ids, substantiated, ComplaintFinding.substantiated, 1)
    _complaint(world_ids, partly, ComplaintFinding.partly, 2)
    _complaint(world_ids, replaced, ComplaintFinding.partly, 3, SanctionKind.replacement)
    _complaint(world_ids, warned, ComplaintFinding.partly, 4, SanctionKind.warning)
    rows = run()
    assert (rows[two_quarters].grade, rows[two_quarters].bars) == (
        CO,
        ["年度内 2 个季度取消参评资格（2个季度（含）以上取消年终参评资格）"],
    )
    assert (rows[one_quarter].grade, rows[one_quarter].bars) == (EX, None)
    assert (rows[substantiated].grade, rows[substantiated].bars) == (CO, ["年度内被投诉并经查实 1 次"])
    assert (rows[partly].grade, rows[partly].bars) == (EX, None)
    assert (rows[replaced].grade, rows[replaced].bars) == (CO, ["年度内受到责令换人处理"])
    assert (rows[warned].grade, rows[warned].bars) == (EX, None)
    assert rows[barred_low].grade is BA  # a bar only takes 优秀 away


def test_a_barred_member_leaves_the_place_to_the_next(db_session, world_ids):
    # 7 eligible: 15 % gives 1 place; the best is barred, so the second takes it.
    best = member(world_ids, 1, 99)
    second = member(world_ids, 2, 98)
    for number in range(3, 8):
        member(world_ids, number, 91)
    _complaint(world_ids, best, ComplaintFinding.substantiated, 1)
    rows = run()
    assert (rows[best].grade, rows[second].grade) == (CO, EX)


def test_rerun_replaces_unconfirmed_rows_and_keeps_confirmed_ones(db_session, world_ids):
    ids = [member(world_ids, number, 95) for number in range(1, 8)]  # 7 × 15 % → 1 place
    rows = run()
    assert rows[ids[0]].grade is EX
    assert appraisal.confirm(db.session, YEAR, AnnualAppraisal.staff_id == ids[0], NOW, "manager") == 1
    db.session.execute(sa.update(MonthlyScore).where(MonthlyScore.staff_id == ids[1]).values(score=Decimal("99")))
    rows = run()
    # The confirmed 优秀 keeps the only place: the now-better second member is 称职.
    assert (rows[ids[0]].grade, rows[ids[0]].decided_by, rows[ids[0]].generated_at) == (EX, "manager", NOW)
    assert (rows[ids[1]].score, rows[ids[1]].grade) == (Decimal("99.00"), CO)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnnualAppraisal)) == len(rows)


def test_a_year_after_the_current_one_is_refused(db_session):
    with pytest.raises(appraisal.AppraisalError):
        appraisal.generate(db.session, 2026 + 1, NOW, "manager")
