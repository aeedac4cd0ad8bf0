"""GovHall application factory."""

import os
import re
import secrets
from pathlib import Path

from flask import Flask, abort, g, request
from flask_appbuilder import AppBuilder
from flask_babel import lazy_gettext as _l
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
    from app.services import audit, calendar
    from app.views import errors

    app.config["FAB_PASSWORD_COMPLEXITY_VALIDATOR"] = security.password_complexity
    audit.install(FsaSession)
    calendar.install(FsaSession)
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
        from app.views import portal

        portal.install(app, appbuilder.sm.limiter)

    _install_request_hooks(app)
    http_guard.install(app)
    errors.install(app)
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
    app.config["GLOBAL_SCOPE_ROLES"] = config_module.GLOBAL_SCOPE_ROLES
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
    from app.views.audit import AuditLogView
    from app.views.bulletin import BulletinView
    from app.views.calendar import WorkCalendarDayView
    from app.views.case import CaseApi, CaseView, ViolationView
    from app.views.case_intake import CaseIntakeView
    from app.views.feedback import ComplaintView, EvaluationView, RectificationView
    from app.views.matter import MatterApi, MatterMaterialView, MatterStepView, MatterView
    from app.views.matter_import import MatterImportView
    from app.views.notice import NoticeView
    from app.views.org import (
        CenterApi,
        CenterView,
        DepartmentApi,
        DepartmentView,
        StaffApi,
        StaffView,
        WindowApi,
        WindowView,
    )
    from app.views.report import MonthlyReportView
    from app.views.system import JobRunView, SettingView

    appbuilder.add_view(
        NoticeView,
        "NoticeList",
        label=_l("My notices"),
        icon="fa-bell",
        category="Inbox",
        category_label=_l("Inbox"),
        category_icon="fa-bell",
    )

    org = {"category": "Organisation", "category_label": _l("Organisation"), "category_icon": "fa-sitemap"}
    appbuilder.add_view(CenterView, "CenterList", label=_l("Service centers"), icon="fa-building", **org)
    appbuilder.add_view(DepartmentView, "DepartmentList", label=_l("Departments"), icon="fa-university", **org)
    appbuilder.add_view(WindowView, "WindowList", label=_l("Windows"), icon="fa-columns", **org)
    appbuilder.add_view(StaffView, "StaffList", label=_l("Staff"), icon="fa-id-badge", **org)

    cases = {"category": "Cases", "category_label": _l("Cases"), "category_icon": "fa-folder-open"}
    appbuilder.add_view(CaseIntakeView, "CaseIntake", label=_l("Accept a case"), icon="fa-plus-circle", **cases)
    appbuilder.add_view(CaseView, "CaseList", label=_l("All cases"), icon="fa-list-alt", **cases)
    appbuilder.add_link("MyCases", label=_l("My cases"), href="/caseview/list/?quick=mine", icon="fa-user", **cases)
    appbuilder.add_link(
        "JointCases",
        label=_l("Joint cases we assist"),
        href="/caseview/list/?quick=joint",
        icon="fa-handshake-o",
        **cases,
    )
    appbuilder.add_link(
        "DueSoonCases",
        label=_l("Cases due soon"),
        href="/caseview/list/?quick=due_soon",
        icon="fa-clock-o",
        **cases,
    )
    appbuilder.add_link(
        "OverdueCases",
        label=_l("Overdue cases"),
        href="/caseview/list/?quick=overdue",
        icon="fa-exclamation-circle",
        **cases,
    )
    appbuilder.add_view(ViolationView, "ViolationList", label=_l("Detected violations"), icon="fa-flag", **cases)

    cat = {"category": "Catalogue", "category_label": _l("Matter catalogue"), "category_icon": "fa-book"}
    appbuilder.add_view(MatterView, "MatterList", label=_l("Service matters"), icon="fa-list", **cat)
    appbuilder.add_view(MatterImportView, "MatterImport", label=_l("Import catalogue"), icon="fa-upload", **cat)
    appbuilder.add_view_no_menu(MatterMaterialView)
    appbuilder.add_view_no_menu(MatterStepView)

    sup = {"category": "Supervision", "category_label": _l("Supervision"), "category_icon": "fa-eye"}
    appbuilder.add_view(AuditLogView, "AuditLogList", label=_l("Audit log"), icon="fa-history", **sup)
    appbuilder.add_view(
        MonthlyReportView, "MonthlyReportList", label=_l("Monthly reports"), icon="fa-file-excel-o", **sup
    )
    appbuilder.add_view(BulletinView, "BulletinList", label=_l("Efficiency bulletins"), icon="fa-bullhorn", **sup)

    feedback = {"category": "Feedback", "category_label": _l("Feedback"), "category_icon": "fa-comments"}
    appbuilder.add_view(EvaluationView, "EvaluationList", label=_l("Evaluations"), icon="fa-star", **feedback)
    appbuilder.add_view(
        RectificationView, "RectificationList", label=_l("Bad-review rectifications"), icon="fa-wrench", **feedback
    )
    appbuilder.add_view(ComplaintView, "ComplaintList", label=_l("Complaints"), icon="fa-bullhorn", **feedback)

    from app.views.attendance import AttendanceImportView, AttendanceView

    people = {"category": "People", "category_label": _l("People"), "category_icon": "fa-users"}
    appbuilder.add_view(AttendanceView, "AttendanceList", label=_l("Attendance"), icon="fa-clock-o", **people)
    appbuilder.add_view_no_menu(AttendanceImportView)
    from app.views.people import LeaveRequestView, PersonnelChangeView, PostCoverageView, WindowRotationView

    appbuilder.add_view(LeaveRequestView, "LeaveRequestList", label=_l("Leave"), icon="fa-calendar-minus-o", **people)
    appbuilder.add_view(PostCoverageView, "PostCoverage", label=_l("A/B post coverage"), icon="fa-exchange", **people)
    appbuilder.add_view(
        WindowRotationView, "WindowRotationList", label=_l("Comprehensive window duty"), icon="fa-refresh", **people
    )
    appbuilder.add_view(
        PersonnelChangeView, "PersonnelChangeList", label=_l("Personnel changes"), icon="fa-user-plus", **people
    )

    from app.views.assessment import AssessmentRecordView, AssessmentRuleView, MonthlyScoreView, QuarterlyResultView

    score = {"category": "Assessment", "category_label": _l("Assessment"), "category_icon": "fa-trophy"}
    appbuilder.add_view(
        AssessmentRuleView, "AssessmentRuleList", label=_l("Assessment rules"), icon="fa-gavel", **score
    )
    appbuilder.add_view(
        AssessmentRecordView, "AssessmentRecordList", label=_l("Assessment records"), icon="fa-pencil", **score
    )
    appbuilder.add_view(MonthlyScoreView, "MonthlyScoreList", label=_l("Monthly scores"), icon="fa-bar-chart", **score)
    appbuilder.add_view(
        QuarterlyResultView, "QuarterlyResultList", label=_l("Quarterly results"), icon="fa-flag", **score
    )

    admin = {"category": "Security", "category_label": _l("Security")}
    appbuilder.add_view(SettingView, "SettingList", label=_l("Settings"), icon="fa-cog", **admin)
    appbuilder.add_view(
        WorkCalendarDayView, "WorkCalendarDayList", label=_l("Working-day calendar"), icon="fa-calendar", **admin
    )
    appbuilder.add_view(JobRunView, "JobRunList", label=_l("Job runs"), icon="fa-tasks", **admin)

    for api in (CenterApi, DepartmentApi, WindowApi, StaffApi, MatterApi, CaseApi):
        appbuilder.add_api(api)


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
