"""Fields of the public's feedback: evaluations, bad-review rectifications, complaints."""

from app.fields import LIST, SEARCH, SHOW, Field, Registry
from app.models.feedback import Complaint, Evaluation, Rectification, RectificationOrder

EVALUATION_FIELDS = Registry(
    Evaluation,
    Field("created_at", LIST | SHOW | SEARCH),
    Field("level", LIST | SHOW | SEARCH),
    Field("channel", LIST | SHOW | SEARCH),
    Field("is_default", LIST | SHOW | SEARCH),
    Field("case", LIST | SHOW),
    Field("department", LIST | SHOW | SEARCH),
    Field("window", LIST | SHOW | SEARCH),
    Field("staff", LIST | SHOW | SEARCH),
    Field("comment", LIST | SHOW | SEARCH),
    Field("tags", SHOW),
)

RECTIFICATION_FIELDS = Registry(
    Rectification,
    Field("opened_at", LIST | SHOW | SEARCH),
    Field("evaluation", LIST | SHOW),
    Field("department", LIST | SHOW | SEARCH),
    Field("assignee", LIST | SHOW),
    Field("status", LIST | SHOW | SEARCH),
    Field("contact_due_at", LIST | SHOW),
    Field("rectify_due_at", LIST | SHOW),
    Field("contacted_at", SHOW),
    Field("contact_note", SHOW),
    Field("rectified_at", SHOW),
    Field("measures", SHOW),
    Field("verdict", SHOW | SEARCH),
    Field("closed_at", SHOW),
)

COMPLAINT_FIELDS = Registry(
    Complaint,
    Field("number", LIST | SHOW | SEARCH),
    Field("filed_at", LIST | SHOW | SEARCH),
    Field("channel", LIST | SHOW | SEARCH),
    Field("subject", LIST | SHOW | SEARCH),
    Field("content", SHOW),
    Field("complainant_name", SHOW),
    Field("complainant_phone", SHOW),
    Field("department", LIST | SHOW | SEARCH),
    Field("window", SHOW),
    Field("staff", SHOW),
    Field("stage", LIST | SHOW | SEARCH),
    Field("stage_due_at", LIST | SHOW),
    Field("due_at", LIST | SHOW),
    Field("finding", LIST | SHOW | SEARCH),
    Field("investigation", SHOW),
    Field("reply", SHOW),
    Field("replied_at", SHOW),
    Field("sanctions", SHOW),
    Field("rectification_order", SHOW),
    Field("callback_note", SHOW),
    Field("complainant_satisfied", SHOW),
    Field("closed_at", SHOW),
)

RECTIFICATION_ORDER_FIELDS = Registry(
    RectificationOrder,
    Field("number", LIST | SHOW | SEARCH),
    Field("issued_at", LIST | SHOW | SEARCH),
    Field("complaint", LIST | SHOW),
    Field("department", LIST | SHOW | SEARCH),
    Field("staff", SHOW),
    Field("window", SHOW),
    Field("requirement", SHOW),
    Field("issued_by", SHOW),
    Field("due_at", LIST | SHOW | SEARCH),
    Field("status", LIST | SHOW | SEARCH),
    Field("closed_at", LIST | SHOW),
    Field("closed_by", SHOW),
    Field("closure_note", SHOW),
    Field("referred_on", LIST | SHOW | SEARCH),
    Field("referral_number", SHOW | SEARCH),
    Field("referral_note", SHOW),
    Field("referred_by", SHOW),
)
