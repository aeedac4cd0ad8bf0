"""Organisation views: centers, departments, windows, staff."""

from flask import abort, flash
from flask_appbuilder import expose, has_access
from flask_babel import lazy_gettext as _l

from app import clock
from app.extensions import db
from app.fields.org import CENTER_FIELDS, DEPARTMENT_FIELDS, STAFF_FIELDS, WINDOW_FIELDS
from app.models.org import Center, Department, RecordStatus, Staff, StaffStatus, Window
from app.services import centers, eligibility, settings, staff_card
from app.views.api import GovModelApi
from app.views.interface import GovInterface
from app.views.labels import LABELS
from app.views.model_view import GovModelView, status_actions
from app.views.staff_records import PreviousPostView, TrainingRecordView


def _staff_errors(staff):
    return centers.staff_errors(db.session, staff)


class StaffView(GovModelView):
    datamodel = GovInterface(Staff, eager=("department", "center", "window", "user"))
    class_permission_name = "Staff"
    list_title = _l("Staff")
    show_title = _l("Staff member")
    add_title = _l("Add staff member")
    edit_title = _l("Edit staff member")
    # A person's name is 姓名, not the 名称 of a department or a window.
    label_columns = {**LABELS, "name": _l("Full name")}
    registry = STAFF_FIELDS
    # A department promotes through a 晋升 change, which the center approves (000 第五条).
    center_columns = ("department", "center", "window", "position", "cadre_rank")
    item_rules = staticmethod(_staff_errors)
    base_order = ("staff_no", "asc")
    method_permission_name = {
        **GovModelView.method_permission_name,
        "activate": "activate",
        "deactivate": "deactivate",
        "card": "read",
    }
    activate, deactivate = status_actions(StaffStatus.active, StaffStatus.inactive)
    related_views = [TrainingRecordView, PreviousPostView]
    show_template = "govhall/staff_show.html"

    # -- the seeds' conditions, said after saving (issue 19.5; app/services/eligibility.py) --
    def post_add(self, item):
        self._warn(item)

    def post_update(self, item):
        self._warn(item)

    def _warn(self, item):
        found = eligibility.check_staff(db.session, item, clock.now().date())
        if found:
            flash(str(_l("Saved. Appointment conditions not met: %(what)s", what="；".join(found))), "warning")

    @expose("/card/<int:pk>")
    @has_access
    def card(self, pk):
        """员工档案卡: the print page for the center's files, for a staff member in scope only."""
        staff = self._scoped_get(pk)
        if staff is None:
            abort(404)
        today = clock.now().date()
        return self.render_template(
            "govhall/print_staff_card.html",
            card=staff_card.card(db.session, staff, today),
            center_name=settings.get(db.session, "center_name"),
            today=today,
        )


class WindowView(GovModelView):
    datamodel = GovInterface(Window, eager=("center", "department", "member_departments"))
    class_permission_name = "Window"
    list_title = _l("Windows")
    show_title = _l("Window")
    add_title = _l("Add window")
    edit_title = _l("Edit window")
    registry = WINDOW_FIELDS
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
    registry = DEPARTMENT_FIELDS
    base_order = ("sort_order", "asc")
    related_views = [WindowView, StaffView]
    method_permission_name = {**GovModelView.method_permission_name, "activate": "activate", "deactivate": "deactivate"}
    activate, deactivate = status_actions(RecordStatus.active, RecordStatus.inactive)


class CenterView(GovModelView):
    datamodel = GovInterface(Center, eager=("parent",))
    class_permission_name = "Center"
    list_title = _l("Service centers")
    show_title = _l("Service center")
    add_title = _l("Add service center")
    edit_title = _l("Edit service center")
    registry = CENTER_FIELDS
    base_order = ("sort_order", "asc")
    related_views = [DepartmentView, WindowView]


class CenterApi(GovModelApi):
    resource_name = "center"
    class_permission_name = "Center"
    datamodel = GovInterface(Center)
    registry = CENTER_FIELDS


class DepartmentApi(GovModelApi):
    resource_name = "department"
    class_permission_name = "Department"
    datamodel = GovInterface(Department)
    registry = DEPARTMENT_FIELDS


class WindowApi(GovModelApi):
    resource_name = "window"
    class_permission_name = "Window"
    datamodel = GovInterface(Window)
    registry = WINDOW_FIELDS


class StaffApi(GovModelApi):
    resource_name = "staff"
    class_permission_name = "Staff"
    datamodel = GovInterface(Staff)
    registry = STAFF_FIELDS
    item_rules = staticmethod(_staff_errors)
