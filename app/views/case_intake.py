"""The window's intake pages: choose a matter among those the desk accepts today, then fill in the application."""

from datetime import date, datetime

import sqlalchemy as sa
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from app import clock as wall_clock
from app.extensions import db
from app.models.case import ApplicantType, Channel
from app.models.matter import CaseKind, Matter
from app.security import actor_for
from app.services import case_flow, matter_levels, queue, settings
from app.services.case_flow import Application, CaseError, Clock
from app.services.case_flow.reception import co_department_choices
from app.views.date_fields import DATE_MESSAGE, DATETIME_FORMATS, DATETIME_MESSAGE


def received_at(text):
    """The form's "received at" (the browser's datetime-local value); blank: now."""
    text = (text or "").strip()
    if not text:
        return None
    for form in DATETIME_FORMATS:
        try:
            return datetime.strptime(text, form)
        except ValueError:
            continue
    raise CaseError(DATETIME_MESSAGE)


def tolerated_due(form, material_ids) -> dict:
    """容缺受理: the due date the clerk set for each material accepted as missing ("tolerated_due_<id>",
    the browser's date input); blank: the default (setting tolerated_due_days)."""
    due = {}
    for material_id in material_ids:
        text = (form.get(f"tolerated_due_{material_id}") or "").strip()
        if not text:
            continue
        try:
            due[material_id] = date.fromisoformat(text)
        except ValueError:
            raise CaseError(DATE_MESSAGE) from None
    return due


def digits(values) -> tuple:
    return tuple(int(v) for v in values if v.isascii() and v.isdigit())


def _ticket(actor):
    """The queue ticket the case is accepted for (?ticket=…): only the one open at the actor's window."""
    ticket = queue.current(db.session, actor.window_id)
    wanted = request.args.get("ticket", "")
    return ticket if ticket is not None and wanted.isdigit() and int(wanted) == ticket.id else None


class CaseIntakeView(BaseView):
    """The window's intake form: choose a matter, enter the applicant, tick the materials received."""

    route_base = "/case-intake"
    class_permission_name = "Case"
    method_permission_name = {"index": "intake", "form": "intake"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        actor = actor_for(g.user)
        acceptable = matter_levels.intake_clause(db.session, actor, wall_clock.now().date())
        query = sa.select(Matter).where(acceptable).order_by(Matter.code)
        search = request.args.get("q", "").strip()[:50]
        if search:
            query = query.where(Matter.name.contains(search) | Matter.code.contains(search))
        return self.render_template(
            "govhall/case_intake_choose.html",
            matters=db.session.scalars(query).all(),
            q=search,
            ticket=_ticket(actor),
            title=_l("Accept a case"),
        )

    @expose("/<int:matter_id>", methods=["GET", "POST"])
    @has_access
    def form(self, matter_id):
        actor = actor_for(g.user)
        acceptable = matter_levels.intake_clause(db.session, actor, wall_clock.now().date())
        matter = db.session.scalar(sa.select(Matter).where(Matter.id == matter_id, acceptable))
        if matter is None:
            abort(404)
        ticket = _ticket(actor)
        # Whatever was entered, ticks included, comes back with a refusal's message.
        values = request.form if request.method == "POST" else MultiDict(queue.applicant_of(ticket))
        if request.method == "POST":
            try:
                application = Application(
                    matter_id=matter.id,
                    applicant_type=ApplicantType[values.get("applicant_type", "person")],
                    applicant_name=values.get("applicant_name", ""),
                    applicant_id_number=values.get("applicant_id_number", ""),
                    applicant_phone=values.get("applicant_phone", ""),
                    channel=Channel[values.get("channel", "window")],
                    received_material_ids=digits(request.form.getlist("materials")),
                    co_department_ids=digits(request.form.getlist("co_departments")),
                    urgent=values.get("urgent") == "on",
                    received_at=received_at(values.get("received_at")),
                    tolerated_material_ids=digits(request.form.getlist("tolerated")),
                    tolerated_due=tolerated_due(values, digits(request.form.getlist("tolerated"))),
                    delayed_booking=queue.delayed_booking(ticket),
                )
                outcome = case_flow.intake(db.session, actor, wall_clock.now(), application, Clock.load(db.session))
                if ticket is not None:
                    desk = queue.Desk(staff_id=actor.staff_id, window_id=actor.window_id)
                    queue.link_case(db.session, desk, ticket.id, outcome.case.id)
                db.session.commit()
            except KeyError:
                db.session.rollback()
                flash(str(_l("The form is not valid.")), "danger")
            except CaseError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
            else:
                case = outcome.case
                if case.status.name == "submitted":
                    flash(
                        str(_l("Materials are incomplete: print the supplement notice for the applicant.")), "warning"
                    )
                else:
                    flash(str(_l("Case %(number)s accepted.", number=case.number)), "success")
                if case.kind is CaseKind.urgent:
                    # 急办件 through the green channel: its own shorter limit, the center's green window.
                    window = str(case.window) if case.window_id != actor.window_id and case.window else None
                    flash(
                        str(_l("Urgent case: limit %(days)s working day(s).", days=case.limit_days))
                        + (str(_l(" Routed to the green window %(window)s.", window=window)) if window else ""),
                        "info",
                    )
                if case.tolerated:
                    flash(
                        str(_l("Tolerated materials missing: print the commitment for the applicant to sign.")),
                        "warning",
                    )
                for violation in outcome.violations:
                    flash(str(_l("Recorded for supervision: %(detail)s", detail=violation.detail)), "warning")
                return redirect(url_for("CaseView.show", pk=case.id))
        departments = co_department_choices(db.session, matter)
        return self.render_template(
            "govhall/case_intake_form.html",
            matter=matter,
            values=values,
            departments=departments,
            channels=list(Channel),
            now=wall_clock.now(),
            tolerated_due_days=settings.get(db.session, "tolerated_due_days"),
            ticket=ticket,
            title=_l("Accept a case"),
        )
