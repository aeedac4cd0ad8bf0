"""Attendance deductions as seed 003 reads them, worked example by worked example.

003 考核细则（一）工作纪律: 「1.上班时间擅自离岗超过半小时，1次扣0.5分；2.迟到或早退，1次扣1分；…
4.无故旷工半天以上，1次扣5分」. Office hours are the default 08:30-12:00,13:30-17:30. Each example
puts one day's punches on staff_a, re-scores October (reclassify + records + scores, as the command
and the button do) and reads staff_a's deductions. Then: the two conversions the seeds do not make,
the rule seeding that upgrades an unedited old default, and the re-scoring command and button.
"""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditLog
from app.models.assessment import AssessmentOrigin, AssessmentRecord, AssessmentRule, MonthlyScore
from app.models.personnel import AttendanceKind, AttendanceRecord, AttendanceSource
from app.models.system import Setting
from app.services import assessment, rescoring, settings

OCTOBER = date(2026, 10, 1)
MONDAY = date(2026, 10, 12)
NOW = datetime(2026, 11, 2, 2, 0)


def _set(key, value):
    db.session.scalar(sa.select(Setting).where(Setting.key == key)).value = value


def _punches(ids, clock_in, clock_out, day=MONDAY):
    """A device row as an import leaves it; re-scoring classifies it under today's settings."""
    staff = ids["staff_staff_a"]
    db.session.add(
        AttendanceRecord(
            staff_id=staff,
            department_id=ids["dept_a"],
            day=day,
            clock_in=clock_in,
            clock_out=clock_out,
            kind=AttendanceKind.normal,
            source=AttendanceSource.device,
        )
    )


def _deductions(ids):
    """staff_a's October records as {rule code: points}, and the month's score."""
    staff = ids["staff_staff_a"]
    rows = db.session.execute(
        sa.select(AssessmentRule.code, sa.func.sum(AssessmentRecord.points))
        .join(AssessmentRule, AssessmentRule.id == AssessmentRecord.rule_id)
        .where(AssessmentRecord.month == OCTOBER, AssessmentRecord.staff_id == staff)
        .group_by(AssessmentRule.code)
    ).all()
    score = db.session.scalar(
        sa.select(MonthlyScore.score).where(MonthlyScore.month == OCTOBER, MonthlyScore.staff_id == staff)
    )
    return {code: Decimal(points) for code, points in rows}, score


def _rescore(app, ids, clock_in, clock_out, conversions=()):
    with app.app_context():
        for key in conversions:
            _set(key, "on")
        _punches(ids, clock_in, clock_out)
        db.session.commit()
        rescoring.rescore_month(db.session, OCTOBER, NOW)
        db.session.commit()
        return _deductions(ids)


@pytest.mark.parametrize(
    ("clock_in", "clock_out", "expected"),
    [
        # 迟到或早退，1次扣1分: one minute late is late, not absent.
        pytest.param(time(9, 1), time(17, 30), {"late": -1}, id="09:01 clock-in: late, -1"),
        pytest.param(time(11, 30), time(17, 30), {"late": -1}, id="3 hours late is still late, -1"),
        # Late and early on one day: two occurrences.
        pytest.param(time(8, 40), time(17, 0), {"late": -1, "early_leave": -1}, id="late and early: -2"),
        # 无故旷工半天以上，1次扣5分: gone at 13:30, the 4-hour afternoon unworked.
        pytest.param(time(8, 25), time(13, 30), {"absent_half": -5}, id="4-hour absence: -5"),
        pytest.param(time(13, 30), time(17, 30), {"absent_half": -5}, id="the morning unworked: -5"),
        # No punch on a working day: one occurrence, −5 (it was −10).
        pytest.param(None, None, {"absent_day": -5}, id="whole-day absence: -5"),
        # One punch only: not absence unless the center converts it; judged by the punch there is.
        pytest.param(time(8, 25), None, {}, id="missing clock-out: nothing"),
    ],
)
def test_worked_examples_of_seed_003(app, world_ids, clock_in, clock_out, expected):
    got, score = _rescore(app, world_ids, clock_in, clock_out)
    assert got == {code: Decimal(points) for code, points in expected.items()}
    assert score == 100 + sum(Decimal(points) for points in expected.values())


@pytest.mark.parametrize(
    ("clock_in", "clock_out", "conversions", "expected"),
    [
        (time(9, 1), time(17, 30), ["attendance_late_as_absence"], {"absent_half": -5}),
        (time(9, 0), time(17, 30), ["attendance_late_as_absence"], {"late": -1}),  # 30 minutes: still late
        (time(9, 1), time(16, 59), ["attendance_late_as_absence"], {"absent_day": -5}),
        (time(9, 1), time(17, 30), ["attendance_missing_punch_as_absence"], {"late": -1}),
        (time(8, 25), None, ["attendance_missing_punch_as_absence"], {"absent_half": -5}),
        (None, time(17, 45), ["attendance_missing_punch_as_absence"], {"absent_half": -5}),
    ],
)
def test_the_conversions_the_seeds_do_not_make_are_settings(app, world_ids, clock_in, clock_out, conversions, expected):
    got, _score = _rescore(app, world_ids, clock_in, clock_out, conversions)
    assert got == {code: Decimal(points) for code, points in expected.items()}


def test_conversion_settings_are_off_by_default_and_take_on_or_off():
    for key in ("attendance_late_as_absence", "attendance_missing_punch_as_absence"):
        assert settings.SPECS[key].default == "off"
        assert settings.check(key, "on") == [] and settings.check(key, "off") == []
        assert settings.check(key, "1")


def test_leaving_the_post_is_recorded_by_a_supervisor_with_evidence(app, client, world_ids, login_as):
    """「上班时间擅自离岗超过半小时，1次扣0.5分」: a manual record of rule leave_post, evidence required."""
    with app.app_context():
        rule = db.session.scalar(sa.select(AssessmentRule).where(AssessmentRule.code == "leave_post"))
        assert (rule.points, rule.trigger.name) == (Decimal("-0.5"), "manual")
        assert "擅自离岗超过半小时，1次扣0.5分" in rule.note
        rule_id = rule.id
    login_as("supervisor")
    form = {"rule": rule_id, "occurred_at": "2026-10-12 10:00:00", "staff": world_ids["staff_staff_a"], "window": ""}
    refused = client.post("/assessmentrecordview/add", data={**form, "evidence": ""}, follow_redirects=True)
    assert "alert-danger" in refused.get_data(as_text=True)
    evidence = "10:05-10:50 离开窗口未请假，监控截图存档"
    page = client.post("/assessmentrecordview/add", data={**form, "evidence": evidence}, follow_redirects=True)
    assert "alert-danger" not in page.get_data(as_text=True)
    with app.app_context():
        rescoring.rescore_month(db.session, OCTOBER, NOW)  # a manual record survives re-scoring
        db.session.commit()
        got, score = _deductions(world_ids)
        record = db.session.scalar(sa.select(AssessmentRecord))
        assert (record.origin, record.evidence) == (AssessmentOrigin.manual, evidence)
    assert got == {"leave_post": Decimal("-0.5")} and score == Decimal("99.5")


def test_rule_notes_quote_the_seed():
    notes = {seed.code: seed.note for seed in assessment.DEFAULT_RULES}
    assert "「2.迟到或早退，1次扣1分」" in notes["late"] and "「2.迟到或早退，1次扣1分」" in notes["early_leave"]
    assert "「4.无故旷工半天以上，1次扣5分」" in notes["absent_half"] and "1次扣5分" in notes["absent_day"]


def test_an_unedited_old_default_takes_the_new_value_and_an_edited_rule_is_kept(app):
    table = AssessmentRule.__table__
    with app.app_context():
        # A database seeded before issue 14: absent_day −10, never edited (version 1; Core leaves it so).
        db.session.execute(
            table.update().where(table.c.code == "absent_day").values(points=-10, note="按每半天扣5分计", version=1)
        )
        # The center edited `late` back to its old wording: version 2, so it is the center's.
        late = db.session.scalar(sa.select(AssessmentRule).where(AssessmentRule.code == "late"))
        late.note = "考勤记录为迟到（迟到且早退时另计早退）"
        db.session.commit()
        assert late.version == 2
        assert assessment.ensure_rules(db.session) == 1
        db.session.commit()
        rules = {rule.code: rule for rule in db.session.scalars(sa.select(AssessmentRule))}
        assert rules["absent_day"].points == Decimal(-5) and "1次扣5分" in rules["absent_day"].note
        assert rules["late"].note == "考勤记录为迟到（迟到且早退时另计早退）"
        # Upgraded once: the upgraded row is version 2 now and a second run leaves everything alone.
        assert assessment.ensure_rules(db.session) == 0


def test_rescoring_applies_an_edited_rule_to_the_months_records(app, world_ids):
    got, _score = _rescore(app, world_ids, time(9, 1), time(17, 30))
    assert got == {"late": Decimal(-1)}
    with app.app_context():
        db.session.scalar(sa.select(AssessmentRule).where(AssessmentRule.code == "late")).points = Decimal("-2")
        db.session.commit()
        result = rescoring.rescore_month(db.session, OCTOBER, NOW)
        db.session.commit()
        assert result.records_repriced == 1
        assert _deductions(world_ids) == ({"late": Decimal(-2)}, Decimal(98))


def _rescore_entries():
    return db.session.execute(
        sa.select(AuditLog.actor_name, AuditLog.row_id, AuditLog.changes).where(
            AuditLog.table_name == "monthly_score", AuditLog.row_id.like("rescore:%")
        )
    ).all()


def test_the_rescore_command_reclassifies_and_is_audited(app, world_ids):
    with app.app_context():
        _punches(world_ids, time(9, 1), time(17, 30))
        _set("attendance_late_as_absence", "on")
        db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["scores", "rescore", "2026-10"])
    assert result.exit_code == 0, result.output
    assert "2026-10" in result.output
    with app.app_context():
        assert _deductions(world_ids)[0] == {"absent_half": Decimal(-5)}
        # The setting switched off again, re-scored: back to the seed's −1.
        _set("attendance_late_as_absence", "off")
        db.session.commit()
    assert runner.invoke(args=["scores", "rescore", "2026-10"]).exit_code == 0
    with app.app_context():
        assert _deductions(world_ids)[0] == {"late": Decimal(-1)}
        entries = _rescore_entries()
        assert [(name, row) for name, row, _ in entries] == [("system", "rescore:2026-10")] * 2
        assert entries[0][2]["month"] == "2026-10" and entries[0][2]["attendance_rows"] == 1
    # A month not yet finished is refused, and nothing is written.
    assert runner.invoke(args=["scores", "rescore", "2999-01"]).exit_code != 0
    assert runner.invoke(args=["scores", "rescore", "October"]).exit_code != 0


def test_the_rescore_button_is_for_those_who_generate_scores(app, client, world_ids, login_as):
    with app.app_context():
        _punches(world_ids, time(9, 1), time(17, 30))
        db.session.commit()
    login_as("staff_a")
    assert "/monthlyscoreview/rescore/" not in client.get("/attendanceview/list/").get_data(as_text=True)
    assert client.post("/monthlyscoreview/rescore/", data={"month": "2026-10"}).status_code == 403
    with app.app_context():
        assert _rescore_entries() == [] and _deductions(world_ids) == ({}, None)
    client.get("/logout/")
    login_as("supervisor")
    assert "/monthlyscoreview/rescore/" in client.get("/attendanceview/list/").get_data(as_text=True)
    response = client.post("/monthlyscoreview/rescore/", data={"month": "2026-10"})
    assert response.status_code == 302 and "_flt_0_month=2026-10-01" in response.headers["Location"]
    refused = client.post("/monthlyscoreview/rescore/", data={"month": "2999-01"}, follow_redirects=True)
    assert "alert-danger" in refused.get_data(as_text=True)
    with app.app_context():
        assert _deductions(world_ids) == ({"late": Decimal(-1)}, Decimal(99))
        assert [(name, row) for name, row, _ in _rescore_entries()] == [("supervisor", "rescore:2026-10")]
