"""Bulk demo cases: realistic, consistent with the lifecycle rules, deterministic."""

import re
from collections import Counter
from datetime import datetime, time

import sqlalchemy as sa

from app.cli import seed_demo_data
from app.extensions import db
from app.models import Case, CaseEvent, CaseStatus, CaseTask, Evaluation, Violation, ViolationKind
from app.services.case_flow import Clock
from app.services.demo.cases import generate_cases
from app.services.idnumber import valid_id_number

NOW = datetime(2026, 11, 24, 10, 0)


def test_generated_year_is_consistent(scratch_app):
    with scratch_app.app_context():
        seed_demo_data()
        clock = Clock.load(db.session)
        with db.engine.begin() as conn:
            totals = generate_cases(conn, year_start=datetime(2026, 1, 1), count=3000, clock=clock, now=NOW)
        assert totals["cases"] == 3000 and totals["events"] > 6000
        cases = db.session.scalars(sa.select(Case)).all()
        numbers = [c.number for c in cases]
        assert len(set(numbers)) == 3000 and all(re.fullmatch(r"XZ[-\w]*-2026\d{4}-\d{5}", n) for n in numbers)
        events = {}
        for event in db.session.scalars(sa.select(CaseEvent).order_by(CaseEvent.case_id, CaseEvent.at, CaseEvent.id)):
            events.setdefault(event.case_id, []).append(event)
        statuses = Counter(c.status for c in cases)
        assert statuses[CaseStatus.completed] > 2000 and statuses[CaseStatus.returned] > 30
        # About half the completed cases are rated, only completed ones, never before they finished.
        assert 0.45 < totals["evaluations"] / statuses[CaseStatus.completed] < 0.65
        rated = db.session.execute(
            sa.select(Case.status, Case.finished_at, Evaluation.created_at).join(
                Evaluation, Evaluation.case_id == Case.id
            )
        ).all()
        assert all(status is CaseStatus.completed and finished <= rated_at for status, finished, rated_at in rated)
        assert any(c.is_open and c.deadline_at < NOW for c in cases), "some open cases are overdue"
        for case in cases:
            history = events[case.id]
            assert history[0].action.name == "accept" and history[-1].to_status is case.status
            assert case.version == len(history)
            for before, after in zip(history, history[1:], strict=False):
                assert after.from_status is before.to_status and after.at >= before.at
            assert clock.calendar.is_workday(case.deadline_at.date()) and case.deadline_at.time() == time(17, 30)
            if case.applicant_type.name == "person":
                assert valid_id_number(case.applicant_id_number)
            if case.finished_at:
                assert case.accepted_at <= case.finished_at <= NOW
        for case in cases:  # the flag follows the calendar: 2027 is not in the official schedule yet
            assert case.calendar_unconfirmed == (not clock.calendar.is_confirmed(case.deadline_at.date()))
        kinds = Counter(c.kind.name for c in cases)
        assert kinds["immediate"] > 300 and kinds["promised"] > 300 and kinds["joint"] > 0
        assert all(
            c.deadline_at.date() == c.accepted_at.date()
            or c.accepted_at.time() >= time(17, 30)
            or not clock.calendar.is_workday(c.accepted_at.date())
            for c in cases
            if c.kind.name == "immediate" and not c.paused_workdays
        )
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseTask)) > 0
        late = [c for c in cases if c.status is CaseStatus.completed and c.finished_at > c.deadline_at]
        overdue = Counter(
            v.case_id for v in db.session.scalars(sa.select(Violation).where(Violation.kind == ViolationKind.overdue))
        )
        assert late and all(overdue[c.id] == 1 for c in late)


def test_same_seed_same_data(scratch_app, tmp_path):
    from flask_migrate import upgrade

    from app import create_app
    from app.cli import init_database
    from tests.conftest import _config_dict

    def build(app):
        with app.app_context():
            seed_demo_data()
            with db.engine.begin() as conn:
                generate_cases(conn, year_start=datetime(2026, 1, 1), count=300, clock=Clock.load(db.session), now=NOW)
            return db.session.execute(sa.select(Case.number, Case.applicant_name).order_by(Case.id)).all()

    first = build(scratch_app)
    with scratch_app.app_context():
        engine_name = db.engine.dialect.name
    if engine_name != "sqlite":
        return  # one scratch database is enough to show the generator runs; determinism is engine-independent
    other = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/again.db"})
    with other.app_context():
        upgrade()
        init_database()
    assert build(other) == first
