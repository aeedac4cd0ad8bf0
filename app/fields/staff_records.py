"""Fields of a staff member's training records and previous posts (issue 19.5)."""

from app.fields import EXPORT, FORM, LIST, SEARCH, SHOW, Field, Registry
from app.models.staff_records import PreviousPost, TrainingRecord

TRAINING_RECORD_FIELDS = Registry(
    TrainingRecord,
    Field("staff", LIST | SHOW | FORM | SEARCH | EXPORT, export_as=("staff.staff_no", "staff.name")),
    Field("day", LIST | SHOW | FORM | SEARCH | EXPORT),
    Field("kind", LIST | SHOW | FORM | SEARCH | EXPORT),
    Field("title", LIST | SHOW | FORM | SEARCH | EXPORT),
    Field("hours", LIST | SHOW | FORM | EXPORT),
    Field("provider", LIST | SHOW | FORM | SEARCH | EXPORT),
    Field("passed", LIST | SHOW | FORM | SEARCH | EXPORT),
    Field("note", SHOW | FORM | EXPORT),
)

PREVIOUS_POST_FIELDS = Registry(
    PreviousPost,
    Field("staff", LIST | SHOW | FORM | SEARCH | EXPORT, export_as=("staff.staff_no", "staff.name")),
    Field("started_on", LIST | SHOW | FORM | SEARCH | EXPORT),
    Field("ended_on", LIST | SHOW | FORM | EXPORT),
    Field("organisation", LIST | SHOW | FORM | SEARCH | EXPORT),
    Field("post", LIST | SHOW | FORM | SEARCH | EXPORT),
    Field("note", SHOW | FORM | EXPORT),
)
