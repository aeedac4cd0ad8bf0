"""Fields of online applications (网上申报): the list, the page and the export. They are created
on the portal and moved only through their steps (services/applications.py and the pre-review),
so no form field is declared."""

from app.fields import EXPORT, LIST, SEARCH, SHOW, Field, Registry
from app.models.application import Application

APPLICATION_FIELDS = Registry(
    Application,
    Field("number", LIST | SHOW | SEARCH | EXPORT),
    Field("status", LIST | SHOW | SEARCH | EXPORT),
    Field("matter", LIST | SHOW | EXPORT),
    Field("department", LIST | SHOW | SEARCH | EXPORT),
    Field("center", SHOW | EXPORT),
    Field("applicant_type", SHOW | EXPORT),
    Field("applicant_name", LIST | SHOW | SEARCH | EXPORT),
    Field("applicant_id_number", SHOW | SEARCH | EXPORT),
    Field("applicant_phone", SHOW | EXPORT),
    Field("contact_name", SHOW | EXPORT),
    Field("submitted_at", LIST | SHOW | SEARCH | EXPORT),
    Field("review_due_at", SHOW | EXPORT),
    # The pre-review scan flagged it past its limit (services/prereview.py).
    Field("review_flagged_at", SHOW | EXPORT),
    Field("correction_requested_at", SHOW | EXPORT),
    Field("correction_notice", SHOW | EXPORT),
    Field("resubmitted_at", SHOW | EXPORT),
    Field("reviewed_at", SHOW | EXPORT),
    Field("reviewer", SHOW | EXPORT),
    Field("refusal_reason", SHOW | EXPORT),
    Field("case", SHOW | EXPORT, export_as=("case.number",)),
    Field("withdrawn_at", SHOW | EXPORT),
)
