"""The menu table: every view, link and REST API the app registers, in menu order.

One declaration feeds two readers: `app._register_views` registers each entry with
Flask-AppBuilder, and config.py builds the roles' grants from the names it exports
(`resources`, `menu_rules`). Plain data only: config.py imports this module before any app
exists, so views are named by dotted path and imported at registration.

Each entry's `resource` is its view's class_permission_name (a view and its REST API share
one); registration refuses a table that disagrees with the class. A menu item's name is
also its permission ("menu_access" on it): keep names ASCII, the label is the Chinese text.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

# FAB stores each FAB_ROLES pattern as a view-menu name: varchar(250) on PostgreSQL.
MAX_PATTERN = 250


@dataclass(frozen=True)
class Entry:
    view: str | None  # dotted path of the view class; None for a link
    resource: str | None  # the view's class_permission_name; None for a link
    name: str | None = None  # menu item name; None: registered without a menu entry
    label: object = None
    icon: str = ""
    href: str | None = None  # links only


@dataclass(frozen=True)
class Group:
    name: str
    label: object
    icon: str
    entries: tuple[Entry, ...]


# Views are named from app.views: "org.CenterView" is app.views.org.CenterView.
VIEWS = "app.views"


def item(name, label, icon, view, resource):
    return Entry(view=f"{VIEWS}.{view}", resource=resource, name=name, label=label, icon=icon)


def link(name, label, icon, href):
    return Entry(view=None, resource=None, name=name, label=label, icon=icon, href=href)


def hidden(view, resource, label=None):
    """A view reached from another page (a matter's materials, the attendance import), not the menu;
    its label names it where permissions are listed (the role pages)."""
    return Entry(view=f"{VIEWS}.{view}", resource=resource, label=label)


MENU = (
    Group(
        "Inbox",
        _l("Inbox"),
        "fa-bell",
        (item("NoticeList", _l("My notices"), "fa-bell", "notice.NoticeView", "Notice"),),
    ),
    Group(
        "Organisation",
        _l("Organisation"),
        "fa-sitemap",
        (
            item("CenterList", _l("Service centers"), "fa-building", "org.CenterView", "Center"),
            item("DepartmentList", _l("Departments"), "fa-university", "org.DepartmentView", "Department"),
            item("WindowList", _l("Windows"), "fa-columns", "org.WindowView", "Window"),
            item("StaffList", _l("Staff"), "fa-id-badge", "org.StaffView", "Staff"),
            item(
                "TrainingRecordList",
                _l("Training records"),
                "fa-graduation-cap",
                "staff_records.TrainingRecordView",
                "TrainingRecord",
            ),
            item(
                "PreviousPostList", _l("Previous posts"), "fa-history", "staff_records.PreviousPostView", "PreviousPost"
            ),
            item("WindowGroupList", _l("Window groups"), "fa-th-large", "appointment.WindowGroupView", "WindowGroup"),
            item(
                "DelayedOpeningList",
                _l("Delayed service openings"),
                "fa-moon-o",
                "appointment.DelayedOpeningView",
                "DelayedOpening",
            ),
        ),
    ),
    Group(
        "Cases",
        _l("Cases"),
        "fa-folder-open",
        (
            item("CaseIntake", _l("Accept a case"), "fa-plus-circle", "case_intake.CaseIntakeView", "Case"),
            item("CaseList", _l("All cases"), "fa-list-alt", "case.CaseView", "Case"),
            item(
                "AppointmentList",
                _l("Appointments"),
                "fa-calendar-check-o",
                "appointment.AppointmentView",
                "Appointment",
            ),
            link("MyCases", _l("My cases"), "fa-user", "/caseview/list/?quick=mine"),
            link("JointCases", _l("Joint cases we assist"), "fa-handshake-o", "/caseview/list/?quick=joint"),
            link("DueSoonCases", _l("Cases due soon"), "fa-clock-o", "/caseview/list/?quick=due_soon"),
            link("OverdueCases", _l("Overdue cases"), "fa-exclamation-circle", "/caseview/list/?quick=overdue"),
            item(
                "TransferList",
                _l("Village requests and transfers"),
                "fa-share-square-o",
                "transfer.TransferView",
                "Transfer",
            ),
            # 全程代办 (seed 004 第十七条): key projects' proxies and the call-backs awaited.
            item("CaseProxyList", _l("Full-process proxy"), "fa-handshake-o", "proxy.CaseProxyView", "CaseProxy"),
            link(
                "ProxyCallbacks",
                _l("Proxy cases awaiting call-back"),
                "fa-phone",
                "/caseproxyview/list/?quick=callback",
            ),
            # Issue 18.3: the window's calling panel and the queue tickets.
            item("QueuePanel", _l("Calling panel"), "fa-bullhorn", "queue.QueuePanelView", "QueueTicket"),
            item("QueueTicketList", _l("Queue tickets"), "fa-ticket", "queue.QueueTicketView", "QueueTicket"),
            item(
                "ApplicationList",
                _l("Online applications"),
                "fa-cloud-upload",
                "application.ApplicationView",
                "Application",
            ),
            item(
                "PreReviewList",
                _l("Pre-review of online applications"),
                "fa-check-square",
                "prereview.PreReviewView",
                "Application",
            ),
            item("ViolationList", _l("Detected violations"), "fa-flag", "case.ViolationView", "Violation"),
            item(
                "CorrectionRequestList",
                _l("Data correction requests"),
                "fa-pencil-square-o",
                "correction.CorrectionRequestView",
                "CorrectionRequest",
            ),
        ),
    ),
    Group(
        "Catalogue",
        _l("Matter catalogue"),
        "fa-book",
        (
            item("MatterList", _l("Service matters"), "fa-list", "matter.MatterView", "Matter"),
            item("MatterImport", _l("Import catalogue"), "fa-upload", "matter_import.MatterImportView", "MatterImport"),
            item(
                "CatalogueCheck",
                _l("Catalogue check"),
                "fa-check-square-o",
                "matter.CatalogueCheckView",
                "CatalogueCheck",
            ),
            hidden("matter.MatterMaterialView", "MatterMaterial", _l("Materials")),
            hidden("matter.MatterStepView", "MatterStep", _l("Steps")),
        ),
    ),
    Group(
        "Supervision",
        _l("Supervision"),
        "fa-eye",
        (
            item("AuditLogList", _l("Audit log"), "fa-history", "audit.AuditLogView", "AuditLog"),
            item(
                "MonthlyReportList",
                _l("Monthly reports"),
                "fa-file-excel-o",
                "report.MonthlyReportView",
                "MonthlyReport",
            ),
            item("BulletinList", _l("Efficiency bulletins"), "fa-bullhorn", "bulletin.BulletinView", "Bulletin"),
            # Issue 19.3: inspections (巡查/暗访), joint meetings, the sub-centers' annual assessment.
            item("InspectionList", _l("Inspections"), "fa-search", "inspection.InspectionView", "Inspection"),
            item("JointMeetingList", _l("Joint meetings"), "fa-users", "inspection.JointMeetingView", "JointMeeting"),
            item(
                "CenterAssessment",
                _l("Annual assessment of sub-centers"),
                "fa-line-chart",
                "inspection.CenterAssessmentView",
                "CenterAssessment",
            ),
        ),
    ),
    Group(
        "Feedback",
        _l("Feedback"),
        "fa-comments",
        (
            item("EvaluationList", _l("Evaluations"), "fa-star", "feedback.EvaluationView", "Evaluation"),
            item(
                "RectificationList",
                _l("Bad-review rectifications"),
                "fa-wrench",
                "feedback.RectificationView",
                "Rectification",
            ),
            item("ComplaintList", _l("Complaints"), "fa-bullhorn", "feedback.ComplaintView", "Complaint"),
            item(
                "RectificationOrderList",
                _l("Rectification orders"),
                "fa-gavel",
                "feedback.RectificationOrderView",
                "RectificationOrder",
            ),
            item("InquiryList", _l("First-inquiry register"), "fa-phone", "inquiry.InquiryView", "Inquiry"),
        ),
    ),
    Group(
        "People",
        _l("People"),
        "fa-users",
        (
            item("AttendanceList", _l("Attendance"), "fa-clock-o", "attendance.AttendanceView", "Attendance"),
            hidden("attendance.AttendanceImportView", "Attendance"),
            item("LeaveRequestList", _l("Leave"), "fa-calendar-minus-o", "people.LeaveRequestView", "LeaveRequest"),
            item("PostCoverage", _l("A/B post coverage"), "fa-exchange", "people.PostCoverageView", "LeaveRequest"),
            item(
                "WindowRotationList",
                _l("Comprehensive window duty"),
                "fa-refresh",
                "people.WindowRotationView",
                "WindowRotation",
            ),
            item(
                "PersonnelChangeList",
                _l("Personnel changes"),
                "fa-user-plus",
                "people.PersonnelChangeView",
                "PersonnelChange",
            ),
            item(
                "LeaderDutyList",
                _l("Leaders on duty at the windows"),
                "fa-user-circle",
                "leadership.LeaderDutyView",
                "LeaderDuty",
            ),
            item(
                "LeaderVisitList",
                _l("Leaders' visits to the windows"),
                "fa-handshake-o",
                "leadership.LeaderVisitView",
                "LeaderVisit",
            ),
            link(
                "LeaderStanding", _l("Leaders at the windows: standing"), "fa-check-square-o", "/leadervisitview/status"
            ),
        ),
    ),
    Group(
        "Assessment",
        _l("Assessment"),
        "fa-trophy",
        (
            item(
                "AssessmentRuleList",
                _l("Assessment rules"),
                "fa-gavel",
                "assessment.AssessmentRuleView",
                "AssessmentRule",
            ),
            item(
                "AssessmentRecordList",
                _l("Assessment records"),
                "fa-pencil",
                "assessment.AssessmentRecordView",
                "AssessmentRecord",
            ),
            item(
                "MonthlyScoreList",
                _l("Monthly scores"),
                "fa-bar-chart",
                "assessment.MonthlyScoreView",
                "MonthlyScore",
            ),
            item(
                "QuarterlyResultList",
                _l("Quarterly results"),
                "fa-flag",
                "assessment.QuarterlyResultView",
                "MonthlyScore",
            ),
            item("AppealList", _l("Appeals"), "fa-balance-scale", "appeal.AppealView", "Appeal"),
            item(
                "AnnualAppraisalList",
                _l("Annual appraisal"),
                "fa-certificate",
                "appraisal.AnnualAppraisalView",
                "AnnualAppraisal",
            ),
        ),
    ),
    # FAB's own menu (users, roles), extended; it has its icon already.
    Group(
        "Security",
        _l("Security"),
        "",
        (
            item("SettingList", _l("Settings"), "fa-cog", "system.SettingView", "Setting"),
            item(
                "WorkCalendarDayList",
                _l("Working-day calendar"),
                "fa-calendar",
                "calendar.WorkCalendarDayView",
                "WorkCalendarDay",
            ),
            item("JobRunList", _l("Job runs"), "fa-tasks", "system.JobRunView", "JobRun"),
            item("QueueDeviceList", _l("Queue devices"), "fa-desktop", "queue.QueueDeviceView", "QueueDevice"),
        ),
    ),
)

# The REST API, registered after the pages (/api/v1/<resource name>).
APIS = (
    hidden("org.CenterApi", "Center"),
    hidden("org.DepartmentApi", "Department"),
    hidden("org.WindowApi", "Window"),
    hidden("org.StaffApi", "Staff"),
    hidden("matter.MatterApi", "Matter"),
    hidden("case.CaseApi", "Case"),
)

_GROUPS = {group.name: group for group in MENU}


def _groups(names):
    unknown = [name for name in names if name not in _GROUPS]
    if unknown:
        raise KeyError(f"no menu group {unknown}")
    return [_GROUPS[name] for name in names]


def resources(*groups: str) -> str:
    """The resources (permission names) of the groups' views, as a regex alternation."""
    names = [entry.resource for group in _groups(groups) for entry in group.entries if entry.resource]
    return "|".join(dict.fromkeys(names))


def menu_rules(*groups: str, without: tuple[str, ...] = ()) -> list[list[str]]:
    """FAB_ROLES rules granting the groups' menus: each group and its items, less `without`.

    An item added to a group is granted with it; each pattern stays within MAX_PATTERN.
    """
    names = [name for group in _groups(groups) for name in (group.name, *(e.name for e in group.entries)) if name]
    unknown = set(without) - set(names)
    if unknown:
        raise KeyError(f"not in menu groups {groups}: {sorted(unknown)}")
    names = [name for name in names if name not in without]
    rules, chunk = [], []
    for name in names:
        if chunk and len("^()$") + len("|".join([*chunk, name])) > MAX_PATTERN:
            rules.append(chunk)
            chunk = []
        chunk.append(name)
    rules.append(chunk)
    return [[f"^({'|'.join(chunk)})$", "^menu_access$"] for chunk in rules]
