"""Fields of the personnel records: attendance, leave, the window duty roster, personnel changes."""

from app.fields import ADD, EXPORT, FORM, LIST, SEARCH, SHOW, Field, Registry
from app.models.personnel import AttendanceRecord, LeaveRequest, PersonnelChange, WindowRotation

# The correction form is the view's own (time text fields; see views/attendance.py).
ATTENDANCE_FIELDS = Registry(
    AttendanceRecord,
    Field("day", LIST | SHOW | SEARCH | EXPORT),
    Field("staff", LIST | SHOW | SEARCH | EXPORT, export_as=("staff.staff_no", "staff.name")),
    Field("department", LIST | SHOW | SEARCH | EXPORT),
    Field("clock_in", LIST | SHOW | EXPORT),
    Field("clock_out", LIST | SHOW | EXPORT),
    Field("kind", LIST | SHOW | SEARCH | EXPORT),
    Field("minutes_late", LIST | SHOW | EXPORT),
    Field("minutes_early", LIST | SHOW | EXPORT),
    Field("source", LIST | SHOW | SEARCH | EXPORT),
    Field("correction_reason", SHOW | EXPORT),
    Field("corrected_by", SHOW | EXPORT),
)

LEAVE_REQUEST_FIELDS = Registry(
    LeaveRequest,
    Field("staff", LIST | SHOW | SEARCH | EXPORT),
    Field("department", LIST | SHOW | SEARCH | EXPORT),
    Field("leave_type", LIST | SHOW | SEARCH | EXPORT),
    Field("starts_at", LIST | SHOW | SEARCH | EXPORT),
    Field("ends_at", LIST | SHOW | SEARCH | EXPORT),
    Field("working_days", LIST | SHOW | EXPORT),
    Field("tier", LIST | SHOW | SEARCH),
    Field("status", LIST | SHOW | SEARCH | EXPORT),
    Field("reason", SHOW),
    Field("requested_at", SHOW),
    Field("requested_by", SHOW),
    Field("department_approved_by", SHOW),
    Field("center_approved_by", SHOW),
    Field("approved_by", SHOW),
    Field("decided_at", SHOW),
    Field("decision_note", SHOW),
)

WINDOW_ROTATION_FIELDS = Registry(
    WindowRotation,
    Field("window", LIST | SHOW | ADD | SEARCH | EXPORT),
    Field("week_start", LIST | SHOW | ADD | SEARCH | EXPORT),
    Field("department", LIST | SHOW | FORM | SEARCH | EXPORT),
    Field("note", LIST | SHOW | FORM | EXPORT),
)

PERSONNEL_CHANGE_FIELDS = Registry(
    PersonnelChange,
    Field("staff", LIST | SHOW | SEARCH | EXPORT),
    Field("kind", LIST | SHOW | SEARCH | EXPORT),
    Field("department", LIST | SHOW | SEARCH | EXPORT),
    Field("to_department", SHOW),
    Field("to_window", LIST | SHOW),
    Field("to_position", LIST | SHOW),
    Field("to_rank", SHOW | EXPORT),
    Field("effective_on", LIST | SHOW | SEARCH | EXPORT),
    Field("reason", SHOW),
    Field("origin", SHOW | SEARCH | EXPORT),
    Field("status", LIST | SHOW | SEARCH | EXPORT),
    Field("tenure_warning", LIST | SHOW | EXPORT),
    Field("eligibility_warning", SHOW | EXPORT),
    Field("successor_warning", LIST | SHOW | EXPORT),
    Field("requested_at", SHOW),
    Field("requested_by", SHOW),
    Field("decided_at", SHOW),
    Field("decided_by", SHOW),
    Field("decision_note", SHOW),
    Field("applied_at", SHOW),
)
