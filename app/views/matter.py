"""Matter catalogue views: matters with their materials and steps."""

from flask import flash, g, redirect, url_for
from flask_appbuilder import expose
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from app.extensions import db
from app.fields.matter import MATTER_FIELDS, MATTER_MATERIAL_FIELDS, MATTER_STEP_FIELDS
from app.models.matter import Matter, MatterMaterial, MatterStatus, MatterStep
from app.services import catalogue
from app.services.catalogue import PromisedRule, limit_errors, matter_errors
from app.views.api import GovModelApi
from app.views.interface import GovInterface
from app.views.model_view import GovModelView, status_actions


def promised_within_legal(form, field):
    """Field validator: re-shows the form with the message instead of losing the input."""
    legal = form.legal_limit_days.data
    # The promised-limit rule refuses here only in refuse mode; in warn mode the save flashes it.
    errors = limit_errors(legal, field.data) or PromisedRule.load(db.session).check(legal, field.data)[0]
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
        "urgent_limit_days": _l(
            "Working days for an urgent case (急办件, green channel); shorter than the promised limit. "
            "Empty: the setting applies."
        ),
        "fee_max": _l("Leave empty for a fixed fee; set it when the fee may vary up to this amount."),
    }
    method_permission_name = {**GovModelView.method_permission_name, "activate": "activate", "deactivate": "deactivate"}
    activate, deactivate = status_actions(MatterStatus.active, MatterStatus.suspended)

    def item_rules(self, item):
        return matter_errors(item, PromisedRule.load(db.session))

    def post_add(self, item):
        self._warn(item)

    def post_update(self, item):
        self._warn(item)

    @staticmethod
    def _warn(item):
        for message in catalogue.matter_warnings(item, PromisedRule.load(db.session)):
            flash(message, "warning")


class MatterApi(GovModelApi):
    resource_name = "matter"
    class_permission_name = "Matter"
    datamodel = GovInterface(Matter)
    registry = MATTER_FIELDS

    def item_rules(self, item):
        return matter_errors(item, PromisedRule.load(db.session))

    # Warn mode: a saved matter's warnings ride along in the answer, as the form flashes them.
    def post_add(self, item):
        g.govhall_matter_warnings = catalogue.matter_warnings(item, PromisedRule.load(db.session))

    post_update = post_add

    def response(self, code, **kwargs):
        warnings = g.pop("govhall_matter_warnings", None)
        if warnings and code in (200, 201):
            kwargs["warnings"] = warnings
        return super().response(code, **kwargs)


class PromisedTooLong(BaseFilter):
    """The catalogue check: matters whose promised limit breaks the rule as the county set it."""

    name = "promised_too_long"

    def apply(self, query, value):
        return query.filter(catalogue.promised_too_long(db.session))


class CatalogueCheckView(GovModelView):
    """Seed 002 (按照法定时限减少30%以上): the matters in scope whose promised limit is not short
    enough, as a list with the usual filters and Excel export (read-only; edit them as matters)."""

    datamodel = GovInterface(Matter, eager=("department",))
    class_permission_name = "CatalogueCheck"
    base_permissions = ["can_read", "can_export"]
    base_filters = [["id", PromisedTooLong, lambda: None]]
    list_title = _l("Catalogue check: promised limits not short enough")
    show_title = _l("Service matter")
    registry = MATTER_FIELDS
    list_columns = ["code", "name", "department", "legal_limit_days", "promised_limit_days", "status"]
    base_order = ("code", "asc")

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        """A listed matter opens as a matter (its own page, scope and edit button)."""
        return redirect(url_for("MatterView.show", pk=pk))
