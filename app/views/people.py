"""Staff management (issue 6, part A): leave, A/B post coverage, comprehensive-window duty
rosters, personnel changes. Views are thin: each form calls one service function
(app/services/leave.py, rotation.py, personnel.py) and reports its message.
"""

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from app import clock
from app.extensions import db
from app.fields.personnel import LEAVE_REQUEST_FIELDS, PERSONNEL_CHANGE_FIELDS, WINDOW_ROTATION_FIELDS
from app.http_guard import int_or_none
from app.models.org import Staff, StaffPosition, StaffRank, StaffStatus, Window, WindowKind
from app.models.personnel import (
    ChangeKind,
    ChangeStatus,
    LeaveRequest,
    LeaveStatus,
    LeaveTier,
    LeaveType,
    PersonnelChange,
    WindowRotation,
)
from app.security import actor_for, current_scope
from app.services import leave, leave_days, personnel, rotation
from app.views import remote_select
from app.views.date_fields import DATE_FORMATS, DATETIME_FORMATS
from app.views.interface import GovInterface
from app.views.model_view import GovModelView
from app.views.workflow import WorkflowView


def _datetime(value) -> datetime | None:
    """The typed time in one of the forms' formats, else None (the service then asks for it):
    never a prefix of the text, which read `2026-12-11 17:30:00x` as a time."""
    return _parsed(value, DATETIME_FORMATS)


def _date(value) -> date | None:
    found = _parsed(value, DATE_FORMATS)
    return found.date() if found else None


def _parsed(value, formats) -> datetime | None:
    for pattern in formats:
        try:
            return datetime.strptime((value or "").strip(), pattern)
        except ValueError:
            continue
    return None


def _staff_on_duty():
    """The staff on duty the user may file leave for (own record for window staff)."""
    return db.session.query(Staff).filter(Staff.status == StaffStatus.active, current_scope().clause(Staff))


def _staff_to_change():
    """Staff a change may name: the user's, or (a transfer in) anyone not on duty anywhere."""
    scope = current_scope()
    return db.session.query(Staff).filter(sa.or_(scope.clause(Staff), Staff.status != StaffStatus.active))


class LeaveRequestView(WorkflowView):
    datamodel = GovInterface(LeaveRequest, eager=("staff", "department"))
    class_permission_name = "LeaveRequest"
    base_permissions = ["can_read", "can_export", "can_act", "can_add"]
    method_permission_name = {**WorkflowView.method_permission_name, "file": "add"}
    service_add_form = "file"
    service_choices = {"staff_id": remote_select.Choices(Staff, _staff_on_duty)}
    errors = (leave.LeaveError,)
    list_title = _l("Leave requests")
    show_title = _l("Leave request")
    registry = LEAVE_REQUEST_FIELDS
    base_order = ("starts_at", "desc")

    def step_forms(self, item):
        actor = actor_for(g.user)
        forms = []
        if item.status is LeaveStatus.pending and actor.staff_id != item.staff_id:
            fields = [("textarea", "note", _l("Note"), None)]
            if item.tier is LeaveTier.joint and not actor.roles & leave.Rules.load(db.session).center_roles:
                fields = [("textarea", "head_name", _l("Department head who approved"), None)]
            forms.append({"step": "approve", "label": _l("Approve"), "fields": fields})
            forms.append(
                {"step": "reject", "label": _l("Reject"), "fields": [("textarea", "note", _l("Reason"), None)]}
            )
        if item.status in leave.ACTIVE:
            forms.append({"step": "cancel", "label": _l("Cancel the leave"), "fields": []})
        return forms

    def run_step(self, item, step, version, form):
        actor, now = actor_for(g.user), clock.now()
        if step == "cancel":
            leave.cancel(db.session, actor, item, version, now)
            return
        rules = leave.Rules.load(db.session)
        if step == "approve":
            leave.approve(
                db.session, actor, item, version, now, rules, head_name=form.get("head_name"), note=form.get("note")
            )
        elif step == "reject":
            leave.reject(db.session, actor, item, version, now, rules, note=form.get("note"))
        else:
            raise leave.LeaveError(_l("Unknown action."))

    @expose("/file", methods=["GET", "POST"])
    @has_access
    def file(self):
        form = request.form
        if request.method == "POST":
            try:
                item = leave.file(
                    db.session,
                    actor_for(g.user),
                    clock.now(),
                    leave.Rules.load(db.session),
                    staff_id=int_or_none(form.get("staff_id")),
                    leave_type=form.get("leave_type", ""),
                    starts_at=_datetime(form.get("starts_at")),
                    ends_at=_datetime(form.get("ends_at")),
                    reason=form.get("reason", ""),
                )
            except leave.LeaveError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
            else:
                db.session.commit()
                flash(
                    str(_l("Leave request filed: %(days)s working days.", days=item.working_days)),
                    "success",
                )
                return redirect(url_for(f"{self.endpoint}.show", pk=item.id))
        return self.render_template(
            "govhall/people_form.html",
            title=_l("File a leave request"),
            fields=[
                ("remote", "staff_id", _l("Staff member"), self.service_select("staff_id", form)),
                ("select", "leave_type", _l("Type of leave"), [(t.name, t.label) for t in LeaveType]),
                ("datetime", "starts_at", _l("From"), None),
                ("datetime", "ends_at", _l("To"), None),
                ("textarea", "reason", _l("Reason"), None),
            ],
            form=form,
        )


class PostCoverageView(BaseView):
    """AB 岗: today and the coming 7 days, who holds each window's A and B post and who is away."""

    route_base = "/post-coverage"
    class_permission_name = "LeaveRequest"
    method_permission_name = {"index": "read"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        scope = current_scope()
        today = clock.now().date()
        windows = leave_days.coverage(db.session, scope.clause(Window), today, leave.Rules.load(db.session))
        return self.render_template(
            "govhall/post_coverage.html",
            title=_l("A/B post coverage"),
            windows=windows,
            days=[today + timedelta(days=n) for n in range(8)],
        )


class WindowRotationView(GovModelView):
    datamodel = GovInterface(WindowRotation, eager=("window", "department"))
    class_permission_name = "WindowRotation"
    base_permissions = ["can_read", "can_add", "can_edit", "can_delete", "can_export", "can_generate"]
    method_permission_name = {**GovModelView.method_permission_name, "generate": "generate"}
    list_title = _l("Comprehensive window duty roster")
    show_title = _l("Duty week")
    add_title = _l("Add a duty week")
    edit_title = _l("Edit a duty week")
    registry = WINDOW_ROTATION_FIELDS
    base_order = ("week_start", "asc")

    def item_rules(self, item):
        errors = []
        window = item.window
        department_id = item.department.id if item.department is not None else item.department_id
        if window is None or window.kind is not WindowKind.comprehensive:
            errors.append(str(_l("Only comprehensive windows have a duty roster.")))
        elif department_id not in rotation.members(db.session, window.id):
            errors.append(str(_l("The department on duty must be a member department of the window.")))
        if item.week_start is not None and item.week_start.weekday() != 0:
            errors.append(str(_l("A duty week starts on a Monday.")))
        return errors

    @expose("/generate", methods=["GET", "POST"])
    @has_access
    def generate(self):
        form = request.form
        today = clock.now().date()
        quarters = [rotation.quarter_of(today)]
        quarters.append(rotation.next_quarter(quarters[0]))
        if request.method == "POST":
            window = db.session.get(Window, int_or_none(form.get("window_id")) or 0)
            start = _date(form.get("quarter_start"))
            if window is None or start is None:
                flash(str(_l("Choose the window and the quarter.")), "danger")
            else:
                try:
                    count = rotation.generate_rotation(db.session, window, start, actor_for(g.user), clock.now())
                except rotation.RotationError as exc:
                    db.session.rollback()
                    flash(str(exc), "danger")
                else:
                    db.session.commit()
                    flash(str(_l("%(count)s duty week(s) written.", count=count)), "success")
                    return redirect(url_for(f"{self.endpoint}.list"))
        windows = db.session.execute(
            sa.select(Window.id, Window.code, Window.name)
            .where(Window.kind == WindowKind.comprehensive, current_scope().clause(Window))
            .order_by(Window.code)
        ).all()
        return self.render_template(
            "govhall/people_form.html",
            title=_l("Generate a quarter's duty roster"),
            fields=[
                ("select", "window_id", _l("Comprehensive window"), [(i, f"{c} {n}") for i, c, n in windows]),
                ("select", "quarter_start", _l("Quarter starting"), [(q.isoformat(), q.isoformat()) for q in quarters]),
            ],
            form=form,
        )


class PersonnelChangeView(WorkflowView):
    datamodel = GovInterface(PersonnelChange, eager=("staff", "department", "to_department", "to_window"))
    class_permission_name = "PersonnelChange"
    base_permissions = ["can_read", "can_export", "can_act", "can_add"]
    method_permission_name = {**WorkflowView.method_permission_name, "request_change": "add"}
    service_add_form = "request_change"
    service_choices = {"staff_id": remote_select.Choices(Staff, _staff_to_change)}
    errors = (personnel.ChangeError,)
    list_title = _l("Personnel changes")
    show_title = _l("Personnel change")
    registry = PERSONNEL_CHANGE_FIELDS
    base_order = ("effective_on", "desc")

    def step_forms(self, item):
        if item.status is not ChangeStatus.pending:
            return []
        if item.requested_by_user_id is not None and item.requested_by_user_id == g.user.id:
            return []  # another center approver decides (services/personnel.py)
        return [
            {"step": "approve", "label": _l("Approve"), "fields": []},
            {"step": "reject", "label": _l("Reject"), "fields": [("textarea", "note", _l("Reason"), None)]},
        ]

    def run_step(self, item, step, version, form):
        action = personnel.ACTIONS.get(step)
        if action is None:
            raise personnel.ChangeError(_l("Unknown action."))
        inputs = {"note": form.get("note")}
        action(db.session, actor_for(g.user), item, version, clock.now(), personnel.Rules.load(db.session), **inputs)

    @expose("/request", methods=["GET", "POST"])
    @has_access
    def request_change(self):
        form = request.form
        if request.method == "POST":
            try:
                item = personnel.request_change(
                    db.session,
                    actor_for(g.user),
                    clock.now(),
                    personnel.Rules.load(db.session),
                    staff_id=int_or_none(form.get("staff_id")),
                    kind=form.get("kind", ""),
                    effective_on=_date(form.get("effective_on")),
                    reason=form.get("reason", ""),
                    to_window_id=int_or_none(form.get("to_window_id")),
                    to_position=form.get("to_position") or None,
                    to_rank=form.get("to_rank") or None,
                    to_department_id=int_or_none(form.get("to_department_id")),
                )
            except personnel.ChangeError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
            else:
                db.session.commit()
                flash(str(_l("Personnel change requested.")), "success")
                for warning in (item.eligibility_warning, item.successor_warning):
                    if warning:
                        flash(warning, "warning")
                return redirect(url_for(f"{self.endpoint}.show", pk=item.id))
        scope = current_scope()
        windows = db.session.execute(
            sa.select(Window.id, Window.code, Window.name).where(scope.clause(Window)).order_by(Window.code)
        ).all()
        fields = [
            ("select", "kind", _l("Kind of change"), [(k.name, k.label) for k in ChangeKind]),
            ("remote", "staff_id", _l("Staff member"), self.service_select("staff_id", form)),
            ("date", "effective_on", _l("Takes effect on"), None),
            ("optional", "to_window_id", _l("New window"), [(i, f"{c} {n}") for i, c, n in windows]),
            ("optional", "to_position", _l("New position"), [(p.name, p.label) for p in StaffPosition]),
            ("optional", "to_rank", _l("New rank (promotion)"), [(r.name, r.label) for r in StaffRank][1:]),
            ("textarea", "reason", _l("Reason"), None),
        ]
        if scope.spans_departments:  # the center's own reassignment: a transfer in names the department
            departments = personnel.department_choices(db.session)
            fields.insert(3, ("optional", "to_department_id", _l("Into department (transfer in)"), departments))
        return self.render_template(
            "govhall/people_form.html", title=_l("Request a personnel change"), fields=fields, form=form
        )
