"""GovHall application factory."""

import importlib
import os
import re
import secrets
from pathlib import Path

from flask import Flask, abort, g, request
from flask_appbuilder import AppBuilder
from flask_sqlalchemy.session import Session as FsaSession
from sqlalchemy import event

import config as config_module
from app.extensions import csrf, db, migrate

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")
_PAGING_ARG = re.compile(r"^(page|psize)_\w+$")


def create_app(config=None) -> Flask:
    """Build an app. `config` is a config class, a dict of overrides, or None (GOVHALL_ENV)."""
    app = Flask(__name__, instance_path=str(config_module.INSTANCE_DIR))
    _load_config(app, config)
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    with app.app_context():
        _tune_engine(db.engine, app.config)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    csrf.init_app(app)

    from app import http_guard, security
    from app.services import audit, calendar, corrections
    from app.views import display, errors, titles

    app.config["FAB_PASSWORD_COMPLEXITY_VALIDATOR"] = security.password_complexity
    audit.install(FsaSession)
    calendar.install(FsaSession)
    corrections.install_guard(FsaSession)
    security.install_login_sessions()

    with app.app_context():
        appbuilder = AppBuilder(
            app,
            db.session,
            security_manager_class=security.GovSecurityManager,
            base_template=app.config["FAB_BASE_TEMPLATE"],
            indexview=_index_view(),
        )
        _register_views(appbuilder)
        titles.install(appbuilder)
        from app.views import portal, queue_devices

        portal.install(app, appbuilder.sm.limiter)
        queue_devices.install(app, appbuilder.sm.limiter)

    _install_request_hooks(app)
    http_guard.install(app)
    errors.install(app)
    display.install(app)
    if app.config["PROXY_HOPS"]:
        # Behind nginx every request comes from 127.0.0.1: without the forwarded address all
        # citizens would share one rate limit. Trusted only for the configured hops, so a
        # client cannot spoof its address when no proxy is in front.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    from app.cli import register_cli

    register_cli(app)
    return app


def _load_config(app: Flask, config) -> None:
    env = os.environ.get("GOVHALL_ENV", "development")
    base = config if isinstance(config, type) else config_module.CONFIGS.get(env, config_module.Config)
    app.config.from_object(base)
    if isinstance(config, dict):
        app.config.update(config)
    if app.config["ENV_NAME"] == "production":
        # API tokens fall back to SECRET_KEY; a key of their own, when given, must be as strong.
        keys = {"SECRET_KEY": app.config.get("SECRET_KEY") or ""}
        if app.config.get("JWT_SECRET_KEY") is not None:
            keys["JWT_SECRET_KEY"] = app.config["JWT_SECRET_KEY"]
        for name, key in keys.items():
            if len(key) < config_module.MIN_SECRET_LENGTH:
                raise RuntimeError(
                    f"生产环境必须通过环境变量 {name} 设置至少 32 位的随机密钥 "
                    f"(production needs {name}: at least 32 random characters)."
                )
    elif not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config_module.instance_secret(Path(app.instance_path))


def _tune_engine(engine, cfg) -> None:
    if engine.dialect.name == "postgresql" and cfg["PGBOUNCER"]:

        @event.listens_for(engine, "connect")
        def _no_prepared_statements(dbapi_connection, _record):
            # psycopg prepares a statement run five times on a connection; behind a transaction
            # pooler the next run may reach a server connection that has it already, or never had it.
            dbapi_connection.prepare_threshold = None

    if engine.dialect.name != "sqlite":
        return
    busy_ms = int(cfg["SQLITE_BUSY_TIMEOUT_MS"])

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        # WAL lets readers run beside the one writer; busy_timeout makes a
        # second writer wait instead of failing with "database is locked".
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def _index_view():
    from app.views.home import HomeView

    return HomeView


def _register_views(appbuilder: AppBuilder) -> None:
    """Register the menu table's views, links and APIs (app/menu.py), in its order."""
    from app import menu

    for group in menu.MENU:
        category = {"category": group.name, "category_label": group.label, "category_icon": group.icon}
        for entry in group.entries:
            if entry.view is None:
                appbuilder.add_link(entry.name, label=entry.label, href=entry.href, icon=entry.icon, **category)
            elif entry.name is None:
                appbuilder.add_view_no_menu(_view_class(entry))
            else:
                appbuilder.add_view(_view_class(entry), entry.name, label=entry.label, icon=entry.icon, **category)
    for entry in menu.APIS:
        appbuilder.add_api(_view_class(entry))


def _view_class(entry):
    module, _, name = entry.view.rpartition(".")
    view = getattr(importlib.import_module(module), name)
    # The roles grant the table's resource names: a view that checks another would be ungranted.
    if view.class_permission_name != entry.resource:
        raise RuntimeError(f"{entry.view} checks {view.class_permission_name!r}, app/menu.py says {entry.resource!r}")
    return view


def _install_request_hooks(app: Flask) -> None:
    @app.before_request
    def _validate_paging():
        # FAB int()s these and answers 500 on "abc"; refuse them plainly.
        for key, value in request.args.items():
            if _PAGING_ARG.match(key) and (not value.isdigit() or len(value) > 7):
                abort(400)
        g.csp_nonce = secrets.token_urlsafe(16)

    # A global, not a context processor: FAB's macros are imported without
    # context and would otherwise render their <script> tags without the nonce.
    app.jinja_env.globals["csp_nonce"] = lambda: g.get("csp_nonce", "")

    @app.after_request
    def _security_headers(response):
        nonce = g.get("csp_nonce", "")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
            "connect-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'self'; object-src 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
