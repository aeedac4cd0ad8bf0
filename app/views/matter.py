"""Matter catalogue views: matters with their materials and steps."""

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from app.models.matter import Matter, MatterMaterial, MatterStatus, MatterStep
from app.services.catalogue import limit_errors, matter_errors
from app.views.api import GovModelApi
from app.views.interface import GovInterface
from app.views.model_view import GovModelView, status_actions

# One field list for the form and the API (which names the department by id).
MATTER_FORM_FIELDS = [
    "code", "name", "category", "department", "handling_level", "case_kind", "legal_limit_days",
    "promised_limit_days", "fee_standard", "fee_max", "fee_basis", "legal_basis", "conditions",
    "online_available", "stationed", "window_authorized", "place", "phone", "status",
]  # fmt: skip


def promised_within_legal(form, field):
    """Field validator: re-shows the form with the message instead of losing the input."""
    errors = limit_errors(form.legal_limit_days.data, field.data)
    if errors:
        raise ValidationError(errors[0])


class MatterMaterialView(GovModelView):
    datamodel = GovInterface(MatterMaterial, eager=("matter",))
    class_permission_name = "MatterMaterial"
    list_title = _l("Materials")
    show_title = _l("Material")
    add_title = _l("Add material")
    edit_title = _l("Edit material")
    list_columns = ["matter", "name", "form", "original_count", "copy_count", "required", "sort_order"]
    add_columns = ["matter", "name", "form", "original_count", "copy_count", "required", "note", "sort_order"]
    edit_columns = add_columns
    show_columns = add_columns
    search_columns = ["name", "form", "required"]
    base_order = ("sort_order", "asc")


class MatterStepView(GovModelView):
    datamodel = GovInterface(MatterStep, eager=("matter",))
    class_permission_name = "MatterStep"
    list_title = _l("Steps")
    show_title = _l("Step")
    add_title = _l("Add step")
    edit_title = _l("Edit step")
    list_columns = ["matter", "seq", "name", "limit_days", "handler_position"]
    add_columns = ["matter", "seq", "name", "limit_days", "handler_position", "note"]
    edit_columns = add_columns
    show_columns = add_columns
    search_columns = ["name"]
    base_order = ("seq", "asc")


class MatterView(GovModelView):
    datamodel = GovInterface(Matter, eager=("department",))
    class_permission_name = "Matter"
    list_title = _l("Service matters")
    show_title = _l("Service matter")
    add_title = _l("Add service matter")
    edit_title = _l("Edit service matter")
    list_columns = [
        "code",
        "name",
        "category",
        "department",
        "case_kind",
        "legal_limit_days",
        "promised_limit_days",
        "online_available",
        "status",
    ]
    export_columns = [
        "code",
        "name",
        "category",
        "department.name",
        "handling_level",
        "case_kind",
        "legal_limit_days",
        "promised_limit_days",
        "fee_standard",
        "fee_max",
        "fee_basis",
        "online_available",
        "place",
        "phone",
        "status",
    ]
    add_columns = MATTER_FORM_FIELDS
    edit_columns = add_columns
    show_fieldsets = [
        (_l("Basic information"), {"fields": ["code", "name", "category", "department", "handling_level", "status"]}),
        (_l("Time limits"), {"fields": ["case_kind", "legal_limit_days", "promised_limit_days"]}),
        (_l("Fees"), {"fields": ["fee_standard", "fee_max", "fee_basis"]}),
        (_l("Handling"), {"fields": ["legal_basis", "conditions", "online_available", "place", "phone"]}),
    ]
    search_columns = ["code", "name", "category", "department", "case_kind", "online_available", "status"]
    base_order = ("code", "asc")
    related_views = [MatterMaterialView, MatterStepView]
    validators_columns = {"promised_limit_days": [promised_within_legal]}
    description_columns = {
        "promised_limit_days": _l(
            "Working days; may not exceed the legal limit, and should be at least 30 per cent shorter."
        ),
        "fee_max": _l("Leave empty for a fixed fee; set it when the fee may vary up to this amount."),
    }
    item_rules = staticmethod(matter_errors)
    method_permission_name = {**GovModelView.method_permission_name, "activate": "activate", "deactivate": "deactivate"}
    activate, deactivate = status_actions(MatterStatus.active, MatterStatus.suspended)


class MatterApi(GovModelApi):
    resource_name = "matter"
    class_permission_name = "Matter"
    datamodel = GovInterface(Matter)
    list_columns = [
        "id",
        "code",
        "name",
        "category",
        "department_id",
        "handling_level",
        "case_kind",
        "legal_limit_days",
        "promised_limit_days",
        "fee_standard",
        "fee_max",
        "online_available",
        "status",
        "version",
    ]
    show_columns = list_columns + ["fee_basis", "legal_basis", "conditions", "place", "phone"]
    add_columns = [("department_id" if f == "department" else f) for f in MATTER_FORM_FIELDS]
    edit_columns = add_columns
    search_columns = ["code", "name", "department_id", "category", "status"]
    item_rules = staticmethod(matter_errors)
