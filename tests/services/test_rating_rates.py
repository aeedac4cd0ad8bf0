"""Voluntary and default ratings apart (issue 14 §2): the three figures on a hand-built month in the
monthly report, its workbook, the bulletin and the dashboard; the quarter disqualifies on voluntary
ratings only; returned and denied cases can be rated and get the default rating."""

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, CaseStatus, Evaluation, QuarterlyResult
from app.models.case import CaseResult
from app.models.feedback import EvaluationChannel
from app.models.system import Setting
from app.services import (
    bulletins,
    dashboard,
    evaluations,
    monthly_report,
    online_figures,
    portal,
    rating_rates,
    report_workbook,
    scoring_month,
    scoring_periods,
)
from app.services import calendar as calendar_service
from tests.services.test_case_flow import act, new_case
from tests.services.test_feedback import COMPLETED, completed_case, limits

OCTOBER = date(2026, 10, 1)
START, END = datetime(2026, 10, 1), datetime(2026, 11, 1)
NOW = datetime(2026, 11, 2, 2, 0)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


def rating(ids, level, *, default=False, staff="staff_staff_a", day=10):
    return Evaluation(
        center_id=ids["county"],
        department_id=ids["dept_a"],
        window_id=ids["win_a"],
        staff_id=ids[staff],
        level=level,
        channel=EvaluationChannel.default if default else EvaluationChannel.window_device,
        is_default=default,
        created_at=datetime(2026, 10, day, 10, 0),
    )


def hand_built_month(ids):
    """10 voluntary ratings — 8 at levels 4–5, 1 at 3, 1 at 2 — and 30 default ratings (level 3)."""
    levels = [5, 4, 5, 4, 5, 4, 5, 4, 3, 2]
    db.session.add_all(rating(ids, level, day=1 + n) for n, level in enumerate(levels))
    db.session.add_all(rating(ids, 3, default=True, day=1 + n % 28) for n in range(30))
    db.session.commit()


# By hand: satisfied 9 of 10 voluntary = 90 %, bad 1 of 10 = 10 %, default share 30 of 40 = 75 %.
# Counted the old way (defaults in): 39 of 40 = 97.5 % satisfied and 1 of 40 = 2.5 % bad.
EXPECTED = {"satisfaction_rate": 0.9, "bad_review_rate": 0.1, "default_share": 0.75}
EXPECTED_COUNTS = {"voluntary": 10, "satisfied": 9, "bad": 1, "defaults": 30}


def test_rates_with_and_without_default_ratings():
    assert rating_rates.rates(EXPECTED_COUNTS) == pytest.approx(EXPECTED)
    # Without default ratings the satisfaction and bad-review rates are the same; the share is 0.
    without = rating_rates.rates({**EXPECTED_COUNTS, "defaults": 0})
    assert without == pytest.approx({"satisfaction_rate": 0.9, "bad_review_rate": 0.1, "default_share": 0.0})
    # Only defaults: no voluntary rating, so no satisfaction or bad-review rate at all.
    only_defaults = rating_rates.rates({"voluntary": 0, "satisfied": 0, "bad": 0, "defaults": 30})
    assert only_defaults == {"satisfaction_rate": None, "bad_review_rate": None, "default_share": 1.0}
    assert rating_rates.ratio(1, 10, Decimal) == Decimal("0.1")


def test_monthly_report_and_workbook_show_the_three_figures(ctx, world_ids):
    hand_built_month(world_ids)
    figures = monthly_report.compute(db.session, world_ids["county"], OCTOBER)
    for line in (figures.total, *figures.lines["department"], *figures.lines["staff"]):
        assert {name: line.values[name] for name in EXPECTED_COUNTS} == EXPECTED_COUNTS, line.name
        assert {name: line.rates[name] for name in EXPECTED} == pytest.approx(EXPECTED), line.name
    book = openpyxl.load_workbook(io.BytesIO(report_workbook.build(db.session, figures, "测试县", NOW)))
    summary = book["汇总"]
    headers = [cell.value for cell in summary[4]]
    total = next(row for row in summary.iter_rows(min_row=5, values_only=True) if row[0] == "合计")
    cells = dict(zip(headers, total, strict=False))
    assert cells["自愿评价数"] == 10 and cells["好评数"] == 9 and cells["差评数"] == 1 and cells["默认评价数"] == 30
    assert cells["好评率"] == pytest.approx(0.9)
    assert cells["差评率"] == pytest.approx(0.1)
    assert cells["默认评价占比"] == pytest.approx(0.75)
    notes = [row[0] for row in book["指标口径"].iter_rows(values_only=True)]
    # The online figures' definitions follow a blank row (online_figures.NOTES).
    assert notes == [*rating_rates.notes(), None, *online_figures.NOTES]
    assert any(line.startswith("好评率：") and "自愿评价" in line for line in notes)


def test_bulletin_ranks_and_prints_the_three_figures(ctx, world_ids):
    hand_built_month(world_ids)
    rows = {row.department_id: row for row in bulletins.compute(db.session, world_ids["county"], START, END)}
    assert {key: rows[world_ids["dept_a"]].values[key] for key in EXPECTED} == pytest.approx(EXPECTED)
    ranked = bulletins.compute(db.session, world_ids["county"], START, END, "bad_review_rate")
    sheet = openpyxl.load_workbook(io.BytesIO(bulletins.workbook(ranked, "测试县", START, END, "bad_review_rate")))
    sheet = sheet["效能通报"]
    headers = [cell.value for cell in sheet[4]]
    first = [cell.value for cell in sheet[5]]
    row = dict(zip(headers, first, strict=False))
    assert row["进驻部门"] == "县市场监督管理局"
    assert (row["好评率"], row["差评率"], row["默认评价占比"]) == pytest.approx((0.9, 0.1, 0.75))
    texts = [cell.value for cell in sheet["A"] if cell.value]
    for key in rating_rates.RATES:
        assert f"{rating_rates.LABELS[key]}：{rating_rates.DEFINITIONS[key]}" in texts


def test_dashboard_counts_the_month_apart(ctx, world_ids):
    hand_built_month(world_ids)
    figures = dashboard.build(
        db.session, sa.true(), sa.true(), datetime(2026, 10, 31, 12, 0), calendar_service.load(db.session)
    )
    assert {name: figures.ratings[name] for name in EXPECTED_COUNTS} == EXPECTED_COUNTS
    assert {name: figures.ratings[name] for name in EXPECTED} == pytest.approx(EXPECTED)


# -- the quarter: 第二十二条(四) "信息反馈结果季度内差评率达到10%" — at 10 %, voluntary ratings only ----------


def _setting(key, value):
    db.session.scalar(sa.select(Setting).where(Setting.key == key)).value = value


def test_quarter_disqualifies_on_voluntary_ratings_only(ctx, world_ids):
    ids = world_ids
    for key in ("quarter_min_promised", "quarter_min_immediate"):
        _setting(key, "")
    # staff_a: 1 bad of 10 voluntary and 90 defaults → 1/10 = 10 %, disqualified (1/100 = 1 % counted the old way).
    db.session.add_all([rating(ids, 2), *(rating(ids, 4) for _ in range(9))])
    db.session.add_all(rating(ids, 3, default=True) for _ in range(90))
    # staff_b: 1 bad of 11 voluntary, no defaults → 9.1 %, just below the threshold.
    db.session.add_all(rating(ids, 1 if n == 0 else 5, staff="staff_staff_b") for n in range(11))
    db.session.commit()
    scoring_month.score_month(db.session, OCTOBER, NOW)
    scoring_periods.assess_quarter(db.session, OCTOBER, NOW)
    db.session.commit()
    results = dict(
        db.session.execute(
            sa.select(QuarterlyResult.staff_id, QuarterlyResult.reasons).where(
                QuarterlyResult.quarter_start == OCTOBER, QuarterlyResult.staff_id.is_not(None)
            )
        ).all()
    )
    assert results[ids["staff_staff_a"]] == ["差评率 10.0%（1/10），达到 10.0%"]
    assert not results[ids["staff_staff_b"]]


# -- every service outcome can be rated (004 第十三条) ---------------------------------------------


def returned_case(world_ids):
    case = new_case(world_ids, now=datetime(2026, 9, 28, 9, 0))
    act(case, "return_case", now=COMPLETED, reason="申请人不符合条件")
    db.session.commit()
    return db.session.get(Case, case.id)


def test_a_returned_and_a_denied_case_can_be_rated(ctx, world_ids):
    returned = returned_case(world_ids)
    # The window device offers the window's last finished case, a returned one too.
    assert portal.last_finished_at_window(db.session, returned.window_id, COMPLETED)[1].id == returned.id
    denied = completed_case(world_ids, approved=False)
    assert returned.status is CaseStatus.returned and denied.result is CaseResult.denied
    for case, level in ((returned, 2), (denied, 4)):
        evaluation = evaluations.rate(
            db.session, case, level=level, channel=EvaluationChannel.portal, now=COMPLETED, limits=limits()
        )
        assert evaluation.case_id == case.id and not evaluation.is_default
    db.session.commit()


def test_a_withdrawn_case_cannot_be_rated(ctx, world_ids):
    case = new_case(world_ids, now=datetime(2026, 9, 28, 9, 0))
    case.status = CaseStatus.withdrawn
    db.session.commit()
    with pytest.raises(evaluations.EvaluationError, match="退回"):
        evaluations.rate(db.session, case, level=5, channel=EvaluationChannel.portal, now=COMPLETED, limits=limits())


def test_default_rating_covers_returned_cases_too(ctx, world_ids):
    returned, completed = returned_case(world_ids), completed_case(world_ids)
    assert evaluations.apply_defaults(db.session, datetime(2026, 10, 7, 11, 0), None, days=7, level=3) == 2
    defaults = db.session.scalars(sa.select(Evaluation.case_id).where(Evaluation.is_default.is_(True))).all()
    assert sorted(defaults) == sorted([returned.id, completed.id])
