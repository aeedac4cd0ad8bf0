"""Admin screens for run-time settings."""

from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.fields.system import JOB_RUN_FIELDS, SETTING_FIELDS
from app.models.jobs import JobRun
from app.models.system import Setting
from app.services import settings
from app.services.settings import SPECS
from app.views.interface import GovInterface
from app.views.model_view import GovModelView


def _setting_label(key):
    spec = SPECS.get(key)
    return f"{spec.label}（{key}）" if spec else key


class SettingView(GovModelView):
    datamodel = GovInterface(Setting)
    class_permission_name = "Setting"
    base_permissions = ["can_read", "can_edit", "can_export"]
    list_title = _l("Settings")
    show_title = _l("Setting")
    edit_title = _l("Edit setting")
    registry = SETTING_FIELDS
    base_order = ("key", "asc")
    formatters_columns = {"key": _setting_label}

    @staticmethod
    def item_rules(item):
        return settings.check_in_place(db.session, item.key, item.value)


class JobRunView(GovModelView):
    """Scheduled-job runs, newest first (Admin)."""

    datamodel = GovInterface(JobRun)
    class_permission_name = "JobRun"
    base_permissions = ["can_read", "can_export"]
    list_title = _l("Job runs")
    show_title = _l("Job run")
    registry = JOB_RUN_FIELDS
    base_order = ("started_at", "desc")
