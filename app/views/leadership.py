"""Department leaders at the windows (issue 19.6): the 领导坐班/代班 roster and the visit log.

Thin views: each list is a GovModelView (scope, filters, export); each record is made by the
view's own form calling one service function (app/services/leadership.py), which decides the
department (the chief representative's own) and refuses with a Chinese message, saving nothing.
"""

from datetime import date

import sqlalchemy as sa
from flask import g, request
from flask_appbuilder import expose, has_access
from flask_babel import lazy_gettext as _l

from app import clock
from app.extensions import db
from app.fields.leadership import LEADER_DUTY_FIELDS, LEADER_VISIT_FIELDS
from app.http_guard import int_or_none
from app.models.leadership import DutyKind, HalfDay, LeaderDuty, LeaderRank, LeaderVisit
from app.models.org import Department, RecordStatus, Staff, StaffStatus, Window
from app.security import actor_for, current_scope
from app.services import leadership
from app.services.monthly_report import previous_month
from app.services.scoring_periods import finished_quarter
from app.views import remote_select
from app.views.interface import GovInterface
from app.views.labels import LABELS
from app.views.model_view import GovModelView
from app.views.people import _date, _datetime
from app.views.workflow import service_form


def _department_staff():
    """Staff on duty the user sees: a leader who holds a staff record at the center."""
    return db.session.query(Staff).filter(Staff.status == StaffStatus.active, current_scope().clause(Staff))


def _windows():
    """The windows a record may name: the user's department's (its own and the comprehensive
    windows it is a member of); for the center, every department's own window."""
    scope = current_scope()
    query = sa.select(Window.id, Window.code, Window.name).where(
        Window.status == RecordStatus.active, scope.clause(Window)
    )
    if scope.everything:
        query = query.where(Window.department_id.is_not(None))
    return [(i, f"{c} {n}") for i, c, n in db.session.execute(query.order_by(Window.code))]


def _leader_fields(view, form):
    return [
        ("select", "window_id", _l("Window"), _windows()),
        ("select", "leader_rank", _l("Category of the leader"), [(r.name, r.label) for r in LeaderRank]),
        ("text", "leader_name", _l("Name of the leader"), None),
        ("remote", "staff_id", _l("Or a staff member of the department"), view.service_select("staff_id", form)),
    ]


class _LeaderView(GovModelView):
    base_permissions = ["can_read", "can_export", "can_add"]
    method_permission_name = {**GovModelView.method_permission_name, "record": "add", "status": "read"}
    service_add_form = "record"
    service_choices = {"staff_id": remote_select.Choices(Staff, _department_staff)}
    form_title = None

    def save(self, form):
        raise NotImplementedError

    @expose("/record", methods=["GET", "POST"])
    @has_access
    def record(self):
        return service_form(self, leadership.LeadershipError)


class LeaderDutyView(_LeaderView):
    datamodel = GovInterface(LeaderDuty, eager=("department", "window"))
    class_permission_name = "LeaderDuty"
    list_title = _l("Leaders on duty at the windows")
    show_title = _l("A leader's day at the window")
    form_title = _l("Put a leader on the window roster")
    registry = LEADER_DUTY_FIELDS
    base_order = ("day", "desc")
    label_columns = {**LABELS, "kind": _l("Sitting or standing in")}
    base_permissions = [*_LeaderView.base_permissions, "can_delete"]

    def pre_delete(self, item):
        leadership.check_removable(item, clock.now())  # FAB shows the refusal and keeps the row

    def form_fields(self, form):
        return [
            *_leader_fields(self, form),
            ("date", "day", _l("Date"), None),
            ("select", "half_day", _l("Half day"), [(h.name, h.label) for h in HalfDay]),
            ("select", "kind", _l("Sitting or standing in"), [(k.name, k.label) for k in DutyKind]),
            ("note", "note", _l("Note"), None),
        ]

    def save(self, form):
        return leadership.record_duty(
            db.session,
            actor_for(g.user),
            current_scope(),
            clock.now(),
            window_id=int_or_none(form.get("window_id")),
            day=_date(form.get("day")),
            rank=form.get("leader_rank"),
            kind=form.get("kind"),
            half_day=form.get("half_day"),
            staff_id=int_or_none(form.get("staff_id")),
            leader_name=form.get("leader_name"),
            note=form.get("note"),
        )


class LeaderVisitView(_LeaderView):
    datamodel = GovInterface(LeaderVisit, eager=("department", "window"))
    class_permission_name = "LeaderVisit"
    list_title = _l("Leaders' visits to the windows")
    show_title = _l("A leader's visit to the windows")
    form_title = _l("Record a leader's visit to the windows")
    registry = LEADER_VISIT_FIELDS
    base_order = ("visited_at", "desc")
    label_columns = {**LABELS, "summary": _l("Problems solved and guidance given")}

    @expose("/status")
    @has_access
    def status(self):
        """Each department's month against the minimums (settings leader_*), in the reader's scope."""
        month = _month(request.args.get("month")) or previous_month(clock.now().date())
        quarter = finished_quarter(month) is not None
        scope = current_scope()
        where = None if scope.everything else scope.clause(Department)
        return self.render_template(
            "govhall/leader_standing.html",
            title=_l("Leaders at the windows: the month against the minimums"),
            rows=leadership.standing(db.session, month, quarter=quarter, where=where),
            month=month,
            quarter=quarter,
            minimums=leadership.minimums(db.session),
        )

    def form_fields(self, form):
        return [
            *_leader_fields(self, form),
            ("datetime", "visited_at", _l("Visited at"), None),
            ("textarea", "summary", _l("Problems solved and guidance given"), None),
        ]

    def save(self, form):
        return leadership.record_visit(
            db.session,
            actor_for(g.user),
            current_scope(),
            clock.now(),
            window_id=int_or_none(form.get("window_id")),
            visited_at=_datetime(form.get("visited_at")),
            rank=form.get("leader_rank"),
            summary=form.get("summary"),
            staff_id=int_or_none(form.get("staff_id")),
            leader_name=form.get("leader_name"),
        )


def _month(text) -> date | None:
    """'YYYY-MM' as the month's first day, else None (the page then shows last month)."""
    year, _, month = (text or "").strip().partition("-")
    if not (year.isascii() and year.isdigit() and month.isascii() and month.isdigit()):
        return None
    if not (2000 <= int(year) <= 2100 and 1 <= int(month) <= 12):
        return None
    return date(int(year), int(month), 1)
