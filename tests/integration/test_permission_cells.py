"""Every role × every registered view × every verb it exposes, against permission_contract.py.

The cells are read from the running app (every view Flask-AppBuilder registered, each route
and @action with the permission it checks) and from config.FAB_ROLES; the answers from the
hand-written contract. A view, verb, resource, menu entry or role the contract does not
answer for fails test_the_contract_answers_every_cell, naming it.
"""

import pytest
import sqlalchemy as sa
from flask_appbuilder.security import views as fab_security

import config
from app import menu as menu_table
from app.extensions import db
from tests import world
from tests.conftest import login
from tests.integration import permission_contract as contract

PERMISSIONS, GRANTS = contract.grants()
MENU = contract.menu()
# GET routes not probed over HTTP: a GET deletes when CSRF is off (tests), a download needs a file.
UNPROBED = {"delete", "download"}


class _Role:
    """Flask-AppBuilder's check of a role from FAB_ROLES reads its name only."""

    def __init__(self, name):
        self.name = name


# Routes that check the permission of the @action they run (cells of their own).
DISPATCHERS = {"action", "action_post"}


def _routes(app):
    """(view, verb, its route function) for every view that checks permissions."""
    endpoints = sorted({rule.endpoint for rule in app.url_map.iter_rules()})
    for view in app.appbuilder.baseviews:
        if not view.base_permissions:
            continue  # the index, login and locale pages: open to all
        for endpoint in endpoints:
            owner, _, verb = endpoint.partition(".")
            if owner == type(view).__name__:
                yield view, verb, getattr(view, verb)


def _cells(app):
    """(view, verb, permission it checks) for every verb of every view that checks one."""
    cells = []
    for view, verb, function in _routes(app):
        if hasattr(function, "_permission_name"):  # FAB's @has_access / @protect
            permission = (view.method_permission_name or {}).get(verb) or function._permission_name
            cells.append((view, verb, f"can_{permission}"))
    for view in {id(view): view for view, _verb, _function in _routes(app)}.values():
        for action in getattr(view, "actions", None) or {}:
            cells.append((view, f"action:{action}", view.get_action_permission_name(action)))
    return cells


FAB_SECURITY_VIEWS = (
    fab_security.UserDBModelView,
    fab_security.RoleModelView,
    fab_security.UserGroupModelView,
    fab_security.PermissionModelView,
    fab_security.ViewMenuModelView,
    fab_security.PermissionViewModelView,
)


def _ours(view):
    """A view of the app's own, checked by its verbs; FAB's security views (app/views/users.py
    subclasses them only for Chinese names and labels) keep FAB's permission names."""
    return type(view).__module__.startswith("app.") and not isinstance(view, FAB_SECURITY_VIEWS)


def _short(permission):
    return permission.removeprefix("can_")


def _contract_permission(view, verb):
    name = type(view).__name__
    custom = contract.CUSTOM_VERBS.get(name, {})
    if _ours(view):
        return custom.get(verb) or contract.STANDARD_VERBS.get(verb)
    return custom.get(verb) or verb.removeprefix("action:")  # FAB's views: named after the verb


def _expected(role, view, verb):
    permission = _contract_permission(view, verb)
    resource = view.class_permission_name
    return permission in PERMISSIONS[resource] and permission in GRANTS[role][resource]


def _menu_entries(app):
    def walk(items):
        for item in items:
            if item.name != "-":  # a separator
                yield item.name
            yield from walk(item.childs or [])

    return list(walk(app.appbuilder.menu.menu))


def _declared_views():
    entries = [entry for group in menu_table.MENU for entry in group.entries] + list(menu_table.APIS)
    return {entry.view for entry in entries if entry.view}


def test_the_contract_answers_every_cell(app):
    missing = []
    roles = set(config.FAB_ROLES)
    missing += [f"role {role}: no column in the contract" for role in sorted(roles - set(contract.ROLES))]
    missing += [f"contract column {role}: no such role in FAB_ROLES" for role in sorted(set(contract.ROLES) - roles)]
    users = {role for role, _dept, _post in world.USERS.values()}
    missing += [f"role {role}: no user in tests/world.py" for role in sorted(roles - users - {"Public"})]

    missing += [
        f"{type(view).__name__}.{verb}: exposed without a permission check"
        for view, verb, function in _routes(app)
        if verb not in DISPATCHERS and not hasattr(function, "_permission_name")
    ]
    checked = {}
    for view, verb, permission in _cells(app):
        name, resource = type(view).__name__, view.class_permission_name
        if resource not in PERMISSIONS:
            missing.append(f"{name} ({resource}): no row in GRANTS")
            continue
        want = _contract_permission(view, verb)
        if want is None:
            missing.append(f"{name}.{verb} (checks {permission}): not in STANDARD_VERBS or CUSTOM_VERBS")
        elif want != _short(permission):
            missing.append(f"{name}.{verb} checks {permission}, the contract says can_{want}")
        checked.setdefault(resource, set()).update(_short(p) for p in view.base_permissions)
    for resource, permissions in checked.items():
        if permissions != PERMISSIONS[resource]:
            missing.append(
                f"{resource}: the views check {sorted(permissions)}, GRANTS says {sorted(PERMISSIONS[resource])}"
            )
    missing += [f"GRANTS row {resource}: no registered view" for resource in sorted(set(PERMISSIONS) - set(checked))]

    entries = _menu_entries(app)
    missing += [f"menu entry {entry}: no row in MENU" for entry in entries if entry not in MENU]
    missing += [f"MENU row {entry}: no such menu entry" for entry in MENU if entry not in entries]

    declared = _declared_views()
    for view in app.appbuilder.baseviews:
        path = f"{type(view).__module__}.{type(view).__name__}"
        if view.base_permissions and _ours(view) and path not in declared:
            missing.append(f"{path}: registered outside the menu table (app/menu.py)")
    assert not missing, "\n".join(dict.fromkeys(missing))  # one line per view, not per verb


def test_the_security_manager_answers_as_the_contract_says(app):
    """Each cell's answer from FAB's own check (the FAB_ROLES patterns), as a request would get it."""
    sm = app.appbuilder.sm
    wrong = []
    cells = [cell for cell in _cells(app) if cell[0].class_permission_name in PERMISSIONS]
    for role in contract.ROLES:
        for view, verb, permission in cells:
            if _contract_permission(view, verb) is None:
                continue  # reported by test_the_contract_answers_every_cell
            resource = view.class_permission_name
            allowed = permission in view.base_permissions and sm._has_access_builtin_roles(
                _Role(role), permission, resource
            )
            if allowed != _expected(role, view, verb):
                wrong.append(f"{role} {type(view).__name__}.{verb} ({permission} on {resource}): allowed={allowed}")
        for entry, shown in MENU.items():
            allowed = sm._has_access_builtin_roles(_Role(role), "menu_access", entry)
            if allowed != shown[role]:
                wrong.append(f"{role} menu {entry}: shown={allowed}")
    assert not wrong, "\n".join(wrong)


def _probes(app):
    """(view, verb, url, row id or None) for the GET routes of the app's views whose only argument is the row id."""
    with app.app_context():
        for view, verb, _permission in _cells(app):
            if not _ours(view) or verb in UNPROBED or verb.startswith("action:"):
                continue
            for rule in app.url_map.iter_rules(f"{type(view).__name__}.{verb}"):
                if "GET" not in rule.methods or not rule.arguments <= {"pk"}:
                    continue
                pk = None
                if rule.arguments:
                    pk = db.session.scalar(sa.select(sa.func.min(view.datamodel.obj.id))) or 0
                yield view, verb, rule.rule.replace("<int:pk>", str(pk)).replace("<pk>", str(pk)), pk


def _user(role):
    return next(name for name, (user_role, _dept, _post) in world.USERS.items() if user_role == role)


@pytest.mark.parametrize("role", contract.ROLES)
def test_http_answers_as_the_contract_says(app, client, role):
    """Every GET page and API read of the app's views, for one role: 403 where the contract
    refuses, an answer where it grants (404 allowed for a row outside a department role's
    scope), the login page (401 on the API) for visitors."""
    anonymous = role == "Public"
    if not anonymous:
        login(client, _user(role))
    wrong = []
    for view, verb, url, pk in _probes(app):
        response = client.get(url)
        got, api = response.status_code, url.startswith("/api/")
        if anonymous:
            ok = got == 401 if api else got == 302 and "/login" in response.headers["Location"]
        elif not _expected(role, view, verb):
            ok = got == 403
        else:
            redirect_ok = got == 302 and "/login" not in response.headers["Location"]
            # 404: the row is outside the role's scope (Admin sees every row), or the table is empty
            hidden = got == 404 and pk is not None and (role != "Admin" or pk == 0)
            ok = got == 200 or redirect_ok or hidden
        if not ok:
            wrong.append(f"{role} GET {url} ({type(view).__name__}.{verb}): {got}")
    assert not wrong, "\n".join(wrong)
