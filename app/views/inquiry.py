"""首问登记: the first-inquiry register (issue 18.1). Thin: the short form records through
app/services/inquiries.py (which refuses in Chinese, saving nothing); the page's reply and close
steps post to /act/<pk>/<step>; the list's phone box (?phone=, any written form of the number)
gives the caller's history, and the export honours it. Phones are masked in the list and the
export; the page shows the number in full to the first responder, the referred side and the center.
"""

import sqlalchemy as sa
from flask import flash, g, request
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l

from app import clock
from app.extensions import db
from app.fields.inquiry import INQUIRY_FIELDS
from app.http_guard import int_or_none
from app.models.inquiry import Inquiry, InquiryChannel
from app.models.matter import Matter
from app.models.org import Department, RecordStatus, Staff, StaffStatus
from app.security import actor_for, current_scope
from app.services import inquiries
from app.services.idnumber import mask_phone
from app.services.phone import PHONE_ERROR, PHONE_HINT, normalize_phone
from app.views import remote_select
from app.views.interface import GovInterface
from app.views.workflow import WorkflowView, service_form
from config import ROLE_DUTIES

MASKS = {"phone": mask_phone}


class PhoneFilter(BaseFilter):
    """?phone=…: the inquiries from that number, whichever way it is written; a value that is not
    a phone number finds nothing (the list says why)."""

    name = "phone"

    def apply(self, query, value):
        text = (request.args.get("phone") or "").strip()
        if not text:
            return query
        number = normalize_phone(text)
        return query.filter(Inquiry.phone == number) if number else query.filter(sa.false())


def _sees_in_full(item) -> bool:
    actor = actor_for(g.user)
    return bool(actor.roles & ROLE_DUTIES["feedback_handling"]) or actor.staff_id in (
        item.responder_id,
        item.referred_staff_id,
    )


class InquiryView(WorkflowView):
    datamodel = GovInterface(Inquiry, eager=("responder", "referred_staff"), masked=MASKS)
    class_permission_name = "Inquiry"
    base_permissions = ["can_read", "can_export", "can_act", "can_add"]
    method_permission_name = {**WorkflowView.method_permission_name, "record": "add"}
    service_add_form = "record"
    errors = (inquiries.InquiryError,)
    base_filters = [["id", PhoneFilter, lambda: None]]
    service_choices = {
        "matter_id": remote_select.Choices(
            Matter, lambda: db.session.query(Matter).filter(current_scope().clause(Matter))
        ),
        # Colleagues in the user's scope (a clerk's own department): another department is referred
        # to as a department, whose chief representatives hear of it.
        "referred_staff_id": remote_select.Choices(
            Staff,
            lambda: db.session.query(Staff).filter(Staff.status == StaffStatus.active, current_scope().clause(Staff)),
        ),
    }
    list_title = _l("First-inquiry register")
    show_title = _l("First inquiry")
    form_title = _l("Record a first inquiry")
    registry = INQUIRY_FIELDS
    base_order = ("received_at", "desc")
    list_template = "govhall/inquiry_list.html"
    formatters_columns = MASKS
    export_formatters = MASKS
    label_columns = {
        **WorkflowView.label_columns,
        "received_at": _l("Received at"),
        "channel": _l("How it came in"),
        "inquirer_name": _l("Inquirer"),
        "phone": _l("Contact phone"),
        "topic": _l("What it is about"),
        "responder": _l("First responder"),
        "department": _l("First responder's department"),
        "status": _l("Inquiry status"),
        "referred_department": _l("Referred to department"),
        "referred_staff": _l("Referred to"),
        "due_at": _l("Reply deadline"),
        "reply": _l("Reply of the referred side"),
        "replied_at": _l("Replied at"),
        "replied_by": _l("Replied by"),
        "answer": _l("Answer given to the inquirer"),
        "closed_at": _l("Closed at"),
        "closed_by": _l("Closed by"),
        "overdue_at": _l("Found overdue at"),
        "recorded_by": _l("Recorded by"),
    }

    def form_fields(self, form):
        departments = db.session.execute(
            sa.select(Department.id, Department.name)
            .where(Department.status == RecordStatus.active)
            .order_by(Department.sort_order, Department.code)
        )
        return [
            ("select", "channel", _l("How it came in"), [(c.name, c.label) for c in InquiryChannel]),
            ("text", "inquirer_name", _l("Inquirer"), None),
            ("text", "phone", _l("Contact phone"), None),
            ("textarea", "topic", _l("What it is about"), None),
            ("remote", "matter_id", _l("Matter (optional)"), self.service_select("matter_id", form)),
            ("note", "answer", _l("Answer given on the spot (leave blank to refer it)"), None),
            ("optional", "referred_department_id", _l("Or refer it to a department"), list(departments)),
            (
                "remote",
                "referred_staff_id",
                _l("Or refer it to a colleague"),
                self.service_select("referred_staff_id", form),
            ),
        ]

    def _offered(self, form, name):
        """The id chosen in a search-as-you-type select, refused unless the select offers it."""
        value = form.get(name)
        if not (value or "").strip():
            return None
        row = self._remote["add", name].get(value)
        if row is None:
            raise inquiries.InquiryError(remote_select.NOT_OFFERED)
        return row.id

    def save(self, form):
        return inquiries.record(
            db.session,
            actor_for(g.user),
            clock.now(),
            channel=form.get("channel"),
            inquirer_name=form.get("inquirer_name"),
            phone=form.get("phone"),
            topic=form.get("topic"),
            matter_id=self._offered(form, "matter_id"),
            answer=form.get("answer"),
            referred_department_id=int_or_none(form.get("referred_department_id")),
            referred_staff_id=self._offered(form, "referred_staff_id"),
        )

    @expose("/record", methods=["GET", "POST"])
    @has_access
    def record(self):
        return service_form(self, inquiries.InquiryError)

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            phone = (request.args.get("phone") or "").strip()
            if phone and normalize_phone(phone) is None:
                flash(str(PHONE_ERROR), "danger")
            kwargs.update(phone=phone, phone_hint=PHONE_HINT)
        return super().render_template(template, **kwargs)

    def _get_show_widget(self, pk, item, **kwargs):
        widgets = super()._get_show_widget(pk, item, **kwargs)
        if item is not None and _sees_in_full(item):
            args = widgets["show"].template_args
            args["formatters_columns"] = {k: v for k, v in args["formatters_columns"].items() if k != "phone"}
        return widgets

    def step_forms(self, item):
        actor, forms = actor_for(g.user), []
        if inquiries.may_reply(actor, item):
            forms.append(
                {"step": "reply", "label": _l("Record the reply"), "fields": [("textarea", "note", _l("Reply"), None)]}
            )
        if inquiries.is_first_responder(actor, item) and item.closed_at is None:
            forms.append(
                {
                    "step": "close",
                    "label": _l("Close the inquiry"),
                    "fields": [("textarea", "note", _l("Answer given to the inquirer"), None)],
                }
            )
        return forms

    def run_step(self, item, step, version, form):
        action = inquiries.ACTIONS.get(step)
        if action is None:
            raise inquiries.InquiryError(_l("Unknown action."))
        action(db.session, actor_for(g.user), item, version, clock.now(), note=form.get("note"))
