"""What every GovHall model view and API shares.

FAB generates the CRUD; this module closes the gaps FAB_NOTES.md lists:
row scope on every path (list, show, edit, delete, actions, API, export),
a capped count and eager loading so lists stay fast at 1M rows, a clamped
page size, optimistic locking on edit forms, and Excel export that reuses the
list's own filters.
"""

import sys
import tempfile
from contextlib import contextmanager
from datetime import date

from flask import abort, current_app, flash, has_request_context, redirect, request, send_file, url_for
from flask_appbuilder import ModelRestApi, ModelView, expose
from flask_appbuilder.actions import action
from flask_appbuilder.exceptions import DatabaseException
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import FilterEqual, SQLAFilterConverter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import get_filter_args, get_order_args
from flask_babel import lazy_gettext as _l
from sqlalchemy import Time
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import aliased, joinedload, selectinload
from wtforms import BooleanField, HiddenField
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired

from app.extensions import csrf
from app.security import current_scope
from app.services.excel import write_workbook
from app.services.scope import unseen
from app.views.api_messages import chinese
from app.views.errors import OUTAGES, respond
from app.views.labels import LABELS

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


def is_versioned(model) -> bool:
    """Whether the model carries an optimistic-lock `version` (VersionedMixin)."""
    return getattr(model, "__mapper_args__", {}).get("version_id_col") is not None


class ScopeViolation(Exception):
    """The row is outside the actor's department scope."""


class StaleEdit(Exception):
    """Someone saved the row after this form was opened."""


# The value of a view's own scope filter: its rows, not a related field's choices. Rows a
# request changes are only those the actor may change; choices are all it may see.
OWN_ROWS = "own rows"


def _changing() -> bool:
    """The request changes the row it fetches (an edit form is opened to be saved)."""
    if not has_request_context():
        return False
    route = (request.endpoint or "").rsplit(".", 1)[-1]
    return request.method not in ("GET", "HEAD", "OPTIONS") or route in ("edit", "delete")


class ScopeFilter(BaseFilter):
    """Base filter limiting a model to the current user's row scope.

    A request for one row (a `pk` in the URL: show, edit, delete, action, API
    get/put/delete) uses the row clause, which a model may make wider than its
    list clause (see Scope.row_clause). A request that changes the view's own
    rows fetches only those the actor may change (Scope.changeable).
    """

    name = "scope"

    def apply(self, query, value):
        scope = current_scope()
        single = has_request_context() and "pk" in (request.view_args or {})
        query = query.filter(scope.row_clause(self.model) if single else scope.clause(self.model))
        if value == OWN_ROWS and _changing():
            query = query.filter(scope.changeable(self.model))
        return query


def scope_filters(filter_class=ScopeFilter):
    return [["id", filter_class, OWN_ROWS]]


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_workbook(stream, download_name: str):
    """An .xlsx download (exports, reports, bulletins, import templates)."""
    return send_file(stream, as_attachment=True, download_name=download_name, mimetype=XLSX_MIMETYPE)


class CappedCount(int):
    """A row count that stopped at the cap: pages compute with it, the page shows "10000+"."""

    def __str__(self):
        return f"{int(self) - 1}+"

    __html__ = __str__


class _FilterConverter(SQLAFilterConverter):
    # FAB has no filter for TIME columns (attendance clock-in/out) and warned about each one at
    # every start-up; they are listed and exported, never filtered.
    conversion_table = (("is_time", []), *SQLAFilterConverter.conversion_table)

    def convert(self, col_name):
        # A column the lists show masked is searched by its whole value only: "starts with" or
        # "contains" on it gave the hidden digits back one at a time.
        if col_name in self.datamodel.masked:
            return [FilterEqual(col_name, self.datamodel)]
        return super().convert(col_name)


class WriteRefused(ValueError):
    """The database refused a write for its content (a duplicate, a value it cannot store)."""


CONFLICT_MESSAGE = _l("The record conflicts with an existing one (a duplicate code or name?).")
VERSION_REQUIRED = _l('Send the record\'s "version" (a whole number, as last read) with the change.')


@contextmanager
def _refused_writes(conflict_message):
    """A refused write says what went wrong in plain words.

    FAB's API put the database's own error into its 422 answer, SQL text and parameters
    included; anything but a constraint or a value the database cannot store goes on
    as the database's error (an outage is not the client's fault).
    """
    try:
        yield
    except (DatabaseException, SQLAlchemyError) as exc:
        cause = exc.__cause__ if isinstance(exc, DatabaseException) else exc
        if isinstance(cause, IntegrityError):
            raise WriteRefused(str(conflict_message)) from exc
        if isinstance(cause, DataError):
            raise WriteRefused(str(_l("A value is too long or out of range for its field."))) from exc
        if isinstance(cause, SQLAlchemyError):
            raise cause from None
        raise


class GovInterface(SQLAInterface):
    """SQLAInterface with a capped count and eager-loaded relations for lists."""

    filter_converter_class = _FilterConverter

    def __init__(self, obj, session=None, eager=(), masked=()):
        super().__init__(obj, session)
        self.eager = eager
        # Personal data the lists show masked: searched by exact value only, never sorted by.
        self.masked = frozenset(masked)

    def get_order_columns_list(self, list_columns=None):
        # Sorting by a masked column would rank the hidden digits against a value one enters.
        return [col for col in super().get_order_columns_list(list_columns) if col not in self.masked]

    def is_time(self, col_name: str) -> bool:
        column = self.list_columns.get(col_name)
        return column is not None and isinstance(column.type, Time)

    def _eager_options(self):
        # Many-to-one relations ride along in the page's own SELECT (a JOIN); only
        # collections need a second query.
        return [
            (joinedload if self.is_relation_many_to_one(name) else selectinload)(getattr(self.obj, name))
            for name in self.eager
        ]

    def query(
        self,
        filters=None,
        order_column="",
        order_direction="",
        page=None,
        page_size=None,
        select_columns=None,
        outer_default_load=False,
    ):
        # FAB runs an exact count(*) over the whole filtered set; past the cap
        # the number only feeds the pager, so stop counting there.
        cap = current_app.config["LIST_COUNT_CAP"]
        base = self.session.query(self.obj)
        counted = self._apply_inner_all(base, filters, aliases_mapping={}).with_entities(self.get_pk())
        count = counted.limit(cap + 1).count()
        if count > cap:
            count = CappedCount(count)
        rows = self.apply_all(base, filters, order_column, order_direction, page, page_size)
        return count, rows.options(*self._eager_options()).all()

    def add(self, item, commit=True):
        with _refused_writes(CONFLICT_MESSAGE):
            super().add(item, commit)

    def edit(self, item, commit=True):
        with _refused_writes(CONFLICT_MESSAGE):
            super().edit(item, commit)

    def delete(self, item, commit=True):
        with _refused_writes(_l("This record is still used by other records and cannot be deleted.")):
            super().delete(item, commit)

    def stream(self, filters, columns, order_column="", order_direction="", batch=1000):
        """All rows the filters allow as tuples of `columns` values, in batches, for exports.

        Plain columns and `relation.column` of many-to-one relations are selected as
        columns (a 100k-row export spent a third of its time building ORM objects);
        anything else falls back to loading the objects.
        """
        query = self.apply_all(self.session.query(self.obj), filters, order_column, order_direction)
        entities = self._column_entities(columns)
        if entities is None:
            items = query.options(*self._eager_options()).yield_per(batch)
            return ([_dotted(item, col) for col in columns] for item in items)
        joins = {}
        selected = []
        for relation, attribute in entities:
            if relation is None:
                selected.append(getattr(self.obj, attribute))
                continue
            if relation not in joins:
                target = aliased(self.obj.__mapper__.relationships[relation].mapper.class_)
                joins[relation] = target
                query = query.outerjoin(target, getattr(self.obj, relation).of_type(target))
            selected.append(getattr(joins[relation], attribute))
        return query.with_entities(*selected).yield_per(batch)

    def _column_entities(self, columns):
        """(relation or None, column) per export column, or None if one is neither."""
        mapper = self.obj.__mapper__
        entities = []
        for col in columns:
            relation, _, attribute = col.rpartition(".")
            if not relation and attribute in mapper.columns:
                entities.append((None, attribute))
            elif relation in mapper.relationships and self.is_relation_many_to_one(relation):
                if attribute not in mapper.relationships[relation].mapper.columns:
                    return None
                entities.append((relation, attribute))
            else:
                return None
        return entities


def require_csrf_for_session_auth():
    """FAB exempts API blueprints from CSRF (it expects JWT); our APIs also accept
    the browser's session cookie, so writes made with one must carry the token."""
    if current_app.config["WTF_CSRF_ENABLED"] and "Authorization" not in request.headers:
        csrf.protect()


def check_in_scope(datamodel, item):
    """Refuse a write that would leave the actor's scope (FAB does not check adds or API writes).

    The row is flushed inside the open transaction and looked up through the
    scope's write clause (the lists' clause, narrowed to rows the actor may change
    and to references it may see), so the check can never disagree with them.
    """
    scope = current_scope()
    if scope.everything:
        return
    session = datamodel.session
    # pre_add runs before FAB puts the new row in the session: without this the flush
    # leaves it out, it has no id, and every department user's add was refused.
    session.add(item)
    session.flush()
    model = datamodel.obj
    found = session.query(model.id).filter(model.id == item.id, scope.write_clause(model)).first()
    if found is None:
        own = session.query(model.id).filter(model.id == item.id, scope.clause(model), scope.changeable(model)).first()
        session.rollback()
        if own is not None:
            raise ScopeViolation(
                str(_l("You may only link a record to records you may see (for example your own windows)."))
            )
        raise ScopeViolation(str(_l("You may only change records of your own department.")))


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


def _formatted(row, formatters):
    row = list(row)
    for index, formatter in formatters:
        row[index] = formatter(row[index])
    return row


def _dotted(item, column):
    value = item
    for part in column.split("."):
        value = getattr(value, part, None) if value is not None else None
    return value


class ChoiceFilter(BaseFilter):
    """A related field's choices (form and search selects, API `_info` values): the rows the
    user's own list of that model shows, on every page (an edit page too, where ScopeFilter
    would take the one-row clause). Logins have no department: those of the staff it sees."""

    name = "choices"

    def apply(self, query, value):
        scope = current_scope()
        if self.model is current_app.appbuilder.sm.user_model:
            return query.filter(scope.login_clause(self.model))
        return query.filter(scope.clause(self.model))


def scoped_choices(datamodel, columns, query_rel_fields):
    """FAB's `*_query_rel_fields` with every related column among `columns` limited in SQL to
    the user's scope (FAB offers the whole related table, every department's rows)."""
    fields = dict(query_rel_fields or {})
    for column in columns or ():
        if datamodel.is_relation(column):
            fields[column] = [["id", ChoiceFilter, None], *fields.get(column, [])]
    return fields


class GovModelView(ModelView):
    """Base for every back-office list/show/add/edit view."""

    list_template = "govhall/model_list.html"
    method_permission_name = METHOD_PERMISSIONS
    label_columns = LABELS
    page_size = 25
    # Columns written to Excel; defaults to list_columns.
    export_columns: list[str] | None = None
    # Value formatters applied in exports (e.g. masking personal data as the list does).
    export_formatters: dict = {}
    # A services function item -> [error messages], shared with the API.
    item_rules = None

    # The base filter that applies row scope; a view may widen it for a quick list.
    scope_filter_class = ScopeFilter
    # The view's own route creating its records through a service (its rules and follow-ups).
    # FAB's generic add page goes there: it wrote raw fields past those rules and offered a
    # select of every related row (every case of the county: 16 s at 100k cases).
    service_add_form: str | None = None

    def __init__(self, **kwargs):
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
                raise StaleEdit(
                    str(_l("This record was changed by someone else after you opened it. Reload it and edit again."))
                )
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

    # -- export ---------------------------------------------------------------
    @expose("/export/")
    @has_access
    def export(self):
        get_filter_args(self._filters)
        filters = self._filters.get_joined_filters(self._base_filters)
        order_column, order_direction = get_order_args().get(self.__class__.__name__, self.base_order or ("", ""))
        columns = self.export_columns or self.list_columns
        headers = [
            str(self.label_columns.get(col) or self.label_columns.get(col.split(".")[0], col)) for col in columns
        ]
        rows = self.datamodel.stream(filters, columns, order_column, order_direction)
        formatters = [
            (index, self.export_formatters[col]) for index, col in enumerate(columns) if col in self.export_formatters
        ]
        if formatters:
            rows = (_formatted(row, formatters) for row in rows)
        handle = tempfile.TemporaryFile(suffix=".xlsx")
        write_workbook(handle, str(self.list_title), headers, rows)
        handle.seek(0)
        name = f"{self.list_title}_{date.today():%Y%m%d}.xlsx"
        return send_workbook(handle, name)


class GovModelApi(ModelRestApi):
    """Base for REST APIs: same permissions, scope and rules as the views.

    Browser sessions are accepted (and then CSRF-checked by Flask-WTF).
    """

    allow_browser_login = True
    method_permission_name = METHOD_PERMISSIONS
    label_columns = LABELS
    max_page_size = 100
    item_rules = None

    def __init__(self):
        self.base_filters = scope_filters() + (self.base_filters or [])
        self._versioned = is_versioned(self.datamodel.obj)
        super().__init__()

    def _init_properties(self):
        super()._init_properties()
        # Without POST or PUT there is nothing to fill in, but FAB's `_info` would still list every
        # related row of every column (the case API: all events and joint tasks of the county).
        if not self._routed("post"):
            self.add_columns = []
        if not self._routed("put"):
            self.edit_columns = []
        self.add_query_rel_fields = scoped_choices(self.datamodel, self.add_columns, self.add_query_rel_fields)
        self.edit_query_rel_fields = scoped_choices(self.datamodel, self.edit_columns, self.edit_query_rel_fields)

    def _routed(self, method):
        included = self.include_route_methods is None or method in self.include_route_methods
        return included and method not in self.exclude_route_methods

    def pre_add(self, item):
        self._validate(item)
        check_in_scope(self.datamodel, item)

    def pre_update(self, item):
        if self._versioned:
            # Without the version an edit would skip the stale-edit check: it is required.
            expected = getattr(request, "govhall_expected_version", None)
            if isinstance(expected, bool) or not isinstance(expected, int):
                self.datamodel.session.rollback()
                raise ValueError(str(VERSION_REQUIRED))
            if expected != item.version:
                self.datamodel.session.rollback()
                raise StaleEdit(
                    str(_l("This record was changed by someone else after you opened it. Reload it and edit again."))
                )
        self._validate(item)
        check_in_scope(self.datamodel, item)

    _validate = GovModelView.validate_item

    def response_500(self, message=None):
        # FAB's @safe turns any exception inside an API method into an English "Fatal error"
        # 500, so a database lost mid-request would not get the app's 503. It calls this from
        # its except block: an outage goes on to the app's handler, the rest gets the Chinese 500.
        error = sys.exc_info()[1]
        if isinstance(error, OUTAGES):
            raise error
        return respond(500)

    # FAB's own schema and argument messages are English (see api_messages).
    def response_400(self, message=None):
        return self.response(400, message=chinese(message or "", 400))

    def response_422(self, message=None):
        return self.response(422, message=chinese(message or "", 422))

    def response_404(self):
        return respond(404)

    def _guarded(self, call):
        require_csrf_for_session_auth()
        try:
            return call()
        except ScopeViolation as exc:
            return self.response(403, message=str(exc))
        except (StaleEdit, ValueError) as exc:
            self.datamodel.session.rollback()
            return self.response_422(message=str(exc))

    def post_headless(self):
        return self._guarded(super().post_headless)

    def put_headless(self, pk):
        # "version" is the client's optimistic lock, not a field to write: take it
        # out of the (cached) JSON body before FAB's schema sees it.
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            request.govhall_expected_version = body.pop("version", None)
        return self._guarded(lambda: super(GovModelApi, self).put_headless(pk))

    def delete_headless(self, pk):
        # FAB answers a refused delete with the raw database error; say it plainly.
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            return self.response_404()
        return self._guarded(lambda: self._delete(item))

    def _delete(self, item):
        self.datamodel.delete(item)
        return self.response(200, message="OK")

    # -- the OpenAPI document says what the API answers (schemathesis checks it) --
    def add_apispec_components(self, api_spec):
        super().add_apispec_components(api_spec)
        schemas = api_spec.components.schemas
        for name in (self.list_model_schema_name, self.show_model_schema_name):
            for column, spec in schemas[name].get("properties", {}).items():
                if self.datamodel.is_numeric(column) and not self.datamodel.is_float(column):
                    # A Decimal goes out as an exact string ("20.00"), not a JSON number.
                    spec.update(type="string", format="decimal")
        if self._versioned:
            edit = schemas[self.edit_model_schema_name]
            edit["properties"]["version"] = {"type": "integer", "description": "The version as last read."}
            edit["required"] = [*edit.get("required", []), "version"]

    def operation_helper(self, path=None, operations=None, methods=None, func=None, **kwargs):
        super().operation_helper(path, operations, methods, func, **kwargs)
        # FAB's own text declares ids strings and `_info`'s column lists objects.
        for operation in operations.values():
            for response in operation.get("responses", {}).values():
                body = response.get("content", {}).get("application/json", {}).get("schema", {})
                properties = body.get("properties", {}) if isinstance(body, dict) else {}
                if "ids" in properties:
                    properties["ids"]["items"] = {"type": "integer"}
                if "id" in properties:
                    properties["id"] = {"type": "integer"}
                for key in ("add_columns", "edit_columns"):
                    if key in properties:
                        properties[key] = {"type": "array", "items": {"type": "object"}}


def status_actions(active, inactive):
    """Enable/disable actions for a view whose model has a `status` column."""

    @action("activate", _l("Enable"), _l("Enable the selected records?"), "fa-check")
    def activate(self, items):
        return self.set_status(items, active, _l("%(count)s record(s) enabled."))

    @action("deactivate", _l("Disable"), _l("Disable the selected records?"), "fa-ban")
    def deactivate(self, items):
        return self.set_status(items, inactive, _l("%(count)s record(s) disabled."))

    return activate, deactivate
