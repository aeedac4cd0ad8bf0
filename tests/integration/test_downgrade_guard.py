"""`flask db downgrade` drops tables and columns with their data: on a database holding cases it
refuses unless told a backup exists (issue 12, item 15)."""

import sqlalchemy as sa

from app.extensions import db
from app.services import backup


def revision(app):
    with app.app_context(), db.engine.connect() as connection:
        return backup.revision(connection)


def downgrade(app, *options):
    return app.test_cli_runner().invoke(args=["db", "downgrade", *options])


def test_a_downgrade_over_cases_is_refused_unless_a_backup_is_confirmed(demo_county):
    head = revision(demo_county)
    result = downgrade(demo_county)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "拒绝降级：数据库中有 3000 件办件" in result.output and "--yes-i-have-a-backup" in result.output
    assert revision(demo_county) == head

    result = downgrade(demo_county, "--yes-i-have-a-backup")
    assert result.exit_code == 0, result.output
    assert revision(demo_county) != head
    with demo_county.app_context():
        assert db.session.scalar(sa.text('SELECT count(*) FROM "case"')) == 3000
        db.session.remove()


def test_a_database_without_cases_downgrades_as_before(scratch_app):
    head = revision(scratch_app)
    result = downgrade(scratch_app)
    assert result.exit_code == 0, result.output
    assert revision(scratch_app) != head


def test_the_guard_counts_no_cases_before_the_case_table_exists(scratch_app):
    assert downgrade(scratch_app, "--yes-i-have-a-backup", "base").exit_code == 0
    with scratch_app.app_context(), db.engine.connect() as connection:
        assert backup.cases_at_risk(connection) == 0
    assert downgrade(scratch_app, "base").exit_code == 0  # at base already: the guard finds no table, asks nothing
