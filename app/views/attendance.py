"""Attendance (考勤): the record list with corrections, and the device-export import page."""

from flask import g, request
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField

from app import clock
from app.extensions import db
from app.fields.personnel import ATTENDANCE_FIELDS
from app.models.personnel import AttendanceRecord
from app.services import attendance, settings
from app.services.attendance_import import build_template, import_attendance
from app.services.attendance_reader import parse_moment
from app.views.import_page import ImportPageView
from app.views.interface import GovInterface
from app.views.model_view import GovModelView
from app.views.scoping import ScopeFilter


def _hhmm(value):
    return value.strftime("%H:%M") if value else ""


class AttendanceView(GovModelView):
    datamodel = GovInterface(AttendanceRecord, eager=("staff", "department"))
    class_permission_name = "Attendance"
    list_template = "govhall/attendance_list.html"
    list_title = _l("Attendance")
    show_title = _l("Attendance record")
    edit_title = _l("Correct attendance record")
    registry = ATTENDANCE_FIELDS
    search_form_query_rel_fields = {
        "department": [["id", ScopeFilter, lambda: None]],
        "staff": [["id", ScopeFilter, lambda: None]],
    }
    order_columns = ["day", "kind", "minutes_late", "minutes_early"]
    base_order = ("day", "desc")
    formatters_columns = {"clock_in": _hhmm, "clock_out": _hhmm}
    label_columns = {
        **GovModelView.label_columns,
        "clock_in_text": _l("Clock-in (HH:MM)"),
        "clock_out_text": _l("Clock-out (HH:MM)"),
        "reason": _l("Reason for the correction"),
    }
    # The correction form is this view's own: the times are edited as HH:MM text with a reason.
    edit_columns = ["kind", "clock_in_text", "clock_out_text", "reason"]
    # Records come from imports, never the add form; naming its columns keeps FAB from
    # building fields for the time columns, which it cannot.
    add_columns = ["kind"]
    edit_form_extra_fields = {
        "clock_in_text": StringField(_l("Clock-in (HH:MM)"), description=_l("Leave empty if there was none.")),
        "clock_out_text": StringField(_l("Clock-out (HH:MM)"), description=_l("Leave empty if there was none.")),
        "reason": TextAreaField(
            _l("Reason for the correction"),
            description=_l("Required. The record becomes a manual correction that re-imports never overwrite."),
        ),
    }

    def prefill_form(self, form, pk):
        super().prefill_form(form, pk)
        item = self.datamodel.get(pk, self._base_filters)
        form.clock_in_text.data = _hhmm(item.clock_in)
        form.clock_out_text.data = _hhmm(item.clock_out)
        form.reason.data = ""

    def pre_update(self, item):
        super().pre_update(item)  # version check and scope
        session = self.datamodel.session
        with session.no_autoflush:  # one UPDATE (one version step) for the whole correction
            rules = attendance.Rules.from_settings(session)
        try:
            clock_in = self._time(request.form.get("clock_in_text"), _l("Clock-in"))
            clock_out = self._time(request.form.get("clock_out_text"), _l("Clock-out"))
            attendance.correct(
                item,
                kind=item.kind,
                clock_in=clock_in,
                clock_out=clock_out,
                reason=request.form.get("reason", ""),
                actor=g.user.username,
                rules=rules,
            )
        except ValueError:
            session.rollback()
            raise

    @staticmethod
    def _time(text, label):
        try:
            return parse_moment(text)[1]
        except ValueError:
            raise attendance.CorrectionError(
                str(_l("%(field)s: write the time as HH:MM, e.g. 08:25.", field=label))
            ) from None


class AttendanceImportView(ImportPageView):
    """Upload page for fingerprint-device exports: dry run, then import (all rows or none)."""

    route_base = "/attendance-import"
    class_permission_name = "Attendance"
    page_template = "govhall/attendance_import.html"
    page_title = _l("Import attendance")
    template_file_name = "考勤导入模板.xlsx"
    choose_file_message = _l("Choose an .xlsx or .csv file to upload.")

    def run_import(self, data, filename, dry_run):
        return import_attendance(
            db.session,
            data,
            filename,
            dry_run=dry_run,
            today=clock.now().date(),
            allow_old=request.form.get("allow_old_dates") == "y",
        )

    def finished_message(self, report):
        return str(
            _l(
                "Import finished: %(created)s created, %(replaced)s replaced, %(absences)s absences "
                "recorded, %(skipped)s kept as corrected.",
                created=report.created,
                replaced=report.replaced,
                absences=report.absences,
                skipped=len(report.skipped),
            )
        )

    def build_template(self, buffer):
        build_template(buffer)

    def page_context(self):
        return {"window_days": settings.get(db.session, "attendance_import_window_days")}
