"""Fields of the window groups, delayed-service openings and appointments (issue 18.2)."""

from app.fields import EXPORT, FORM, LIST, SEARCH, SHOW, Field, Registry
from app.models.appointment import Appointment, DelayedOpening, WindowGroup

WINDOW_GROUP_FIELDS = Registry(
    WindowGroup,
    Field("prefix", LIST | SHOW | FORM | SEARCH | EXPORT),
    Field("name", LIST | SHOW | FORM | SEARCH | EXPORT),
    Field("kind", LIST | SHOW | FORM | SEARCH | EXPORT),
    Field("center", LIST | SHOW | FORM | SEARCH | EXPORT),
    Field("department", LIST | SHOW | FORM | SEARCH | EXPORT),
    Field("windows", SHOW | FORM),
    Field("slot_minutes", LIST | SHOW | FORM | EXPORT),
    Field("slot_capacity", LIST | SHOW | FORM | EXPORT),
    Field("reserved_seats", SHOW | FORM | EXPORT),
    Field("days_ahead", SHOW | FORM | EXPORT),
    Field("bookable", LIST | SHOW | FORM | EXPORT),
    Field("status", LIST | SHOW | SEARCH | EXPORT),
    Field("sort_order", SHOW | FORM),
)

DELAYED_OPENING_FIELDS = Registry(
    DelayedOpening,
    Field("day", LIST | SHOW | FORM | SEARCH | EXPORT),
    Field("starts", LIST | SHOW | FORM | EXPORT),
    Field("ends", LIST | SHOW | FORM | EXPORT),
    Field("center", LIST | SHOW | FORM | SEARCH | EXPORT),
    Field("group", LIST | SHOW | FORM | SEARCH | EXPORT),
    Field("note", LIST | SHOW | FORM | EXPORT),
)

APPOINTMENT_FIELDS = Registry(
    Appointment,
    Field("number", LIST | SHOW | SEARCH | EXPORT),
    Field("starts_at", LIST | SHOW | SEARCH | EXPORT),
    Field("group", LIST | SHOW | SEARCH | EXPORT),
    Field("center", SHOW | SEARCH | EXPORT),
    Field("matter", LIST | SHOW | EXPORT),
    Field("name", LIST | SHOW | SEARCH | EXPORT),
    Field("phone", LIST | SHOW | SEARCH | EXPORT),
    Field("id_last4", SHOW | EXPORT),
    Field("special", LIST | SHOW | SEARCH | EXPORT),
    Field("status", LIST | SHOW | SEARCH | EXPORT),
    Field("delayed", LIST | SHOW | SEARCH | EXPORT),
    Field("channel", SHOW | SEARCH | EXPORT),
    Field("booked_at", SHOW | EXPORT),
    Field("checked_in_at", SHOW | EXPORT),
    Field("cancelled_at", SHOW | EXPORT),
    Field("rescheduled", SHOW | EXPORT),
    Field("note", SHOW | EXPORT),
)
