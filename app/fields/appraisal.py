"""Fields of the annual appraisal (年度考核): generated rows, read and exported, never edited by hand."""

from app.fields import EXPORT, LIST, SEARCH, SHOW, Field, Registry
from app.models.appraisal import AnnualAppraisal

ANNUAL_APPRAISAL_FIELDS = Registry(
    AnnualAppraisal,
    Field("year", LIST | SHOW | SEARCH | EXPORT),
    Field("center", LIST | SHOW | SEARCH | EXPORT),
    Field("department", LIST | SHOW | SEARCH | EXPORT),
    Field("staff", LIST | SHOW | SEARCH | EXPORT, export_as=("staff.staff_no", "staff.name")),
    Field("months", LIST | SHOW | EXPORT),
    Field("eligible", LIST | SHOW | SEARCH | EXPORT),
    Field("score", LIST | SHOW | EXPORT),
    Field("rank", LIST | SHOW | EXPORT),
    Field("grade", LIST | SHOW | SEARCH | EXPORT),
    Field("bars", LIST | SHOW | EXPORT),
    Field("note", LIST | SHOW | EXPORT),
    Field("generated_at", SHOW),
    Field("generated_by", SHOW),
    Field("decided_at", SHOW | EXPORT),
    Field("decided_by", SHOW | EXPORT),
)
