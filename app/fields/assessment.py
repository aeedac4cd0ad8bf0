"""Fields of the assessment: rules, additions and deductions, monthly scores, quarterly results."""

from app.fields import EDIT, LIST, SEARCH, SHOW, Field, Registry
from app.models.assessment import AssessmentRecord, AssessmentRule, MonthlyScore, QuarterlyResult

# The forms of rules and records are the views' own (see views/assessment.py).
ASSESSMENT_RULE_FIELDS = Registry(
    AssessmentRule,
    Field("sort_order", LIST | SHOW),
    Field("code", LIST | SHOW | SEARCH),
    Field("name", LIST | SHOW | SEARCH),
    Field("category", LIST | SHOW | SEARCH),
    Field("trigger", LIST | SHOW | SEARCH),
    Field("points", LIST | SHOW),
    Field("monthly_cap", LIST | SHOW),
    Field("active", LIST | SHOW | SEARCH),
    Field("joint_liability", LIST | SHOW | SEARCH),
    Field("note", SHOW),
)

ASSESSMENT_RECORD_FIELDS = Registry(
    AssessmentRecord,
    Field("month", LIST | SHOW | SEARCH),
    Field("rule", LIST | SHOW | SEARCH),
    Field("staff", LIST | SHOW | SEARCH),
    Field("window", LIST | SHOW | SEARCH),
    Field("department", LIST | SHOW | SEARCH),
    Field("points", LIST | SHOW),
    Field("origin", LIST | SHOW | SEARCH),
    Field("occurred_at", LIST | SHOW),
    Field("evidence", LIST | SHOW | EDIT),
    Field("source_key", SHOW),
    Field("recorded_by", SHOW),
    Field("recorded_at", SHOW),
)

# Ranked within kind and center: the page shows one kind at a time (tabs), each row with its center.
MONTHLY_SCORE_FIELDS = Registry(
    MonthlyScore,
    Field("month", LIST | SHOW | SEARCH),
    Field("kind", LIST | SHOW | SEARCH),
    Field("center", LIST | SHOW | SEARCH),
    Field("rank", LIST | SHOW),
    Field("staff", LIST | SHOW | SEARCH),
    Field("window", LIST | SHOW | SEARCH),
    Field("department", LIST | SHOW | SEARCH),
    Field("served_share", SHOW),
    Field("additions", LIST | SHOW),
    Field("deductions", LIST | SHOW),
    Field("score", LIST | SHOW),
    Field("computed_at", SHOW),
)

QUARTERLY_RESULT_FIELDS = Registry(
    QuarterlyResult,
    Field("quarter_start", LIST | SHOW | SEARCH),
    Field("rank", LIST | SHOW),
    Field("honour", LIST | SHOW | SEARCH),
    Field("staff", LIST | SHOW | SEARCH),
    Field("window", LIST | SHOW | SEARCH),
    Field("department", LIST | SHOW | SEARCH),
    Field("mean_score", LIST | SHOW),
    Field("eligible", LIST | SHOW | SEARCH),
    Field("reasons", LIST | SHOW),
    Field("computed_at", SHOW),
)
