"""Matter catalogue views: matters with their materials and steps."""

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from app.fields.matter import MATTER_FIELDS, MATTER_MATERIAL_FIELDS, MATTER_STEP_FIELDS
from app.models.matter import Matter, MatterMaterial, MatterStatus, MatterStep
from app.services.catalogue import limit_errors, matter_errors
from app.views.api import GovModelApi
from app.views.interface import GovInterface
from app.views.model_view import GovModelView, status_actions


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
    registry = MATTER_MATERIAL_FIELDS
    base_order = ("sort_order", "asc")


class MatterStepView(GovModelView):
    datamodel = GovInterface(MatterStep, eager=("matter",))
    class_permission_name = "MatterStep"
    list_title = _l("Steps")
    show_title = _l("Step")
    add_title = _l("Add step")
    edit_title = _l("Edit step")
    registry = MATTER_STEP_FIELDS
    base_order = ("seq", "asc")


class MatterView(GovModelView):
    datamodel = GovInterface(Matter, eager=("department",))
    class_permission_name = "Matter"
    list_title = _l("Service matters")
    show_title = _l("Service matter")
    add_title = _l("Add service matter")
    edit_title = _l("Edit service matter")
    registry = MATTER_FIELDS
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
    registry = MATTER_FIELDS
    item_rules = staticmethod(matter_errors)
