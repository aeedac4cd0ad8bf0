"""Fields of transfers (接件登记/转交): the list, the page and the export. They are created and
moved only through their steps (services/transfers.py), so no form field is declared."""

from app.fields import EXPORT, LIST, SEARCH, SHOW, Field, Registry
from app.models.transfer import Transfer

TRANSFER_FIELDS = Registry(
    Transfer,
    Field("number", LIST | SHOW | SEARCH | EXPORT),
    Field("kind", LIST | SHOW | SEARCH | EXPORT),
    Field("status", LIST | SHOW | SEARCH | EXPORT),
    Field("applicant_name", LIST | SHOW | SEARCH | EXPORT),
    Field("applicant_id_number", SHOW | SEARCH | EXPORT),
    Field("applicant_phone", SHOW | EXPORT),
    Field("matter", LIST | SHOW | EXPORT),
    Field("from_center", LIST | SHOW | EXPORT),
    Field("from_staff", SHOW | EXPORT),
    Field("to_center", LIST | SHOW | EXPORT),
    Field("to_department", LIST | SHOW | SEARCH | EXPORT),
    Field("to_window", SHOW | EXPORT),
    Field("registered_at", LIST | SHOW | SEARCH | EXPORT),
    Field("sent_at", SHOW | EXPORT),
    Field("handoff_due_at", SHOW | EXPORT),
    Field("confirm_due_at", LIST | SHOW | EXPORT),
    Field("flagged_at", SHOW | EXPORT),
    Field("received_at", SHOW | EXPORT),
    Field("received_by", SHOW | EXPORT),
    Field("accepted_at", SHOW | EXPORT),
    Field("case", SHOW | EXPORT, export_as=("case.number",)),
    Field("returned_at", SHOW | EXPORT),
    Field("return_reason", SHOW | EXPORT),
    Field("note", SHOW | EXPORT),
)
