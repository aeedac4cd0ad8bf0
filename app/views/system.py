"""Admin screens for run-time settings."""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

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


def _job_label(name):
    """The job's Chinese description, its name (what `flask jobs run` takes) beside it as code."""
    from app.jobs import JOBS  # the scheduler's table imports every service: only when shown

    job = JOBS.get(name)
    if job is None:
        return Markup("<code>{}</code>").format(name)
    description = job.zh if str(get_locale() or "zh").startswith("zh") else job.en
    return Markup("{}（<code>{}</code>）").format(description, name)


class JobRunView(GovModelView):
    """Scheduled-job runs, newest first (Admin)."""

    datamodel = GovInterface(JobRun)
    class_permission_name = "JobRun"
    base_permissions = ["can_read", "can_export"]
    list_title = _l("Job runs")
    show_title = _l("Job run")
    registry = JOB_RUN_FIELDS
    base_order = ("started_at", "desc")
    formatters_columns = {"job": _job_label}
