"""Organisation views: centers, departments, windows, staff."""

from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models.org import Center, Department, RecordStatus, Staff, StaffStatus, Window
from app.services import centers
from app.views.api import GovModelApi
from app.views.interface import GovInterface
from app.views.model_view import GovModelView, status_actions


def _staff_errors(staff):
    return centers.staff_errors(db.session, staff)


class StaffView(GovModelView):
    datamodel = GovInterface(Staff, eager=("department", "center", "window", "user"))
    class_permission_name = "Staff"
    list_title = _l("Staff")
    show_title = _l("Staff member")
    add_title = _l("Add staff member")
    edit_title = _l("Edit staff member")
    list_columns = ["staff_no", "name", "department", "center", "window", "position", "phone", "joined_on", "status"]
    show_columns = [
        "staff_no",
        "name",
        "department",
        "center",
        "window",
        "position",
        "phone",
        "user",
        "joined_on",
        "status",
    ]
    add_columns = show_columns
    edit_columns = add_columns
    search_columns = ["staff_no", "name", "department", "center", "position", "status", "phone"]
    item_rules = staticmethod(_staff_errors)
    base_order = ("staff_no", "asc")
    method_permission_name = {**GovModelView.method_permission_name, "activate": "activate", "deactivate": "deactivate"}
    activate, deactivate = status_actions(StaffStatus.active, StaffStatus.inactive)


class WindowView(GovModelView):
    datamodel = GovInterface(Window, eager=("center", "department", "member_departments"))
    class_permission_name = "Window"
    list_title = _l("Windows")
    show_title = _l("Window")
    add_title = _l("Add window")
    edit_title = _l("Edit window")
    list_columns = ["code", "name", "kind", "center", "department", "status"]
    show_columns = ["code", "name", "kind", "center", "department", "member_departments", "status", "note"]
    add_columns = ["code", "name", "kind", "center", "department", "member_departments", "status", "note"]
    edit_columns = add_columns
    search_columns = ["code", "name", "kind", "center", "department", "status"]
    base_order = ("code", "asc")
    related_views = [StaffView]
    method_permission_name = {**GovModelView.method_permission_name, "activate": "activate", "deactivate": "deactivate"}
    activate, deactivate = status_actions(RecordStatus.active, RecordStatus.inactive)


class DepartmentView(GovModelView):
    datamodel = GovInterface(Department, eager=("center",))
    class_permission_name = "Department"
    list_title = _l("Departments")
    show_title = _l("Department")
    add_title = _l("Add department")
    edit_title = _l("Edit department")
    list_columns = ["code", "name", "short_name", "center", "phone", "status"]
    add_columns = ["code", "name", "short_name", "center", "phone", "status", "sort_order"]
    edit_columns = add_columns
    show_columns = add_columns
    search_columns = ["code", "name", "short_name", "center", "status"]
    base_order = ("sort_order", "asc")
    related_views = [WindowView, StaffView]


class CenterView(GovModelView):
    datamodel = GovInterface(Center, eager=("parent",))
    class_permission_name = "Center"
    list_title = _l("Service centers")
    show_title = _l("Service center")
    add_title = _l("Add service center")
    edit_title = _l("Edit service center")
    list_columns = ["code", "name", "level", "parent", "phone", "address"]
    add_columns = ["code", "name", "level", "parent", "address", "phone", "sort_order"]
    edit_columns = add_columns
    show_columns = add_columns
    search_columns = ["code", "name", "level", "parent"]
    base_order = ("sort_order", "asc")
    related_views = [DepartmentView, WindowView]


class CenterApi(GovModelApi):
    resource_name = "center"
    class_permission_name = "Center"
    datamodel = GovInterface(Center)
    list_columns = ["id", "code", "name", "level", "parent_id", "phone", "address", "version"]
    show_columns = list_columns
    add_columns = ["code", "name", "level", "parent_id", "address", "phone", "sort_order"]
    edit_columns = add_columns


class DepartmentApi(GovModelApi):
    resource_name = "department"
    class_permission_name = "Department"
    datamodel = GovInterface(Department)
    list_columns = ["id", "code", "name", "short_name", "center_id", "phone", "status", "version"]
    show_columns = list_columns
    add_columns = ["code", "name", "short_name", "center_id", "phone", "status", "sort_order"]
    edit_columns = add_columns


class WindowApi(GovModelApi):
    resource_name = "window"
    class_permission_name = "Window"
    datamodel = GovInterface(Window)
    list_columns = ["id", "code", "name", "kind", "center_id", "department_id", "status", "version"]
    show_columns = list_columns + ["note"]
    add_columns = ["code", "name", "kind", "center_id", "department_id", "status", "note"]
    edit_columns = add_columns


class StaffApi(GovModelApi):
    resource_name = "staff"
    class_permission_name = "Staff"
    datamodel = GovInterface(Staff)
    list_columns = [
        "id",
        "staff_no",
        "name",
        "department_id",
        "center_id",
        "window_id",
        "position",
        "phone",
        "joined_on",
        "status",
        "version",
    ]
    show_columns = list_columns
    add_columns = [name for name in list_columns if name not in ("id", "version")]
    edit_columns = add_columns
    search_columns = ["staff_no", "name", "department_id", "center_id", "status"]
    item_rules = staticmethod(_staff_errors)
