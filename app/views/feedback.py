"""Back office for what the public says: evaluations, rectifications, complaints.

Lists, search and export are FAB's; each workflow step is a small form on the
record's page posting to /act/<pk>/<step>, which calls the service (the rules
live there) and reports its Chinese message.
"""

import sqlalchemy as sa
from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_babel import lazy_gettext as _l

from app import clock
from app.extensions import db
from app.fields.feedback import (
    COMPLAINT_FIELDS,
    EVALUATION_FIELDS,
    RECTIFICATION_FIELDS,
    RECTIFICATION_ORDER_FIELDS,
)
from app.http_guard import int_or_none
from app.models.case import Case
from app.models.feedback import (
    LEVEL_LABELS,
    Complaint,
    ComplaintChannel,
    ComplaintFinding,
    ComplaintStage,
    Evaluation,
    EvaluationChannel,
    OrderStatus,
    Rectification,
    RectificationOrder,
    RectificationStatus,
    SanctionKind,
    Verdict,
)
from app.models.org import Center, Department, RecordStatus, Staff, StaffStatus, Window
from app.security import actor_for, current_scope
from app.services import complaints, evaluations, rectification_orders, rectifications
from app.services.idnumber import mask_phone
from app.views import remote_select
from app.views.interface import GovInterface
from app.views.labels import LABELS
from app.views.model_view import GovModelView
from app.views.rating_form import capture_from_form
from app.views.workflow import WorkflowView
from config import ROLE_DUTIES

CONTACT_ROLES = ROLE_DUTIES["feedback_handling"]


def _may_see_contact() -> bool:
    return bool({role.name for role in g.user.roles} & CONTACT_ROLES)


def _contact_phone(value):
    """Complainants' phones: handlers and supervisors only."""
    return value if _may_see_contact() else mask_phone(value)


def _contact_name(value):
    return value if _may_see_contact() else ("*" if value else "")


def _choices(model):
    """(id, name) of a model's records in use, for the registration form's selects."""
    in_use = model.status == (StaffStatus.active if model is Staff else RecordStatus.active)
    return db.session.execute(sa.select(model.id, model.name).where(in_use).order_by(model.name)).all()


def _level(value):
    return f"{value} {LEVEL_LABELS.get(value, '')}"


class EvaluationView(GovModelView):
    datamodel = GovInterface(Evaluation, eager=("case", "department", "window", "staff"))
    class_permission_name = "Evaluation"
    base_permissions = ["can_read", "can_export", "can_add"]
    method_permission_name = {**GovModelView.method_permission_name, "record": "add"}
    service_add_form = "record"
    list_title = _l("Evaluations")
    show_title = _l("Evaluation")
    registry = EVALUATION_FIELDS
    base_order = ("created_at", "desc")
    formatters_columns = {"level": _level}
    label_columns = {**LABELS, "level": _l("Rating")}
    list_template = "govhall/evaluation_list.html"

    @expose("/record", methods=["GET", "POST"])
    @has_access
    def record(self):
        """An evaluation taken by phone or SMS (好差评 回访)."""
        if request.method == "POST":
            number = (request.form.get("number") or "").strip().upper()[:40]
            case = db.session.scalar(sa.select(Case).where(Case.number == number, current_scope().row_clause(Case)))
            if case is None:
                flash(str(_l("No case with this number in your scope.")), "danger")
            elif capture_from_form(case, EvaluationChannel.phone, _l("Evaluation recorded.")):
                return redirect(url_for("EvaluationView.list"))
        return self.render_template(
            "govhall/evaluation_record.html",
            title=_l("Record an evaluation by phone"),
            levels=sorted(LEVEL_LABELS.items(), reverse=True),
            tags=evaluations.TAGS,
        )


class RectificationView(WorkflowView):
    datamodel = GovInterface(Rectification, eager=("evaluation", "department", "assignee"))
    class_permission_name = "Rectification"
    errors = (rectifications.RectificationError,)
    list_title = _l("Bad-review rectifications")
    show_title = _l("Rectification")
    registry = RECTIFICATION_FIELDS
    base_order = ("opened_at", "desc")
    list_template = "govhall/rectification_list.html"

    def step_forms(self, item):
        forms = {
            RectificationStatus.open: {
                "step": "contact",
                "label": _l("Applicant contacted"),
                "fields": [("textarea", "note", _l("How and what was said"), None)],
            },
            RectificationStatus.contacted: {
                "step": "rectify",
                "label": _l("Rectified"),
                "fields": [("textarea", "measures", _l("Measures taken"), None)],
            },
            RectificationStatus.rectified: {
                "step": "close",
                "label": _l("Close with the applicant's verdict"),
                "fields": [("select", "verdict", _l("Verdict"), [(v.name, v.label) for v in Verdict])],
            },
        }
        form = forms.get(item.status)
        return [form] if form else []

    def run_step(self, item, step, version, form):
        action = rectifications.ACTIONS.get(step)
        if action is None:
            raise rectifications.RectificationError(_l("Unknown action."))
        inputs = {"contact": {"note": form.get("note")}, "rectify": {"measures": form.get("measures")}}.get(
            step, {"verdict": form.get("verdict")}
        )
        action(db.session, actor_for(g.user), item, version, clock.now(), **inputs)

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            now = clock.now()
            kwargs["rates"] = rectifications.rates(db.session, now.replace(month=1, day=1, hour=0, minute=0), now)
        return super().render_template(template, **kwargs)


class ComplaintView(WorkflowView):
    datamodel = GovInterface(Complaint, eager=("department", "window", "staff"))
    class_permission_name = "Complaint"
    base_permissions = ["can_read", "can_export", "can_act", "can_add"]
    method_permission_name = {**WorkflowView.method_permission_name, "register": "add"}
    service_add_form = "register"
    service_choices = {
        "staff_id": remote_select.Choices(
            Staff, lambda: db.session.query(Staff).filter(Staff.status == StaffStatus.active)
        )
    }
    errors = (complaints.ComplaintError,)
    list_title = _l("Complaints")
    show_title = _l("Complaint")
    registry = COMPLAINT_FIELDS
    base_order = ("filed_at", "desc")
    formatters_columns = {"complainant_phone": _contact_phone, "complainant_name": _contact_name}
    label_columns = {**LABELS, "number": _l("Tracking number")}
    export_formatters = formatters_columns
    list_template = "govhall/complaint_list.html"

    def step_forms(self, item):
        findings = [(f.name, f.label) for f in ComplaintFinding]
        forms = {
            ComplaintStage.received: {"step": "receive", "label": _l("Receive and handle it myself"), "fields": []},
            ComplaintStage.investigating: {
                "step": "investigate",
                "label": _l("Record the investigation"),
                "fields": [
                    ("select", "finding", _l("Finding"), findings),
                    ("textarea", "note", _l("What the investigation found"), None),
                ],
            },
            ComplaintStage.handling: {
                "step": "handle",
                "label": _l("Reply and decide"),
                "fields": [
                    ("textarea", "note", _l("Reply to the complainant"), None),
                    ("checkboxes", "sanctions", _l("Sanctions"), [(k.name, k.label) for k in SanctionKind]),
                    (
                        "textarea_optional",
                        "requirement",
                        _l("Rectification requirement (substantiated complaints; leave blank for the standard text)"),
                        None,
                    ),
                ],
            },
            ComplaintStage.replied: {
                "step": "callback",
                "label": _l("Record the call back"),
                "fields": [
                    ("textarea", "note", _l("What the complainant said"), None),
                    ("select", "satisfied", _l("Satisfied with the handling"), [("yes", _l("Yes")), ("no", _l("No"))]),
                ],
            },
            ComplaintStage.called_back: {"step": "archive", "label": _l("Archive"), "fields": []},
        }
        form = forms.get(item.stage)
        return [form] if form else []

    def run_step(self, item, step, version, form):
        complaints.act(
            db.session,
            actor_for(g.user),
            item,
            version,
            clock.now(),
            complaints.load_limits(db.session),
            step,
            finding=form.get("finding"),
            note=form.get("note"),
            sanctions=form.getlist("sanctions"),
            satisfied=form.get("satisfied"),
            requirement=form.get("requirement"),
        )

    @expose("/register", methods=["GET", "POST"])
    @has_access
    def register(self):
        """A complaint taken by phone, from the mailbox or transferred by the 12345 hotline."""
        form = request.form
        if request.method == "POST":
            number = (form.get("case_number") or "").strip().upper()[:40]
            case_id = db.session.scalar(sa.select(Case.id).where(Case.number == number)) if number else None
            filing = complaints.Filing(
                subject=form.get("subject", ""),
                content=form.get("content", ""),
                complainant_name=form.get("name", ""),
                complainant_phone=form.get("phone", ""),
                department_id=int_or_none(form.get("department_id")),
                window_id=int_or_none(form.get("window_id")),
                staff_id=int_or_none(form.get("staff_id")),
                case_id=case_id,
            )
            channel = ComplaintChannel.__members__.get(form.get("channel", ""))
            if channel is None or channel is ComplaintChannel.portal:
                flash(str(_l("Choose how the complaint came in.")), "danger")
            elif number and case_id is None:
                flash(str(_l("No case with this number.")), "danger")
            else:
                center_id = db.session.scalar(
                    sa.select(Center.id).where(Center.parent_id.is_(None)).order_by(Center.id)
                )
                try:
                    complaint = complaints.file(
                        db.session, filing, channel, center_id, clock.now(), complaints.load_limits(db.session)
                    )
                except complaints.ComplaintError as exc:
                    db.session.rollback()
                    flash(str(exc), "danger")
                else:
                    db.session.commit()
                    flash(str(_l("Complaint %(number)s registered.", number=complaint.number)), "success")
                    return redirect(url_for("ComplaintView.show", pk=complaint.id))
        return self.render_template(
            "govhall/complaint_register.html",
            title=_l("Register a complaint"),
            departments=_choices(Department),
            windows=_choices(Window),
            staff_select=self.service_select("staff_id", form, "staff_id"),
            channels=[(c.name, c.label) for c in ComplaintChannel if c is not ComplaintChannel.portal],
            form=form,
        )


class RectificationOrderView(WorkflowView):
    """整改通知: opened by the complaint service; closed, or referred to 纪检, from the order's page."""

    datamodel = GovInterface(RectificationOrder, eager=("complaint", "department", "staff", "window"))
    class_permission_name = "RectificationOrder"
    errors = (rectification_orders.OrderError,)
    list_title = _l("Rectification orders")
    show_title = _l("Rectification order")
    registry = RECTIFICATION_ORDER_FIELDS
    base_order = ("issued_at", "desc")
    label_columns = {**LABELS, "number": _l("Order number"), "due_at": _l("Rectify by")}

    def step_forms(self, item):
        forms = []
        if item.status is OrderStatus.open:
            forms.append(
                {
                    "step": "close",
                    "label": _l("Record the rectification and close the order"),
                    "fields": [("textarea", "note", _l("What was done"), None)],
                }
            )
        if item.referred_on is None and {role.name for role in g.user.roles} & rectification_orders.CENTER_ROLES:
            forms.append(
                {
                    "step": "refer",
                    "label": _l("Refer to discipline inspection (纪检监察)"),
                    "fields": [
                        ("date", "referred_on", _l("Referred to discipline inspection on"), None),
                        ("text", "number", _l("Referral reference number"), None),
                        ("textarea_optional", "note", _l("Referral note"), None),
                    ],
                }
            )
        return forms

    def run_step(self, item, step, version, form):
        action = rectification_orders.ACTIONS.get(step)
        if action is None:
            raise rectification_orders.OrderError(_l("Unknown action."))
        inputs = (
            {"note": form.get("note")}
            if step == "close"
            else {"referred_on": form.get("referred_on"), "number": form.get("number"), "note": form.get("note")}
        )
        action(db.session, actor_for(g.user), item, version, clock.now(), **inputs)
