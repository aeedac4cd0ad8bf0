"""Landing page after login: the dashboard of the user's own scope."""

import sqlalchemy as sa
from flask import g, redirect, url_for
from flask_appbuilder import IndexView, expose
from flask_babel import lazy_gettext as _l

from app import clock
from app.extensions import db
from app.models.application import Application
from app.models.case import OPEN_STATUSES, Case, Light
from app.models.feedback import Evaluation
from app.models.matter import Matter, MatterStatus
from app.models.org import Center, Department, Staff, StaffStatus, Window
from app.security import current_scope
from app.services import calendar as calendar_service
from app.services import dashboard, hall_figures, notices, online_figures, rating_rates
from app.services.monthly_report import month_bounds
from app.views.lights import light_badge

# The dashboard's 网上申报 panel: the month's figures of the scope (online_figures.py).
ONLINE_KEYS = (
    "received",
    "correction_requested",
    "passed",
    "refused",
    "withdrawn",
    "deemed_accepted",
    "first_pass_rate",
    "correction_rate",
    "average_hours",
    "longest_hours",
    "online_rate",
    "tolerated_accepted",
    "tolerated_waiting",
    "tolerated_overdue",
)


class HomeView(IndexView):
    index_template = "govhall/index.html"

    @expose("/")
    def index(self):
        if g.user is None or not g.user.is_authenticated:
            return redirect(url_for(f"{self.appbuilder.sm.auth_view.endpoint}.login"))
        scope = current_scope()
        counts = {
            "departments": _count(Department, scope),
            "windows": _count(Window, scope),
            "staff": _count(Staff, scope, Staff.status == StaffStatus.active),
            "matters": _count(Matter, scope, Matter.status == MatterStatus.active),
        }
        if scope.everything:
            counts["centers"] = db.session.scalar(sa.select(sa.func.count()).select_from(Center))
        now = clock.now()
        work_calendar = calendar_service.load(db.session)
        missing_year = calendar_service.missing_next_year(work_calendar, now.date())
        unconfirmed = _count(Case, scope, Case.calendar_unconfirmed.is_(True), Case.status.in_(OPEN_STATUSES))
        figures = dashboard.build(
            db.session,
            scope.clause(Case),
            scope.clause(Evaluation),
            now,
            work_calendar,
            application_scope=scope.clause(Application),
        )
        # The front of the hall (issue 18.5): now, and this month (five statements in all).
        month_start, next_month = (moment.date() for moment in month_bounds(now.date()))
        hall = {
            "live": hall_figures.live(db.session, now, scope.clause),
            "month": hall_figures.month_summary(db.session, month_start, next_month, now, scope.clause),
        }
        charts = {
            "lights": [
                {"name": str(light.label), "key": light.name, "value": figures.lights[light.name]} for light in Light
            ],
            "overdue": [{"name": name, "value": count} for name, count in figures.overdue_by_department],
            "trend": figures.trend,
            "labels": {"accepted": str(_l("Accepted")), "completed": str(_l("Completed"))},
        }
        return self.render_template(
            self.index_template,
            appbuilder=self.appbuilder,
            counts=counts,
            scope=scope,
            missing_year=missing_year,
            unconfirmed=unconfirmed,
            figures=figures,
            rating_notes=rating_rates.notes(),
            online_keys=ONLINE_KEYS,
            online_labels=online_figures.LABELS,
            online_rates=online_figures.RATES,
            charts=charts,
            hall=hall,
            unread=notices.unread_count(db.session, g.user.id),
            show_red_cases=self.appbuilder.sm.has_access("can_read", "Case"),
            case_light_badge=light_badge,
        )


def _count(model, scope, *conditions):
    query = sa.select(sa.func.count()).select_from(model).where(scope.clause(model), *conditions)
    return db.session.scalar(query)
