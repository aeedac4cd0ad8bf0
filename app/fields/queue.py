"""Fields of queue tickets and queue devices (issue 18.3)."""

from app.fields import EXPORT, FORM, LIST, SEARCH, SHOW, Field, Registry
from app.models.queue import QueueDevice, QueueTicket

QUEUE_TICKET_FIELDS = Registry(
    QueueTicket,
    Field("number", LIST | SHOW | SEARCH | EXPORT),
    Field("service_day", LIST | SHOW | SEARCH | EXPORT),
    Field("group", LIST | SHOW | SEARCH | EXPORT),
    Field("source", LIST | SHOW | SEARCH | EXPORT),
    Field("status", LIST | SHOW | SEARCH | EXPORT),
    Field("issued_at", LIST | SHOW | EXPORT),
    Field("called_at", LIST | SHOW | EXPORT),
    Field("window", LIST | SHOW | SEARCH | EXPORT),
    Field("wait_seconds", LIST | SHOW | EXPORT),
    Field("service_seconds", LIST | SHOW | EXPORT),
    Field("case", LIST | SHOW | EXPORT),
    Field("center", SHOW | EXPORT),
    Field("called_by", SHOW | EXPORT),
    Field("recalls", SHOW | EXPORT),
    Field("served_start", SHOW | EXPORT),
    Field("served_end", SHOW | EXPORT),
)

QUEUE_DEVICE_FIELDS = Registry(
    QueueDevice,
    Field("name", LIST | SHOW | FORM | SEARCH),
    Field("kind", LIST | SHOW | FORM | SEARCH),
    Field("center", LIST | SHOW | FORM | SEARCH),
    Field("token", SHOW | FORM),
    Field("active", LIST | SHOW | FORM | SEARCH),
)
