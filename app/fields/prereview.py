"""Fields of the pre-review queue (预审, issue 17.3): online applications as the department sees
them. They move only through the pre-review's decisions (services/prereview.py): no form field."""

from app.fields import EXPORT, LIST, SEARCH, SHOW, Field, Registry
from app.models.application import Application

PREREVIEW_FIELDS = Registry(
    Application,
    Field("number", LIST | SHOW | SEARCH | EXPORT),
    Field("status", LIST | SHOW | SEARCH | EXPORT),
    Field("matter", LIST | SHOW | EXPORT),
    Field("department", LIST | SHOW | SEARCH | EXPORT),
    Field("applicant_type", SHOW | EXPORT),
    Field("applicant_name", LIST | SHOW | SEARCH | EXPORT),
    Field("applicant_id_number", SHOW | SEARCH | EXPORT),
    Field("applicant_phone", SHOW | EXPORT),
    Field("contact_name", SHOW | EXPORT),
    Field("submitted_at", LIST | SHOW | SEARCH | EXPORT),
    Field("resubmitted_at", SHOW | EXPORT),
    Field("review_due_at", LIST | SHOW | EXPORT),
    Field("review_flagged_at", SHOW | EXPORT),
    Field("correction_requested_at", SHOW | EXPORT),
    Field("correction_notice", SHOW | EXPORT),
    Field("reviewed_at", SHOW | EXPORT),
    Field("reviewer", SHOW | EXPORT),
    Field("refusal_reason", SHOW | EXPORT),
    Field("case", SHOW | EXPORT, export_as=("case.number",)),
    Field("closed_at", SHOW | EXPORT),
)
