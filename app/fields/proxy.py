"""Fields of full-process proxy (全程代办): the proxies list and page."""

from app.fields import EXPORT, LIST, SEARCH, SHOW, Field, Registry
from app.models.proxy import CaseProxy

CASE_PROXY_FIELDS = Registry(
    CaseProxy,
    Field("case", LIST | SHOW | SEARCH | EXPORT, export_as=("case.number",)),
    Field("key_project", LIST | SHOW | SEARCH | EXPORT),
    Field("agent", LIST | SHOW | SEARCH | EXPORT, export_as=("agent.name",)),
    Field("assigned_at", LIST | SHOW | SEARCH | EXPORT),
    Field("assigned_by", SHOW | EXPORT),
    Field("proxy_fee", SHOW | EXPORT),
    Field("callback_at", LIST | SHOW | EXPORT),
    Field("callback_verdict", LIST | SHOW | SEARCH | EXPORT),
    Field("callback_note", SHOW | EXPORT),
    Field("callback_by", SHOW | EXPORT),
)
