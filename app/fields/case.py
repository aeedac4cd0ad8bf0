"""Fields of the cases (the list, its export and the read-only API) and of the violations found in them."""

from app.fields import API_LIST, API_SEARCH, API_SHOW, EXPORT, LIST, SEARCH, SHOW, Field, Registry
from app.models.case import Case, Violation
from app.models.correction import CorrectionRequest

# The case page is its own template (govhall/case_show.html); cases are created by intake.
CASE_FIELDS = Registry(
    Case,
    Field("id", API_LIST | API_SHOW),
    Field("number", LIST | SEARCH | EXPORT | API_LIST | API_SHOW | API_SEARCH),
    Field("matter", LIST | EXPORT | API_LIST | API_SHOW),
    Field("applicant_name", LIST | SEARCH | EXPORT),
    Field("applicant_id_number", LIST | SEARCH | EXPORT),
    Field("applicant_phone", SEARCH),
    Field("department", LIST | EXPORT | API_LIST | API_SHOW | API_SEARCH),
    Field("window", API_LIST | API_SHOW),
    Field("kind", LIST | SEARCH | EXPORT | API_LIST | API_SHOW | API_SEARCH),
    Field("channel", SEARCH | EXPORT | API_LIST | API_SHOW),
    Field("status", LIST | SEARCH | EXPORT | API_LIST | API_SHOW | API_SEARCH),
    Field("received_at", EXPORT | API_LIST | API_SHOW),
    Field("accepted_at", LIST | SEARCH | EXPORT | API_LIST | API_SHOW | API_SEARCH),
    Field("deadline_at", LIST | SEARCH | EXPORT | API_LIST | API_SHOW | API_SEARCH),
    Field("light", LIST | EXPORT),
    Field("finished_at", EXPORT | API_LIST | API_SHOW),
    Field("result", EXPORT | API_LIST | API_SHOW),
    Field("version", API_LIST | API_SHOW),
    Field("step_seq", API_SHOW),
    Field("assignee", API_SHOW),
    Field("paused_workdays", API_SHOW),
    Field("extension_days", API_SHOW),
    Field("calendar_unconfirmed", API_SHOW),
    # 视为受理 (行政许可法 §32, services/prereview.py): shown on the case page beside the acceptance.
    Field("deemed_accepted", API_SHOW),
    # 延时服务 (case_flow/reception.py): also the list's quick filter ?quick=delayed.
    Field("delayed_service", EXPORT | API_LIST | API_SHOW),
    Field("fee", EXPORT | API_SHOW),
)

VIOLATION_FIELDS = Registry(
    Violation,
    Field("at", LIST | SHOW | SEARCH),
    Field("kind", LIST | SHOW | SEARCH),
    Field("department", LIST | SHOW | SEARCH),
    Field("staff", LIST | SHOW),
    Field("case", LIST | SHOW),
    Field("detail", LIST | SHOW | SEARCH),
    Field("status", LIST | SHOW | SEARCH),
    Field("decided_by", SHOW),
    Field("decided_at", SHOW),
)

# 数据更正申请: filed from the case page (views/correction.py), never through a generic form. The
# values (an ID number, a phone) are shown on the request's page only, not in lists or exports.
CORRECTION_REQUEST_FIELDS = Registry(
    CorrectionRequest,
    Field("case", LIST | SHOW | SEARCH | EXPORT, export_as=("case.number",)),
    Field("field", LIST | SHOW | SEARCH | EXPORT),
    Field("department", LIST | SHOW | SEARCH | EXPORT),
    Field("status", LIST | SHOW | SEARCH | EXPORT),
    Field("requested_at", LIST | SHOW | SEARCH | EXPORT),
    Field("requested_by", LIST | SHOW | EXPORT),
    Field("old_value", SHOW),
    Field("new_value", SHOW),
    Field("reason", SHOW | EXPORT),
    Field("decided_at", SHOW | EXPORT),
    Field("decided_by", LIST | SHOW | EXPORT),
    Field("decision_note", SHOW | EXPORT),
)
