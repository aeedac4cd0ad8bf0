"""Fields of appeals (申诉): the list, show page and export; filed through the view's own form."""

from app.fields import EXPORT, LIST, SEARCH, SHOW, Field, Registry
from app.models.appeal import Appeal

APPEAL_FIELDS = Registry(
    Appeal,
    Field("filed_at", LIST | SHOW | SEARCH | EXPORT),
    Field("staff", LIST | SHOW | SEARCH | EXPORT, export_as=("staff.staff_no", "staff.name")),
    Field("department", LIST | SHOW | SEARCH | EXPORT),
    Field("subject", LIST | SHOW | EXPORT),
    Field("month", SHOW | SEARCH | EXPORT),
    Field("status", LIST | SHOW | SEARCH | EXPORT),
    Field("reason", SHOW | EXPORT),
    Field("evidence", SHOW | EXPORT),
    Field("filed_by", SHOW),
    Field("chief_comment", SHOW | EXPORT),
    Field("commented_by", SHOW),
    Field("commented_at", SHOW),
    Field("decision_note", SHOW | EXPORT),
    Field("decided_by", SHOW | EXPORT),
    Field("decided_at", SHOW | EXPORT),
)
