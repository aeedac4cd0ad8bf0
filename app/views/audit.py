"""Read-only audit log for Admin and Supervisor.

Entries store table and column names as the database spells them; the page names them as the
rest of the UI does (a table by its list's title, a column by its label), keeping the stored
name beside a table that no page lists, as code.
"""

import json

from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app.fields.system import AUDIT_LOG_FIELDS
from app.models.audit import AuditLog
from app.views.interface import GovInterface
from app.views.labels import LABELS
from app.views.model_view import GovModelView

EMPTY = _l("(empty)")


def _table_label(table_name):
    for view in current_app.appbuilder.baseviews:
        model = getattr(getattr(view, "datamodel", None), "obj", None)
        if getattr(model, "__tablename__", None) == table_name and getattr(view, "list_title", None):
            return view.list_title
    return Markup("<code>{}</code>").format(table_name)


def _field_label(field):
    label = LABELS.get(field) or (LABELS.get(field[:-3]) if field.endswith("_id") else None)
    return escape(label) if label is not None else Markup("<code>{}</code>").format(field)


def _value(value):
    return escape(EMPTY) if value is None else escape(json.dumps(value, ensure_ascii=False))


def _format_changes(changes):
    if not changes:
        return ""
    lines = [
        Markup("{}: {} → {}").format(_field_label(field), _value(before), _value(after))
        for field, (before, after) in changes.items()
    ]
    return Markup("<br>").join(lines)


class AuditLogView(GovModelView):
    datamodel = GovInterface(AuditLog)
    class_permission_name = "AuditLog"
    base_permissions = ["can_read", "can_export"]
    list_title = _l("Audit log")
    show_title = _l("Audit entry")
    registry = AUDIT_LOG_FIELDS
    base_order = ("at", "desc")
    formatters_columns = {"changes": _format_changes, "table_name": _table_label}
