"""Run-time settings a county tunes in the UI, with their defaults.

Each later area registers its keys here; `flask govhall init` writes missing
keys with their defaults and never overwrites an edited value.
"""

import re
from dataclasses import dataclass
from itertools import pairwise

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.models.system import Setting
from config import ROLE_DUTIES


@dataclass(frozen=True)
class SettingSpec:
    key: str
    default: str
    label: object
    help: object = ""


# The default approvers at the center (config.ROLE_DUTIES), as the comma-separated setting holds them.
CENTER_APPROVERS = ",".join(sorted(ROLE_DUTIES["center_approval"]))

SPECS = {
    spec.key: spec
    for spec in (
        SettingSpec("center_name", "示范县政务服务中心", _l("Center name")),
        SettingSpec(
            "office_hours", "08:30-12:00,13:30-17:30", _l("Office hours"), _l("Comma-separated HH:MM-HH:MM periods")
        ),
        SettingSpec("report_due_workday", "5", _l("Monthly report due (working day of the month)")),
        SettingSpec("calendar_revision", "0", _l("Calendar revision (changes by itself)")),
        SettingSpec(
            "warning_scan_minutes",
            "5",
            _l("Warning scan interval (minutes)"),
            _l("Takes effect when the scheduler process restarts."),
        ),
        SettingSpec("warning_days", "1", _l("Warning window (working days before the deadline)")),
        SettingSpec(
            "warning_ratio",
            "0.2",
            _l("Warning window (share of the limit)"),
            _l("The warning starts at whichever of the two comes first."),
        ),
        SettingSpec(
            "escalate_chief_days",
            "1",
            _l("Overdue cases go to the chief representative after (working days in red)"),
        ),
        SettingSpec(
            "escalate_center_days",
            "3",
            _l("Overdue cases go to the center after (working days in red)"),
        ),
        SettingSpec(
            "supplement_limit_days",
            "10",
            _l("Supplement limit (working days)"),
            _l("After it, the chief representative is asked to decide on a passive return."),
        ),
        SettingSpec(
            "tolerated_due_days",
            "5",
            _l("Tolerated missing materials (容缺): due within (working days)"),
            _l("The default due date of each material accepted as missing; the clerk may set another."),
        ),
        SettingSpec(
            "tolerated_grace_days",
            "3",
            _l("Tolerated missing materials (容缺): grace after the due date (working days)"),
            _l("After it, the chief representative is asked to decide on a passive return."),
        ),
        SettingSpec(
            "evaluation_rule",
            "per_channel",
            _l("Evaluations per case"),
            _l("per_channel: one per case and channel; once: one per case"),
        ),
        SettingSpec("evaluation_default_days", "7", _l("Default rating after (natural days unrated)")),
        SettingSpec("evaluation_default_level", "3", _l("Default rating (1–5)")),
        SettingSpec("rectify_contact_days", "1", _l("Bad review: contact the applicant within (working days)")),
        SettingSpec("rectify_days", "5", _l("Bad review: rectify within (working days)")),
        SettingSpec(
            "complaint_stage_days",
            "1,3,3,2,1",
            _l("Complaint stage limits (working days)"),
            _l("Receive, investigate, handle, reply, call back — comma-separated"),
        ),
        SettingSpec("complaint_total_days", "10", _l("Complaint limit (working days)")),
        SettingSpec(
            "rectification_order_days",
            "5",
            _l("Complaint rectification order: rectify within (working days)"),
            _l("A substantiated complaint orders its department to rectify within this many working days."),
        ),
        SettingSpec(
            "backup_time",
            "02:30",
            _l("Daily backup time (HH:MM)"),
            _l("Takes effect when the scheduler process restarts."),
        ),
        SettingSpec("backup_keep", "14", _l("Backups kept (the newest)")),
        # Leave (分中心管理办法 第六条) and personnel changes (第五条): app/services/leave.py, personnel.py.
        SettingSpec(
            "leave_short_max_days",
            "1",
            _l("Leave approved by the chief representative or the window leader: up to (working days, inclusive)"),
        ),
        SettingSpec(
            "leave_joint_min_days",
            "3",
            _l("Leave approved jointly by the department and the center: from (working days)"),
        ),
        SettingSpec(
            "leave_short_approver_positions",
            "chief_rep,leader",
            _l("Positions that approve short leave"),
            _l("Comma-separated staff positions: chief_rep, leader"),
        ),
        SettingSpec(
            "leave_chief_approver_positions",
            "chief_rep",
            _l("Positions that approve leave of the department"),
            _l("Comma-separated staff positions; for the joint tier they record the department head's approval"),
        ),
        SettingSpec(
            "leave_center_roles",
            CENTER_APPROVERS,
            _l("Roles approving the center's half of long leave"),
            _l("Comma-separated role names (the center's leader in charge)"),
        ),
        SettingSpec(
            "personnel_approver_roles",
            CENTER_APPROVERS,
            _l("Roles approving personnel changes"),
            _l("Comma-separated role names"),
        ),
        SettingSpec("personnel_min_tenure_months", "24", _l("Minimum tenure before a change of post (months)")),
        SettingSpec(
            "personnel_min_tenure_months_comprehensive",
            "6",
            _l("Minimum tenure on a comprehensive window (months)"),
        ),
        # Staff eligibility on appointment and 先进后出 (issue 19.5): app/services/eligibility.py, personnel.py.
        # 003 第三条（四）: 年龄在45周岁以下，中层以上干部和中级以上职称专业技术人员可适当放宽至50岁.
        SettingSpec("staff_max_age", "45", _l("Staff eligibility: oldest age on appointment (years)")),
        SettingSpec(
            "staff_max_age_relaxed",
            "50",
            _l("Staff eligibility: oldest age for middle cadres and intermediate titles (years)"),
        ),
        # 003 第三条（一）: 公务员身份或事业单位在职在编; 004 第三十一条: 首席代表有正式编制.
        SettingSpec(
            "staff_required_staffing",
            "civil_service,civil_service_managed,public_institution",
            _l("Staff eligibility: establishment (编制) kinds that qualify"),
            _l("Comma-separated: civil_service, civil_service_managed, public_institution, contract, dispatched"),
        ),
        # 003 第三条（一）: 首席代表应为窗口部门中层以上干部 (a county department's middle cadre: 股级).
        SettingSpec(
            "chief_rep_min_rank",
            "section",
            _l("Staff eligibility: lowest rank of a chief representative (and of a middle cadre)"),
            _l("One of: clerk, member, section, deputy_division, division, deputy_bureau"),
        ),
        # 004 第三十条: 须经过本部门业务培训和中心组织的岗前培训.
        SettingSpec(
            "staff_required_training",
            "pre_service,department",
            _l("Staff eligibility: training required before starting at a window"),
            _l("Comma-separated: pre_service, department, in_service, etiquette, other"),
        ),
        # 003 第六条: 采取“先进后出”的方式; block (refuse the approval) or warn.
        SettingSpec(
            "personnel_successor_check",
            "block",
            _l("Transfers out without a successor at the window (先进后出)"),
            _l("block: the center cannot approve them; warn: the approver is warned"),
        ),
        # 004 第二十七条 AB角工作制: a window keeping an A and a B post needs no successor.
        SettingSpec(
            "personnel_window_min_staff",
            "2",
            _l("Staff a window keeps on duty without a successor (先进后出)"),
        ),
        # Monthly scoring and quarterly honours (issue 6): an empty value switches a cap or a rule off.
        SettingSpec("assessment_cap_discipline", "30", _l("Assessment: most deducted for work discipline a month")),
        SettingSpec("assessment_cap_image", "30", _l("Assessment: most deducted for window image a month")),
        SettingSpec("assessment_cap_business", "", _l("Assessment: most deducted for business handling a month")),
        SettingSpec("assessment_cap_addition", "", _l("Assessment: most added a month")),
        SettingSpec(
            "chief_rep_share",
            "1.0",
            _l("Assessment: chief representative's joint liability for a breach of the ten prohibitions"),
            _l(
                "002: a breach of the 十不准 costs the clerk 100 yuan and the chief representative 100 yuan "
                "(连带责任): 1.0 charges the full deduction. Only rules marked for joint liability reach "
                "the chief representative."
            ),
        ),
        SettingSpec(
            "department_score_formula",
            "per_head",
            _l("Assessment: department score formula"),
            _l(
                "000 第二十一条. per_head — 个人扣分值/(部门人数×单人件次数): each staff member's deductions "
                "divided by the department's scored staff times that person's number of deductions in the "
                "month, summed; equal — 个人扣分值=部门扣分值: the sum of the staff's deductions."
            ),
        ),
        SettingSpec(
            "score_partial_month",
            "not_scored",
            _l("Assessment: a month served in part"),
            _l(
                "not_scored: a staff member who joined or left within the month gets no score for it; "
                "pro_rata: the base 100 points in proportion to the days served."
            ),
        ),
        SettingSpec("quarter_min_score", "80", _l("Quarter: disqualified below this mean score")),
        SettingSpec("quarter_min_promised", "30", _l("Quarter: disqualified with fewer time-limited cases")),
        SettingSpec("quarter_min_immediate", "100", _l("Quarter: disqualified with fewer immediate cases")),
        SettingSpec("quarter_bad_review_rate", "0.10", _l("Quarter: disqualified at this bad-review rate")),
        SettingSpec("quarter_bad_review_count", "5", _l("Quarter: disqualified at this many bad reviews")),
        SettingSpec("quarter_overdue_rate", "0.05", _l("Quarter: disqualified at this overdue rate")),
        SettingSpec("quarter_overdue_count", "10", _l("Quarter: disqualified at this many overdue cases")),
        SettingSpec("quarter_meeting_absences", "3", _l("Quarter: disqualified at this many missed meetings")),
        SettingSpec("quarter_no_system_use", "3", _l("Quarter: disqualified at this many times not using the system")),
        SettingSpec("quarter_violations", "10", _l("Quarter: disqualified at this many operating violations")),
        SettingSpec(
            "appeal_days",
            "3",
            _l("Appeals: working days to appeal a detected violation or an automatic deduction"),
            _l("Counted on the working-day calendar from the day of the violation or deduction."),
        ),
        SettingSpec(
            "violation_confirm_days",
            "3",
            _l("Second supplement requests: working days before an unconfirmed one counts as a violation"),
            _l("A supervisor confirms or dismisses it before then; the daily job confirms the rest."),
        ),
        SettingSpec("red_flag_windows", "5", _l("Quarter: red-flag windows (top eligible windows)")),
        SettingSpec("service_stars", "10", _l("Quarter: service stars (top eligible staff)")),
        # The annual appraisal (app/services/appraisal.py); the seeds give the months, not the scores.
        SettingSpec(
            "appraisal_min_months",
            "6",
            _l("Annual appraisal: whole months at the center in the year to be appraised"),
            _l("Seed 003, article 2: half a year's work and still at the hall at the year's end."),
        ),
        SettingSpec(
            "appraisal_year_end",
            "1",
            _l("Annual appraisal: only staff still at the center at the end of the year (1 yes, 0 no)"),
        ),
        SettingSpec("appraisal_excellent_score", "90", _l("Annual appraisal: lowest annual score for Excellent")),
        SettingSpec("appraisal_competent_score", "80", _l("Annual appraisal: lowest annual score for Competent")),
        SettingSpec(
            "appraisal_basic_score",
            "70",
            _l("Annual appraisal: lowest annual score for Basically competent (below: Incompetent)"),
        ),
        SettingSpec(
            "appraisal_excellent_share",
            "0.15",
            _l("Annual appraisal: most Excellent grades, as a share of the center's eligible staff"),
            _l("Rounded down; ties on the last place go to the lower staff number."),
        ),
        SettingSpec(
            "attendance_grace_minutes",
            "0",
            _l("Attendance: minutes of grace before a clock-in counts as late"),
        ),
        SettingSpec(
            "attendance_absent_minutes",
            "30",
            _l("Attendance: late or early by more than this many minutes counts as half a day absent"),
        ),
        # The 考核细则 count 迟到或早退 per occurrence whatever the minutes and 旷工 only for a half day
        # or more unworked; these two conversions are local practice, off unless the center turns them on.
        SettingSpec(
            "attendance_late_as_absence",
            "off",
            _l(
                "Attendance: late or early by more than attendance_absent_minutes counts as half a day absent "
                "(on/off; not in the assessment rules, off by default)"
            ),
        ),
        SettingSpec(
            "attendance_missing_punch_as_absence",
            "off",
            _l(
                "Attendance: a day with only one punch counts as half a day absent "
                "(on/off; not in the assessment rules, off by default)"
            ),
        ),
        # Imports (issue 12): bounds that keep a hostile or mistaken file from exhausting a worker.
        SettingSpec(
            "import_max_megabytes",
            "100",
            _l("Imports: largest file, once unpacked (MB)"),
            _l("An .xlsx counts the size of its unzipped parts."),
        ),
        SettingSpec("matter_import_max_rows", "20000", _l("Matter catalogue import: most rows")),
        SettingSpec("attendance_import_max_rows", "200000", _l("Attendance import: most rows")),
        SettingSpec("calendar_import_max_rows", "1000", _l("Calendar import: most rows")),
        # Village requests (接件登记/转交, issue 16) and their scans (StoredFile).
        SettingSpec(
            "transfer_confirm_days",
            "1",
            _l("Forwarded requests: receipt confirmed within (working days)"),
            _l("Counted from the day sent, due at closing time; later ones are flagged."),
        ),
        # Seed 003: 其他件须在0.5个工作日内移交责任部门办理.
        SettingSpec(
            "duty_handoff_days",
            "0.5",
            _l("Comprehensive window: hand a member department's case over within (working days)"),
            _l("Office time counted from acceptance; a later hand-off is the on-duty person's violation."),
        ),
        # 000 第十五条(1): 申报材料齐备后，未及时向系统内录入业务信息的 is an operating violation;
        # the seeds name no figure, so a working day by default.
        SettingSpec(
            "late_entry_workdays",
            "1.0",
            _l("Late entry: a case must be entered within (working days after reception)"),
            _l("Office time counted from the reception time the intake records; later is a violation."),
        ),
        # Seed 004 第二十五条(四): 急办件，实行“绿色通道”办理. A matter without its own urgent limit
        # uses this one (never as long as its promised limit: services.deadlines.urgent_limit_days).
        SettingSpec(
            "urgent_limit_days",
            "3",
            _l("Urgent cases: limit when the matter sets none (working days)"),
            _l("Always shorter than the matter's promised limit; an immediate matter stays on the spot."),
        ),
        # Issue 17.3: an online application is pre-reviewed (预审) within this many working days of
        # its receipt (or resubmission), due at closing time; later is a violation and a warning.
        SettingSpec(
            "prereview_limit_days",
            "1",
            _l("Online applications: pre-review within (working days)"),
            _l("Counted from the day received, due at closing time; later ones warn the department and the center."),
        ),
        SettingSpec("transfer_max_files", "10", _l("Forwarded requests: most scans per request")),
        SettingSpec("stored_file_max_megabytes", "10", _l("Uploaded scans: largest file (MB)")),
        SettingSpec(
            "stored_file_types",
            "pdf,jpeg,png",
            _l("Uploaded scans: allowed types"),
            _l("Comma-separated, among pdf, jpeg and png; checked by the file's content."),
        ),
        # Online applications (网上申报, issue 17): what one application may upload, how long a
        # closed one (passed, refused, withdrawn) is kept with its files.
        SettingSpec("application_max_files", "40", _l("Online applications: most files per application")),
        SettingSpec(
            "application_max_megabytes",
            "60",
            _l("Online applications: largest upload per application (MB)"),
            _l("All files of one submission or correction together; each file also within the scan limit."),
        ),
        SettingSpec(
            "application_retention_days",
            "365",
            _l("Online applications: keep a closed application and its files (days)"),
            _l("Counted from passing, refusal or withdrawal; then deleted with its files."),
        ),
        SettingSpec(
            "attendance_import_window_days",
            "62",
            _l("Attendance import: dates accepted without confirmation (days back)"),
            _l("Older dates are refused unless the importer confirms them explicitly."),
        ),
        # Department leaders at the windows (issue 19.6, app/services/leadership.py); 0 switches a rule off.
        # Seed 003 第五条: 主要领导每季度到窗口指导工作不少于1次，分管领导每月到窗口指导工作不少于1次.
        SettingSpec(
            "leader_principal_visits_per_quarter",
            "1",
            _l("Leaders: visits of a department's principal leader to its windows, at least, per quarter"),
            _l("Seed 003, article 5. 0 switches the check off."),
        ),
        SettingSpec(
            "leader_in_charge_visits_per_month",
            "1",
            _l("Leaders: visits of a department's leader in charge to its windows, at least, per month"),
            _l("Seed 003, article 5. 0 switches the check off."),
        ),
        # Seed 001 (领导坐班制) and 002 (代班座岗制: 班子成员 … 至少一天到中心带班座岗; the seed's period
        # is illegible, read here as a month, the longest that fits): roster days per department.
        SettingSpec(
            "leader_duty_days_per_month",
            "1",
            _l("Leaders: days a department's leaders sit at or stand in at its windows, at least, per month"),
            _l("Seeds 001 and 002; a half day counts as one. 0 switches the check off."),
        ),
        # The login limit (services/login_limit.py): failed attempts only, each count apart.
        SettingSpec("login_fail_user_limit", "5", _l("Login: failed attempts per account before a pause")),
        SettingSpec(
            "login_fail_address_limit",
            "30",
            _l("Login: failed attempts per address before a pause"),
            _l("A hall behind one network address shares this count; successful logins never count."),
        ),
        SettingSpec("login_fail_window_minutes", "15", _l("Login: counting window and pause (minutes)")),
        # Seed 002 (超时或缺席默认): the basis printed on the 缺席默认通知书 (services/case_flow/defaults.py).
        SettingSpec(
            "default_approval_basis",
            "《中华人民共和国行政许可法》第四十二条；本中心超时或缺席默认制度：对手续齐全的行政许可或行政服务"
            "事项申请，有关部门受理后未在承诺时限内办结，也未书面告知延期理由的审批事项，或对需多部门联合办理"
            "审批项目中拒绝参与和不接受中心或牵头部门协调的部门，均视为部门默认审批事项，由此而产生的一切不利"
            "后果均由超时或缺席部门承担。",
            _l("Default approval: the basis printed on the notice"),
            _l("Recorded with each notice when it is issued; later edits do not change notices already issued."),
        ),
        # Seed 002: 按照法定时限减少30%以上的标准，确定承诺办理时限 (services/catalogue.py).
        SettingSpec(
            "promised_limit_reduction",
            "0.3",
            _l("Catalogue: promised limit at least this much shorter than the legal limit (share)"),
            _l("0.3: the promised limit is at most 70 per cent of the legal limit."),
        ),
        SettingSpec(
            "promised_limit_check",
            "warn",
            _l("Catalogue: a promised limit not short enough"),
            _l("warn: saved with a warning; refuse: not saved. The matter import follows the same setting."),
        ),
        # Inspections (issue 19.3): a finding's rectification order, and the annual assessment of each
        # sub-center and township center (000 第二十条: 每年 … 全面考评; the seed gives no formula:
        # see app/services/center_assessment.py for the composition these weights and points set).
        SettingSpec(
            "inspection_order_days",
            "5",
            _l("Inspection finding: rectify within (working days)"),
            _l("The rectification order an inspection finding opens is due this many working days later."),
        ),
        # 首问负责制 (004 第二十七条): a referred inquiry is answered within this many working days.
        SettingSpec(
            "inquiry_reply_days",
            "3",
            _l("First inquiry: referred inquiries answered within (working days)"),
            _l("A referred inquiry is due at the close of office hours on this working day after it was received."),
        ),
        SettingSpec(
            "center_assessment_window_weight", "0.5", _l("Annual center assessment: weight of the windows' mean score")
        ),
        SettingSpec(
            "center_assessment_staff_weight", "0.5", _l("Annual center assessment: weight of the staff's mean score")
        ),
        SettingSpec(
            "center_assessment_finding_points",
            "1.0",
            _l("Annual center assessment: points deducted per inspection finding"),
        ),
        SettingSpec(
            "center_assessment_sanction_points",
            "2.0",
            _l("Annual center assessment: further points deducted per finding that led to a sanction"),
        ),
        SettingSpec(
            "center_assessment_late_order_points",
            "1.0",
            _l("Annual center assessment: further points per rectification order not closed by its deadline"),
        ),
        SettingSpec(
            "appointment_cutoff_hours",
            "2",
            _l("Appointments: cancel or reschedule until (hours before the slot)"),
        ),
        SettingSpec(
            "appointment_checkin_early_minutes",
            "30",
            _l("Appointments: check-in opens (minutes before the slot)"),
        ),
        SettingSpec(
            "appointment_no_show_count",
            "3",
            _l("Appointments: no-shows that block online booking"),
            _l("Counted over the period below, by phone number."),
        ),
        SettingSpec("appointment_no_show_days", "90", _l("Appointments: no-show counting period (days)")),
        SettingSpec("appointment_block_days", "30", _l("Appointments: online booking blocked for (days)")),
        SettingSpec(
            "queue_wait_limit_minutes",
            "30",
            _l("Queue: wait limit (minutes)"),
            _l("A ticket waiting longer from issue to call is a long wait (assessment trigger, hall figures)."),
        ),
    )
}


# Values whose meaning is a choice or a range rather than the shape of the default.
CHOICES = {
    "department_score_formula": ("per_head", "equal"),
    "score_partial_month": ("not_scored", "pro_rata"),
    "evaluation_rule": ("per_channel", "once"),
    "attendance_late_as_absence": ("off", "on"),
    "attendance_missing_punch_as_absence": ("off", "on"),
    "promised_limit_check": ("warn", "refuse"),
    "personnel_successor_check": ("block", "warn"),
    "chief_rep_min_rank": ("clerk", "member", "section", "deputy_division", "division", "deputy_bureau"),
}
# Comma lists whose every item must be one of these (uploaded scan types, services/stored_files.py).
SUBSETS = {
    "stored_file_types": ("pdf", "jpeg", "png"),
    "staff_required_staffing": (
        "civil_service",
        "civil_service_managed",
        "public_institution",
        "contract",
        "dispatched",
    ),
    "staff_required_training": ("pre_service", "department", "in_service", "etiquette", "other"),
}
RANGES = {
    "appointment_cutoff_hours": (0, 72),
    "appointment_checkin_early_minutes": (0, 240),
    "appointment_no_show_count": (1, 20),
    "appointment_no_show_days": (1, 365),
    "appointment_block_days": (1, 365),
    "queue_wait_limit_minutes": (1, 480),
    "staff_max_age": (16, 70),
    "staff_max_age_relaxed": (16, 70),
    "personnel_window_min_staff": (0, 20),
    "evaluation_default_level": (1, 5),
    "report_due_workday": (1, 23),
    "import_max_megabytes": (1, 2048),
    "matter_import_max_rows": (1, 1_000_000),
    "attendance_import_max_rows": (1, 1_000_000),
    "calendar_import_max_rows": (1, 100_000),
    "attendance_import_window_days": (1, 3660),
    "transfer_confirm_days": (1, 10),
    "prereview_limit_days": (1, 5),
    "rectification_order_days": (1, 60),
    "transfer_max_files": (1, 50),
    "duty_handoff_days": (0.1, 5),
    "late_entry_workdays": (0.1, 10),
    "urgent_limit_days": (0, 60),
    "promised_limit_reduction": (0, 0.9),
    "stored_file_max_megabytes": (1, 15),
    "application_max_files": (1, 200),
    "application_max_megabytes": (1, 500),
    "application_retention_days": (30, 3660),
    "appeal_days": (1, 60),
    "violation_confirm_days": (1, 60),
    "appraisal_min_months": (1, 12),
    "appraisal_year_end": (0, 1),
    "appraisal_excellent_score": (0, 120),
    "appraisal_competent_score": (0, 120),
    "appraisal_basic_score": (0, 120),
    "leader_principal_visits_per_quarter": (0, 30),
    "leader_in_charge_visits_per_month": (0, 30),
    "leader_duty_days_per_month": (0, 31),
    "login_fail_user_limit": (1, 100),
    "login_fail_address_limit": (1, 100_000),
    "login_fail_window_minutes": (1, 1440),
    "inspection_order_days": (1, 60),
    "inquiry_reply_days": (1, 30),
    "center_assessment_finding_points": (0, 20),
    "center_assessment_sanction_points": (0, 20),
    "center_assessment_late_order_points": (0, 20),
}
_INTEGER = re.compile(r"^\d+$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_INTEGERS = re.compile(r"^\d+(,\d+)+$")
_CLOCK = r"([01]\d|2[0-3]):[0-5]\d"
_PERIODS = re.compile(rf"^{_CLOCK}-{_CLOCK}(,{_CLOCK}-{_CLOCK})*$")
_TIME = re.compile(rf"^{_CLOCK}$")


# Settings whose values must fall from first to last: the appraisal grades' lowest scores.
DESCENDING = ("appraisal_excellent_score", "appraisal_competent_score", "appraisal_basic_score")


def check_in_place(session: Session, key: str, value: str) -> list[str]:
    """`check`, and for a setting of an ordered group, that the group stays in order with the
    values stored for the others (优秀 above 称职 above 基本称职)."""
    errors = check(key, value)
    if errors or key not in DESCENDING:
        return errors
    values = [int(value.strip()) if other == key else int(get(session, other)) for other in DESCENDING]
    if all(higher > lower for higher, lower in pairwise(values)):
        return []
    return [
        str(
            _l(
                "The lowest scores of the appraisal grades must fall: Excellent above Competent above "
                "Basically competent (now %(values)s).",
                values=" / ".join(str(number) for number in values),
            )
        )
    ]


def check(key: str, value: str) -> list[str]:
    """Why `value` cannot be stored under `key` (empty when it can).

    The rule follows the shape of the key's default — a whole number, a share,
    an optional number, HH:MM, office-hour periods, a comma list — so a county
    cannot save a value the jobs and rules would later fail on.
    """
    spec = SPECS.get(key)
    value = (value or "").strip()
    if spec is None:
        return [str(_l("Unknown setting."))]
    default = spec.default
    # The column holds 500 characters (a long text such as default_approval_basis could pass the rest).
    if len(value) > Setting.__table__.c.value.type.length:
        return [str(_l("Too long: at most %(limit)s characters.", limit=Setting.__table__.c.value.type.length))]
    if key in SUBSETS:
        names = [name.strip() for name in value.split(",")]
        ok = bool(value) and all(name in SUBSETS[key] for name in names)
    elif key in CHOICES:
        ok = value in CHOICES[key]
    elif _PERIODS.match(default):
        ok = bool(_PERIODS.match(value)) and all(
            start < end for start, end in (period.split("-") for period in value.split(","))
        )
    elif _TIME.match(default):
        ok = bool(_TIME.match(value))
    elif _INTEGERS.match(default):
        ok = bool(_INTEGERS.match(value)) and len(value.split(",")) == len(default.split(","))
    elif _INTEGER.match(default):
        low, high = RANGES.get(key, (0, 100_000))
        ok = bool(_INTEGER.match(value)) and low <= int(value) <= high
    elif default == "" or _NUMBER.match(default):
        ok = value == "" and default == "" or bool(_NUMBER.match(value))
        if ok and value and key in RANGES:
            low, high = RANGES[key]
            ok = low <= float(value) <= high
        elif ok and value and "." in default:
            ok = float(value) <= 1  # a share or a rate
    else:
        ok = bool(value)
    if ok:
        return []
    return [
        str(_l("「%(value)s」 is not a valid value; the default is 「%(default)s」.", value=value, default=default))
    ]


def get(session: Session, key: str) -> str:
    value = session.scalar(sa.select(Setting.value).where(Setting.key == key))
    return value if value is not None else SPECS[key].default


def ensure_defaults(session: Session) -> int:
    """Insert missing settings with their defaults; returns how many were added."""
    present = set(session.scalars(sa.select(Setting.key)))
    missing = [Setting(key=spec.key, value=spec.default) for key, spec in SPECS.items() if key not in present]
    session.add_all(missing)
    return len(missing)
