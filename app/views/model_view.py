"""The base of every back-office list/show/add/edit view (GovModelView).

FAB generates the CRUD; this closes the gaps FAB_NOTES.md lists: row scope on
every path (list, show, edit, delete, actions, export), a clamped page size,
optimistic locking on edit forms, blank/是否 display of empty and boolean values,
and an Excel export that reuses the list's own filters (ExcelExport).
"""

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import ModelView, expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired

from app.fields import Registry, fill
from app.security import current_scope
from app.services.scope import unseen
from app.views.export import ExcelExport
from app.views.labels import LABELS
from app.views.scoping import ScopeFilter, check_in_scope, scope_filters, scoped_choices

# One permission vocabulary for views and APIs (Superset's idea): a role is
# granted can_read / can_add / can_edit / can_delete / can_export on a resource.
METHOD_PERMISSIONS = {
    "list": "read",
    "show": "read",
    "download": "read",
    "add": "add",
    "edit": "edit",
    "delete": "delete",
    "export": "export",
    "get": "read",
    "get_list": "read",
    "info": "read",
    "post": "add",
    "put": "edit",
}

STALE_MESSAGE = _l("This record was changed by someone else after you opened it. Reload it and edit again.")


def is_versioned(model) -> bool:
    """Whether the model carries an optimistic-lock `version` (VersionedMixin)."""
    return getattr(model, "__mapper_args__", {}).get("version_id_col") is not None


class StaleEdit(Exception):
    """Someone saved the row after this form was opened."""


def _blank(value):
    return "" if value is None else value


def _blank_formatters(datamodel):
    """Empty optional fields show as blank, not "None"."""
    return {name: _blank for name in datamodel.get_columns_list() if datamodel.is_nullable(name)}


def _yes_no(value):
    return "" if value is None else str(_l("Yes") if value else _l("No"))


def _yes_no_formatters(datamodel):
    """Lists and show pages say 是/否, not True/False."""
    return {name: _yes_no for name in datamodel.get_columns_list() if datamodel.is_boolean(name)}


def _optional_check_boxes(form_class):
    """FAB marks NOT NULL columns InputRequired, so an unchecked box ("no") fails.

    For a check box "unchecked" is an answer: drop the requirement.
    """
    for name in dir(form_class):
        field = getattr(form_class, name)
        if isinstance(field, UnboundField) and field.field_class is BooleanField:
            field.kwargs["validators"] = [
                v for v in field.kwargs.get("validators") or [] if not isinstance(v, (InputRequired, DataRequired))
            ]


class GovModelView(ExcelExport, ModelView):
    """Base for every back-office list/show/add/edit view."""

    list_template = "govhall/model_list.html"
    method_permission_name = METHOD_PERMISSIONS
    label_columns = LABELS
    page_size = 25
    # A services function item -> [error messages], shared with the API.
    item_rules = None
    # The model's field registry (app/fields): every column list the view does not set.
    registry: Registry | None = None

    # The base filter that applies row scope; a view may widen it for a quick list.
    scope_filter_class = ScopeFilter
    # The view's own route creating its records through a service (its rules and follow-ups).
    # FAB's generic add page goes there: it wrote raw fields past those rules and offered a
    # select of every related row (every case of the county: 16 s at 100k cases).
    service_add_form: str | None = None

    def __init__(self, **kwargs):
        if self.registry is not None:
            fill(self, self.registry.view_columns())
        self.base_filters = scope_filters(self.scope_filter_class) + (self.base_filters or [])
        self._versioned = is_versioned(self.datamodel.obj)
        if self._versioned and self.edit_columns:
            self.edit_form_extra_fields = {**(self.edit_form_extra_fields or {}), "row_version": HiddenField()}
            self.edit_columns = [*self.edit_columns, "row_version"]
        self.formatters_columns = {
            **_blank_formatters(self.datamodel),
            **_yes_no_formatters(self.datamodel),
            **(self.formatters_columns or {}),
        }
        super().__init__(**kwargs)
        self.extra_args = {**(self.extra_args or {}), "permission_resource": self.class_permission_name}
        for form in (self.add_form, self.edit_form):
            _optional_check_boxes(form)

    def _init_forms(self):
        # FAB has just filled in the default add/edit/search columns and builds the forms next.
        rel = scoped_choices
        self.add_form_query_rel_fields = rel(self.datamodel, self.add_columns, self.add_form_query_rel_fields)
        self.edit_form_query_rel_fields = rel(self.datamodel, self.edit_columns, self.edit_form_query_rel_fields)
        self.search_form_query_rel_fields = rel(self.datamodel, self.search_columns, self.search_form_query_rel_fields)
        super()._init_forms()

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        if self.service_add_form:
            return redirect(url_for(f"{self.endpoint}.{self.service_add_form}"))
        return super().add()

    # -- paging ---------------------------------------------------------------
    def _get_list_widget(self, **kwargs):
        size = kwargs.get("page_size") or self.page_size
        kwargs["page_size"] = max(1, min(size, current_app.config["PAGE_SIZE_MAX"]))
        return super()._get_list_widget(**kwargs)

    # -- writes ---------------------------------------------------------------
    def prefill_form(self, form, pk):
        if self._versioned:
            form.row_version.data = self.datamodel.get(pk, self._base_filters).version

    def pre_add(self, item):
        self.validate_item(item)
        check_in_scope(self.datamodel, item)

    def pre_update(self, item):
        if self._versioned:
            submitted = request.form.get("row_version", "")
            if not submitted.isdigit() or int(submitted) != item.version:
                self.datamodel.session.rollback()
                raise StaleEdit(str(STALE_MESSAGE))
        self.validate_item(item)
        check_in_scope(self.datamodel, item)

    def process_form(self, form, is_created):
        """A many-to-many picker offers only rows in the editor's scope: keep the members the
        editor cannot see. Loading the collections here, before FAB fills in the row, also
        keeps that load from flushing the form's other changes early (which stepped the
        version and failed the stale-edit check)."""
        if is_created:
            return
        item = self._scoped_get(request.view_args["pk"])
        for name in self.edit_columns:
            if self.datamodel.is_relation_many_to_many(name) and name in form:
                hidden = unseen(self.datamodel.session, current_scope(), list(getattr(item, name)))
                form[name].data = [*(form[name].data or []), *hidden]

    def validate_item(self, item):
        errors = self.item_rules(item) if self.item_rules else []
        if errors:
            raise ValueError("；".join(errors))

    # -- actions: FAB fetches rows without base filters; refetch within scope --
    def _scoped_get(self, pk):
        return self.datamodel.get(self._deserialize_pk_if_composite(pk), self._base_filters)

    @expose("/action/<string:name>/<pk>", methods=["POST"])
    def action(self, name, pk):
        if not self._may_run(name):
            abort(403)
        item = self._scoped_get(pk)
        if item is None:
            abort(404)
        return self.actions[name].func(item)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        name = request.form.get("action", "")
        if not self._may_run(name):
            abort(403)
        pks = request.form.getlist("rowid")
        items = [self._scoped_get(pk) for pk in pks]
        if not items or any(item is None for item in items):
            abort(404)
        return self.actions[name].func(items)

    def _may_run(self, name):
        return name in self.actions and self.appbuilder.sm.has_access(
            self.get_action_permission_name(name), self.class_permission_name
        )

    def set_status(self, items, status, message):
        """Shared body of the enable/disable actions."""
        items = items if isinstance(items, list) else [items]
        for item in items:
            item.status = status
        self.datamodel.session.commit()
        flash(str(message) % {"count": len(items)}, "success")
        return redirect(self.get_redirect())


def status_actions(active, inactive):
    """Enable/disable actions for a view whose model has a `status` column."""

    @action("activate", _l("Enable"), _l("Enable the selected records?"), "fa-check")
    def activate(self, items):
        return self.set_status(items, active, _l("%(count)s record(s) enabled."))

    @action("deactivate", _l("Disable"), _l("Disable the selected records?"), "fa-ban")
    def deactivate(self, items):
        return self.set_status(items, inactive, _l("%(count)s record(s) disabled."))

    return activate, deactivate
