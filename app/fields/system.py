"""Fields of the records the system keeps: audit log, notices, monthly reports, settings, job runs, the calendar."""

from app.fields import EDIT, EXPORT, FORM, LIST, SEARCH, SHOW, Field, Registry
from app.models.audit import AuditLog
from app.models.calendar import WorkCalendarDay
from app.models.jobs import JobRun
from app.models.notice import Notice
from app.models.report import MonthlyReport
from app.models.system import Setting

AUDIT_LOG_FIELDS = Registry(
    AuditLog,
    Field("at", LIST | SHOW | SEARCH | EXPORT),
    Field("actor_name", LIST | SHOW | SEARCH | EXPORT),
    Field("action", LIST | SHOW | SEARCH | EXPORT),
    Field("table_name", LIST | SHOW | SEARCH | EXPORT),
    Field("row_id", LIST | SHOW | SEARCH | EXPORT),
    Field("summary", LIST | SHOW | SEARCH | EXPORT),
    Field("changes", SHOW | EXPORT),
)

NOTICE_FIELDS = Registry(
    Notice,
    Field("created_at", LIST | SHOW | SEARCH),
    Field("kind", LIST | SHOW | SEARCH),
    Field("case", LIST | SHOW),
    Field("detail", LIST | SHOW),
    Field("read_at", LIST | SHOW | SEARCH),
)

MONTHLY_REPORT_FIELDS = Registry(
    MonthlyReport,
    Field("month", LIST | SHOW | SEARCH),
    Field("center", LIST | SHOW | SEARCH),
    Field("figures", LIST | SHOW),
    Field("due_on", LIST | SHOW),
    Field("generated_at", LIST | SHOW),
    Field("submitted_at", LIST | SHOW),
    Field("submitted_by", LIST | SHOW),
    Field("late", LIST | SHOW | SEARCH),
    Field("generated_by", SHOW),
    Field("file_name", SHOW),
)

SETTING_FIELDS = Registry(
    Setting,
    Field("key", LIST | SHOW | SEARCH),
    Field("value", LIST | SHOW | EDIT | SEARCH),
)

JOB_RUN_FIELDS = Registry(
    JobRun,
    Field("job", LIST | SHOW | SEARCH),
    Field("now", LIST | SHOW | SEARCH),
    Field("started_at", LIST | SHOW),
    Field("finished_at", LIST | SHOW),
    Field("rows", LIST | SHOW),
    Field("outcome", LIST | SHOW | SEARCH),
    Field("error", SHOW),
)

WORK_CALENDAR_DAY_FIELDS = Registry(
    WorkCalendarDay,
    Field("day", LIST | SHOW | FORM | SEARCH),
    Field("kind", LIST | SHOW | FORM | SEARCH),
    Field("name", LIST | SHOW | FORM | SEARCH),
)
