"""Admin maintenance of the working-day calendar."""

from flask import flash
from flask_babel import lazy_gettext as _l

from app import clock as wall_clock
from app.extensions import db
from app.fields.system import WORK_CALENDAR_DAY_FIELDS
from app.models.calendar import WorkCalendarDay
from app.services.case_flow import Clock, recompute_unconfirmed
from app.views.interface import GovInterface
from app.views.model_view import GovModelView


class WorkCalendarDayView(GovModelView):
    datamodel = GovInterface(WorkCalendarDay)
    class_permission_name = "WorkCalendarDay"
    list_title = _l("Working-day calendar")
    show_title = _l("Calendar day")
    add_title = _l("Add calendar day")
    edit_title = _l("Edit calendar day")
    registry = WORK_CALENDAR_DAY_FIELDS
    base_order = ("day", "desc")
    description_columns = {
        "kind": _l("Only days that break the weekday rule: holidays on weekdays and makeup working days on weekends."),
    }

    def _recompute(self, item):
        # A confirmed or corrected calendar moves the deadlines computed on weekdays only.
        moved = recompute_unconfirmed(db.session, Clock.load(db.session), wall_clock.now())
        db.session.commit()
        if moved:
            flash(str(_l("%(count)s open case deadline(s) recomputed with the new calendar.", count=moved)), "info")

    post_add = post_update = post_delete = _recompute
