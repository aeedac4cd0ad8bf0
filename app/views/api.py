"""The base of every REST API (GovModelApi): the views' permissions, scope and rules.

Browser sessions are accepted (and then CSRF-checked by Flask-WTF); a PUT of a
versioned record must carry the version it read; refusals and FAB's own errors
answer in Chinese; the OpenAPI document says what the API really answers.
"""

import sys

from flask import current_app, request
from flask_appbuilder import ModelRestApi
from flask_babel import lazy_gettext as _l

from app.extensions import csrf
from app.fields import Registry, fill
from app.views.api_messages import chinese
from app.views.errors import OUTAGES, respond
from app.views.labels import LABELS
from app.views.model_view import METHOD_PERMISSIONS, STALE_MESSAGE, GovModelView, StaleEdit, is_versioned
from app.views.scoping import ScopeViolation, check_in_scope, scope_filters, scoped_choices

VERSION_REQUIRED = _l('Send the record\'s "version" (a whole number, as last read) with the change.')


def require_csrf_for_session_auth():
    """FAB exempts API blueprints from CSRF (it expects JWT); our APIs also accept
    the browser's session cookie, so writes made with one must carry the token."""
    if current_app.config["WTF_CSRF_ENABLED"] and "Authorization" not in request.headers:
        csrf.protect()


class GovModelApi(ModelRestApi):
    """Base for REST APIs: same permissions, scope and rules as the views.

    Browser sessions are accepted (and then CSRF-checked by Flask-WTF).
    """

    allow_browser_login = True
    method_permission_name = METHOD_PERMISSIONS
    label_columns = LABELS
    max_page_size = 100
    item_rules = None
    # The model's field registry (app/fields): every column list the API does not set.
    registry: Registry | None = None

    def __init__(self):
        if self.registry is not None:
            fill(self, self.registry.api_columns())
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
                raise StaleEdit(str(STALE_MESSAGE))
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
            # An id in the body that leads out of the actor's scope is answered as an id in the
            # URL is (issue 16): not found, nothing changed; the message says what was refused.
            return self.response(404, message=str(exc))
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
