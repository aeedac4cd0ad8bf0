"""The base of the views whose records move through steps: rectifications, complaints, leave, personnel changes.

Each step is a small form on the record's page (govhall/workflow_show.html) posting to
/act/<pk>/<step>. The view re-reads the record in the user's scope, `run_step` calls the
service (the rules live there), and a refusal — one of the view's `errors` — is shown as
the service's Chinese message with nothing stored.
"""

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.views.model_view import GovModelView


class WorkflowView(GovModelView):
    """A model view whose records move through steps posted from their page."""

    show_template = "govhall/workflow_show.html"
    base_permissions = ["can_read", "can_export", "can_act"]
    method_permission_name = {**GovModelView.method_permission_name, "act": "act"}
    errors: tuple = ()  # the service's refusals; anything else is a fault and answers 500

    def step_forms(self, item) -> list[dict]:
        return []

    def run_step(self, item, step, version, form):
        # A view that offers no steps (a read-only register) knows no step a crafted POST may name.
        abort(404)

    def render_template(self, template, **kwargs):
        if template == self.show_template and "pk" in kwargs:
            item = self._scoped_get(kwargs["pk"])
            may_act = self.appbuilder.sm.has_access("can_act", self.class_permission_name)
            kwargs["step_forms"] = self.step_forms(item) if item is not None and may_act else []
            kwargs["item"] = item
            kwargs["act_endpoint"] = f"{self.endpoint}.act"
        return super().render_template(template, **kwargs)

    @expose("/act/<pk>/<step>", methods=["POST"])
    @has_access
    def act(self, pk, step):
        item = self._scoped_get(pk)
        if item is None:
            abort(404)
        try:
            self.run_step(item, step, request.form.get("version"), request.form)
        except self.errors as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(str(_l("Saved.")), "success")
        return redirect(url_for(f"{self.endpoint}.show", pk=pk))


def service_form(view, errors):
    """A view's own form creating a record through its service (`view.save(form)`), shown with
    `view.form_fields(form)`: saved, the record's page; refused (one of `errors`), the form again
    with the service's message and nothing stored."""
    form = request.form
    if request.method == "POST":
        try:
            item = view.save(form)
        except errors as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(str(_l("Saved.")), "success")
            return redirect(url_for(f"{view.endpoint}.show", pk=item.id))
    return view.render_template(
        "govhall/people_form.html", title=view.form_title, fields=view.form_fields(form), form=form
    )
