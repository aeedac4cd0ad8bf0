"""Who may do what: the permission contract, written out by hand.

tests/integration/test_permission_cells.py checks every registered view's every verb for
every role against it; a view, verb, resource, menu item or role it does not answer for
fails that test. Change this file when a grant is meant to change, never to make it pass.

Cells: R read, A add, E edit, D delete, X export, I import, then "+name" for any other
permission (act, intake, generate…); "-" none; "*" every permission of the resource.
"""

# The permission each verb of an app view checks (app/views/model_view.py, api.py).
STANDARD_VERBS = {
    "list": "read",
    "show": "read",
    "download": "read",
    "add": "add",
    "edit": "edit",
    "delete": "delete",
    "export": "export",
    "get": "read",
    "get_list": "read",
    "info": "read",
    "post": "add",
    "put": "edit",
    "choices_add": "add",
    "choices_edit": "edit",
    "choices_search": "read",
    "action:activate": "activate",
    "action:deactivate": "deactivate",
}

# Verbs outside STANDARD_VERBS, by view: custom routes and @actions. Flask-AppBuilder's own
# views check a permission named after the verb; only their exceptions are listed.
CUSTOM_VERBS = {
    "NoticeView": {"action:mark_read": "read", "mark_all_read": "read"},
    "CaseIntakeView": {"index": "intake", "form": "intake"},
    "CaseView": {
        "act": "act",
        "receipt": "read",
        "supplement_notice": "read",
        "denial_decision": "read",
        "default_notice": "read",
        "commitment": "read",
    },
    "CaseApi": {"act": "act"},
    "MatterImportView": {"index": "import", "template": "import"},
    "MonthlyReportView": {"generate": "generate", "action:download": "read", "action:submit": "submit"},
    "BulletinView": {"index": "read"},
    "EvaluationView": {"record": "add"},
    "RectificationView": {"act": "act"},
    "ComplaintView": {"act": "act", "register": "add"},
    "RectificationOrderView": {"act": "act"},
    "AttendanceImportView": {"index": "import", "template": "import"},
    "LeaveRequestView": {"act": "act", "file": "add"},
    "PostCoverageView": {"index": "read"},
    "WindowRotationView": {"generate": "generate"},
    "PersonnelChangeView": {"act": "act", "request_change": "add"},
    "MonthlyScoreView": {"generate": "generate", "rescore": "generate"},
    "AppealView": {"act": "act", "file": "add"},
    "LeaderDutyView": {"record": "add"},
    "LeaderVisitView": {"record": "add", "status": "read"},
    "ViolationView": {"act": "act"},
    "CorrectionRequestView": {"act": "act", "file": "add"},
    "InquiryView": {"act": "act", "record": "add"},
    "AppointmentView": {"act": "act", "book": "add"},
    "QuarterlyResultView": {"generate": "generate", "annual": "read", "annual_export": "export"},
    "AnnualAppraisalView": {"generate": "generate", "confirm": "confirm", "workbook": "export", "letter": "read"},
    "StaffView": {"card": "read"},
    "ApplicationView": {"act": "act", "file": "read"},
    "PreReviewView": {"act": "act", "file": "read"},
    "TransferView": {
        "act": "act",
        "register": "add",
        "register_form": "add",
        "attach": "add",
        "receipt": "read",
        "scan": "read",
    },
    "InspectionView": {"act": "act", "record": "add", "finding": "act", "photo": "read"},
    "CaseProxyView": {"act": "act", "assign": "add", "sheet": "read"},
    "JointMeetingView": {"act": "act", "record": "add"},
    "CenterAssessmentView": {"index": "read", "workbook": "export"},
    "QueuePanelView": {"index": "call", "act": "call"},
    "MenuApi": {"get_menu_data": "get"},
}

ROLES = (
    "Admin",
    "CenterManager",
    "Supervisor",
    "ChiefRep",
    "WindowStaff",
    "Leader",
    "Public",
    # The three-level network (issue 16).
    "TownshipStaff",
    "TownshipHead",
    "SubCenterHead",
    "VillageAgent",
)

# resource: the permissions its views check, then each role's grant (ROLES order).
GRANTS = """
resource                 permissions                  Admin  CenterManager               Supervisor      ChiefRep                    WindowStaff     Leader  Public  TownshipStaff    TownshipHead          SubCenterHead         VillageAgent
Notice                   R                            *      R                           R               R                           R               R       -  R                R                     R                     R
Center                   RAEDX                        *      RAEDX                       RX              RX                          R               RX      -  R                RX                    RX                    R
Department               RAEDX+activate+deactivate    *      RAEDX+activate+deactivate   RX              RX                          R               RX      -  R                RX                    RX                    -
Window                   RAEDX+activate+deactivate    *      RAEDX+activate+deactivate   RX              REX                         R               RX      -  R                REX                   REX                   -
Staff                    RAEDX+activate+deactivate    *      RAEDX+activate+deactivate   RX              REX+activate+deactivate     R               RX      -  R                REX                   REX                   -
TrainingRecord           RAEDX                        *      RAEDX                       RX              RAEDX                       R               RX      -  R                RAEDX                 RAEDX                 -
PreviousPost             RAEDX                        *      RAEDX                       RX              RAEDX                       R               RX      -  R                RAEDX                 RAEDX                 -
WindowGroup              RAEDX+activate+deactivate    *      RAEDX+activate+deactivate   RX              RX                          R               RX      -  R                RX                    RX                    -
DelayedOpening           RAEDX                        *      RAEDX                       RX              RX                          R               RX      -  R                RX                    RX                    -
Case                     RX+act+intake                *      RX+act                      RX+act          RX+act+intake               R+act+intake    RX      -  R+act+intake     RX+act                RX+act                R
Violation                RX+act                       *      RX+act                      RX+act          R                           R               RX      -  R                RX                    RX                    -
CorrectionRequest        RAX+act                      *      RX+act                      RX              RAX+act                     RA              RX      -  RA               RAX+act               RAX+act               -
Appointment              RAX+act                      *      RAX+act                     RX              RAX+act                     RA+act          RX      -  RA+act           RAX+act               RAX+act               -
Transfer                 RAX+act                      *      RX                          RX              RX+act                      R+act           RX      -  R+act            RX                    RX                    RA+act
CaseProxy                RAX+act                      *      RAX+act                     RX+act          RAX+act                     R+act           RX      -  R+act            RAX+act               RAX+act               -
QueueTicket              RX+call                      *      RX                          RX              RX+call                     R+call          RX      -  R+call           RX                    RX                    -
Application              RX+act                       *      RX                          RX              RX+act                      R+act           RX      -  R+act            RX                    RX                    -
Matter                   RAEDX+activate+deactivate    *      RAEDX+activate+deactivate   RX              RX                          R               RX      -  R                RX                    RX                    R
MatterImport             I                            *      I                           -               -                           -               -       -  -                -                     -                     -
CatalogueCheck           RX                           *      RX                          RX              RX                          R               RX      -  R                RX                    RX                    R
MatterMaterial           RAEDX                        *      RAEDX                       RX              RX                          R               RX      -  R                RX                    RX                    R
MatterStep               RAEDX                        *      RAEDX                       RX              RX                          R               RX      -  R                RX                    RX                    R
AuditLog                 RX                           *      -                           RX              -                           -               -       -  -                -                     -                     -
MonthlyReport            RX+generate+submit           *      RX+generate+submit          RX+generate     -                           -               RX      -  -                RX+generate+submit    RX+generate+submit    -
Bulletin                 RX                           *      RX                          RX              -                           -               RX      -  -                -                     -                     -
Evaluation               RAX                          *      RAX                         RAX             RX                          R               RX      -  R                RX                    RX                    -
Rectification            RX+act                       *      RX+act                      RX+act          R+act                       -               RX      -  -                -                     -                     -
RectificationOrder       RX+act                       *      RX+act                      RX+act          R+act                       -               RX      -  -                -                     -                     -
Inquiry                  RAX+act                      *      RAX+act                     RAX+act         RAX+act                     RA+act          RX      -  RA+act           RAX+act               RAX+act               -
Complaint                RAX+act                      *      RAX+act                     RAX+act         R+act                       -               RX      -  -                -                     -                     -
Attendance               RAEDXI                       *      REXI                        REXI            RX                          R               RX      -  R                RX                    RX                    -
LeaveRequest             RAX+act                      *      RX+act                      RX              RAX+act                     RA+act          RX      -  RA               RX+act                RX+act                -
WindowRotation           RAEDX+generate               *      RAEDX+generate              RX              RX                          R               RX      -  R                RX                    RX                    -
PersonnelChange          RAX+act                      *      RAX+act                     RX              RAX                         -               RX      -  -                RX                    RX                    -
LeaderDuty               RADX                         *      RX                          RX              RADX                        -               RX      -  -                RX                    RX                    -
LeaderVisit              RAX                          *      RX                          RX              RAX                         -               RX      -  -                RX                    RX                    -
AssessmentRule           RAEDX                        *      RAEDX                       RX              RX                          R               RX      -  R                RX                    RX                    -
AssessmentRecord         RAEDX                        *      RAEDX                       RAX             RX                          R               RX      -  R                RX                    RX                    -
MonthlyScore             RX+generate                  *      RX+generate                 RX+generate     RX                          R               RX      -  R                RX                    RX                    -
Appeal                   RAX+act                      *      RX+act                      RX+act          RAX+act                     RA              RX      -  RA               RX                    RX                    -
AnnualAppraisal          RX+generate+confirm          *      RX+generate+confirm         RX+generate     RX                          R               RX      -  R                RX                    RX                    -
Inspection               RAX+act                      *      RAX+act                     RAX+act         R                           -               RX      -  -                RX                    RX                    -
JointMeeting             RAX+act                      *      RAX+act                     RAX+act         -                           -               RX      -  -                RX+act                RX+act                -
CenterAssessment         RX                           *      RX                          RX              -                           -               RX      -  -                -                     -                     -
Setting                  REX                          *      -                           -               -                           -               -       -  -                -                     -                     -
WorkCalendarDay          RAEDX                        *      -                           -               -                           -               -       -  -                -                     -                     -
JobRun                   RX                           *      -                           -               -                           -               -       -  -                -                     -                     -
QueueDevice              RAED                         *      -                           -               -                           -               -       -  -                -                     -                     -
UserInfoEditView         +this_form_get+this_form_post  *    +this_form_get+this_form_post  +this_form_get+this_form_post  +this_form_get+this_form_post  +this_form_get+this_form_post  +this_form_get+this_form_post  -  +this_form_get+this_form_post  +this_form_get+this_form_post  +this_form_get+this_form_post  +this_form_get+this_form_post
ResetMyPasswordView      +this_form_get+this_form_post  *    +this_form_get+this_form_post  +this_form_get+this_form_post  +this_form_get+this_form_post  +this_form_get+this_form_post  +this_form_get+this_form_post  -  +this_form_get+this_form_post  +this_form_get+this_form_post  +this_form_get+this_form_post  +this_form_get+this_form_post
ResetPasswordView        +this_form_get+this_form_post  *    -                           -               -                           -               -       -  -                -                     -                     -
UserDBModelView          AED+list+show+download+userinfo+resetmypassword+resetpasswords+userinfoedit  *  +userinfo  +userinfo  +userinfo  +userinfo  +userinfo  -  +userinfo        +userinfo             +userinfo             +userinfo
RoleModelView            AED+list+show+download+copyrole  *  -                           -               -                           -               -       -  -                -                     -                     -
UserGroupModelView       AED+list+show+download       *      -                           -               -                           -               -       -  -                -                     -                     -
PermissionModelView      +list                        *      -                           -               -                           -               -       -  -                -                     -                     -
ViewMenuModelView        +list                        *      -                           -               -                           -               -       -  -                -                     -                     -
PermissionViewModelView  +list                        *      -                           -               -                           -               -       -  -                -                     -                     -
OpenApi                  +get                         *      -                           -               -                           -               -       -  -                -                     -                     -
SwaggerView              +show                        *      -                           -               -                           -               -       -  -                -                     -                     -
MenuApi                  +get                         *      -                           -               -                           -               -       -  -                -                     -                     -
"""  # noqa: E501 (a table reads across)

# Every menu entry ("menu_access" on its name): x shown, . hidden (ROLES order).
MENU = """
entry                      Admin CenterManager Supervisor ChiefRep WindowStaff Leader Public TownshipStaff TownshipHead SubCenterHead VillageAgent
Security                   x     .             .          .        .           .      . .             .            .             .
List Users                 x     .             .          .        .           .      . .             .            .             .
List Roles                 x     .             .          .        .           .      . .             .            .             .
List Groups                x     .             .          .        .           .      . .             .            .             .
Base Permissions           x     .             .          .        .           .      . .             .            .             .
Views/Menus                x     .             .          .        .           .      . .             .            .             .
Permission on Views/Menus  x     .             .          .        .           .      . .             .            .             .
SettingList                x     .             .          .        .           .      . .             .            .             .
WorkCalendarDayList        x     .             .          .        .           .      . .             .            .             .
JobRunList                 x     .             .          .        .           .      . .             .            .             .
QueueDeviceList            x     .             .          .        .           .      . .             .            .             .
Inbox                      x     x             x          x        x           x      . x             x            x             x
NoticeList                 x     x             x          x        x           x      . x             x            x             x
Organisation               x     x             x          x        x           x      . x             x            x             x
CenterList                 x     x             x          x        x           x      . x             x            x             x
DepartmentList             x     x             x          x        x           x      . x             x            x             .
WindowList                 x     x             x          x        x           x      . x             x            x             .
StaffList                  x     x             x          x        x           x      . x             x            x             .
TrainingRecordList         x     x             x          x        x           x      . x             x            x             .
PreviousPostList           x     x             x          x        x           x      . x             x            x             .
WindowGroupList            x     x             x          x        x           x      . x             x            x             .
DelayedOpeningList         x     x             x          x        x           x      . x             x            x             .
Cases                      x     x             x          x        x           x      . x             x            x             x
CaseIntake                 x     .             .          x        x           .      . x             .            .             .
CaseList                   x     x             x          x        x           x      . x             x            x             x
AppointmentList            x     x             x          x        x           x      . x             x            x             .
MyCases                    x     x             x          x        x           .      . x             .            .             x
JointCases                 x     .             .          x        x           .      . .             .            .             .
DueSoonCases               x     x             x          x        x           x      . x             x            x             .
OverdueCases               x     x             x          x        x           x      . x             x            x             .
TransferList               x     x             x          x        x           x      . x             x            x             x
CaseProxyList              x     x             x          x        x           x      . x             x            x             .
ProxyCallbacks             x     x             x          x        x           x      . x             x            x             .
QueuePanel                 x     .             .          x        x           .      . x             .            .             .
QueueTicketList            x     x             x          x        x           x      . x             x            x             .
ApplicationList            x     x             x          x        x           x      . x             x            x             .
PreReviewList              x     x             x          x        x           x      . x             x            x             .
ViolationList              x     x             x          x        x           x      . x             x            x             .
CorrectionRequestList      x     x             x          x        x           x      . x             x            x             .
Catalogue                  x     x             x          x        x           x      . x             x            x             x
MatterList                 x     x             x          x        x           x      . x             x            x             x
MatterImport               x     x             .          .        .           .      . .             .            .             .
CatalogueCheck             x     x             x          x        x           x      . x             x            x             x
Supervision                x     x             x          x        .           x      . .             x            x             .
AuditLogList               x     .             x          .        .           .      . .             .            .             .
MonthlyReportList          x     x             x          .        .           x      . .             x            x             .
BulletinList               x     x             x          .        .           x      . .             .            .             .
InspectionList             x     x             x          x        .           x      . .             x            x             .
JointMeetingList           x     x             x          .        .           x      . .             x            x             .
CenterAssessment           x     x             x          .        .           x      . .             .            .             .
Feedback                   x     x             x          x        x           x      . x             x            x             .
EvaluationList             x     x             x          x        x           x      . x             x            x             .
RectificationList          x     x             x          x        .           x      . .             .            .             .
ComplaintList              x     x             x          x        .           x      . .             .            .             .
RectificationOrderList     x     x             x          x        .           x      . .             .            .             .
InquiryList                x     x             x          x        x           x      . x             x            x             .
People                     x     x             x          x        x           x      . x             x            x             .
AttendanceList             x     x             x          x        x           x      . x             x            x             .
LeaveRequestList           x     x             x          x        x           x      . x             x            x             .
PostCoverage               x     x             x          x        x           x      . .             x            x             .
WindowRotationList         x     x             x          x        x           x      . x             x            x             .
PersonnelChangeList        x     x             x          x        .           x      . .             .            .             .
LeaderDutyList             x     x             x          x        .           x      . .             x            x             .
LeaderVisitList            x     x             x          x        .           x      . .             x            x             .
LeaderStanding             x     x             x          x        .           x      . .             x            x             .
Assessment                 x     x             x          x        x           x      . x             x            x             .
AssessmentRuleList         x     x             x          x        x           x      . x             x            x             .
AssessmentRecordList       x     x             x          x        x           x      . x             x            x             .
MonthlyScoreList           x     x             x          x        x           x      . x             x            x             .
QuarterlyResultList        x     x             x          x        x           x      . x             x            x             .
AppealList                 x     x             x          x        x           x      . x             x            x             .
AnnualAppraisalList        x     x             x          x        x           x      . x             x            x             .
"""  # noqa: E501 (a table reads across)

_LETTERS = {"R": "read", "A": "add", "E": "edit", "D": "delete", "X": "export", "I": "import"}


def parse_cell(cell: str) -> set[str]:
    """'RX+act' -> {'read', 'export', 'act'}; '-' -> set()."""
    if cell == "-":
        return set()
    letters, *words = cell.split("+")
    return {_LETTERS[letter] for letter in letters} | set(words)


def _rows(table: str) -> list[list[str]]:
    """The table's rows below its header, split on whitespace (no cell holds a space)."""
    return [line.split() for line in table.strip().splitlines()[1:]]


def grants() -> tuple[dict[str, set[str]], dict[str, dict[str, set[str]]]]:
    """(resource -> its permissions, role -> resource -> granted permissions)."""
    permissions, by_role = {}, {role: {} for role in ROLES}
    for resource, own, *cells in _rows(GRANTS):
        assert len(cells) == len(ROLES), f"GRANTS row {resource}: {len(cells)} cells for {len(ROLES)} roles"
        permissions[resource] = parse_cell(own)
        for role, cell in zip(ROLES, cells, strict=True):
            by_role[role][resource] = permissions[resource] if cell == "*" else parse_cell(cell)
    return permissions, by_role


def menu() -> dict[str, dict[str, bool]]:
    """menu entry -> role -> shown."""
    table = {}
    for row in _rows(MENU):
        # An entry's name may hold spaces (FAB's "List Users"): the marks are the last columns.
        entry, marks = " ".join(row[: -len(ROLES)]), row[-len(ROLES) :]
        table[entry] = {role: mark == "x" for role, mark in zip(ROLES, marks, strict=True)}
    return table
