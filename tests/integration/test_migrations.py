"""Migrations: upgrade → downgrade to base → upgrade, then init twice, on the suite's database engine.

The suite runs once on SQLite and once on PostgreSQL (.ci/run), so both are covered.
"""

import sqlalchemy as sa

from app.extensions import db
from tests.conftest import _config_dict


def _tables(engine):
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade_and_idempotent_init(scratch_url):
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from app.cli import init_database

    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": scratch_url})
    with app.app_context():
        upgrade()
        tables = _tables(db.engine)
        assert {"ab_user", "ab_role", "center", "department", "window", "staff", "matter", "audit_log"} <= tables
        assert tables == set(db.metadata.tables), "migrations and models disagree"
        downgrade(revision="base")
        assert _tables(db.engine) == set()
        upgrade()
        first = init_database()
        second = init_database()
        assert second["settings_added"] == 0 and first["settings_added"] > 0
        roles = {r.name for r in app.appbuilder.sm.get_all_roles()}
        assert {"Admin", "CenterManager", "Supervisor", "ChiefRep", "WindowStaff", "Leader", "Public"} <= roles
        assert app.appbuilder.sm.find_user(username="system") is not None
        db.session.remove()
        db.engine.dispose()


def test_recent_migrations_go_down_and_up_with_data_in_place(demo_county):
    """SQLite rebuilds a table to drop a column: with rows referencing it, that needs the
    foreign-key pragma off during migrations (migrations/env.py)."""
    from flask_migrate import downgrade, upgrade

    with demo_county.app_context():
        before = db.session.scalar(sa.text('SELECT count(*) FROM "case"'))
        matters = db.session.scalar(sa.text("SELECT count(*) FROM matter"))
        db.session.remove()
        downgrade(revision="0008")
        upgrade()
        assert db.session.scalar(sa.text('SELECT count(*) FROM "case"')) == before == 3000
        assert db.session.scalar(sa.text("SELECT count(*) FROM matter")) == matters
        assert not [name for name in sa.inspect(db.engine).get_table_names() if name.startswith("_alembic_tmp")]
        db.session.remove()
