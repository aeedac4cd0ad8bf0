"""Input FAB or the database cannot take is refused at the door: 400/404 with a Chinese message.

Each of these answered 500 (issue 12): an action name a view does not have (FAB's own security
views included, anonymously), an id past the database's integer in a URL, a form or a filter, an
enum filter value outside the enum, a rison `q` that sends the parser into endless recursion,
FAB's file download route (this app configures no UPLOAD_FOLDER), an API body that is not a JSON
object, and NUL characters, which PostgreSQL refuses in text. One before_request hook checks
them for every route, so a view added later is covered without doing anything; an invalid or
expired API token answers 401 in Chinese, not flask_jwt_extended's English 422.
"""

import json
import math
import re
from decimal import Decimal, InvalidOperation

import prison
from flask import Flask, current_app, request
from flask_appbuilder import ModelRestApi
from flask_babel import lazy_gettext as _l

from app.views.errors import respond

# PostgreSQL's `integer`: every id column. SQLite would take up to 2**63 - 1, but an id above
# this can never exist on PostgreSQL, so both engines answer the same.
INT_MAX = 2**31 - 1
_ID = re.compile(r"[0-9]{1,10}")
_SIGNED = re.compile(r"-?[0-9]{1,10}")
# FAB's own patterns (urltools): `_flt_<filter index>_<column>=value`, `_oc_<view class>=column`.
_FILTER_ARG = re.compile(r"_flt_(\d)_(.*)")
_ORDER_ARG = re.compile(r"_oc_(.*)")
_BODY_METHODS = {"POST", "PUT", "PATCH"}

NUL_MESSAGE = _l("The text contains a NUL character, which cannot be stored. Remove it and try again.")
FILTER_MESSAGE = _l("The search conditions are not valid.")
QUERY_MESSAGE = _l("The query argument q is not valid (rison or JSON, numbers within range).")
BODY_MESSAGE = _l("The request body must be a JSON object.")
NUMBER_MESSAGE = _l("A number in the request is out of range.")


def int_or_none(value) -> int | None:
    """An id or count from a URL, a query string or a form: ASCII digits up to INT_MAX, else None.

    str.isdigit() is no test: it accepts "²", which int() refuses, and any length.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= INT_MAX else None
    text = value.strip() if isinstance(value, str) else ""
    return int(text) if _ID.fullmatch(text) and int(text) <= INT_MAX else None


def install(app: Flask) -> None:
    """Check every request; call after every view is registered."""
    views = {view.blueprint.name: view for view in app.appbuilder.baseviews if getattr(view, "blueprint", None)}
    # A list page also orders the related lists it shows (a show page's), by their class names.
    ordered = {type(view).__name__: view for view in views.values() if getattr(view, "order_columns", None)}

    @app.before_request
    def _refuse_bad_input():
        refusal = _refusal(views.get(request.blueprint), ordered)
        if refusal is not None:
            return respond(*refusal)

    jwt = app.appbuilder.sm.jwt_manager
    jwt.invalid_token_loader(lambda _reason: respond(401, _l("The API token is not valid. Log in again.")))
    jwt.expired_token_loader(lambda _header, _payload: respond(401, _l("The API token has expired. Log in again.")))
    jwt.unauthorized_loader(lambda _reason: respond(401, _l("Log in first: send an API token.")))


def _refusal(view, ordered):
    """(status, message) for input to refuse, or None."""
    if _has_nul():
        return 400, NUL_MESSAGE
    if not _order_args_ok(ordered):
        return 400, FILTER_MESSAGE
    for name, value in (request.view_args or {}).items():
        if (name == "pk" or name.endswith("_id")) and int_or_none(value) is None:
            return 404, None
    for name, value in request.args.items(multi=True):
        if name.endswith("_id") and not name.startswith("_") and value and int_or_none(value) is None:
            return 400, FILTER_MESSAGE
    if view is None:
        return None
    method = request.endpoint.rpartition(".")[2]
    actions = getattr(view, "actions", None)
    if actions is not None and method == "action" and request.view_args["name"] not in actions:
        return 404, None
    if actions is not None and method == "action_post":
        if request.form.get("action") not in actions:
            return 404, None
        if any(int_or_none(pk) is None for pk in request.form.getlist("rowid")):
            return 404, None
    if method == "download" and "UPLOAD_FOLDER" not in current_app.config:
        return 404, None
    filters = getattr(view, "_filters", None)
    if filters is not None and not _filter_args_ok(view.datamodel, filters):
        return 400, FILTER_MESSAGE
    if request.path.startswith("/api/"):
        return _api_refusal(view, method, filters)
    return None


def _api_refusal(view, method, filters):
    if not _body_ok(view, method):
        return 400, BODY_MESSAGE
    if not _numbers_in_range(request.get_json(silent=True)):
        return 400, NUMBER_MESSAGE
    if "q" not in request.args:
        return None
    try:
        args = _rison(request.args["q"])
    except ValueError:
        return 400, QUERY_MESSAGE
    if not _numbers_in_range(args) or not _pages_ok(args):
        return 400, QUERY_MESSAGE
    given = args.get("filters") if isinstance(args, dict) else None
    if filters is not None and isinstance(given, list):
        for flt in given:
            if isinstance(flt, dict) and isinstance(flt.get("col"), str):
                value = flt.get("value")
                for item in value if isinstance(value, list) else [value]:
                    if not _filter_value_ok(view.datamodel, flt["col"], item):
                        return 400, FILTER_MESSAGE
    return None


def _body_ok(view, method) -> bool:
    if request.method not in _BODY_METHODS:
        return True
    # A POST may have no body at all (the token refresh); a record's create or edit may not.
    if not request.get_data(cache=True) and not (isinstance(view, ModelRestApi) and method in ("post", "put")):
        return True
    return isinstance(request.get_json(silent=True), dict)


def _rison(text):
    """FAB's reading of `q` (rison, then JSON), with its failures as ValueError."""
    try:
        return prison.loads(text)
    except RecursionError:
        # "((((" sends prison's parser into endless recursion
        raise ValueError(text) from None
    except prison.decoder.ParserException:
        return json.loads(text)  # JSONDecodeError is a ValueError


def _numbers_in_range(value) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return abs(value) <= INT_MAX
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_numbers_in_range(item) for item in value.values())
    if isinstance(value, list):
        return all(_numbers_in_range(item) for item in value)
    return True


def _order_args_ok(ordered) -> bool:
    # FAB hands any column name to ORDER BY (a 500); the view's base order may be named too.
    for arg, column in request.args.items():
        match = _ORDER_ARG.search(arg)
        view = ordered.get(match[1]) if match else None
        if view and column and column not in view.order_columns and column != (view.base_order or ("",))[0]:
            return False
    return True


def _pages_ok(value) -> bool:
    # A negative page or page size is a negative OFFSET or LIMIT: PostgreSQL refuses it (a 500).
    if isinstance(value, list):
        return all(_pages_ok(item) for item in value)
    if not isinstance(value, dict):
        return True
    for key, item in value.items():
        if key in ("page", "page_size") and (isinstance(item, bool) or not isinstance(item, int) or item < 0):
            return False
        if not _pages_ok(item):
            return False
    return True


def _filter_args_ok(datamodel, filters) -> bool:
    # FAB picks the filter by its index among the column's filters, unchecked (IndexError).
    known = filters._all_filters
    for arg in request.args:
        match = _FILTER_ARG.search(arg)
        if not match or match[2] not in known:
            continue
        if int(match[1]) >= len(known[match[2]]):
            return False
        if not all(_filter_value_ok(datamodel, match[2], value) for value in request.args.getlist(arg)):
            return False
    return True


def _filter_value_ok(datamodel, column, value) -> bool:
    """Whether the database can compare `column` with `value` (a string from a URL, or rison)."""
    head, _, rest = column.partition(".")
    if rest and datamodel.is_relation(head):
        return _filter_value_ok(datamodel.get_related_interface(head), rest, value)
    if isinstance(value, (dict, list)):
        return False
    if datamodel.is_relation(column):
        # FAB looks the related row up by this id
        return int_or_none(value) is not None
    if datamodel.is_enum(column):
        return value in datamodel.list_columns[column].type.enums
    if datamodel.is_integer(column):
        number = value if isinstance(value, int) else int(value) if _SIGNED.fullmatch(str(value)) else None
        return number is not None and abs(number) <= INT_MAX
    if datamodel.is_numeric(column) or datamodel.is_float(column):
        try:
            return len(str(value)) <= 40 and Decimal(str(value)).is_finite()
        except InvalidOperation:
            return False
    return True


def _has_nul() -> bool:
    if "\x00" in request.path:
        return True
    if any("\x00" in text for key, values in request.args.lists() for text in (key, *values)):
        return True
    if request.method in _BODY_METHODS:
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return any("\x00" in text for key, values in request.form.lists() for text in (key, *values))
        if request.is_json:
            return _json_has_nul(request.get_json(silent=True))
    return False


def _json_has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any("\x00" in key or _json_has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_json_has_nul(item) for item in value)
    return False
