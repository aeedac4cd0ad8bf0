"""Appeals (申诉): the list, the filing form and the steps (services/appeals.py holds the rules)."""

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_babel import lazy_gettext as _l

from app import clock
from app.extensions import db
from app.fields.appeal import APPEAL_FIELDS
from app.http_guard import int_or_none
from app.models.appeal import Appeal, AppealStatus
from app.security import actor_for
from app.services import appeals, settings
from app.views.interface import GovInterface
from app.views.workflow import WorkflowView
from config import ROLE_DUTIES


class AppealView(WorkflowView):
    datamodel = GovInterface(Appeal, eager=("staff", "department"))
    class_permission_name = "Appeal"
    base_permissions = ["can_read", "can_export", "can_act", "can_add"]
    method_permission_name = {**WorkflowView.method_permission_name, "file": "add"}
    service_add_form = "file"
    errors = (appeals.AppealError,)
    list_title = _l("Appeals")
    show_title = _l("Appeal")
    registry = APPEAL_FIELDS
    base_order = ("filed_at", "desc")

    def step_forms(self, item):
        actor = actor_for(g.user)
        if actor.staff_id is not None and actor.staff_id == item.staff_id:
            return []
        if item.status is AppealStatus.filed and actor.roles & ROLE_DUTIES["department_chief"]:
            return [{"step": "comment", "label": _l("Comment"), "fields": [("textarea", "text", _l("Comment"), None)]}]
        if item.status is AppealStatus.commented and actor.roles & ROLE_DUTIES["appeal_review"]:
            note = [("textarea", "note", _l("Reason for the decision"), None)]
            return [
                {"step": "uphold", "label": _l("Uphold the deduction"), "fields": note},
                {"step": "cancel", "label": _l("Cancel the deduction"), "fields": note},
            ]
        return []

    def run_step(self, item, step, version, form):
        actor, now = actor_for(g.user), clock.now()
        if step == "comment":
            appeals.comment(db.session, actor, item, version, now, text=form.get("text"))
        elif step in ("uphold", "cancel"):
            appeals.decide(db.session, actor, item, version, now, cancel=step == "cancel", note=form.get("note"))
        else:
            raise appeals.AppealError(_l("Unknown action."))

    @expose("/file", methods=["GET", "POST"])
    @has_access
    def file(self):
        form, actor, now = request.form, actor_for(g.user), clock.now()
        if request.method == "POST":
            kind, _, number = form.get("target", "").partition(":")
            try:
                item = appeals.file(
                    db.session,
                    actor,
                    now,
                    violation_id=int_or_none(number) if kind == "violation" else None,
                    record_id=int_or_none(number) if kind == "record" else None,
                    reason=form.get("reason"),
                    evidence=form.get("evidence"),
                )
            except appeals.AppealError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
            else:
                db.session.commit()
                flash(str(_l("Appeal filed.")), "success")
                return redirect(url_for(f"{self.endpoint}.show", pk=item.id))
        return self.render_template(
            "govhall/appeal_form.html",
            title=_l("File an appeal"),
            choices=appeals.appealable(db.session, actor, now),
            hint=_l(
                "Your own violations and automatic deductions of the last %(days)s working days.",
                days=settings.get(db.session, "appeal_days"),
            ),
            form=form,
        )
