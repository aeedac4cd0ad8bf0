"""Test harness: one migrated database per run, reset to a snapshot after every test.

SQLite (a temporary file) by default; set GOVHALL_TEST_DATABASE_URL to run the
same suite on PostgreSQL. The reset deletes and re-inserts the snapshot rows of
the tables the test wrote (tests/snapshot.py), which works the same on both and
keeps tests independent of each other.
"""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

import config
from tests import snapshot as snapshots
from tests import world

_tmpdir = tempfile.mkdtemp(prefix="govhall-test-")
os.environ.setdefault("GOVHALL_INSTANCE_DIR", _tmpdir)
TEST_DB_URL = os.environ.get("GOVHALL_TEST_DATABASE_URL") or f"sqlite:///{_tmpdir}/test.db"
WRITES = snapshots.WriteLog(TEST_DB_URL)
sa.event.listen(sa.engine.Engine, "before_cursor_execute", WRITES.note)
WRITES.watch_copy()


def _reset_schema(url):
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def app():
    from flask_migrate import upgrade

    from app import create_app
    from app.cli import init_database
    from app.extensions import db

    _reset_schema(TEST_DB_URL)
    application = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": TEST_DB_URL})
    with application.app_context():
        upgrade()
        init_database()
        application.config["WORLD"] = world.build(db.session, application.appbuilder.sm)
        snapshot = _snapshot(db)
        db.session.remove()
    WRITES.take()
    application.config["SNAPSHOT"] = snapshot
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _config_dict():
    return {key: getattr(config.TestConfig, key) for key in dir(config.TestConfig) if key.isupper()}


def _snapshot(db):
    tables = db.metadata.sorted_tables
    with db.engine.connect() as conn:
        return [(table, [dict(row._mapping) for row in conn.execute(table.select())]) for table in tables]


def restore(app):
    from app.extensions import db

    written, deleted = WRITES.take()
    snapshot = app.config["SNAPSHOT"]
    with app.app_context(), WRITES.paused():
        db.session.remove()
        if written:
            tables = snapshots.tables_to_rewrite(snapshot, written, deleted)
            if not snapshots.rewrite(db.engine, snapshot, tables):
                snapshots.rewrite_in_order(db.engine, snapshot)
        snapshots.verify(db.engine, snapshot)


@pytest.fixture(autouse=True)
def _clean_database(request):
    yield
    if "app" in request.fixturenames:
        restore(request.getfixturevalue("app"))


@pytest.fixture
def world_ids(app):
    return app.config["WORLD"]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db_session(app):
    from app.extensions import db

    with app.app_context():
        yield db.session
        db.session.remove()


def login(client, username, password=world.PASSWORD):
    response = client.post("/login/", data={"username": username, "password": password})
    assert response.status_code == 302 and "/login" not in response.headers["Location"], f"login of {username} failed"
    return client


@pytest.fixture
def login_as(client):
    def _login(username):
        return login(client, username)

    return _login


@contextmanager
def empty_database(name):
    """An empty database of the suite's engine, apart from the suite's own: a new SQLite file, or
    database `name` on the suite's PostgreSQL server (created and dropped through the maintenance
    database, so the suite's database is never touched)."""
    url = make_url(TEST_DB_URL)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tempfile.mkdtemp(prefix='govhall-')}/{name}.db"
        return
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture
def scratch_url():
    """An empty database for tests that need their own (migrations, demo)."""
    # Named after the suite's database, so suites on one server (test_h1, test_h2…) never share it.
    with empty_database(f"{Path(make_url(TEST_DB_URL).database).stem}_scratch") as url:
        yield url


@pytest.fixture
def scratch_app(scratch_url):
    """A migrated, initialised app on an empty database."""
    from flask_migrate import upgrade

    from app import create_app
    from app.cli import init_database
    from app.extensions import db

    application = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": scratch_url})
    with application.app_context():
        upgrade()
        init_database()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def demo_county(scratch_app):
    """The demo county with 3000 cases over 2026, on its own database (reports, bulletins)."""
    from datetime import datetime

    from app.cli import seed_demo_data
    from app.extensions import db
    from app.services.case_flow import Clock
    from app.services.demo.cases import generate_cases

    with scratch_app.app_context():
        seed_demo_data()
        with db.engine.begin() as connection:
            generate_cases(
                connection,
                year_start=datetime(2026, 1, 1),
                count=3000,
                clock=Clock.load(db.session),
                now=datetime(2026, 11, 24, 10, 0),
            )
    return scratch_app
