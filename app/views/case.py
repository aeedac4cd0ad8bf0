"""Case views: the list, the case page with its timeline and actions, print pages, violations, API."""

from datetime import datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.api import expose as api_expose
from flask_appbuilder.api import protect, safe
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from app import clock as wall_clock
from app.extensions import db
from app.fields.case import CASE_FIELDS, VIOLATION_FIELDS
from app.http_guard import int_or_none
from app.models.application import Application
from app.models.case import (
    OPEN_STATUSES,
    Case,
    CaseAction,
    CaseResult,
    CaseStatus,
    CaseTask,
    Channel,
    DeliveryMethod,
    Light,
    TaskStatus,
    Violation,
    ViolationKind,
    ViolationStatus,
)
from app.models.correction import CorrectionRequest, CorrectionStatus
from app.models.matter import CaseKind, Matter
from app.models.org import Department, Staff
from app.models.proxy import CaseProxy
from app.security import actor_for, current_scope
from app.services import calendar as calendar_service
from app.services import case_flow, green_channel, pending_violations, tolerated
from app.services.appeals import AppealError
from app.services.case_flow import CaseError, defaults
from app.services.case_flow.guards import require_decision, require_denial_reason
from app.services.case_flow.reception import co_department_choices
from app.services.case_light import case_light, light_sql, open_with_light
from app.services.idnumber import mask, mask_phone
from app.views import remote_select
from app.views.api import GovModelApi, require_csrf_for_session_auth
from app.views.interface import GovInterface
from app.views.lights import light_badge, light_text
from app.views.model_view import GovModelView
from app.views.scoping import ScopeFilter
from app.views.workflow import WorkflowView
from config import ROLE_DUTIES

# Applicants' personal data and its masks. Lists, exports and the API search these columns by
# their whole value only and never sort by them (GovInterface), or the hidden digits come back.
MASKS = {"applicant_id_number": mask, "applicant_phone": mask_phone}


def _request_now():
    if "govhall_now" not in g:
        g.govhall_now = wall_clock.now()
        g.govhall_calendar = calendar_service.load(db.session)
    return g.govhall_now, g.govhall_calendar


class CaseInterface(GovInterface):
    """The case list's light cell is case_light's (the case page's, the dashboard's, the API's),
    computed for the page's rows at the request's `now`; the export's is its SQL twin."""

    def get_values(self, lst, list_columns):
        now, cal = _request_now()
        for item, row in zip(lst, super().get_values(lst, list_columns), strict=True):
            if "light" in row:
                row["light"] = light_badge(item, case_light(item, now, cal))
            yield row

    def get_order_columns_list(self, list_columns=None):
        # The stored light is the warning scan's bookkeeping, not the light shown: no sorting by it.
        return [col for col in super().get_order_columns_list(list_columns) if col != "light"]

    def column_expression(self, name):
        if name == "light":
            return light_sql(wall_clock.now())
        return super().column_expression(name)


def _exported_light(value):
    return str(Light[value].label) if value else ""


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
        # The dashboard's red and yellow tiles open these: the same cases, by case_light's rule.
        if quick == "overdue":
            return query.filter(open_with_light(Light.red, wall_clock.now()))
        if quick == "due_soon":
            return query.filter(open_with_light(Light.yellow, wall_clock.now()))
        # 容缺受理: open cases still waiting for a tolerated material; those past a due date.
        if quick == "tolerated":
            return query.filter(tolerated.still_missing())
        if quick == "tolerated_overdue":
            return query.filter(tolerated.still_missing(wall_clock.now().date()))
        # 延时服务 (the bare column: SQLite matches it to the partial index ix_case_delayed_accepted).
        if quick == "delayed":
            return query.filter(Case.delayed_service)
        return query


ACTION_FORMS = {
    # action: [(field, kind, label, required)]
    "forward": [
        ("assignee_id", "staff", _l("Assign to"), False),
        ("next_step", "check", _l("Move to the next step"), False),
        ("note", "text", _l("Note"), False),
    ],
    "request_supplement": [
        ("materials", "materials", _l("Missing materials"), True),
        # Required from the second request on (the handler checks): its reason.
        ("note", "text", _l("Note (a further request: its reason)"), False),
    ],
    "receive_supplement": [
        # A joint case (联办) held at intake names its co-departments when accepted, as intake does
        # (forms_for offers the field only then).
        ("co_department_ids", "co_departments", _l("Co-departments"), True),
        ("note", "text", _l("Note"), False),
    ],
    "start_special": [("note", "text", _l("Procedure and reason"), True)],
    "end_special": [("note", "text", _l("Note"), False)],
    "escalate": [("note", "text", _l("Note"), False)],
    "receive_escalation_result": [("note", "text", _l("Result"), False)],
    "extend": [("days", "number", _l("Working days"), True), ("reason", "text", _l("Written reason"), True)],
    "return_case": [
        ("reason", "text", _l("Reason"), True),
        # 000 第十二条: 退件时，应在系统相应位注明退件理由及当事人意见.
        ("applicant_opinion", "text", _l("Applicant's opinion"), False),
        ("passive", "check", _l("Passive return (abandoned)"), False),
    ],
    "complete": [
        ("approved", "decision", _l("Decision"), True),
        ("fee", "money", _l("Fee (yuan)"), False),
        ("note", "text", _l("Note (a denial: its written reason)"), False),
    ],
    "withdraw": [("note", "text", _l("Applicant's request"), True)],
    "issue_default_approval": [("note", "text", _l("Note"), False)],
    "default_task": [("task_id", "overdue_task", _l("Joint task"), True), ("note", "text", _l("Note"), False)],
    "complete_task": [("note", "text", _l("Note"), False)],
    # 急办件: the center leads an urgent joint case (case_flow/coordination.py).
    "remind_task": [("task_id", "open_task", _l("Joint task"), True), ("note", "text", _l("Note"), False)],
    "reassign_task": [
        ("task_id", "open_task", _l("Joint task"), True),
        ("assignee_id", "task_staff", _l("Assign to"), True),
        ("note", "text", _l("Note"), False),
    ],
    "receive_tolerated": [
        ("material_ids", "tolerated", _l("Tolerated materials received"), True),
        ("note", "text", _l("Note"), False),
    ],
    "accept_escalation": [],
    "hand_over": [("note", "text", _l("Note"), False)],
    "receive_handoff": [("note", "text", _l("Note"), False)],
    "deliver": [
        ("method", "delivery", _l("Delivered"), True),
        ("receiver", "line", _l("Received by"), True),
        ("delivered_on", "date", _l("Delivery date"), False),
        # Only a case decided at this center (a full-service matter, no county case) takes these.
        ("approved", "own_decision", _l("Decision"), False),
        ("fee", "own_fee", _l("Fee (yuan)"), False),
        ("note", "text", _l("Note"), False),
    ],
}


def forms_for(case):
    """The action forms of this case: a result from the county is delivered as it is, without a
    decision; the co-departments are named on receiving materials only by a joint case held at intake."""
    forms = dict(ACTION_FORMS)
    if not names_co_departments(case):
        forms["receive_supplement"] = [f for f in forms["receive_supplement"] if f[1] != "co_departments"]
    if case.children:
        own = ("own_decision", "own_fee")
        forms["deliver"] = [field for field in forms["deliver"] if field[1] not in own]
    return forms


def names_co_departments(case) -> bool:
    """A joint case (联办) not yet accepted: the materials completing it accept it, naming its co-departments."""
    return case.kind is CaseKind.joint and case.status is CaseStatus.submitted


DECISIONS = {"approve": True, "deny": False}
DECISION_KINDS = ("decision", "own_decision")


def decides(case, action) -> bool:
    """Does this action record a decision on this case (办结, or a township's own decision at 送达)?
    Such a decision is confirmed on a page of its own, naming it, before it is recorded."""
    return any(kind in DECISION_KINDS for _name, kind, _label, _required in forms_for(case).get(action, []))


def action_inputs(action, form, case, actor):
    """Form fields → keyword inputs of the action; raises CaseError on unreadable values."""
    inputs = {}
    for name, kind, _label, _required in ACTION_FORMS.get(action, []):
        raw = form.get(name, "")
        if kind == "check":
            inputs[name] = raw in ("on", "1", "true", "y")
        elif kind == "lines":
            inputs[name] = [line.strip() for line in raw.splitlines() if line.strip()]
        elif kind == "materials":
            # The matter's materials ticked, then any others written one per line.
            ticked = set(form.getlist("material_ids"))
            lines = [line.strip() for line in raw.splitlines() if line.strip()]
            inputs[name] = [m.name for m in case.matter.materials if str(m.id) in ticked] + lines
        elif kind == "number":
            if not raw.strip().isdigit():
                raise CaseError(_l("Enter a whole number of working days."))
            inputs[name] = int(raw)
        elif kind in ("money", "own_fee"):
            try:
                inputs[name] = Decimal(raw) if raw.strip() else None
            except InvalidOperation:
                raise CaseError(_l("Enter an amount in yuan.")) from None
        elif kind in DECISION_KINDS:
            # Said, never assumed: without a choice the service refuses the completion.
            inputs[name] = DECISIONS.get(raw)

        elif kind == "tolerated":
            inputs[name] = form.getlist(name)
        elif kind in ("staff", "overdue_task", "open_task", "task_staff"):
            inputs[name] = int(raw) if raw.isascii() and raw.isdigit() else None
        elif kind == "co_departments":
            # Anything not a department id is kept as None, for the service to refuse.
            inputs[name] = tuple(int_or_none(value) for value in form.getlist("co_departments"))
        else:
            inputs[name] = raw
    if action == "complete_task":
        task = next((t for t in case.tasks if t.department_id == actor.department_id), None)
        inputs["task_id"] = task.id if task else None
    return inputs


def not_received(case) -> set[str]:
    """The matter's materials not received at intake (its first event says which were), which the
    supplement form marks among its ticks."""
    first = case.events[0] if case.events else None
    if first is not None and first.action is CaseAction.accept:
        received = set(first.materials or ())
    elif first is not None and first.data and "received" in first.data:
        received = set(first.data["received"])
    else:
        return set()
    return {m.name for m in case.matter.materials} - received


def denial_of(case):
    """The event that denied the case (complete, or a township's own decision at 送达), or None."""
    if case.result is not CaseResult.denied:
        return None
    deciding = (CaseAction.complete, CaseAction.deliver)
    return next((e for e in reversed(case.events) if e.action in deciding), None)


def proxy_of(case):
    """The case's 全程代办 record, if the user's scope reads it."""
    return db.session.scalar(
        sa.select(CaseProxy).where(CaseProxy.case_id == case.id, current_scope().clause(CaseProxy))
    )


def online_application_of(case):
    """The online application (网上申报) a case was accepted from, with its material files, if the
    user's scope reads it; looked up only for a case of the online channel."""
    if case.channel is not Channel.online:
        return None
    return db.session.scalar(
        sa.select(Application).where(Application.case_id == case.id, current_scope().row_clause(Application))
    )


def late_entry_flag(case) -> bool:
    """Was the case entered late into the system (a late_entry violation recorded with it)?"""
    if case.received_at is None:
        return False
    return db.session.scalar(
        sa.select(sa.exists().where(Violation.case_id == case.id, Violation.kind == ViolationKind.late_entry))
    )


def in_own_scope(case) -> bool:
    """A case of the user's own lists, not one opened through a joint task (whose facts the lead
    department corrects)."""
    return db.session.scalar(sa.select(Case.id).where(Case.id == case.id, current_scope().clause(Case))) is not None


def timeline(case):
    """The case's events and its data correction requests (filed, then decided), oldest first."""
    corrections = db.session.scalars(
        sa.select(CorrectionRequest).where(CorrectionRequest.case_id == case.id).order_by(CorrectionRequest.id)
    ).all()
    entries = [(event.at, 0, event.id, "event", event) for event in case.events]
    entries += [(item.requested_at, 1, item.id, "correction", item) for item in corrections]
    # An applied correction is an event of the case already; a rejection is shown from the request.
    entries += [
        (item.decided_at, 2, item.id, "decision", item)
        for item in corrections
        if item.decided_at and item.status is not CorrectionStatus.applied
    ]
    return [(kind, item) for _at, _order, _id, kind, item in sorted(entries, key=lambda entry: entry[:3])]


class CaseView(GovModelView):
    datamodel = CaseInterface(Case, eager=("matter", "department"), masked=MASKS)
    scope_filter_class = CaseScopeFilter
    class_permission_name = "Case"
    base_permissions = ["can_read", "can_export", "can_act"]
    method_permission_name = {
        **GovModelView.method_permission_name,
        "act": "act",
        "receipt": "read",
        "supplement_notice": "read",
        "denial_decision": "read",
        "default_notice": "read",
        "commitment": "read",
    }
    base_filters = [["id", QuickFilter, lambda: None]]
    list_choices = {
        "matter_id": remote_select.Choices(
            Matter, lambda: db.session.query(Matter).filter(current_scope().clause(Matter))
        )
    }
    label_columns = {**GovModelView.label_columns, "kind": _l("Case kind"), "status": _l("Case status")}
    list_title = _l("Cases")
    show_title = _l("Case")
    registry = CASE_FIELDS
    base_order = ("accepted_at", "desc")
    formatters_columns = MASKS
    export_formatters = {**MASKS, "light": _exported_light}
    show_template = "govhall/case_show.html"
    list_template = "govhall/case_list.html"

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            # The list's own filters instead of FAB's relationship filters, which built ~400
            # ORM-backed options and ran two queries each on every page (17 ms at 1M cases):
            # departments as a plain select, matters searched as you type (list_choices).
            scope = current_scope()
            departments = []
            if scope.spans_departments:
                departments = db.session.execute(
                    sa.select(Department.id, Department.name)
                    .where(scope.clause(Department))
                    .order_by(Department.sort_order)
                ).all()
            kwargs.update(
                matter_select=self.list_select("matter_id", request.args.get("matter_id")),
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
        sm = self.appbuilder.sm
        entries = timeline(case)
        return self.render_template(
            self.show_template,
            case=case,
            now=now,
            shown=case_light(case, now, cal),
            not_received=not_received(case),
            light_text=light_text,
            actions=case_flow.available_actions(actor, case, now) if sm.has_access("can_act", "Case") else [],
            forms=forms_for(case),
            co_departments=co_department_choices(db.session, case.matter) if names_co_departments(case) else [],
            overdue_tasks=defaults.overdue_tasks(case, now),
            default_notices=defaults.notices_of(case),
            delivery_methods=list(DeliveryMethod),
            action_labels={a.name: a.label for a in CaseAction},
            staff=staff,
            late_entry=late_entry_flag(case),
            denied=denial_of(case) is not None,
            timeline=entries,
            corrections_filed=any(kind == "correction" for kind, _item in entries),
            may_request_correction=sm.has_access("can_add", "CorrectionRequest") and in_own_scope(case),
            may_read_corrections=sm.has_access("can_read", "CorrectionRequest"),
            open_tasks=[t for t in case.tasks if t.status is TaskStatus.open],
            task_staff=green_channel.task_staff(db.session, case) if case.kind is CaseKind.urgent else {},
            proxy=proxy_of(case) if sm.has_access("can_read", "CaseProxy") else None,
            may_assign_proxy=sm.has_access("can_add", "CaseProxy") and case.is_open,
            application=online_application_of(case) if sm.has_access("can_read", "Application") else None,
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
            if decides(case, action) and request.form.get("confirmed") != "yes":
                if not require_decision(inputs.get("approved")):
                    require_denial_reason(inputs.get("note"))
                return self._confirm(case, action, inputs)
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

    def _confirm(self, case, action, inputs):
        """The step before a decision is recorded: what will be decided, to confirm or go back."""
        kept = [(k, v) for k, v in request.form.items(multi=True) if k not in ("csrf_token", "confirmed")]
        return self.render_template(
            "govhall/case_confirm.html",
            case=case,
            action=action,
            action_label=CaseAction[action].label,
            approved=inputs["approved"],
            fee=inputs.get("fee"),
            note=inputs.get("note"),
            kept=kept,
            title=_l("Confirm the decision"),
        )

    @expose("/receipt/<pk>")
    @has_access
    def receipt(self, pk):
        return self._print(pk, "govhall/print_receipt.html")

    @expose("/supplement-notice/<pk>")
    @has_access
    def supplement_notice(self, pk):
        return self._print(pk, "govhall/print_supplement.html")

    @expose("/denial-decision/<pk>")
    @has_access
    def denial_decision(self, pk):
        """不予许可决定书: the written denial with its reason (行政许可法 §38), for a denied case."""
        case = self._scoped_get(pk)
        decision = denial_of(case) if case is not None else None
        if decision is None:
            abort(404)
        from app.services import settings

        return self.render_template(
            "govhall/print_denial.html",
            case=case,
            decision=decision,
            center_name=settings.get(db.session, "center_name"),
        )

    @expose("/default-notice/<pk>/<int:event_id>")
    @has_access
    def default_notice(self, pk, event_id):
        """The 缺席默认通知书 a default on this case recorded (services/case_flow/defaults.py)."""
        case = self._scoped_get(pk)
        if case is None:
            abort(404)
        notice = next((e for e in defaults.notices_of(case) if e.id == event_id), None)
        if notice is None:
            abort(404)
        from app.services import settings

        return self.render_template(
            "govhall/print_default.html",
            case=case,
            notice=notice,
            department=db.session.get(Department, notice.data.get("department_id")) or case.department,
            deadline=datetime.fromisoformat(notice.data["deadline"]),
            center_name=settings.get(db.session, "center_name"),
        )

    @expose("/commitment/<pk>")
    @has_access
    def commitment(self, pk):
        """容缺受理承诺书: the applicant's commitment to bring the tolerated materials by their due dates."""
        case = self._scoped_get(pk)
        if case is None or not case.tolerated:
            abort(404)
        from app.services import settings

        return self.render_template(
            "govhall/print_commitment.html",
            case=case,
            mask=mask,
            center_name=settings.get(db.session, "center_name"),
        )

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

    # Every case the API returns carries case_light's light, days left and clock (running,
    # suspended: frozen, finished: final), as the case page and the list show them.
    def pre_get(self, data):
        self._add_lights([data["result"]], [data["id"]])

    def pre_get_list(self, data):
        self._add_lights(data["result"], data["ids"])

    def _add_lights(self, results, ids):
        now, cal = _request_now()
        cases = {case.id: case for case in db.session.scalars(sa.select(Case).where(Case.id.in_(ids)))}
        for result, pk in zip(results, ids, strict=True):
            result.update(case_light(cases[int(pk)], now, cal).as_dict())

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
              issue_default_approval, default_task, complete_task, accept_escalation, deliver, hand_over,
              receive_handoff, remind_task, reassign_task, receive_tolerated]}
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    version: {type: integer}
                    approved: {type: boolean, description: "complete (and a township's own decision at deliver):
                      true = approve, false = deny; required, never assumed"}
                    note: {type: string, description: "a denial (approved false): its written reason, required"}
                    applicant_opinion: {type: string, description: "return_case: the applicant's opinion"}
                    co_department_ids: {type: array, items: {type: integer}, description: "accept, and
                      receive_supplement of a joint case (联办) held at intake: its co-departments, at least one"}
                    task_id: {type: integer, description: "complete_task, default_task (缺席默认), remind_task and
                      reassign_task (急办件, the center): the joint task"}
                    material_ids: {type: array, items: {type: integer}, description: "receive_tolerated (容缺):
                      the case's tolerated materials (their ids on the case page) that arrived"}
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
