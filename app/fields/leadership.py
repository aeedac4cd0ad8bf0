"""Fields of the leaders' roster and visit log (issue 19.6); both are recorded through the views' own forms."""

from app.fields import EXPORT, LIST, SEARCH, SHOW, Field, Registry
from app.models.leadership import LeaderDuty, LeaderVisit

LEADER_DUTY_FIELDS = Registry(
    LeaderDuty,
    Field("day", LIST | SHOW | SEARCH | EXPORT),
    Field("half_day", LIST | SHOW | EXPORT),
    Field("department", LIST | SHOW | SEARCH | EXPORT),
    Field("window", LIST | SHOW | SEARCH | EXPORT),
    Field("leader_name", LIST | SHOW | SEARCH | EXPORT),
    Field("leader_rank", LIST | SHOW | SEARCH | EXPORT),
    Field("kind", LIST | SHOW | SEARCH | EXPORT),
    Field("staff", SHOW),
    Field("note", SHOW | EXPORT),
    Field("recorded_at", SHOW | EXPORT),
    Field("recorded_by", SHOW | EXPORT),
)

LEADER_VISIT_FIELDS = Registry(
    LeaderVisit,
    Field("visited_at", LIST | SHOW | SEARCH | EXPORT),
    Field("department", LIST | SHOW | SEARCH | EXPORT),
    Field("window", LIST | SHOW | SEARCH | EXPORT),
    Field("leader_name", LIST | SHOW | SEARCH | EXPORT),
    Field("leader_rank", LIST | SHOW | SEARCH | EXPORT),
    Field("summary", LIST | SHOW | EXPORT),
    Field("staff", SHOW),
    Field("recorded_at", SHOW | EXPORT),
    Field("recorded_by", SHOW | EXPORT),
)
