"""全程代办 (seed 004 第十七条): the proxies list, the call-back list, marking a case from its page,
and each proxy's page with its 承办表 (a row added there, printable) and the call-back.
Thin: each posts to one function of app/services/proxy.py, which holds the rules.
"""

from datetime import datetime

import sqlalchemy as sa
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l

from app import clock
from app.extensions import db
from app.fields.proxy import CASE_PROXY_FIELDS
from app.http_guard import int_or_none
from app.models.case import Case, CaseStatus
from app.models.org import Staff, StaffStatus
from app.models.proxy import CallbackVerdict, CaseProxy
from app.security import actor_for, current_scope
from app.services import proxy, settings
from app.services.idnumber import mask
from app.views.interface import GovInterface
from app.views.workflow import WorkflowView


def who() -> proxy.Agent:
    actor = actor_for(g.user)
    return proxy.Agent(staff_id=actor.staff_id, name=actor.name)


class CallbackFilter(BaseFilter):
    """?quick=callback: completed proxy cases awaiting their call-back (the export too)."""

    name = "quick"

    def apply(self, query, value):
        if request.args.get("quick") != "callback":
            return query
        completed = sa.select(Case.id).where(Case.status == CaseStatus.completed)
        return query.filter(CaseProxy.callback_at.is_(None), CaseProxy.case_id.in_(completed))


def _when(text):
    """A datetime-local field ("2026-11-06T09:00"); empty: None (now); unreadable: the text itself,
    which the service refuses with its message."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return text


class CaseProxyView(WorkflowView):
    datamodel = GovInterface(CaseProxy, eager=("case", "agent"))
    class_permission_name = "CaseProxy"
    base_permissions = ["can_read", "can_export", "can_act", "can_add"]
    method_permission_name = {**WorkflowView.method_permission_name, "assign": "add", "sheet": "read"}
    service_add_form = "assign"
    errors = (proxy.ProxyError,)
    list_title = _l("Full-process proxy (全程代办)")
    show_title = _l("Full-process proxy (全程代办)")
    show_template = "govhall/proxy_show.html"
    registry = CASE_PROXY_FIELDS
    label_columns = {
        **WorkflowView.label_columns,
        "key_project": _l("Key project"),
        "agent": _l("Agent"),
        "assigned_at": _l("Assigned at"),
        "assigned_by": _l("Assigned by"),
        "proxy_fee": _l("Proxy fee (yuan)"),
        "callback_at": _l("Called back at"),
        "callback_verdict": _l("Applicant's verdict"),
        "callback_note": _l("What the applicant said"),
        "callback_by": _l("Called back by"),
        "free_declared": _l("Declaration"),
        "entries": _l("Undertaking sheet (承办表)"),
    }
    base_order = ("assigned_at", "desc")
    base_filters = [["id", CallbackFilter, lambda: None]]

    def step_forms(self, item):
        forms = [
            {
                "step": "entry",
                "label": _l("Add a row to the undertaking sheet (承办表)"),
                "fields": [
                    ("textarea", "handled", _l("Handled for the applicant"), None),
                    ("datetime_optional", "at", _l("When (empty: now)"), None),
                ],
            }
        ]
        if item.callback_at is None and item.case.status is CaseStatus.completed:
            verdicts = [(v.name, v.label) for v in CallbackVerdict]
            forms.append(
                {
                    "step": "callback",
                    "label": _l("Record the call-back"),
                    "fields": [
                        ("select", "verdict", _l("Applicant's verdict"), verdicts),
                        ("textarea_optional", "note", _l("What the applicant said"), None),
                    ],
                }
            )
        return forms

    def run_step(self, item, step, version, form):
        if step == "entry":
            at = _when(form.get("at"))
            proxy.add_entry(db.session, who(), clock.now(), item, handled=form.get("handled"), at=at)
        elif step == "callback":
            verdict, note = form.get("verdict"), form.get("note")
            proxy.record_callback(db.session, who(), clock.now(), item, verdict=verdict, note=note)
        else:
            raise proxy.ProxyError(_l("Unknown action."))

    @expose("/assign", methods=["GET", "POST"])
    @has_access
    def assign(self):
        case_id = int_or_none(request.values.get("case_id"))
        if case_id is None:
            flash(str(_l("Open the case and choose “Full-process proxy” there.")), "info")
            return redirect(url_for("CaseView.list"))
        scope = current_scope()
        case = db.session.scalar(sa.select(Case).where(Case.id == case_id, scope.clause(Case)))
        if case is None:
            abort(404)
        form = request.form
        if request.method == "POST":
            try:
                made = proxy.assign(
                    db.session,
                    who(),
                    clock.now(),
                    case,
                    agent_id=int_or_none(form.get("agent_id")),
                    key_project=form.get("key_project"),
                    proxy_fee=form.get("proxy_fee"),
                    free_declared=form.get("free_declared") == "yes",
                    scope=scope,
                )
            except proxy.ProxyError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
            else:
                db.session.commit()
                flash(str(_l("Saved.")), "success")
                return redirect(url_for(f"{self.endpoint}.show", pk=made.id))
        agents = db.session.scalars(
            sa.select(Staff)
            .where(Staff.center_id == case.center_id, Staff.status == StaffStatus.active, scope.clause(Staff))
            .order_by(Staff.staff_no)
            .limit(500)
        ).all()
        return self.render_template(
            "govhall/people_form.html",
            title=_l("Full-process proxy (全程代办)"),
            fields=[
                ("static", "case_id", _l("Case"), case.number),
                ("text", "key_project", _l("Key project"), None),
                ("select", "agent_id", _l("Agent"), [(s.id, str(s)) for s in agents]),
                ("text", "proxy_fee", _l("Proxy fee (yuan)"), None),
                (
                    "checkboxes",
                    "free_declared",
                    _l("Declaration"),
                    [("yes", _l("The proxy service is free: no fee is taken from the applicant."))],
                ),
            ],
            form=form,
        )

    @expose("/sheet/<pk>")
    @has_access
    def sheet(self, pk):
        item = self._scoped_get(pk)
        if item is None:
            abort(404)
        return self.render_template(
            "govhall/print_proxy_sheet.html",
            item=item,
            case=item.case,
            mask=mask,
            center_name=settings.get(db.session, "center_name"),
        )
