"""Fields of the first-inquiry register (首问登记, issue 18.1); inquiries are recorded through the
view's own form (app/views/inquiry.py). The phone is listed and exported masked and searched by its
whole value (the list's phone box takes any written form)."""

from app.fields import EXPORT, LIST, SEARCH, SHOW, Field, Registry
from app.models.inquiry import Inquiry

INQUIRY_FIELDS = Registry(
    Inquiry,
    Field("received_at", LIST | SHOW | SEARCH | EXPORT),
    Field("channel", LIST | SHOW | SEARCH | EXPORT),
    Field("inquirer_name", LIST | SHOW | EXPORT),
    Field("phone", LIST | SHOW | SEARCH | EXPORT),
    Field("topic", LIST | SHOW | SEARCH | EXPORT),
    Field("matter", SHOW | EXPORT),
    Field("responder", LIST | SHOW | EXPORT),
    Field("department", SHOW | SEARCH | EXPORT),
    Field("center", SHOW | EXPORT),
    Field("status", LIST | SHOW | SEARCH | EXPORT),
    Field("referred_department", SHOW | SEARCH | EXPORT),
    Field("referred_staff", LIST | SHOW | EXPORT),
    Field("due_at", LIST | SHOW | SEARCH | EXPORT),
    Field("reply", SHOW | EXPORT),
    Field("replied_at", SHOW | EXPORT),
    Field("replied_by", SHOW | EXPORT),
    Field("answer", SHOW | EXPORT),
    Field("closed_at", SHOW | SEARCH | EXPORT),
    Field("closed_by", SHOW | EXPORT),
    Field("overdue_at", SHOW | EXPORT),
    Field("recorded_by", SHOW | EXPORT),
)
