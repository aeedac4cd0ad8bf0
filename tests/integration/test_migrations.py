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
