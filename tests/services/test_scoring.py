"""Monthly scores computed by hand; caps; the chief representative's share; reruns;
quarterly disqualification at each threshold; honours among the eligible with ties."""

from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.jobs import monthly_scoring_job
from app.models import AssessmentRecord, AssessmentRule, Case, CaseStatus, Evaluation, MonthlyScore, QuarterlyResult
from app.models.assessment import AssessmentOrigin, Honour
from app.models.case import Violation, ViolationKind
from app.models.feedback import EvaluationChannel
from app.models.matter import CaseKind
from app.models.org import Staff, StaffPosition, Window, WindowKind
from app.models.personnel import AttendanceKind, AttendanceRecord
from app.models.system import Setting
from app.services import job_runs, scoring_month, scoring_periods
from app.services.scope import EVERYTHING, NOTHING, Kind, Scope

OCTOBER = date(2026, 10, 1)
Q4 = date(2026, 10, 1)
NOW = datetime(2026, 11, 2, 2, 0)


def _rule(code):
    return db.session.scalar(sa.select(AssessmentRule).where(AssessmentRule.code == code))


def record(code, *, staff=None, window=None, department=None, month=OCTOBER, points=None, day=10):
    rule = _rule(code)
    db.session.add(
        AssessmentRecord(
            rule_id=rule.id,
            month=month,
            occurred_at=datetime(month.year, month.month, day, 10, 0),
            staff_id=staff,
            window_id=window,
            department_id=department,
            points=rule.points if points is None else Decimal(points),
            origin=AssessmentOrigin.manual,
            evidence="督查现场检查记录",
            recorded_by="supervisor",
            recorded_at=datetime(month.year, month.month, day, 11, 0),
        )
    )


def attendance(staff, department, day, kind):
    db.session.add(AttendanceRecord(staff_id=staff, department_id=department, day=day, kind=kind))


def set_setting(key, value):
    row = db.session.scalar(sa.select(Setting).where(Setting.key == key))
    row.value = value


def scores(month=OCTOBER):
    rows = db.session.execute(
        sa.select(
            MonthlyScore.kind,
            MonthlyScore.staff_id,
            MonthlyScore.window_id,
            MonthlyScore.department_id,
            MonthlyScore.center_id,
            MonthlyScore.additions,
            MonthlyScore.deductions,
            MonthlyScore.score,
            MonthlyScore.rank,
        ).where(MonthlyScore.month == month)
    ).all()
    return {(r.kind.name, r.staff_id or r.window_id or r.department_id): tuple(r[5:]) for r in rows}


@pytest.fixture
def october(app, world_ids):
    """A seeded October: automatic facts and manual records, scores worked out by hand in the test."""
    ids = world_ids
    with app.app_context():
        a, b = ids["dept_a"], ids["dept_b"]
        staff_a, chief_a, staff_b = ids["staff_staff_a"], ids["staff_chief_a"], ids["staff_chief_b"]
        # staff_a (window A): late and early on one day → late −1 and early leave −1 (automatic).
        attendance(staff_a, a, date(2026, 10, 12), AttendanceKind.late_and_early)
        attendance(staff_a, a, date(2026, 10, 13), AttendanceKind.normal)
        record("leave_post", staff=staff_a, window=ids["win_a"], department=a)  # −0.5
        # Three bad reviews, −1 each, with the rule capped at 2 a month → −2.
        rule = _rule("bad_review")
        rule.monthly_cap = Decimal(2)
        for number in range(3):
            db.session.add(
                Evaluation(
                    center_id=ids["county"],
                    department_id=a,
                    window_id=ids["win_a"],
                    staff_id=staff_a,
                    level=1,
                    channel=EvaluationChannel.portal,
                    created_at=datetime(2026, 10, 14 + number, 15, 0),
                )
            )
        record("innovation", staff=staff_a, department=a)  # +2, the person's only (no window)
        # chief_a: untidy desk −1 at window A.
        record("untidy", staff=chief_a, window=ids["win_a"], department=a)
        # chief_b is B's chief representative; staff "chief_b" is its world key.
        staff_b_clerk = ids["staff_staff_b"]
        # staff_b: absent a whole day six times and half a day once (−5 each, 003 无故旷工半天以上 1次扣5分;
        # issue 14: a whole day was −10 before): discipline −35, cap 30.
        for day in (5, 6, 7, 9, 12, 13):
            attendance(staff_b_clerk, b, date(2026, 10, day), AttendanceKind.absent_day)
        attendance(staff_b_clerk, b, date(2026, 10, 8), AttendanceKind.absent_half)
        record("rudeness", staff=staff_b_clerk, window=ids["win_b"], department=b)  # −1 image
        record("praise", staff=staff_b_clerk, department=b)  # +1
        # Facts outside October count elsewhere.
        attendance(staff_b_clerk, b, date(2026, 9, 30), AttendanceKind.absent_day)
        db.session.commit()
        del staff_b
    return ids


def test_a_month_scored_by_hand(app, october):
    ids = october
    with app.app_context():
        scoring_month.run_month(db.session, OCTOBER, NOW)
        db.session.commit()
        got = scores()
    # staff_a: discipline late −1, early −1, post −0.5 = −2.5; business 3 bad reviews −3, rule cap 2 → −2;
    # additions +2 → 100 + 2 − 4.5 = 97.5.
    assert got[("staff", ids["staff_staff_a"])][:3] == (Decimal("2"), Decimal("4.5"), Decimal("97.5"))
    # chief_a: own untidy −1; none of window A's deductions is a 十不准 breach (joint liability,
    # issue 14: no other deduction reaches the chief representative) → 100 − 1 = 99.
    assert got[("staff", ids["staff_chief_a"])][:3] == (Decimal("0"), Decimal("1"), Decimal("99"))
    # staff_b: discipline 3 × 10 + 5 = 35, category cap 30 → 30; image −1; praise +1 → 100 + 1 − 31 = 70.
    assert got[("staff", ids["staff_staff_b"])][:3] == (Decimal("1"), Decimal("31"), Decimal("70"))
    # chief_b: no records of his own, none of window B's is a 十不准 breach → 100.
    assert got[("staff", ids["staff_chief_b"])][:3] == (Decimal("0"), Decimal("0"), Decimal("100"))
    # Window A: staff_a's discipline −2.5, bad reviews capped −2, chief_a's untidy −1
    # (the innovation was the person's only) → 100 − 5.5 = 94.5.
    assert got[("window", ids["win_a"])][:3] == (Decimal("0"), Decimal("5.5"), Decimal("94.5"))
    # Window B: discipline −35 capped −30, rudeness −1 → 69 (praise was the person's only).
    assert got[("window", ids["win_b"])][:3] == (Decimal("0"), Decimal("31"), Decimal("69"))
    assert got[("window", ids["win_c"])][:3] == (Decimal("0"), Decimal("0"), Decimal("100"))
    # Ranks within the county center: staff 100 (chief_b) > 99 (chief_a) > 97.5 > staff_b's (the chief
    # representatives carry no share of others' ordinary deductions, issue 14); windows 100 > 94.5 > 69.
    ranks = {key: value[3] for key, value in got.items()}
    assert [ranks[("staff", ids[k])] for k in ("staff_chief_b", "staff_chief_a", "staff_staff_a", "staff_staff_b")] == [
        1,
        2,
        3,
        4,
    ]
    assert [ranks[("window", ids[k])] for k in ("win_c", "win_a", "win_b")] == [1, 2, 3]


def test_rerunning_gives_the_same_scores_and_no_duplicate_records(app, october):
    with app.app_context():
        scoring_month.run_month(db.session, OCTOBER, NOW)
        db.session.commit()
        first, records = scores(), db.session.scalar(sa.select(sa.func.count()).select_from(AssessmentRecord))
        # only the scores
        assert scoring_month.run_month(db.session, OCTOBER, datetime(2026, 11, 3, 2, 0)) == len(first)
        db.session.commit()
        assert scores() == first
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AssessmentRecord)) == records
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthlyScore)) == len(first)


def test_caps_and_share_are_settings(app, october):
    ids = october
    with app.app_context():
        set_setting("assessment_cap_discipline", "")  # no category cap: staff_b's 35 counts in full
        set_setting("chief_rep_share", "0")
        db.session.commit()
        scoring_month.run_month(db.session, OCTOBER, NOW)
        got = scores()
    assert got[("staff", ids["staff_staff_b"])][2] == Decimal("65")  # 100 + 1 − 35 − 1
    assert got[("staff", ids["staff_chief_a"])][2] == Decimal("99")  # own −1 only
    assert got[("staff", ids["staff_chief_b"])][2] == Decimal("100")


def test_ties_share_a_rank_and_inactive_subjects_are_not_scored(app, world_ids):
    ids = world_ids
    with app.app_context():
        record("untidy", staff=ids["staff_staff_a"], department=ids["dept_a"])
        record("untidy", staff=ids["staff_staff_b"], department=ids["dept_b"])
        db.session.get(Window, ids["win_c"]).status = "inactive"
        set_setting("chief_rep_share", "0")
        db.session.commit()
        scoring_month.score_month(db.session, OCTOBER, NOW)
        got = scores()
    assert ("window", ids["win_c"]) not in got
    ranks = {key: value[3] for key, value in got.items() if key[0] == "staff"}
    # chief_a 100, chief_b 100, staff_a 99, staff_b 99 → 1, 1, 3, 3.
    assert ranks == {
        ("staff", ids["staff_chief_a"]): 1,
        ("staff", ids["staff_chief_b"]): 1,
        ("staff", ids["staff_staff_a"]): 3,
        ("staff", ids["staff_staff_b"]): 3,
    }


def test_the_job_scores_last_month_and_records_its_run(app, october):
    with app.app_context():
        run = job_runs.run(db.session, "monthly_scoring", monthly_scoring_job, NOW, lambda: NOW, (None, "系统"))
        assert run.outcome.name == "ok" and run.rows > 0
        # 4 staff, 3 windows and (issue 14, 000 第二十一条 部门得分) 3 departments.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthlyScore)) == 10
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(QuarterlyResult)) == 0
        )  # October ends no quarter


# -- quarterly disqualification: each rule just below and at its threshold ----------

LIMITS = {
    "min_score": Decimal(80),
    "min_promised": Decimal(30),
    "min_immediate": Decimal(100),
    "bad_review_rate": Decimal("0.10"),
    "bad_review_count": Decimal(5),
    "overdue_rate": Decimal("0.05"),
    "overdue_count": Decimal(10),
    "meeting_absences": Decimal(3),
    "no_system_use": Decimal(3),
    "violations": Decimal(10),
}


def clean(**changes):
    """Figures that pass every rule, with `changes` applied."""
    figures = scoring_periods.Figures(Decimal(90), None, None, time_limited=30, immediate=100)
    figures.evaluations, figures.due = 1000, 1000
    for key, value in changes.items():
        setattr(figures, key, value)
    return figures


@pytest.mark.parametrize(
    ("passes", "fails", "phrase"),
    [
        ({"mean": Decimal("80.00")}, {"mean": Decimal("79.99")}, "季度考核平均分 79.99 分，低于 80 分"),
        ({"time_limited": 30}, {"time_limited": 29}, "季度限时件 29 件，少于 30 件"),
        ({"immediate": 100}, {"immediate": 99}, "季度即办件 99 件，少于 100 件"),
        ({"bad_reviews": 4}, {"bad_reviews": 5}, "差评 5 次，达到 5 次"),
        # 9.9 % and 10 % with the count rule out of the way (4 of 40 is 10 %, 4 bad reviews pass the count).
        (
            {"bad_reviews": 4, "evaluations": 41},
            {"bad_reviews": 4, "evaluations": 40},
            "差评率 10.0%（4/40），达到 10.0%",
        ),
        ({"overdue": 9}, {"overdue": 10}, "超时件 10 件，达到 10 件"),
        ({"overdue": 9, "due": 181}, {"overdue": 9, "due": 180}, "办件超时率 5.0%（9/180），达到 5.0%"),
        ({"meeting_absences": 2}, {"meeting_absences": 3}, "会议、培训缺席 3 次，达到 3 次"),
        ({"no_system_use": 2}, {"no_system_use": 3}, "未使用电子监察系统办公 3 次，达到 3 次"),
        ({"violations": 9}, {"violations": 10}, "违反规程操作 10 次，达到 10 次"),
    ],
)
def test_each_disqualification_at_its_threshold(passes, fails, phrase):
    assert scoring_periods.disqualifications(clean(**passes), LIMITS) == []
    assert scoring_periods.disqualifications(clean(**fails), LIMITS) == [phrase]


def test_a_switched_off_rule_disqualifies_no_one():
    limits = {**LIMITS, "min_immediate": None, "min_promised": None}
    assert scoring_periods.disqualifications(clean(time_limited=0, immediate=0), limits) == []


def test_rank_ties_share_a_rank():
    assert scoring_periods.rank({"a": 90, "b": 95, "c": 90, "d": 80}) == {"b": 1, "a": 2, "c": 2, "d": 4}


# -- the quarter from the database ----------------------------------------------------


def _case(ids, number, *, staff, window, kind, accepted, deadline=None, finished=None, department="dept_a"):
    db.session.add(
        Case(
            number=f"T{number:06d}",
            center_id=ids["county"],
            matter_id=ids["matter_a"],
            department_id=ids[department],
            window_id=window,
            accepted_by_id=staff,
            applicant_name="张三",
            applicant_id_number="110101199001011234",
            kind=kind,
            status=CaseStatus.completed if finished else CaseStatus.in_progress,
            submitted_at=accepted,
            accepted_at=accepted,
            deadline_at=deadline or accepted,
            finished_at=finished,
        )
    )


def _quarter_results():
    rows = db.session.execute(
        sa.select(
            QuarterlyResult.staff_id,
            QuarterlyResult.window_id,
            QuarterlyResult.mean_score,
            QuarterlyResult.eligible,
            QuarterlyResult.reasons,
            QuarterlyResult.rank,
            QuarterlyResult.honour,
        ).where(QuarterlyResult.quarter_start == Q4)
    ).all()
    return {("staff", r[0]) if r[0] else ("window", r[1]): tuple(r[2:]) for r in rows}


def test_quarter_counts_the_facts_and_honours_the_top_eligible(app, world_ids):
    ids = world_ids
    with app.app_context():
        for key, value in {
            "quarter_min_promised": "2",
            "quarter_min_immediate": "1",
            "red_flag_windows": "1",
            "service_stars": "1",
            "chief_rep_share": "0",
        }.items():
            set_setting(key, value)
        staff_a, chief_a, staff_b, chief_b = (ids[f"staff_{k}"] for k in ("staff_a", "chief_a", "staff_b", "chief_b"))
        # Every staff member handles 2 promised and 1 immediate case at his window except chief_b (1 promised).
        number = 0
        for staff, window, promised in (
            (staff_a, ids["win_a"], 2),
            (chief_a, ids["win_a"], 2),
            (staff_b, ids["win_b"], 2),
            (chief_b, ids["win_b"], 1),
        ):
            for kind in [CaseKind.promised] * promised + [CaseKind.immediate]:
                number += 1
                at = datetime(2026, 11, 2, 9, 0)
                _case(ids, number, staff=staff, window=window, kind=kind, accepted=at, finished=at)
        # staff_b: three missed meetings in the quarter (ineligible); staff_a: two (eligible).
        for month in (date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)):
            record("meeting_absence", staff=staff_b, window=ids["win_b"], department=ids["dept_b"], month=month)
        for month in (date(2026, 10, 1), date(2026, 11, 1)):
            record("meeting_absence", staff=staff_a, department=ids["dept_a"], month=month)
        # chief_a: a −20.01 deduction in October only → (79.99 + 100 + 100) / 3 = 93.33, eligible.
        record("documents", staff=chief_a, department=ids["dept_a"], points="-20.01")
        db.session.commit()
        for month in scoring_periods.quarter_months(Q4):
            scoring_month.run_month(db.session, month, datetime(2027, 1, 2, 2, 0))
        assert scoring_periods.assess_quarter(db.session, Q4, datetime(2027, 1, 2, 2, 0)) == 7
        db.session.commit()
        got = _quarter_results()
    # staff_a: (99 + 99 + 100) / 3 = 99.33; chief_a 93.33; staff_b (99 × 3) / 3 = 99, out on meetings;
    # chief_b 100, out on volume (1 time-limited case).
    assert got[("staff", staff_a)] == (Decimal("99.33"), True, None, 1, Honour.service_star)
    assert got[("staff", chief_a)] == (Decimal("93.33"), True, None, 2, None)
    assert got[("staff", staff_b)][:4] == (Decimal("99"), False, ["会议、培训缺席 3 次，达到 3 次"], None)
    assert got[("staff", chief_b)][:4] == (Decimal("100"), False, ["季度限时件 1 件，少于 2 件"], None)
    # Windows: A (4 promised, 2 immediate) scored 100 − 0 − 0 …: staff_a's meetings had no window,
    # chief_a's documents none either → 100, eligible, red flag; B: staff_b's three meetings at window B
    # (−1 each month → 99) → out on meetings; C handled nothing → out on volume.
    assert got[("window", ids["win_a"])] == (Decimal("100"), True, None, 1, Honour.red_flag)
    assert got[("window", ids["win_b"])][1:3] == (False, ["会议、培训缺席 3 次，达到 3 次"])
    assert got[("window", ids["win_c"])][1] is False
    # Rebuilding the quarter gives the same rows.
    with app.app_context():
        scoring_periods.assess_quarter(db.session, Q4, datetime(2027, 1, 3, 2, 0))
        db.session.commit()
        assert _quarter_results() == got


def test_honours_go_to_the_top_n_eligible_and_a_tie_on_the_last_place_shares_it(app, world_ids):
    ids = world_ids
    with app.app_context():
        for key in ("quarter_min_promised", "quarter_min_immediate"):
            set_setting(key, "")
        set_setting("service_stars", "2")
        set_setting("chief_rep_share", "0")
        # October scores: chief_a 100, chief_b 99, staff_a 99 → stars: chief_a (1), chief_b and staff_a (2, 2);
        # staff_b 79.99 is below 80 and would otherwise not have been a star anyway.
        record("untidy", staff=ids["staff_chief_b"], department=ids["dept_b"])
        record("untidy", staff=ids["staff_staff_a"], department=ids["dept_a"])
        record("documents", staff=ids["staff_staff_b"], department=ids["dept_b"], points="-20.01")
        db.session.commit()
        scoring_month.score_month(db.session, OCTOBER, NOW)
        scoring_periods.assess_quarter(db.session, Q4, NOW)
        got = _quarter_results()
    stars = {key for key, value in got.items() if value[4] is Honour.service_star}
    assert stars == {("staff", ids["staff_chief_a"]), ("staff", ids["staff_chief_b"]), ("staff", ids["staff_staff_a"])}
    assert got[("staff", ids["staff_staff_b"])][1:4] == (False, ["季度考核平均分 79.99 分，低于 80 分"], None)


def test_annual_summary_is_the_mean_of_the_monthly_scores(app, world_ids):
    ids = world_ids
    with app.app_context():
        set_setting("chief_rep_share", "0")
        record("documents", staff=ids["staff_staff_a"], department=ids["dept_a"], month=date(2026, 3, 1))
        db.session.commit()
        scoring_month.score_month(db.session, date(2026, 3, 1), NOW)
        scoring_month.score_month(db.session, date(2026, 4, 1), NOW)
        lines = {(line.kind, line.name): line for line in scoring_periods.annual(db.session, 2026, EVERYTHING)}
    line = lines[("staff", "测试staff_a")]
    assert (line.months, line.mean) == (2, Decimal("99"))  # (98 + 100) / 2


def test_annual_summary_holds_the_actors_scope_ranked_in_the_county(app, world_ids):
    ids = world_ids
    march = date(2026, 3, 1)
    with app.app_context():
        set_setting("chief_rep_share", "0")
        record("documents", staff=ids["staff_chief_a"], window=ids["win_a"], department=ids["dept_a"], month=march)
        record("untidy", staff=ids["staff_staff_b"], department=ids["dept_b"], month=march)
        db.session.commit()
        scoring_month.score_month(db.session, march, NOW)

        def lines(scope):
            return [(line.kind, line.name, line.rank) for line in scoring_periods.annual(db.session, 2026, scope)]

        county = lines(EVERYTHING)
        chief_b = lines(Scope(department_id=ids["dept_b"], staff_id=ids["staff_chief_b"]))
        staff_b = lines(Scope(Kind.own, department_id=ids["dept_b"], staff_id=ids["staff_staff_b"]))
        nobody = lines(NOTHING)
    # Staff: staff_a and chief_b 100, staff_b 99, chief_a 98; windows: B and C 100, A 98.
    assert ("staff", "测试chief_a", 4) in county and ("window", "市场监管窗口", 3) in county
    assert chief_b == [("staff", "测试chief_b", 1), ("staff", "测试staff_b", 3), ("window", "公安户籍窗口", 1)]
    assert staff_b == [("staff", "测试staff_b", 3)]  # the monthly score list shows window staff no windows
    assert nobody == []


def test_portal_board_shows_names_only_for_the_last_quarter(app, world_ids):
    with app.app_context():
        assert scoring_periods.honour_board(db.session) is None
        for key in ("quarter_min_promised", "quarter_min_immediate"):
            set_setting(key, "")
        scoring_month.score_month(db.session, OCTOBER, NOW)
        scoring_periods.assess_quarter(db.session, Q4, NOW)
        board = scoring_periods.honour_board(db.session)
    assert board.quarter_start == Q4
    assert ("市场监管窗口", "县市场监督管理局") in board.windows
    assert ("测试staff_a", "市场监管窗口") in board.stars


def test_staff_of_another_kind_of_window_or_position_are_scored_too(app, world_ids):
    """A new clerk with no window and no records scores 100; a comprehensive window has no chief."""
    ids = world_ids
    with app.app_context():
        db.session.add(
            Staff(
                staff_no="T900",
                name="新人",
                department_id=ids["dept_a"],
                center_id=ids["county"],
                position=StaffPosition.clerk,
            )
        )
        db.session.add(Window(code="G01", name="绿色通道", kind=WindowKind.green, center_id=ids["county"]))
        db.session.add(
            Violation(
                kind=ViolationKind.step_overdue,
                at=datetime(2026, 10, 9, 10, 0),
                window_id=ids["win_c"],
                detail="环节超时",
            )
        )
        db.session.commit()
        scoring_month.run_month(db.session, OCTOBER, NOW)
        got = scores()
        new = db.session.scalar(sa.select(Staff.id).where(Staff.staff_no == "T900"))
    assert got[("staff", new)][2] == Decimal("100")
    assert got[("window", ids["win_c"])][2] == Decimal("99.5")  # violation −0.5, nobody's liability
    assert got[("staff", ids["staff_chief_a"])][2] == Decimal("100")
