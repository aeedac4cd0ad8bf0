"""Fields of the inspections register and the joint meetings (issue 19.3); both are recorded
through the views' own forms (app/views/inspection.py)."""

from app.fields import EXPORT, LIST, SEARCH, SHOW, Field, Registry
from app.models.inspection import Inspection, JointMeeting

INSPECTION_FIELDS = Registry(
    Inspection,
    Field("number", LIST | SHOW | SEARCH | EXPORT),
    Field("kind", LIST | SHOW | SEARCH | EXPORT),
    Field("inspected_at", LIST | SHOW | SEARCH | EXPORT),
    Field("center", LIST | SHOW | SEARCH | EXPORT),
    Field("place", LIST | SHOW | EXPORT),
    Field("inspectors", LIST | SHOW | SEARCH | EXPORT),
    Field("summary", SHOW | SEARCH | EXPORT),
    Field("recorded_at", SHOW | EXPORT),
    Field("recorded_by", SHOW | EXPORT),
)

JOINT_MEETING_FIELDS = Registry(
    JointMeeting,
    Field("held_on", LIST | SHOW | SEARCH | EXPORT),
    Field("topic", LIST | SHOW | SEARCH | EXPORT),
    Field("centers", LIST | SHOW | EXPORT),
    Field("attendees", SHOW | EXPORT),
    Field("minutes", SHOW | SEARCH | EXPORT),
    Field("decisions", SHOW | EXPORT),
    Field("recorded_at", SHOW | EXPORT),
    Field("recorded_by", SHOW | EXPORT),
)
