"""Read-only audit log for Admin and Supervisor."""

import json

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app.fields.system import AUDIT_LOG_FIELDS
from app.models.audit import AuditLog
from app.views.interface import GovInterface
from app.views.model_view import GovModelView


def _format_changes(changes):
    if not changes:
        return ""
    lines = [
        f"{escape(field)}: {escape(json.dumps(before, ensure_ascii=False))} → "
        f"{escape(json.dumps(after, ensure_ascii=False))}"
        for field, (before, after) in changes.items()
    ]
    return Markup("<br>".join(lines))


class AuditLogView(GovModelView):
    datamodel = GovInterface(AuditLog)
    class_permission_name = "AuditLog"
    base_permissions = ["can_read", "can_export"]
    list_title = _l("Audit log")
    show_title = _l("Audit entry")
    registry = AUDIT_LOG_FIELDS
    base_order = ("at", "desc")
    formatters_columns = {"changes": _format_changes}
