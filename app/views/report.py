"""Monthly reports (月报): list, build on demand, download, submit."""

import io
from datetime import date

import sqlalchemy as sa
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_babel import lazy_gettext as _l

from app import clock
from app.extensions import db
from app.fields.system import MONTHLY_REPORT_FIELDS
from app.http_guard import int_or_none
from app.models.org import Center
from app.models.report import MonthlyReport
from app.security import actor_for
from app.services import calendar, reports, settings
from app.services.monthly_report import previous_month
from app.views.export import send_workbook
from app.views.interface import GovInterface
from app.views.model_view import GovModelView


def _percent(value):
    return "—" if value is None else f"{value * 100:.1f}%"


def _figures(figures):
    if not figures:
        return ""
    text = str(
        _l(
            "accepted %(accepted)s, completed %(completed)s, on time %(rate)s, overdue %(overdue)s",
            accepted=figures.get("accepted", 0),
            completed=figures.get("completed", 0),
            rate=_percent(figures.get("on_time_rate")),
            overdue=figures.get("overdue", 0),
        )
    )
    if "hall_tickets" in figures:
        # The front of the hall (issue 18.5, sheet 大厅服务).
        hall = _l(
            "tickets %(tickets)s, average wait %(wait)s min, inquiries closed %(closure)s, "
            "appointments kept %(kept)s, delayed-service cases %(delayed)s",
            tickets=figures["hall_tickets"],
            wait="—" if figures.get("hall_wait_minutes") is None else figures["hall_wait_minutes"],
            closure=_percent(figures.get("hall_inquiry_closure_rate")),
            kept=_percent(figures.get("hall_appointment_keep_rate")),
            delayed=figures.get("hall_delayed_cases", 0),
        )
        text = f"{text}；{hall}"
    if "handoffs" in figures:
        network = _l(
            "reported up %(handoffs)s (%(open)s open), delivered %(delivered)s, village requests %(requests)s",
            handoffs=figures["handoffs"],
            open=figures["handoffs_open"],
            delivered=figures["delivered"],
            requests=figures["village_requests"],
        )
        text = f"{text}；{network}"
    online = (figures.get("online_figures") or {}).get("total")
    if online:
        text += "；" + str(
            _l(
                "online applications %(received)s, first-pass rate %(first_pass)s, correction rate %(correction)s, "
                "online rate %(online)s, 容缺 %(tolerated)s (%(waiting)s still missing)",
                received=online["received"],
                first_pass=_percent(online["first_pass_rate"]),
                correction=_percent(online["correction_rate"]),
                online=_percent(online["online_rate"]),
                tolerated=online["tolerated_accepted"],
                waiting=online["tolerated_waiting"],
            )
        )
    return text


class MonthlyReportView(GovModelView):
    datamodel = GovInterface(MonthlyReport, eager=("center",))
    class_permission_name = "MonthlyReport"
    base_permissions = ["can_read", "can_export", "can_generate", "can_submit"]
    method_permission_name = {
        **GovModelView.method_permission_name,
        "download": "read",
        "submit": "submit",
        "generate": "generate",
    }
    list_template = "govhall/report_list.html"
    list_title = _l("Monthly reports")
    show_title = _l("Monthly report")
    registry = MONTHLY_REPORT_FIELDS
    base_order = ("month", "desc")
    formatters_columns = {"month": lambda value: f"{value:%Y-%m}", "figures": _figures}

    @action("download", _l("Download"), None, "fa-download", multiple=False)
    def download(self, item):
        item = item[0] if isinstance(item, list) else item
        return send_workbook(io.BytesIO(item.file), item.file_name)

    @action(
        "submit",
        _l("Submit"),
        _l("Submit this report to the center? It cannot be rebuilt afterwards."),
        "fa-paper-plane",
        multiple=False,
    )
    def submit(self, item):
        item = item[0] if isinstance(item, list) else item
        try:
            reports.submit_as(db.session, actor_for(g.user), item, clock.now())
        except reports.ReportError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            if item.late:
                flash(str(_l("Submitted after the due date (%(due)s): recorded as late.", due=item.due_on)), "warning")
            else:
                flash(str(_l("Report submitted.")), "success")
        return redirect(self.get_redirect())

    @expose("/generate/", methods=["POST"])
    @has_access
    def generate(self):
        """Build (or rebuild) one center's report for a finished month: a center the user's
        reports cover (any, for the county; a head's own and those below it), else 404."""
        center_id = int_or_none(request.form.get("center_id", ""))
        if center_id is None:
            flash(str(_l("Choose a reporting center.")), "danger")
            return redirect(url_for(".list"))
        actor = actor_for(g.user)
        center = db.session.scalar(sa.select(Center).where(Center.id == center_id, reports.reporting_centers(actor)))
        if center is None:
            abort(404)
        try:
            month = date.fromisoformat(request.form.get("month", "") + "-01")
        except ValueError:
            flash(str(_l("Choose a month (YYYY-MM).")), "danger")
            return redirect(url_for(".list"))
        try:
            report = reports.generate_as(
                db.session,
                actor,
                center,
                month,
                clock.now(),
                calendar=calendar.load(db.session),
                due_workday=int(settings.get(db.session, "report_due_workday")),
            )
        except reports.ReportError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(url_for(".list"))
        db.session.commit()
        flash(str(_l("Report built: %(name)s.", name=report.file_name)), "success")
        return redirect(url_for(".show", pk=report.id))

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            kwargs["centers"] = db.session.execute(
                sa.select(Center.id, Center.name)
                .where(reports.reporting_centers(actor_for(g.user)))
                .order_by(Center.sort_order, Center.id)
            ).all()
            kwargs["default_month"] = f"{previous_month(clock.now().date()):%Y-%m}"
            kwargs["may_generate"] = self.appbuilder.sm.has_access("can_generate", "MonthlyReport")
        return super().render_template(template, **kwargs)
