"""What every benchmark shares: the database, the app with a plain-FAB baseline view, timing."""

import os
import statistics
import time
from pathlib import Path

import sqlalchemy as sa

DATA_DIR = Path(__file__).resolve().parent / "data"
MAX_STATEMENTS = 12


def database_url(sqlite_file: str) -> str:
    """DATABASE_URL (PostgreSQL) or a SQLite file kept in bench/data/ between runs."""
    DATA_DIR.mkdir(exist_ok=True)
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / sqlite_file}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def bench_app(url, baseline_view):
    """The app, plus `baseline_view` (an unmodified FAB ModelView) registered for comparison."""
    from app import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "FAB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    with app.app_context():
        app.appbuilder.add_view_no_menu(baseline_view)
    return app


def login(app, username, password=None):
    client = app.test_client()
    response = client.post("/login/", data={"username": username, "password": password or app.config["DEMO_PASSWORD"]})
    assert response.status_code == 302 and "/login" not in response.headers["Location"], username
    return client


def timed(call, repeat):
    """(p50, p95) in ms after three warm-up calls."""
    for _ in range(3):
        call()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def statements(app, call):
    """How many SQL statements one call runs."""
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    seen = []

    def count(*_args):
        seen.append(1)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        call()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def page_getter(client, url):
    def get():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return get
