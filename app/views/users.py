"""FAB's user and role pages, for a Chinese hall.

Names read 姓 then 名 (one 姓名 column in the list, 姓 before 名 in forms and on the user's
page); roles show their Chinese labels (config.ROLE_LABELS) in lists, pages and the role
picker. FAB's user groups are not used here (roles come from config.FAB_ROLES): the group
column (always `[]`) and field are left out.
"""

import re

from flask_appbuilder.security import views as fab
from flask_appbuilder.widgets import ListWidget, ShowWidget
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms.validators import DataRequired

from app.views.display import role_label

NOT_USED = ("groups",)


def _chinese_order(columns):
    """last_name before first_name; nothing of NOT_USED."""
    columns = [column for column in columns if column not in NOT_USED]
    if "first_name" in columns and "last_name" in columns:
        first, last = columns.index("first_name"), columns.index("last_name")
        if last > first:
            columns[first], columns[last] = columns[last], columns[first]
    return columns


def _fieldsets(fieldsets):
    return [(title, {**spec, "fields": _chinese_order(spec["fields"])}) for title, spec in fieldsets]


def _role_picker(form_class):
    field = getattr(form_class, "roles", None)
    if field is not None:
        field.kwargs["get_label"] = lambda role: role_label(role.name)


# The classes keep FAB's names: a view's name is its permission (config.SELF_SERVICE grants
# can_userinfo on UserDBModelView) and its endpoint (FAB's navbar links UserDBModelView.userinfo).
class UserDBModelView(fab.UserDBModelView):
    list_columns = ["get_full_name", "username", "email", "active", "roles", "last_login"]
    label_columns = {**fab.UserDBModelView.label_columns, "get_full_name": _l("Full name")}
    show_fieldsets = _fieldsets(fab.UserDBModelView.show_fieldsets)
    user_show_fieldsets = _fieldsets(fab.UserDBModelView.user_show_fieldsets)
    search_columns = _chinese_order(fab.UserDBModelView.search_columns)
    add_columns = _chinese_order(fab.UserDBModelView.add_columns)
    edit_columns = _chinese_order(fab.UserDBModelView.edit_columns)
    # FAB's check reads the group field, which is not on the form.
    validators_columns = {"roles": [DataRequired(message=_l("Choose at least one role."))]}

    def _init_forms(self):
        super()._init_forms()
        for form in (self.add_form, self.edit_form):
            _role_picker(form)


# What a permission lets a role do, as the role page lists it (menu_access: sees the menu item).
PERMISSION_LABELS = {
    "can_read": _l("View"),
    "can_list": _l("View"),
    "can_show": _l("View"),
    "can_get": _l("View"),
    "can_download": _l("Download"),
    "can_add": _l("Add"),
    "can_edit": _l("Edit"),
    "can_delete": _l("Delete"),
    "can_export": _l("Export"),
    "can_import": _l("Import"),
    "can_act": _l("Act"),
    "can_activate": _l("Enable"),
    "can_deactivate": _l("Disable"),
    "can_confirm": _l("Confirm"),
    "can_intake": _l("Accept"),
    "can_call": _l("Call tickets"),
    "can_generate": _l("Generate"),
    "can_submit": _l("Submit"),
    "can_userinfo": _l("Own user information"),
    "can_this_form_get": _l("Open the form"),
    "can_this_form_post": _l("Submit the form"),
    "resetmypassword": _l("Reset my password"),
    "resetpasswords": _l("Reset passwords"),
    "userinfoedit": _l("Edit User Information"),
    "copyrole": _l("Copy role"),
    "menu_access": _l("Menu"),
}
# FAB's own views and menu items.
FAB_RESOURCES = {
    "Security": _l("Security"),
    "List Users": _l("Users"),
    "UserDBModelView": _l("Users"),
    "List Roles": _l("Roles"),
    "RoleModelView": _l("Roles"),
    "List Groups": _l("User groups"),
    "UserGroupModelView": _l("User groups"),
    "Base Permissions": _l("Base permissions"),
    "PermissionModelView": _l("Base permissions"),
    "Views/Menus": _l("Views and menus"),
    "ViewMenuModelView": _l("Views and menus"),
    "Permission on Views/Menus": _l("Permissions on views and menus"),
    "PermissionViewModelView": _l("Permissions on views and menus"),
    "ResetPasswordView": _l("Reset passwords"),
    "ResetMyPasswordView": _l("Reset my password"),
    "UserInfoEditView": _l("Edit User Information"),
}


def _resource_labels():
    from app import menu

    labels = dict(FAB_RESOURCES)
    for group in menu.MENU:
        labels.setdefault(group.name, group.label)
        for entry in group.entries:
            for key in (entry.name, entry.resource):
                if key and entry.label is not None:
                    labels.setdefault(key, entry.label)
    return labels


# A rule of config.FAB_ROLES is stored by FAB as a permission or view named by its regex:
# ^name$ or ^prefix(a|b|c)suffix$. Such a rule reads as the labels of the names it matches.
ANY = ".*"  # the Admin role's rule: every permission on every view
RULE = re.compile(r"\^([\w ]*)(?:\(([\w |]+)\))?([\w ]*)\$")


def _names(name: str) -> list[str]:
    rule = RULE.fullmatch(name)
    if rule is None:
        return [name]
    prefix, alternatives, suffix = rule.groups()
    return [prefix + alternative + suffix for alternative in (alternatives or "").split("|")]


def _labelled(name: str, labels) -> str | None:
    """The name's label, a rule's labels joined by 、; None when one of them has no label."""
    if name == ANY:
        return str(_l("All"))
    shown = [labels.get(part) for part in _names(name)]
    return None if None in shown else "、".join(dict.fromkeys(str(label) for label in shown))


def action_label(name: str) -> str:
    return _labelled(name, PERMISSION_LABELS) or name


def resource_label(name: str, labels=None) -> str:
    return _labelled(name, labels if labels is not None else _resource_labels()) or name


def permission_label(permission, labels=None) -> str:
    """「请假：查看」 for can_read on LeaveRequest, 「申诉、违规：办理」 for a built-in role's rule;
    names without a label stay as they are."""
    labels = labels if labels is not None else _resource_labels()
    return f"{resource_label(permission.view_menu.name, labels)}：{action_label(permission.permission.name)}"


def _permissions(permissions):
    labels = _resource_labels()
    return "\n".join(sorted(permission_label(permission, labels) for permission in permissions))


def _code_if_unlabelled(label: str, name: str):
    """The label, or the stored name as code (a key shown on purpose) when nothing names it."""
    return Markup("<code>{}</code>").format(name) if label == name else label


class PermissionModelView(fab.PermissionModelView):
    formatters_columns = {"name": lambda name: _code_if_unlabelled(action_label(name), name)}


class ViewMenuModelView(fab.ViewMenuModelView):
    formatters_columns = {"name": lambda name: _code_if_unlabelled(resource_label(name), name)}


class PermissionViewModelView(fab.PermissionViewModelView):
    formatters_columns = {
        "permission": lambda permission: _code_if_unlabelled(action_label(permission.name), permission.name),
        "view_menu": lambda view_menu: _code_if_unlabelled(resource_label(view_menu.name), view_menu.name),
    }

    def _init_forms(self):
        super()._init_forms()
        # The search form's selects offer the same names by their labels.
        self.search_form.permission.kwargs["get_label"] = lambda permission: action_label(permission.name)
        self.search_form.view_menu.kwargs["get_label"] = lambda view_menu: resource_label(view_menu.name)


class UserGroupModelView(fab.UserGroupModelView):
    """FAB's user groups (unused here: roles come from config.FAB_ROLES); the role picker reads
    the roles' labels (lists and pages do through app/views/display.py)."""

    def _init_forms(self):
        super()._init_forms()
        for form in (self.add_form, self.edit_form):
            _role_picker(form)


class RoleModelView(fab.RoleModelView):
    """Roles by their Chinese labels, permissions as 「resource：action」 in Chinese where the menu
    table names the resource. FAB's role widgets print a built-in role's raw rule list."""

    list_widget = ListWidget
    show_widget = ShowWidget
    list_columns = ["name"]
    formatters_columns = {"name": role_label, "permissions": _permissions}

    def _init_forms(self):
        super()._init_forms()
        for form in (self.add_form, self.edit_form):
            field = getattr(form, "permissions", None)
            if field is not None:
                field.kwargs["get_label"] = permission_label
