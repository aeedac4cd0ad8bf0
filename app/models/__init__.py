"""All models, imported so Alembic and FAB see one metadata."""

from flask_appbuilder.security.sqla.models import User  # noqa: F401  (Staff.user)

from .appeal import Appeal, AppealStatus  # noqa: F401
from .application import (  # noqa: F401
    Application,
    ApplicationAction,
    ApplicationEvent,
    ApplicationStatus,
)
from .appointment import (  # noqa: F401
    Appointment,
    AppointmentBlock,
    AppointmentChannel,
    AppointmentSlot,
    AppointmentStatus,
    DelayedOpening,
    SpecialGroup,
    WindowGroup,
    WindowGroupKind,
)
from .appraisal import AnnualAppraisal, AppraisalGrade  # noqa: F401
from .assessment import (  # noqa: F401
    AssessmentCategory,
    AssessmentOrigin,
    AssessmentRecord,
    AssessmentRule,
    AssessmentTrigger,
    Honour,
    MonthlyScore,
    QuarterlyResult,
)
from .audit import AuditAction, AuditLog  # noqa: F401
from .base import LabeledEnum  # noqa: F401
from .calendar import DayKind, WorkCalendarDay  # noqa: F401
from .case import (  # noqa: F401
    ApplicantType,
    Case,
    CaseAction,
    CaseCounter,
    CaseEvent,
    CaseResult,
    CaseStatus,
    CaseTask,
    Channel,
    DocumentCounter,
    SuspendReason,
    TaskStatus,
    ToleratedMaterial,
    Violation,
    ViolationKind,
    ViolationStatus,
)
from .correction import CorrectionField, CorrectionRequest, CorrectionStatus  # noqa: F401
from .feedback import (  # noqa: F401
    Complaint,
    ComplaintStage,
    Evaluation,
    EvaluationChannel,
    OrderStatus,
    Rectification,
    RectificationOrder,
    Sanction,
)
from .inquiry import Inquiry, InquiryChannel, InquiryStatus  # noqa: F401
from .inspection import (  # noqa: F401
    FindingOutcome,
    Inspection,
    InspectionFinding,
    InspectionKind,
    JointMeeting,
    MeetingFollowUp,
)
from .jobs import JobOutcome, JobRun, SchedulerLock  # noqa: F401
from .leadership import DutyKind, HalfDay, LeaderDuty, LeaderRank, LeaderVisit  # noqa: F401
from .matter import CaseKind, MaterialForm, Matter, MatterCategory, MatterMaterial, MatterStatus, MatterStep  # noqa: F401
from .notice import Notice, NoticeKind  # noqa: F401
from .org import (  # noqa: F401
    Center,
    CenterLevel,
    Department,
    RecordStatus,
    Staff,
    StaffPosition,
    StaffStatus,
    Window,
    WindowKind,
)
from .personnel import (  # noqa: F401
    AttendanceKind,
    AttendanceRecord,
    AttendanceSource,
    ChangeKind,
    ChangeStatus,
    LeaveRequest,
    LeaveStatus,
    LeaveTier,
    LeaveType,
    PersonnelChange,
    WindowRotation,
)
from .proxy import CallbackVerdict, CaseProxy, ProxyEntry  # noqa: F401
from .queue import DeviceKind, QueueCounter, QueueDevice, QueueTicket, TicketSource, TicketStatus  # noqa: F401
from .report import MonthlyReport  # noqa: F401
from .staff_records import PreviousPost, TrainingKind, TrainingRecord  # noqa: F401
from .system import LoginSession, Setting, TokenGeneration  # noqa: F401
from .transfer import StoredFile, Transfer, TransferAction, TransferEvent, TransferKind, TransferStatus  # noqa: F401
