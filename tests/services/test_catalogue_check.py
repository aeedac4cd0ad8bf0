"""The catalogue's promised-limit rule (seed 002: 按照法定时限减少30%以上): one rule for the form,
the API, the import and the report; a warning by default, a refusal when the setting says so."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.models import Department, Matter, MatterCategory
from app.models.system import Setting
from app.services import catalogue
from app.services.catalogue import SEED_RULE, PromisedRule
from app.services.matter_import import import_matters
from tests.services.test_matter_import import row, workbook


def set_setting(session, key, value):
    session.execute(sa.update(Setting).where(Setting.key == key).values(value=value))
    session.commit()


@pytest.mark.parametrize(
    ("legal", "promised", "breaks"),
    [
        (20, 14, False),  # exactly 30 % shorter: enough
        (20, 15, True),
        (20, 20, True),  # the legal limit itself
        (10, 7, False),
        (10, 8, True),
        (3, 2, False),  # 2 ≤ 2.1
        (3, 3, True),
        (0, 0, False),  # immediate matters: nothing to shorten
        (20, 25, False),  # longer than the law: limit_errors refuses it, not this rule
        (20, 0, False),
    ],
)
def test_the_seed_rule_at_its_boundary(legal, promised, breaks):
    assert SEED_RULE.breaks(legal, promised) is breaks
    assert bool(catalogue.limit_warnings(legal, promised)) is breaks


def test_sql_and_python_agree_on_every_pair(db_session, world_ids):
    department = db_session.get(Department, world_ids["dept_a"])
    pairs = [(legal, promised) for legal in range(0, 31) for promised in range(0, legal + 1)]
    db_session.add_all(
        Matter(
            code=f"P-{legal}-{promised}",
            name="对照",
            category=MatterCategory.licensing,
            department=department,
            legal_limit_days=legal,
            promised_limit_days=promised,
            fee_standard=0,
        )
        for legal, promised in pairs
    )
    db_session.flush()
    for rule in (SEED_RULE, PromisedRule(Decimal("0.5")), PromisedRule(Decimal("0.33")), PromisedRule(Decimal("0"))):
        flagged = set(
            db_session.execute(
                sa.select(Matter.legal_limit_days, Matter.promised_limit_days).where(
                    Matter.code.like("P-%"),
                    rule.breaks_sql(Matter.legal_limit_days, Matter.promised_limit_days),
                )
            ).all()
        )
        assert flagged == {pair for pair in pairs if rule.breaks(*pair)}, rule


def test_the_rule_reads_its_settings(db_session):
    assert PromisedRule.load(db_session) == SEED_RULE  # defaults: 0.3, warn
    set_setting(db_session, "promised_limit_reduction", "0.5")
    set_setting(db_session, "promised_limit_check", "refuse")
    rule = PromisedRule.load(db_session)
    assert rule == PromisedRule(Decimal("0.5"), refuse=True)
    assert not rule.breaks(20, 10) and rule.breaks(20, 11)


def test_warn_mode_saves_with_a_warning_and_refuse_mode_refuses(db_session, world_ids):
    matter = db_session.get(Matter, world_ids["matter_a"])
    matter.promised_limit_days = 18
    warn, refuse = SEED_RULE, PromisedRule(refuse=True)
    assert catalogue.matter_errors(matter, warn) == []
    (warning,) = catalogue.matter_warnings(matter, warn)
    assert "18" in warning and "20" in warning and "30" in warning
    assert catalogue.matter_errors(matter, refuse) == [warning]
    assert catalogue.matter_warnings(matter, refuse) == []


def test_the_report_filter_lists_the_matters_that_break_the_rule(db_session, world_ids):
    department = db_session.get(Department, world_ids["dept_a"])
    for code, legal, promised in (("T-1", 20, 14), ("T-2", 20, 15), ("T-3", 0, 0), ("T-4", 10, 10)):
        db_session.add(
            Matter(
                code=code,
                name=code,
                category=MatterCategory.licensing,
                department=department,
                legal_limit_days=legal,
                promised_limit_days=promised,
                fee_standard=0,
            )
        )
    db_session.flush()
    listed = db_session.scalars(
        sa.select(Matter.code).where(catalogue.promised_too_long(db_session)).order_by(Matter.code)
    ).all()
    assert listed == ["T-2", "T-4"]  # world's own matters: 20/10 and 0/0, both fine
    set_setting(db_session, "promised_limit_reduction", "0.5")
    listed = db_session.scalars(sa.select(Matter.code).where(catalogue.promised_too_long(db_session))).all()
    assert sorted(listed) == ["T-1", "T-2", "T-4"]


def test_the_import_warns_by_default_and_refuses_in_refuse_mode(db_session):
    source = workbook(row(legal=20, promised=18, steps="受理(1)"))
    report = import_matters(db_session, source, dry_run=True)
    assert report.ok and len(report.warnings) == 1
    set_setting(db_session, "promised_limit_check", "refuse")
    report = import_matters(db_session, workbook(row(legal=20, promised=18, steps="受理(1)")), dry_run=True)
    assert not report.ok and not report.warnings
    assert any("18" in error.message for error in report.errors)
