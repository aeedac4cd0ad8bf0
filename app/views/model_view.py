"""The base of every back-office list/show/add/edit view (GovModelView).

FAB generates the CRUD; this closes the gaps FAB_NOTES.md lists: row scope on
every path (list, show, edit, delete, actions, export), a clamped page size,
optimistic locking on edit forms, blank/是否 display of empty and boolean values,
and an Excel export that reuses the list's own filters (ExcelExport).
"""

from flask import abort, current_app, flash, has_request_context, redirect, request, url_for
from flask_appbuilder import ModelView, expose
from flask_appbuilder.actions import action
from flask_appbuilder.fields import EnumField
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from app.fields import Registry, fill
from app.security import current_scope
from app.services.scope import unseen
from app.views import remote_select
from app.views.date_fields import GovDateField, GovDateTimeField
from app.views.export import ExcelExport
from app.views.labels import LABELS
from app.views.phone_fields import normalize_phones, with_phone_checks
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
    # A search-as-you-type select's rows: those of the form it fills (app/views/remote_select.py).
    "choices_add": "add",
    "choices_edit": "edit",
    "choices_search": "read",
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


class RefusingEnumField(EnumField):
    """FAB's enum select, but a value that names no member is refused with the form's message:
    FAB's coerce raised KeyError for it, which wtforms does not catch (a 500 on a hand-made POST)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        members = self.coerce
        optional = any(isinstance(v, Optional) for v in self.validators)

        def coerce(value):
            if optional and value == "":
                return None
            try:
                return members(value)
            except KeyError:
                raise ValueError(str(_l("Not a valid choice"))) from None

        self.coerce = coerce
        if optional:
            # A nullable enum may be left unset (a step any staff handles): FAB offered no blank.
            self.choices = [("", "—"), *self.choices]

    def pre_validate(self, form):
        # FAB's check raised ValueError, which wtforms does not catch either; a blank optional
        # enum is no choice at all, which the Optional validator allows.
        if self.data is None and any(isinstance(v, Optional) for v in self.validators):
            return
        try:
            super().pre_validate(form)
        except ValueError:
            raise ValidationError(str(_l("Not a valid choice"))) from None


def _refusing_enums(form_class):
    for name in dir(form_class):
        field = getattr(form_class, name)
        if isinstance(field, UnboundField) and field.field_class is EnumField:
            field.field_class = RefusingEnumField


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
    # That form's search-as-you-type selects: field name -> remote_select.Choices.
    service_choices: dict | None = None
    # The list page's own filters picked by search (field name -> remote_select.Choices).
    list_choices: dict | None = None
    # Edit-form columns only a role whose scope spans departments (the center) sets; a
    # department's own form leaves them out (a member's department, window and post change
    # through a personnel change, which the center approves).
    center_columns: tuple = ()

    @property
    def edit_form(self):
        full = self.__dict__.get("_edit_form")
        if full is None or not self.center_columns or not has_request_context():
            return full
        return full if current_scope().spans_departments else self.__dict__["_department_edit_form"]

    @edit_form.setter
    def edit_form(self, form):
        self._edit_form = form
        if form is not None:  # WTForms drops a field a subclass sets to None
            self._department_edit_form = type(form.__name__, (form,), dict.fromkeys(self.center_columns))

    def _get_edit_widget(self, form, exclude_cols=None, widgets=None):
        widgets = widgets or {}
        widgets["edit"] = self.edit_widget(
            form=form,
            include_cols=[name for name in self.edit_columns if name in form],
            exclude_cols=exclude_cols or [],
            fieldsets=self.edit_fieldsets,
        )
        return widgets

    def __init__(self, **kwargs):
        if self.registry is not None:
            fill(self, self.registry.view_columns())
        self.base_filters = scope_filters(self.scope_filter_class) + (self.base_filters or [])
        self._versioned = is_versioned(self.datamodel.obj)
        if self._versioned and self.edit_columns:
            self.edit_form_extra_fields = {**(self.edit_form_extra_fields or {}), "row_version": HiddenField()}
            self.edit_columns = [*self.edit_columns, "row_version"]
        self.validators_columns, self.description_columns = with_phone_checks(self, self.datamodel)
        self.formatters_columns = {
            **_blank_formatters(self.datamodel),
            **_yes_no_formatters(self.datamodel),
            **(self.formatters_columns or {}),
        }
        super().__init__(**kwargs)
        self.extra_args = {**(self.extra_args or {}), "permission_resource": self.class_permission_name}
        for form in (self.add_form, self.edit_form):
            _optional_check_boxes(form)
            _refusing_enums(form)

    def _init_forms(self):
        # FAB has just filled in the default add/edit/search columns and builds the forms next.
        rel = scoped_choices
        self.add_form_query_rel_fields = rel(self.datamodel, self.add_columns, self.add_form_query_rel_fields)
        self.edit_form_query_rel_fields = rel(self.datamodel, self.edit_columns, self.edit_form_query_rel_fields)
        self.search_form_query_rel_fields = rel(self.datamodel, self.search_columns, self.search_form_query_rel_fields)
        self._remote = {("add", name): choices for name, choices in (self.service_choices or {}).items()}
        self._remote |= {("search", name): choices for name, choices in (self.list_choices or {}).items()}
        for form in self._open_forms():
            extra = {**(getattr(self, f"{form}_form_extra_fields") or {})}
            for name in getattr(self, f"{form}_columns") or ():
                if name not in extra:
                    field = self._own_field(form, name)
                    if field is not None:
                        extra[name] = field
            setattr(self, f"{form}_form_extra_fields", extra)
        super()._init_forms()

    def _open_forms(self):
        """The generated forms a user may open: search always; add and edit when the view grants
        them (an add its service's form replaces is not one), so no other form offers choices."""
        declared = type(self).base_permissions
        forms = ["add"] if not self.service_add_form and (declared is None or "can_add" in declared) else []
        forms += ["edit"] if declared is None or "can_edit" in declared else []
        return [*forms, "search"]

    def _own_field(self, form, name):
        """The field replacing FAB's for `name`: a search-as-you-type select for a relation to a
        large table, a date that parses or is refused (a browser date input on search forms), else None."""
        datamodel, label = self.datamodel, self.label_columns.get(name, name)
        required = not datamodel.is_nullable(name) and form != "search"
        if datamodel.is_relation_many_to_one(name):
            if remote_select.source_for(datamodel.get_related_model(name)) is None:
                return None
            rel_filters = getattr(self, f"{form}_form_query_rel_fields").get(name)
            choices = self._remote[form, name] = remote_select.related_choices(datamodel, name, rel_filters)
            url = remote_select.endpoint_url(self, form, name)
            return remote_select.RemoteRelationField(
                label, [DataRequired()] if required else [], choices=choices, url=url
            )
        if datamodel.is_relation(name) or name not in datamodel.get_columns_list():
            return None
        kind = GovDateTimeField if datamodel.is_datetime(name) else GovDateField if datamodel.is_date(name) else None
        if kind is None:
            return None
        if form == "search":
            # A search filters by day (FAB reads the value with dateutil); FAB's filter script
            # called a date-time picker it never loads, a script error on every date filter.
            return GovDateField(label)
        return kind(
            label,
            [InputRequired()] if required else [Optional()],
            description=(self.description_columns or {}).get(name, ""),
        )

    # -- search-as-you-type selects: the rows each may take, as JSON pages ------
    @expose("/choices/add/<column>")
    @has_access
    def choices_add(self, column):
        return self._choices("add", column)

    @expose("/choices/edit/<column>")
    @has_access
    def choices_edit(self, column):
        return self._choices("edit", column)

    @expose("/choices/search/<column>")
    @has_access
    def choices_search(self, column):
        return self._choices("search", column)

    def service_select(self, name, form, field_id=None):
        """The HTML of `service_choices[name]` on the service's own form, keeping a posted value."""
        choices = self._remote["add", name]
        url = url_for(f"{self.endpoint}.choices_add", column=name)
        return remote_select.render(name, url, choices, choices.get(form.get(name)), field_id or f"f-{name}")

    def list_select(self, name, value):
        """The HTML of `list_choices[name]` on the list page's own filter form."""
        choices = self._remote["search", name]
        url = url_for(f"{self.endpoint}.choices_search", column=name)
        return remote_select.render(name, url, choices, choices.get(value), f"f-{name}")

    def _choices(self, form, column):
        choices = self._remote.get((form, column))
        if choices is None:
            abort(404)
        return choices.answer()

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
        errors = [*(self.item_rules(item) if self.item_rules else []), *normalize_phones(item)]
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
