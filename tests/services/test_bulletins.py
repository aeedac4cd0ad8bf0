"""Bulletins: each indicator equals its definition counted independently; ranking; workbook."""

import io
from datetime import datetime

import openpyxl
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, CaseStatus, Center, Department, Evaluation, Matter, MatterStatus
from app.models.feedback import EvaluationChannel
from app.models.matter import CaseKind
from app.services import bulletins

NOW = datetime(2026, 11, 24, 10, 0)
START, END = datetime(2026, 7, 1), datetime(2026, 10, 1)  # the third quarter


@pytest.fixture
def county(demo_county):
    with demo_county.app_context():
        yield db.session.scalar(sa.select(Center).where(Center.parent_id.is_(None)))


def _count(model, *conditions):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions))


def test_indicators_match_their_definitions(county):
    busiest = db.session.scalar(
        sa.select(Case.department_id)
        .where(Case.accepted_at >= START, Case.accepted_at < END)
        .group_by(Case.department_id)
        .order_by(sa.func.count().desc())
        .limit(1)
    )
    for level in (5, 4, 2, 3):
        db.session.add(
            Evaluation(
                center_id=county.id,
                department_id=busiest,
                level=level,
                channel=EvaluationChannel.window_device,
                created_at=datetime(2026, 8, 3, 10, 0),
            )
        )
    db.session.commit()
    rows = {row.department_id: row for row in bulletins.compute(db.session, county.id, START, END)}
    row = rows[busiest]
    in_service = (Matter.department_id == busiest, Matter.status == MatterStatus.active)
    stationed = _count(Matter, *in_service, Matter.stationed)
    assert row.values["stationed_rate"] == pytest.approx(stationed / _count(Matter, *in_service))
    assert row.values["authorized_rate"] == pytest.approx(
        _count(Matter, *in_service, Matter.stationed, Matter.window_authorized) / stationed
    )
    completed = (
        Case.department_id == busiest,
        Case.status == CaseStatus.completed,
        Case.finished_at >= START,
        Case.finished_at < END,
    )
    assert row.values["on_time_rate"] == pytest.approx(
        _count(Case, *completed, Case.finished_at <= Case.deadline_at) / _count(Case, *completed)
    )
    immediate = (
        Case.department_id == busiest,
        Case.kind == CaseKind.immediate,
        Case.accepted_at >= START,
        Case.accepted_at < END,
    )
    if _count(Case, *immediate):
        assert row.values["on_site_rate"] == pytest.approx(
            _count(Case, *immediate, Case.status == CaseStatus.completed, Case.finished_at <= Case.deadline_at)
            / _count(Case, *immediate)
        )
    rated = (Evaluation.department_id == busiest, Evaluation.created_at >= START, Evaluation.created_at < END)
    voluntary = (*rated, Evaluation.is_default.is_(False))  # default ratings apart (issue 14 §2)
    assert row.values["satisfaction_rate"] == pytest.approx(
        _count(Evaluation, *voluntary, Evaluation.level >= 3) / _count(Evaluation, *voluntary)
    )
    assert row.values["bad_review_rate"] == pytest.approx(
        _count(Evaluation, *voluntary, Evaluation.level <= 2) / _count(Evaluation, *voluntary)
    )
    assert row.values["default_share"] == pytest.approx(
        _count(Evaluation, *rated, Evaluation.is_default.is_(True)) / _count(Evaluation, *rated)
    )
    assert row.values["complaint_rate"] == 0
    assert row.accepted == _count(
        Case, Case.department_id == busiest, Case.accepted_at >= START, Case.accepted_at < END
    )


def test_ranking_orders_by_the_chosen_indicator_ties_share_a_rank(county):
    rows = bulletins.compute(db.session, county.id, START, END, "stationed_rate")
    ranked = [row for row in rows if row.rank]
    values = [row.values["stationed_rate"] for row in ranked]
    assert values == sorted(values, reverse=True) and ranked[0].rank == 1
    for before, after in zip(ranked, ranked[1:], strict=False):
        assert (after.rank == before.rank) == (after.values["stationed_rate"] == before.values["stationed_rate"])
    complaints = bulletins.compute(db.session, county.id, START, END, "complaint_rate")
    rates = [row.values["complaint_rate"] for row in complaints if row.rank]
    assert rates == sorted(rates)  # lower is better
    departments = _count(Department, Department.status == "active")
    assert len(rows) == departments
    with pytest.raises(ValueError):
        bulletins.compute(db.session, county.id, START, END, "name; DROP TABLE case")


def test_workbook_has_the_ranked_table(county):
    rows = bulletins.compute(db.session, county.id, START, END)
    content = bulletins.workbook(rows, county.name, START, END, "on_time_rate")
    sheet = openpyxl.load_workbook(io.BytesIO(content))["效能通报"]
    assert "2026-07-01 至 2026-09-30" in sheet["A1"].value
    table = list(sheet.iter_rows(min_row=5, max_row=4 + len(rows), values_only=True))
    assert [line[1] for line in table] == [row.name for row in rows]
    assert table[0][6] == pytest.approx(rows[0].values["on_time_rate"])
