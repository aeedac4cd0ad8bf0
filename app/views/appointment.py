"""Appointments (预约, issue 18.2): window groups, delayed-service openings and the bookings list.

Thin views: window groups and openings are plain scoped model views with their rules in
`item_rules`; an appointment is made by the view's own form (a clerk booking for a phone caller)
and cancelled, moved or checked in by the steps on its page, each one call into
app/services/appointments.py, which refuses with a Chinese message and changes nothing.
"""

import re
from datetime import timedelta

import sqlalchemy as sa
from flask import g
from flask_appbuilder import expose, has_access
from flask_babel import lazy_gettext as _l

from app import clock
from app.extensions import db
from app.fields.appointment import APPOINTMENT_FIELDS, DELAYED_OPENING_FIELDS, WINDOW_GROUP_FIELDS
from app.http_guard import int_or_none
from app.models.appointment import (
    Appointment,
    AppointmentChannel,
    AppointmentStatus,
    DelayedOpening,
    SpecialGroup,
    WindowGroup,
    WindowGroupKind,
)
from app.models.matter import Matter, MatterStatus
from app.models.org import RecordStatus
from app.security import current_scope
from app.services import appointments
from app.views.date_fields import GovTimeField
from app.views.interface import GovInterface
from app.views.labels import LABELS
from app.views.model_view import GovModelView, status_actions
from app.views.workflow import WorkflowView, service_form

_PREFIX = re.compile(r"^[A-Z]{1,2}$")
MAX_SLOT_CHOICES = 400

GROUP_LABELS = {
    **LABELS,
    "prefix": _l("Ticket letter"),
    "windows": _l("Windows"),
    "slot_minutes": _l("Slot length (minutes)"),
    "slot_capacity": _l("Places per slot"),
    "reserved_seats": _l("Places kept for special groups"),
    "days_ahead": _l("Bookable days ahead"),
    "bookable": _l("Takes appointments"),
}


def window_group_rules(item) -> list[str]:
    errors = []
    if not _PREFIX.match(item.prefix or ""):
        errors.append(str(_l("The ticket letter is one or two capital letters (A, B, GA).")))
    if not (5 <= (item.slot_minutes or 0) <= 240):
        errors.append(str(_l("The slot length is 5 to 240 minutes.")))
    if not (1 <= (item.slot_capacity or 0) <= 200):
        errors.append(str(_l("A slot has 1 to 200 places.")))
    if not (0 <= (item.days_ahead or 0) <= 60):
        errors.append(str(_l("Appointments open 0 to 60 days ahead.")))
    reserved = item.reserved_seats or 0
    if reserved < 0 or reserved > (item.slot_capacity or 0):
        errors.append(str(_l("The places kept for special groups cannot exceed the places per slot.")))
    if reserved and item.kind is not WindowGroupKind.green:
        errors.append(str(_l("Only green-channel groups keep places for special groups.")))
    if item.kind is WindowGroupKind.department and item.department is None:
        errors.append(str(_l("A department's window group names its department.")))
    return errors


def delayed_opening_rules(item) -> list[str]:
    errors = []
    if item.starts is None or item.ends is None or item.ends <= item.starts:
        errors.append(str(_l("The end must come after the start.")))
    if item.group is not None and item.center is not None and item.group.center_id != item.center.id:
        errors.append(str(_l("The window group belongs to another center.")))
    return errors


class WindowGroupView(GovModelView):
    """窗口组: the windows one queue and one appointment calendar serve."""

    datamodel = GovInterface(WindowGroup, eager=("center", "department", "windows"))
    class_permission_name = "WindowGroup"
    list_title = _l("Window groups")
    show_title = _l("Window group")
    add_title = _l("Add window group")
    edit_title = _l("Edit window group")
    registry = WINDOW_GROUP_FIELDS
    base_order = ("sort_order", "asc")
    label_columns = GROUP_LABELS
    item_rules = staticmethod(window_group_rules)
    method_permission_name = {**GovModelView.method_permission_name, "activate": "activate", "deactivate": "deactivate"}
    activate, deactivate = status_actions(RecordStatus.active, RecordStatus.inactive)


class DelayedOpeningView(GovModelView):
    """延时服务: the days and hours the center opens outside office hours."""

    datamodel = GovInterface(DelayedOpening, eager=("center", "group"))
    class_permission_name = "DelayedOpening"
    list_title = _l("Delayed service openings")
    show_title = _l("Delayed service opening")
    add_title = _l("Open delayed service")
    edit_title = _l("Edit delayed service opening")
    registry = DELAYED_OPENING_FIELDS
    base_order = ("day", "desc")
    label_columns = {
        **LABELS,
        "starts": _l("From"),
        "ends": _l("Until"),
        "group": _l("Window group (empty: all)"),
    }
    item_rules = staticmethod(delayed_opening_rules)
    add_form_extra_fields = edit_form_extra_fields = {
        "starts": GovTimeField(_l("From")),
        "ends": GovTimeField(_l("Until")),
    }


class AppointmentView(WorkflowView):
    """预约: the bookings of the groups in scope; a clerk books for a phone caller."""

    datamodel = GovInterface(Appointment, eager=("group", "center", "matter"))
    class_permission_name = "Appointment"
    base_permissions = ["can_read", "can_export", "can_act", "can_add"]
    method_permission_name = {**WorkflowView.method_permission_name, "book": "add"}
    service_add_form = "book"
    errors = (appointments.AppointmentError,)
    list_title = _l("Appointments")
    show_title = _l("Appointment")
    form_title = _l("Book for a caller")
    registry = APPOINTMENT_FIELDS
    base_order = ("starts_at", "desc")
    label_columns = {
        **LABELS,
        "number": _l("Appointment number"),
        "starts_at": _l("Appointment time"),
        "group": _l("Window group"),
        "id_last4": _l("ID number, last four"),
        "special": _l("Special group"),
        "delayed": _l("Delayed service"),
        "channel": _l("Booked through"),
        "booked_at": _l("Booked at"),
        "checked_in_at": _l("Checked in at"),
        "cancelled_at": _l("Cancelled at"),
        "rescheduled": _l("Times moved"),
        "slot": _l("Appointment time"),
    }

    @staticmethod
    def _groups():
        return db.session.scalars(
            sa.select(WindowGroup)
            .where(
                current_scope().clause(WindowGroup),
                WindowGroup.status == RecordStatus.active,
                WindowGroup.bookable.is_(True),
            )
            .order_by(WindowGroup.center_id, WindowGroup.sort_order, WindowGroup.prefix)
        ).all()

    @staticmethod
    def _slot_choices(groups, now, exclude=None):
        choices = []
        for group in groups:
            for slot, free in appointments.open_slots(db.session, group, now, special=True):
                if slot.id != exclude:
                    late = "（{}）".format(_l("Delayed service")) if slot.delayed else ""
                    label = f"{group} · {slot.starts_at:%m-%d %H:%M}-{slot.ends_at:%H:%M}{late} · {free}"
                    choices.append((slot.id, label))
                if len(choices) >= MAX_SLOT_CHOICES:
                    break
            if len(choices) >= MAX_SLOT_CHOICES:
                break
        db.session.commit()  # the slots generated for the form: it posts their ids back
        return choices

    def form_fields(self, form):
        matters = db.session.execute(
            sa.select(Matter.id, Matter.name).where(Matter.status == MatterStatus.active).order_by(Matter.code)
        )
        return [
            (
                "select",
                "slot_id",
                _l("Appointment time (places left)"),
                self._slot_choices(self._groups(), clock.now()),
            ),
            ("optional", "matter_id", _l("Matter"), list(matters)),
            ("text", "name", _l("Name"), None),
            ("text", "phone", _l("Phone"), None),
            ("text", "id_last4", _l("ID number, last four"), None),
            ("optional", "special", _l("Special group"), [(s.name, s.label) for s in SpecialGroup]),
            ("text", "note", _l("Note"), None),
        ]

    def save(self, form):
        return appointments.book(
            db.session,
            _booking(form),
            channel=AppointmentChannel.staff,
            now=clock.now(),
            user_id=g.user.id,
            group_ids={group.id for group in self._groups()},
        )

    @expose("/book", methods=["GET", "POST"])
    @has_access
    def book(self):
        return service_form(self, appointments.AppointmentError)

    def step_forms(self, item):
        if item.status is not AppointmentStatus.booked:
            return []
        now = clock.now()
        forms = [{"step": "cancel", "label": _l("Cancel the appointment"), "fields": []}]
        if item.starts_at - timedelta(hours=12) <= now:
            forms.append({"step": "check_in", "label": _l("The applicant has arrived (check in)"), "fields": []})
        others = self._slot_choices([item.group], now, exclude=item.slot_id)
        if others:
            forms.append(
                {
                    "step": "reschedule",
                    "label": _l("Move to another time"),
                    "fields": [("select", "slot_id", _l("Appointment time (places left)"), others)],
                }
            )
        return forms

    def run_step(self, item, step, version, form):
        if str(item.version) != (version or ""):
            raise appointments.AppointmentError(str(_l("The appointment changed meanwhile; please look again.")))
        now = clock.now()
        if step == "cancel":
            appointments.cancel(db.session, item, now)
        elif step == "reschedule":
            appointments.reschedule(db.session, item, int_or_none(form.get("slot_id")), now)
        elif step == "check_in":
            if not appointments.check_in(db.session, item, now):
                raise appointments.AppointmentError(str(_l("Only a booked appointment can be changed.")))
        else:
            raise appointments.AppointmentError(str(_l("Unknown step.")))


def _booking(form) -> appointments.Booking:
    special = form.get("special") or None
    if special is not None:
        special = SpecialGroup.__members__.get(special)
        if special is None:
            raise appointments.AppointmentError(str(_l("Choose one of the special groups offered.")))
    matter = form.get("matter_id") or None
    matter_id = int_or_none(matter)
    if matter is not None and matter_id is None:
        raise appointments.AppointmentError(str(_l("The matter chosen does not exist.")))
    return appointments.Booking(
        slot_id=int_or_none(form.get("slot_id")),
        name=form.get("name", ""),
        phone=form.get("phone", ""),
        id_last4=form.get("id_last4", ""),
        matter_id=matter_id,
        special=special,
        note=form.get("note"),
    )
