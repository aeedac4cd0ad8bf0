"""Row scope on every path of a view or API: the rows a list, show, edit or action may
reach (ScopeFilter), the choices a related field offers (ChoiceFilter) and the check
that a write stays inside the actor's scope (check_in_scope; FAB checks neither adds
nor API writes)."""

from flask import current_app, has_request_context, request
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l

from app.security import current_scope
from app.views.interface import CONFLICT_MESSAGE, WriteRefused, refused_writes


class ScopeViolation(Exception):
    """The row is outside the actor's department scope."""


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
    # The flush is where the database first sees the row: a duplicate is refused here, before
    # FAB's own write, and must read as plainly (and leave the session usable) as it does there.
    try:
        with refused_writes(CONFLICT_MESSAGE):
            session.flush()
    except WriteRefused:
        session.rollback()
        raise
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
