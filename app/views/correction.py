"""数据更正申请: the list of correction requests, the form filing one from a case page, and the
approve / reject steps on a request's page. Thin: each posts to one function of
app/services/corrections.py, which holds the rules and applies an approved change itself.
"""

import sqlalchemy as sa
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_babel import lazy_gettext as _l

from app import clock
from app.extensions import db
from app.fields.case import CORRECTION_REQUEST_FIELDS
from app.http_guard import int_or_none
from app.models.case import Case
from app.models.correction import CorrectionField, CorrectionRequest, CorrectionStatus
from app.security import actor_for, current_scope
from app.services import corrections
from app.services.idnumber import mask, mask_phone
from app.views.interface import GovInterface
from app.views.workflow import WorkflowView

# Personal data: shown in full only to whoever may decide the request (to check it against the
# documents); the requester and readers see it masked, as on the case page.
MASKS = {CorrectionField.applicant_id_number: mask, CorrectionField.applicant_phone: mask_phone}
VALUES = ("old_value", "new_value")


def _case_in_scope(case_id):
    return db.session.scalar(sa.select(Case).where(Case.id == case_id, current_scope().clause(Case)))


class CorrectionRequestView(WorkflowView):
    datamodel = GovInterface(CorrectionRequest, eager=("case", "department"))
    class_permission_name = "CorrectionRequest"
    base_permissions = ["can_read", "can_export", "can_act", "can_add"]
    method_permission_name = {**WorkflowView.method_permission_name, "file": "add"}
    service_add_form = "file"
    errors = (corrections.CorrectionError,)
    list_title = _l("Data correction requests")
    show_title = _l("Data correction request")
    registry = CORRECTION_REQUEST_FIELDS
    # 申请人 is the case's applicant everywhere else: the staff member who filed is the 提出人.
    label_columns = {**WorkflowView.label_columns, "requested_by": _l("Filed by")}
    base_order = ("requested_at", "desc")

    def step_forms(self, item):
        if item.status is not CorrectionStatus.pending:
            return []
        if not corrections.may_decide(db.session, actor_for(g.user), current_scope(), item):
            return []
        return [
            {"step": "approve", "label": _l("Approve and apply"), "fields": []},
            {"step": "reject", "label": _l("Reject"), "fields": [("textarea", "note", _l("Reason"), None)]},
        ]

    def _get_show_widget(self, pk, item, **kwargs):
        widgets = super()._get_show_widget(pk, item, **kwargs)
        masker = MASKS.get(item.field)
        if masker is not None and not corrections.may_decide(db.session, actor_for(g.user), current_scope(), item):
            args = widgets["show"].template_args
            args["value_columns"] = [
                masker(value) if column in VALUES and value else value
                for column, value in zip(self.show_columns, args["value_columns"], strict=True)
            ]
        return widgets

    def run_step(self, item, step, version, form):
        action = corrections.ACTIONS.get(step)
        if action is None:
            raise corrections.CorrectionError(_l("Unknown action."))
        kwargs = {"note": form.get("note")}
        action(db.session, actor_for(g.user), current_scope(), item, version, clock.now(), **kwargs)

    @expose("/file", methods=["GET", "POST"])
    @has_access
    def file(self):
        case_id = int_or_none(request.values.get("case_id"))
        if case_id is None:
            # Filed from the case concerned (its page's "申请更正"): choose the case first.
            flash(str(_l("Open the case to correct and choose “Request a correction” there.")), "info")
            return redirect(url_for("CaseView.list"))
        case = _case_in_scope(case_id)
        if case is None:
            abort(404)
        form = request.form
        if request.method == "POST":
            try:
                item = corrections.request_correction(
                    db.session,
                    actor_for(g.user),
                    current_scope(),
                    clock.now(),
                    case_id=case.id,
                    field=form.get("field", ""),
                    new_value=form.get("new_value", ""),
                    reason=form.get("reason", ""),
                )
            except corrections.CorrectionError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
            else:
                db.session.commit()
                flash(str(_l("Correction requested: it is applied once approved.")), "success")
                return redirect(url_for(f"{self.endpoint}.show", pk=item.id))
        return self.render_template(
            "govhall/people_form.html",
            title=_l("Request a data correction"),
            fields=[
                ("static", "case_id", _l("Case"), case.number),
                ("select", "field", _l("Field corrected"), [(f.name, f.label) for f in CorrectionField]),
                ("text", "new_value", _l("Corrected value"), None),
                ("textarea", "reason", _l("Reason for the correction"), None),
            ],
            form=form,
        )
