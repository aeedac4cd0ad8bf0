"""GovHall settings.

Everything a deployment tunes comes from the environment (see README, "Production").
Behaviour a county tunes at run time (office hours, limits, thresholds) is not
here: it lives in the `setting` table, editable by Admin in the UI.
"""

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

from flask_appbuilder.const import AUTH_DB
from flask_babel import lazy_gettext as _l

from app import menu

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("GOVHALL_INSTANCE_DIR", BASE_DIR / "instance"))

SECRET_KEY_FILE = "secret_key"
MIN_SECRET_LENGTH = 32

# ---------------------------------------------------------------------------
# Roles: the whole permission matrix as data. Each entry is
# [resource regex, permission regex], both fully anchored: FAB matches with
# re.match, so an unanchored "Matter" would also grant "MatterImport…".
# Resources are the views' class_permission_name; a view and its REST API
# share one. Permissions: can_read (list, show, API get), can_add, can_edit,
# can_delete, can_export (Excel), can_import.
# The names come from the menu table (app/menu.py): a view added to a group is granted
# with the group's resources, and its menu entry with the group's menu.
# ---------------------------------------------------------------------------
ORG = menu.resources("Organisation")
CATALOGUE = menu.resources("Catalogue")
# Staff management and assessment (issue 6).
PEOPLE = menu.resources("People")
ASSESSMENT = menu.resources("Assessment")
# Menu entries are permissions too ("menu_access" on the menu item's name). A role gets whole
# menus; the pages it may not open (import, intake, audit) are left out by name.
DEPARTMENT_MENUS = ("Organisation", "Catalogue", "Cases", "Feedback", "People", "Assessment")
CENTER_MENUS = (*DEPARTMENT_MENUS, "Supervision")

SELF_SERVICE = [
    # Own profile and password; anchored so the user list stays closed.
    ["^UserDBModelView$", "^can_userinfo$"],
    ["^ResetMyPasswordView$", "^can_this_form_(get|post)$"],
    ["^UserInfoEditView$", "^can_this_form_(get|post)$"],
    # Own inbox (row filter: the user's own notices).
    [f"^({menu.resources('Inbox')})$", "^can_read$"],
    *menu.menu_rules("Inbox"),
]

# The head of a township center or sub-center: their center's cases, staff, leave and monthly
# report, the rest read-only; row scope (`center`) keeps it to their center and those below.
CENTER_HEAD = [
    [f"^({ORG}|{CATALOGUE})$", "^can_(read|export)$"],
    ["^(Staff|Window)$", "^can_edit$"],
    ["^(TrainingRecord|PreviousPost)$", "^can_(add|edit|delete)$"],
    ["^Case$", "^can_(read|export|act)$"],
    ["^Violation$", "^can_(read|export)$"],
    ["^MonthlyReport$", "^can_(read|export|generate|submit)$"],
    ["^Evaluation$", "^can_(read|export)$"],
    ["^(Transfer|Application)$", "^can_(read|export)$"],
    [f"^({PEOPLE}|{ASSESSMENT})$", "^can_(read|export)$"],
    ["^LeaveRequest$", "^can_act$"],
    # 数据更正: files them for its center's cases and decides them (services/corrections.py).
    ["^CorrectionRequest$", "^can_(read|export|add|act)$"],
    *menu.menu_rules(
        *CENTER_MENUS,
        without=(
            "MatterImport",
            "CaseIntake",
            "MyCases",
            "JointCases",
            "AuditLogList",
            "BulletinList",
            "RectificationList",
            "ComplaintList",
            "RectificationOrderList",
            "PersonnelChangeList",
            "CenterAssessment",
        ),
    ),
    # Their center's inspections (read) and joint meetings (closes the follow-ups it owns).
    ["^Inspection$", "^can_(read|export)$"],
    ["^JointMeeting$", "^can_(read|export|act)$"],
    *SELF_SERVICE,
]

# FAB stores each pattern as a view-menu name (at most 250 characters on PostgreSQL):
# long alternations are split over several rules (a test checks the length).
FAB_ROLES = {
    "Admin": [[".*", ".*"]],
    "CenterManager": [
        [f"^({ORG}|{CATALOGUE})$", "^can_(read|add|edit|delete|export|activate|deactivate)$"],
        ["^MatterImport$", "^can_import$"],
        ["^Case$", "^can_(read|export|act)$"],
        ["^(Transfer|Application)$", "^can_(read|export)$"],
        ["^Violation$", "^can_(read|export)$"],
        ["^MonthlyReport$", "^can_(read|export|generate|submit)$"],
        ["^Bulletin$", "^can_(read|export)$"],
        ["^Evaluation$", "^can_(read|export|add)$"],
        ["^(Rectification|Complaint|RectificationOrder)$", "^can_(read|export|act)$"],
        ["^Complaint$", "^can_add$"],
        # Leave (the center's half of the joint tier), attendance, duty rosters, personnel changes.
        [f"^({PEOPLE})$", "^can_(read|export)$"],
        ["^(LeaveRequest|PersonnelChange)$", "^can_act$"],
        ["^PersonnelChange$", "^can_add$"],  # 中心有权对人员进行岗位调配 (000 第五条)
        ["^Attendance$", "^can_(import|edit)$"],
        ["^WindowRotation$", "^can_(add|edit|delete|generate)$"],
        ["^(AssessmentRule|AssessmentRecord)$", "^can_(read|add|edit|delete|export)$"],
        ["^(MonthlyScore|AnnualAppraisal)$", "^can_(read|export|generate)$"],
        ["^AnnualAppraisal$", "^can_confirm$"],
        # Decide appeals; confirm or dismiss second supplement requests (duty appeal_review).
        ["^(Appeal|Violation)$", "^can_act$"],
        ["^Appeal$", "^can_(read|export)$"],
        # Approve or reject data corrections of every department's cases.
        ["^CorrectionRequest$", "^can_(read|export|act)$"],
        # Inspections (巡查/暗访), joint meetings and the sub-centers' annual assessment (issue 19.3).
        ["^(Inspection|JointMeeting)$", "^can_(read|export|add|act)$"],
        ["^CenterAssessment$", "^can_(read|export)$"],
        *menu.menu_rules(*CENTER_MENUS, without=("CaseIntake", "JointCases", "AuditLogList")),
        *SELF_SERVICE,
    ],
    "Supervisor": [
        [f"^({ORG}|{CATALOGUE}|AuditLog|Violation)$", "^can_(read|export)$"],
        ["^Case$", "^can_(read|export|act)$"],
        ["^(Transfer|Application)$", "^can_(read|export)$"],
        ["^MonthlyReport$", "^can_(read|export|generate)$"],
        ["^Bulletin$", "^can_(read|export)$"],
        ["^Evaluation$", "^can_(read|export|add)$"],
        ["^(Rectification|Complaint|RectificationOrder)$", "^can_(read|export|act)$"],
        ["^Complaint$", "^can_add$"],
        # Attendance corrections and manual deductions are the supervisors' daily work.
        [f"^({PEOPLE}|{ASSESSMENT})$", "^can_(read|export)$"],
        ["^Attendance$", "^can_(import|edit)$"],
        ["^AssessmentRecord$", "^can_add$"],
        ["^(MonthlyScore|AnnualAppraisal)$", "^can_generate$"],
        ["^(Appeal|Violation)$", "^can_act$"],
        ["^CorrectionRequest$", "^can_(read|export)$"],
        # Inspections (巡查/暗访), joint meetings and the sub-centers' annual assessment (issue 19.3).
        ["^(Inspection|JointMeeting)$", "^can_(read|export|add|act)$"],
        ["^CenterAssessment$", "^can_(read|export)$"],
        *menu.menu_rules(*CENTER_MENUS, without=("MatterImport", "CaseIntake", "JointCases")),
        *SELF_SERVICE,
    ],
    "ChiefRep": [
        [f"^({ORG}|{CATALOGUE})$", "^can_(read|export)$"],
        # Own department's staff and windows (row scope narrows it).
        ["^(Staff|Window)$", "^can_edit$"],
        ["^Staff$", "^can_(activate|deactivate)$"],
        ["^(TrainingRecord|PreviousPost)$", "^can_(add|edit|delete)$"],
        ["^Case$", "^can_(read|export|act|intake)$"],
        # Village requests forwarded to the department's window: received, accepted or returned.
        ["^(Transfer|Application)$", "^can_(read|export|act)$"],
        ["^Violation$", "^can_read$"],
        # Own department's evaluations, rectifications and complaints (contacts masked).
        ["^Evaluation$", "^can_(read|export)$"],
        ["^(Rectification|Complaint|RectificationOrder)$", "^can_(read|act)$"],
        # Own department: files and approves leave, requests personnel changes, reads the rest.
        [f"^({PEOPLE}|{ASSESSMENT})$", "^can_(read|export)$"],
        ["^(LeaveRequest|PersonnelChange)$", "^can_add$"],
        ["^LeaveRequest$", "^can_act$"],
        # The department's leaders at the windows: roster and visit log (issue 19.6).
        ["^(LeaderDuty|LeaderVisit)$", "^can_add$"],
        # A roster day not yet come may be taken off; the past is the record (services/leadership.py).
        ["^LeaderDuty$", "^can_delete$"],
        # Own appeals filed; the department's appeals commented on.
        ["^Appeal$", "^can_(add|act)$"],
        # Own department's data corrections: filed and approved (not one's own).
        ["^CorrectionRequest$", "^can_(read|export|add|act)$"],
        # Inspections with a finding against the department (row scope), read only.
        ["^Inspection$", "^can_read$"],
        ["^(Supervision|InspectionList)$", "^menu_access$"],
        *menu.menu_rules(*DEPARTMENT_MENUS, without=("MatterImport",)),
        *SELF_SERVICE,
    ],
    "WindowStaff": [
        [f"^({ORG}|{CATALOGUE})$", "^can_read$"],
        ["^Case$", "^can_(read|act|intake)$"],
        ["^(Transfer|Application)$", "^can_(read|act)$"],
        ["^Violation$", "^can_read$"],
        ["^Evaluation$", "^can_read$"],
        # Own leave requests, attendance, scores; the duty roster and the rules.
        [f"^(LeaveRequest|Attendance|WindowRotation|{ASSESSMENT})$", "^can_read$"],
        ["^LeaveRequest$", "^can_add$"],
        # Window leaders approve short leave; the service refuses every other post.
        ["^LeaveRequest$", "^can_act$"],
        ["^Appeal$", "^can_add$"],
        # Requests a correction of a case fact; the chief representative or the center approves.
        ["^CorrectionRequest$", "^can_(read|add)$"],
        *menu.menu_rules(
            *DEPARTMENT_MENUS,
            without=(
                "MatterImport",
                "RectificationList",
                "ComplaintList",
                "RectificationOrderList",
                "PersonnelChangeList",
                "LeaderDutyList",
                "LeaderVisitList",
                "LeaderStanding",
            ),
        ),
        *SELF_SERVICE,
    ],
    "Leader": [
        [
            f"^({ORG}|{CATALOGUE}|Case|Violation|MonthlyReport|Bulletin|Evaluation|Rectification|Complaint)$",
            "^can_(read|export)$",
        ],
        ["^RectificationOrder$", "^can_(read|export)$"],
        ["^(Transfer|CorrectionRequest|Application)$", "^can_(read|export)$"],
        ["^(Inspection|JointMeeting|CenterAssessment)$", "^can_(read|export)$"],
        [f"^({PEOPLE}|{ASSESSMENT})$", "^can_(read|export)$"],
        *menu.menu_rules(
            *CENTER_MENUS, without=("MatterImport", "CaseIntake", "MyCases", "JointCases", "AuditLogList")
        ),
        *SELF_SERVICE,
    ],
    # The three-level network (seed 001): township center staff accept and handle at their
    # center's comprehensive window (乡镇受理), report up and deliver; row scope narrows
    # everything to their center and its village points, personal records to their own.
    "TownshipStaff": [
        [f"^({ORG}|{CATALOGUE})$", "^can_read$"],
        ["^Case$", "^can_(read|act|intake)$"],
        ["^(Transfer|Application)$", "^can_(read|act)$"],
        ["^Violation$", "^can_read$"],
        ["^Evaluation$", "^can_read$"],
        [f"^(LeaveRequest|Attendance|WindowRotation|{ASSESSMENT})$", "^can_read$"],
        ["^LeaveRequest$", "^can_add$"],
        ["^Appeal$", "^can_add$"],
        ["^CorrectionRequest$", "^can_(read|add)$"],
        *menu.menu_rules(
            *DEPARTMENT_MENUS,
            without=(
                "MatterImport",
                "JointCases",
                "RectificationList",
                "ComplaintList",
                "RectificationOrderList",
                "PersonnelChangeList",
                "PostCoverage",
                "LeaderDutyList",
                "LeaderVisitList",
                "LeaderStanding",
            ),
        ),
        *SELF_SERVICE,
    ],
    # The head of a township center or of a sub-center (seed 000: sub-centers report monthly).
    "TownshipHead": CENTER_HEAD,
    "SubCenterHead": CENTER_HEAD,
    # A village point's agent (代办员): files villagers' requests and follows them, nothing else.
    "VillageAgent": [
        [f"^({CATALOGUE})$", "^can_read$"],
        ["^(Center|Case)$", "^can_read$"],
        # Registers villagers' requests, forwards them and follows them (接件登记、转交).
        ["^Transfer$", "^can_(read|add|act)$"],
        *menu.menu_rules("Catalogue", without=("MatterImport",)),
        ["^(Organisation|CenterList|Cases|CaseList|MyCases|TransferList)$", "^menu_access$"],
        *SELF_SERVICE,
    ],
    # Anonymous visitors: the public portal has its own routes, nothing here.
    "Public": [],
}

# Row scope: the rows each role sees of what FAB_ROLES lets it open (README, "Scope kinds").
#   everything  every row of the county
#   center      rows of the user's center (Staff.center) and of the centers below it
#   department  rows of the user's department (Staff.department)
#   own         the department's rows, but of personal records (leave, attendance, scores,
#               evaluations, violations, staff records) only the user's own
#   center_own  the rows of the user's center and of the centers below it (a township and its
#               village points), but of personal records only the user's own
# Every kind but everything needs an active Staff record. A user with several roles gets the
# widest kind; a role not listed here grants no rows.
ROLE_SCOPES = {
    "Admin": "everything",
    "CenterManager": "everything",
    "Supervisor": "everything",
    "ChiefRep": "department",
    "WindowStaff": "own",
    "Leader": "everything",
    "TownshipStaff": "center_own",
    "TownshipHead": "center",
    "SubCenterHead": "center",
    "VillageAgent": "center_own",
}

# What a role is called on screen (users list, user page); FAB shows the role's name.
ROLE_LABELS = {
    "Admin": _l("System administrator"),
    "CenterManager": _l("Center manager"),
    "Supervisor": _l("Supervisor"),
    "Leader": _l("Leader"),
    "ChiefRep": _l("Chief representative"),
    "WindowStaff": _l("Window staff"),
    "TownshipStaff": _l("Township center staff"),
    "TownshipHead": _l("Township center head"),
    "SubCenterHead": _l("Sub-center head"),
    "VillageAgent": _l("Village agent"),
    "Public": _l("Public"),
}


# Duties: what services ask of a role beyond FAB_ROLES' permissions and its row scope.
# Services and views name a duty, never a role (tests/unit/test_role_names.py checks).
ROLE_DUTIES = {
    # Accept cases at a window and act on the department's cases and joint tasks.
    "window": frozenset({"WindowStaff", "ChiefRep", "TownshipStaff"}),
    # The comprehensive window of a township center (乡镇受理): accepts every matter its level
    # may receive (Matter.levels) whatever the department, and acts on its center's cases:
    # handles on-site matters, reports the others up (上报) and delivers results (送达).
    "township_window": frozenset({"TownshipStaff"}),
    # Deliver a result to the applicant (送达) at a township center.
    "network_delivery": frozenset({"TownshipStaff"}),
    # A village point's agent: registers villagers' requests and forwards them (接件登记、转交).
    "village_intake": frozenset({"VillageAgent"}),
    # The head of a township center or sub-center: builds and submits its monthly report
    # (seed 000), approves its staff's leave, keeps its staff and windows.
    "center_head": frozenset({"TownshipHead", "SubCenterHead"}),
    # The department's chief representative: approves extensions (行政许可法 §42) and the
    # department's leave, requests personnel changes, answers its complaints and rectifications.
    "department_chief": frozenset({"ChiefRep"}),
    # Supervise every case: the center's actions in the case flow.
    "case_supervision": frozenset({"CenterManager", "Supervisor"}),
    # Take complaints and rectifications through every stage; read citizens' contacts unmasked.
    "feedback_handling": frozenset({"Admin", "CenterManager", "Supervisor"}),
    # Hear of red cases and joint tasks, late monthly reports, overdue complaints and rectifications.
    "center_notices": frozenset({"Supervisor", "CenterManager"}),
    # Keep the duty rosters of every comprehensive window.
    "duty_rosters": frozenset({"Admin", "CenterManager"}),
    # Hear that next year's working calendar is missing.
    "calendar_notices": frozenset({"Admin"}),
    # Default approvers of the center's half of long leave and of personnel changes (the
    # settings leave_center_roles and personnel_approver_roles, tunable at run time).
    "center_approval": frozenset({"CenterManager"}),
    # Decide appeals (申诉) and confirm or dismiss second supplement requests.
    "appeal_review": frozenset({"Supervisor", "CenterManager"}),
    # Record inspections (巡查/暗访) and joint meetings, turn findings into deductions, sanctions
    # and rectification orders, close any follow-up (issue 19.3).
    "inspections": frozenset({"Admin", "CenterManager", "Supervisor"}),
}


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'govhall.db'}"
    # Accept the common postgres:// spelling; the driver is psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_secret(folder: Path) -> str:
    """The install's own random key, made on first start in `folder` (mode 0600) and read afterwards.

    Several gunicorn workers start at once: each writes a candidate to a private temporary file
    and hard-links it to the final name, which succeeds for exactly one; the others read the
    winner's file, which is complete from the moment it has its name.
    """
    path = folder / SECRET_KEY_FILE
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        handle, candidate = tempfile.mkstemp(dir=folder, prefix=f".{SECRET_KEY_FILE}-")  # mode 0600
        try:
            with os.fdopen(handle, "w") as file:
                file.write(secrets.token_urlsafe(48))
                file.flush()
                os.fsync(file.fileno())
            try:
                os.link(candidate, path)
            except FileExistsError:
                pass  # another worker was first: use its key
        finally:
            os.unlink(candidate)
    key = path.read_text().strip()
    if len(key) < MIN_SECRET_LENGTH:
        raise RuntimeError(
            f"{path} 中的密钥无效（少于 {MIN_SECRET_LENGTH} 位），删除该文件后重新启动即可生成新密钥 "
            "(invalid key file: delete it and restart to generate a new one)."
        )
    return key


class Config:
    ENV_NAME = "development"
    # When unset outside production, create_app uses instance_secret(): no key is written here.
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # API tokens are signed with SECRET_KEY unless a key of their own is given.
    JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # PostgreSQL reached through PgBouncer in transaction mode (before 1.21, or without
    # max_prepared_statements): psycopg's prepared statements are turned off (app._tune_engine).
    PGBOUNCER = os.environ.get("GOVHALL_PGBOUNCER") == "1"
    # SQLite tuning applied on every connection (app.db_setup).
    SQLITE_BUSY_TIMEOUT_MS = 5000

    TIMEZONE = "Asia/Shanghai"

    APP_NAME = "政务服务中心管理平台"
    APP_THEME = ""
    FAB_BASE_TEMPLATE = "govhall/base.html"
    FAB_INDEX_VIEW = "app.views.home.HomeView"

    # Babel: Chinese UI by default, English selectable from the menu.
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_DEFAULT_FOLDER = "app/translations"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "app" / "translations")
    LANGUAGES = {
        "zh": {"flag": "cn", "name": "中文"},
        "en": {"flag": "gb", "name": "English"},
    }

    # Security
    AUTH_TYPE = AUTH_DB
    AUTH_ROLE_ADMIN = "Admin"
    AUTH_ROLE_PUBLIC = "Public"
    AUTH_USER_REGISTRATION = False
    FAB_ROLES = FAB_ROLES
    ROLE_SCOPES = ROLE_SCOPES
    FAB_ADD_SECURITY_API = False
    FAB_API_SWAGGER_UI = True
    FAB_API_MAX_PAGE_SIZE = 100
    # Tables and permissions come from migrations + `flask govhall init`, never from boot.
    FAB_CREATE_DB = False
    FAB_UPDATE_PERMS = False
    FAB_PASSWORD_COMPLEXITY_ENABLED = True
    # FAB's login limit counts every POST, successful logins too (a hall behind one NAT was
    # locked out at 08:30): failed logins are limited instead, per account and per address
    # (app/services/login_limit.py, settings login_fail_*), in the limiter's storage.
    AUTH_RATE_LIMITED = False
    RATELIMIT_ENABLED = True
    # Reverse proxies in front (nginx: 1): their X-Forwarded-For/-Proto/-Host are trusted.
    PROXY_HOPS = int(os.environ.get("GOVHALL_PROXY_HOPS", "0"))
    # Shared storage so limits hold across gunicorn workers, e.g. redis://127.0.0.1:6379/0.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Several installs (or the test suite) may share one Redis: keys are kept apart.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "govhall")
    # Redis down: each worker counts in memory until it is back, instead of answering 500,
    # and a dead connection costs a request one second, not the worker's whole timeout.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    PORTAL_RATE_LIMIT = os.environ.get("GOVHALL_PORTAL_RATE_LIMIT", "120 per minute")
    PORTAL_QUERY_LIMIT = os.environ.get("GOVHALL_PORTAL_QUERY_LIMIT", "10 per 5 minute")
    PORTAL_FILING_LIMIT = os.environ.get("GOVHALL_PORTAL_FILING_LIMIT", "5 per hour")
    # Online applications (issue 17): submissions, and correction uploads or withdrawals, per client.
    PORTAL_APPLY_LIMIT = os.environ.get("GOVHALL_PORTAL_APPLY_LIMIT", "10 per hour")
    PORTAL_UPLOAD_LIMIT = os.environ.get("GOVHALL_PORTAL_UPLOAD_LIMIT", "20 per hour")
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # tied to the session, which has its own lifetime
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    SESSION_COOKIE_NAME = "govhall_session"
    # Idle logins expire server-side after this long without a request.
    LOGIN_IDLE_TIMEOUT = timedelta(hours=2)

    # Paging: FAB accepts any psize; lists clamp to this.
    PAGE_SIZE_DEFAULT = 25
    PAGE_SIZE_MAX = 100
    # A list's count(*) stops here ("10000+"), so page 1 stays fast at 1M rows.
    LIST_COUNT_CAP = 10000

    # Upload size for imports (matter catalogue, attendance).
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024

    # Where `flask backup` and the daily backup job write (a separate disk in production).
    BACKUP_DIR = Path(os.environ.get("GOVHALL_BACKUP_DIR", INSTANCE_DIR / "backups"))
    # Uploaded scans (StoredFile): outside static/, never served without a scope check.
    FILES_DIR = Path(os.environ.get("GOVHALL_FILES_DIR", INSTANCE_DIR / "files"))

    DEMO_PASSWORD = os.environ.get("GOVHALL_DEMO_PASSWORD", "Govhall@2026")
    SYSTEM_USERNAME = "system"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-for-the-pytest-suite-only"
    # scrypt costs ~0.1 s a hash; tests log in hundreds of times.
    FAB_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    # conftest points this at a temporary file, or GOVHALL_TEST_DATABASE_URL.
    SQLALCHEMY_DATABASE_URI = os.environ.get("GOVHALL_TEST_DATABASE_URL", "")
    RATELIMIT_ENABLED = False
    WTF_CSRF_ENABLED = False


CONFIGS = {"development": Config, "production": ProductionConfig, "test": TestConfig}
