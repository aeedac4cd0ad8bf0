"""Case views: the list, the case page with its timeline and actions, print pages, violations, API."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.api import expose as api_expose
from flask_appbuilder.api import protect, safe
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app import clock as wall_clock
from app.extensions import db
from app.fields.case import CASE_FIELDS, VIOLATION_FIELDS
from app.http_guard import int_or_none
from app.models.case import (
    OPEN_STATUSES,
    RUNNING_STATUSES,
    Case,
    CaseAction,
    CaseTask,
    Light,
    Violation,
    ViolationStatus,
)
from app.models.matter import Matter
from app.models.org import Department, Staff
from app.security import actor_for, current_scope
from app.services import calendar as calendar_service
from app.services import case_flow, pending_violations
from app.services.appeals import AppealError
from app.services.case_flow import CaseError
from app.services.idnumber import mask, mask_phone
from app.services.warnings import light
from app.views.api import GovModelApi, require_csrf_for_session_auth
from app.views.interface import GovInterface
from app.views.model_view import GovModelView
from app.views.scoping import ScopeFilter
from app.views.workflow import WorkflowView
from config import ROLE_DUTIES

LIGHT_LABELS = {"green": _l("On time"), "yellow": _l("Due soon"), "red": _l("Overdue")}

# Applicants' personal data and its masks. Lists, exports and the API search these columns by
# their whole value only and never sort by them (GovInterface), or the hidden digits come back.
MASKS = {"applicant_id_number": mask, "applicant_phone": mask_phone}


def _request_now():
    if "govhall_now" not in g:
        g.govhall_now = wall_clock.now()
        g.govhall_calendar = calendar_service.load(db.session)
    return g.govhall_now, g.govhall_calendar


def light_badge(value):
    """List cell: the stored light (kept current by actions and the warning scan; none once closed)."""
    # FAB passes an enum column's value (its label), not the member.
    light = Light.from_label(str(value)) if value is not None else None
    if light is None:
        return ""
    return Markup(f'<span class="govhall-light govhall-light-{light.name}"></span>{escape(light.label)}')


class CaseScopeFilter(ScopeFilter):
    """Row scope for the case list; ?quick=joint widens it to the joint cases the
    department has a task in (a short list, driven by the task index)."""

    def apply(self, query, value):
        if request.args.get("quick") == "joint":
            return query.filter(current_scope().row_clause(Case))
        return super().apply(query, value)


class QuickFilter(BaseFilter):
    """?quick=mine|open|overdue|due_soon|joint: the everyday lists, also honoured by the export."""

    name = "quick"

    def apply(self, query, value):
        matter_id = int_or_none(request.args.get("matter_id"))
        if matter_id is not None:
            query = query.filter(Case.matter_id == matter_id)
        department_id = int_or_none(request.args.get("department_id"))
        if department_id is not None:
            query = query.filter(Case.department_id == department_id)
        quick = request.args.get("quick")
        if quick == "joint":
            # Cases with a task of a department in scope (a department user: its own department's).
            tasks = sa.select(CaseTask.case_id).where(current_scope().clause(CaseTask))
            return query.filter(Case.id.in_(tasks))
        if quick == "mine":
            staff_id = current_scope().staff_id
            return query.filter(Case.assignee_id == staff_id) if staff_id else query.filter(sa.false())
        if quick == "open":
            return query.filter(Case.status.in_(OPEN_STATUSES))
        now = wall_clock.now()
        if quick == "overdue":
            return query.filter(Case.status.in_(RUNNING_STATUSES), Case.deadline_at < now)
        if quick == "due_soon":
            return query.filter(
                Case.status.in_(RUNNING_STATUSES), Case.deadline_at >= now, Case.deadline_at < now + timedelta(days=3)
            )
        return query


ACTION_FORMS = {
    # action: [(field, kind, label, required)]
    "forward": [
        ("assignee_id", "staff", _l("Assign to"), False),
        ("next_step", "check", _l("Move to the next step"), False),
        ("note", "text", _l("Note"), False),
    ],
    "request_supplement": [
        ("materials", "lines", _l("Missing materials (one per line)"), True),
        # Required from the second request on (the handler checks): its reason.
        ("note", "text", _l("Note (a further request: its reason)"), False),
    ],
    "receive_supplement": [("note", "text", _l("Note"), False)],
    "start_special": [("note", "text", _l("Procedure and reason"), True)],
    "end_special": [("note", "text", _l("Note"), False)],
    "escalate": [("note", "text", _l("Note"), False)],
    "receive_escalation_result": [("note", "text", _l("Result"), False)],
    "extend": [("days", "number", _l("Working days"), True), ("reason", "text", _l("Written reason"), True)],
    "return_case": [
        ("reason", "text", _l("Reason"), True),
        ("passive", "check", _l("Passive return (abandoned)"), False),
    ],
    "complete": [
        ("approved", "decision", _l("Decision"), True),
        ("fee", "money", _l("Fee (yuan)"), False),
        ("note", "text", _l("Note"), False),
    ],
    "withdraw": [("note", "text", _l("Applicant's request"), True)],
    "issue_default_approval": [("note", "text", _l("Note"), False)],
    "complete_task": [("note", "text", _l("Note"), False)],
}


def action_inputs(action, form, case, actor):
    """Form fields → keyword inputs of the action; raises CaseError on unreadable values."""
    inputs = {}
    for name, kind, _label, _required in ACTION_FORMS.get(action, []):
        raw = form.get(name, "")
        if kind == "check":
            inputs[name] = raw in ("on", "1", "true", "y")
        elif kind == "lines":
            inputs[name] = [line.strip() for line in raw.splitlines() if line.strip()]
        elif kind == "number":
            if not raw.strip().isdigit():
                raise CaseError(_l("Enter a whole number of working days."))
            inputs[name] = int(raw)
        elif kind == "money":
            try:
                inputs[name] = Decimal(raw) if raw.strip() else None
            except InvalidOperation:
                raise CaseError(_l("Enter an amount in yuan.")) from None
        elif kind == "decision":
            inputs[name] = raw != "deny"
        elif kind == "staff":
            inputs[name] = int(raw) if raw.isdigit() else None
        else:
            inputs[name] = raw
    if action == "complete_task":
        task = next((t for t in case.tasks if t.department_id == actor.department_id), None)
        inputs["task_id"] = task.id if task else None
    return inputs


class CaseView(GovModelView):
    datamodel = GovInterface(Case, eager=("matter", "department"), masked=MASKS)
    scope_filter_class = CaseScopeFilter
    class_permission_name = "Case"
    base_permissions = ["can_read", "can_export", "can_act"]
    method_permission_name = {
        **GovModelView.method_permission_name,
        "act": "act",
        "receipt": "read",
        "supplement_notice": "read",
    }
    base_filters = [["id", QuickFilter, lambda: None]]
    label_columns = {**GovModelView.label_columns, "kind": _l("Case kind"), "status": _l("Case status")}
    list_title = _l("Cases")
    show_title = _l("Case")
    registry = CASE_FIELDS
    base_order = ("accepted_at", "desc")
    formatters_columns = {**MASKS, "light": light_badge}
    export_formatters = MASKS
    show_template = "govhall/case_show.html"
    list_template = "govhall/case_list.html"

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            # Plain <select>s of matters and departments instead of FAB's relationship
            # filters, which build ~400 ORM-backed options and run two queries each on
            # every list page (17 ms at 1M cases).
            scope = current_scope()
            query = sa.select(Matter.id, Matter.code, Matter.name).where(scope.clause(Matter)).order_by(Matter.code)
            departments = []
            if scope.spans_departments:
                departments = db.session.execute(
                    sa.select(Department.id, Department.name)
                    .where(scope.clause(Department))
                    .order_by(Department.sort_order)
                ).all()
            kwargs.update(
                matter_choices=db.session.execute(query).all(),
                department_choices=departments,
                quick=request.args.get("quick", ""),
                matter_id=request.args.get("matter_id", ""),
                department_id=request.args.get("department_id", ""),
            )
        return super().render_template(template, **kwargs)

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        case = self._scoped_get(pk)
        if case is None:
            abort(404)
        now, cal = _request_now()
        actor = actor_for(g.user)
        staff = db.session.scalars(
            sa.select(Staff).where(Staff.department_id == case.department_id).order_by(Staff.staff_no)
        ).all()
        return self.render_template(
            self.show_template,
            case=case,
            now=now,
            light=light(case.deadline_at, case.limit_days, now, cal),
            days_left=case_flow.working_days_left(case, now, cal),
            actions=case_flow.available_actions(actor, case, now)
            if self.appbuilder.sm.has_access("can_act", "Case")
            else [],
            forms=ACTION_FORMS,
            action_labels={a.name: a.label for a in CaseAction},
            staff=staff,
            light_labels=LIGHT_LABELS,
            mask=mask,
            mask_phone=mask_phone,
            title=self.show_title,
        )

    @expose("/act/<pk>/<action>", methods=["POST"])
    @has_access
    def act(self, pk, action):
        case = self._scoped_get(pk)
        if case is None:
            abort(404)
        actor = actor_for(g.user)
        try:
            inputs = action_inputs(action, request.form, case, actor)
            outcome = case_flow.perform(
                db.session, actor, case.id, request.form.get("version"), wall_clock.now(), action, **inputs
            )
        except CaseError as exc:
            flash(str(exc), "danger")
        else:
            flash(str(_l("%(action)s: done.", action=outcome.event.action.label)), "success")
            for violation in outcome.violations:
                flash(str(_l("Recorded for supervision: %(detail)s", detail=violation.detail)), "warning")
        return redirect(url_for("CaseView.show", pk=pk))

    @expose("/receipt/<pk>")
    @has_access
    def receipt(self, pk):
        return self._print(pk, "govhall/print_receipt.html")

    @expose("/supplement-notice/<pk>")
    @has_access
    def supplement_notice(self, pk):
        return self._print(pk, "govhall/print_supplement.html")

    def _print(self, pk, template):
        case = self._scoped_get(pk)
        if case is None:
            abort(404)
        notice = next((e for e in reversed(case.events) if e.action is CaseAction.request_supplement), None)
        from app.services import settings

        return self.render_template(
            template, case=case, notice=notice, mask=mask, center_name=settings.get(db.session, "center_name")
        )


class ViolationView(WorkflowView):
    """Detected violations; a supervisor confirms or dismisses the ones to be confirmed
    (a second supplement request, services/pending_violations.py)."""

    datamodel = GovInterface(Violation, eager=("case", "department", "staff"))
    class_permission_name = "Violation"
    errors = (AppealError,)
    list_title = _l("Detected violations")
    show_title = _l("Violation")
    registry = VIOLATION_FIELDS
    base_order = ("at", "desc")

    def step_forms(self, item):
        if item.status is not ViolationStatus.pending or not actor_for(g.user).roles & ROLE_DUTIES["appeal_review"]:
            return []
        return [
            {"step": "confirm", "label": _l("Confirm the violation"), "fields": []},
            {
                "step": "dismiss",
                "label": _l("Dismiss: the request was justified"),
                "fields": [("textarea", "note", _l("Reason"), None)],
            },
        ]

    def run_step(self, item, step, version, form):
        if step not in ("confirm", "dismiss"):
            raise AppealError(_l("Unknown action."))
        actor = actor_for(g.user)
        pending_violations.decide(
            db.session, actor, item, wall_clock.now(), confirm=step == "confirm", note=form.get("note")
        )


class CaseApi(GovModelApi):
    resource_name = "case"
    class_permission_name = "Case"
    datamodel = GovInterface(Case, masked=MASKS)
    method_permission_name = {**GovModelApi.method_permission_name, "act": "act"}
    include_route_methods = {"get", "get_list", "info", "act"}
    registry = CASE_FIELDS
    order_columns = ["accepted_at", "deadline_at", "number"]

    @api_expose("/<int:pk>/action/<action>", methods=["POST"])
    @protect()
    @safe
    def act(self, pk, action):
        """Run a case action.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          - in: path
            name: action
            schema: {type: string, enum: [accept, forward, request_supplement, receive_supplement, start_special,
              end_special, escalate, receive_escalation_result, extend, return_case, complete, withdraw,
              issue_default_approval, complete_task]}
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    version: {type: integer}
          responses:
            200: {description: Done}
            404: {$ref: '#/components/responses/404'}
            409: {description: The case changed since the given version}
            422: {description: The action is not allowed}
        """
        require_csrf_for_session_auth()
        case = self.datamodel.get(pk, self._base_filters)
        if case is None:
            return self.response_404()
        body = request.get_json(silent=True) or {}
        inputs = {k: v for k, v in body.items() if k != "version"}
        try:
            outcome = case_flow.perform(
                db.session, actor_for(g.user), case.id, body.get("version"), wall_clock.now(), action, **inputs
            )
        except case_flow.StaleCase as exc:
            return self.response(409, message=str(exc))
        except CaseError as exc:
            return self.response_422(message=str(exc))
        except TypeError:
            return self.response_400(message=str(_l("Unknown input for this action.")))
        return self.response(
            200,
            status=outcome.case.status.name,
            version=outcome.case.version,
            deadline_at=outcome.case.deadline_at.isoformat() if outcome.case.deadline_at else None,
        )
