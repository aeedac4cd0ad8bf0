"""Scheduled jobs: each a thin call into services with an explicit `now`, and the job table.

`JOBS` at the end declares every job once — name, function, trigger, description —
and is all there is: `app/scheduler.py` puts them on their timetable, `flask jobs
run NAME --now ISO` runs any one once, `flask jobs --help` lists them, and a test
holds README.md's job table to it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy.orm import Session

from app import clock
from app.services import (
    applications,
    appointments,
    backup,
    calendar,
    complaints,
    duty_scan,
    escalation,
    evaluations,
    inquiries,
    inspections,
    job_runs,
    leadership,
    pending_violations,
    personnel,
    prereview,
    queue,
    rectification_orders,
    rectifications,
    reports,
    settings,
    step_scan,
    tolerated,
    transfers,
    warning_scan,
)


def warning_scan_job(session: Session, now, *, full=False):
    """Lights, overdue events and violations, then who must hear about them; online applications
    past their pre-review limit, and those accepted by law (视为受理, services/prereview.py).
    The first run, or `full`, rebuilds every light instead of the routine range."""
    since = job_runs.last_success(session, "warning_scan")
    if full or since is None:
        rows = warning_scan.rebuild(session, now) + step_scan.backfill_step_due(session, calendar.load(session))
        since = None
    else:
        rows = warning_scan.scan(session, now, since)
    return rows + follow_up(session, now, since) + prereview.scan(session, now)


def follow_up(session: Session, now, since):
    """Who must hear about red cases, extensions, steps past their share, expired supplement
    limits and tolerated materials (容缺) due or past their grace, for what happened in
    (since, now]; everything when `since` is None."""
    work_calendar = calendar.load(session)

    def number(key):
        return int(settings.get(session, key))

    rows = escalation.notify(
        session,
        now,
        work_calendar,
        since,
        chief_days=number("escalate_chief_days"),
        center_days=number("escalate_center_days"),
    )
    rows += escalation.notify_extensions(session, now, since)
    rows += step_scan.scan_steps(session, now, since)
    rows += step_scan.scan_supplements(session, now, work_calendar, limit_days=number("supplement_limit_days"))
    rows += tolerated.scan(session, now, work_calendar, grace_days=number("tolerated_grace_days"))
    return rows


def calendar_check_job(session: Session, now):
    return calendar.check_next_year(session, now)


def monthly_report_job(session: Session, now):
    """On the 1st: last month's report for every reporting center that has none yet."""
    return reports.generate_missing(
        session,
        now,
        calendar=calendar.load(session),
        due_workday=int(settings.get(session, "report_due_workday")),
        actor_name="系统",
    )


def report_check_job(session: Session, now):
    return reports.flag_late(session, now)


def feedback_scan_job(session: Session, now):
    """Default ratings for cases left unrated, then rectifications, complaint stages, rectification
    orders, joint-meeting follow-ups and referred first inquiries past their limits."""
    since = job_runs.last_success(session, "feedback_scan")
    rows = evaluations.apply_defaults(
        session,
        now,
        since,
        days=int(settings.get(session, "evaluation_default_days")),
        level=int(settings.get(session, "evaluation_default_level")),
    )
    rows += rectifications.flag_overdue(session, now)
    rows += rectification_orders.flag_overdue(session, now)
    rows += inspections.flag_overdue_follow_ups(session, now)
    rows += inquiries.flag_overdue(session, now)
    return rows + complaints.flag_overdue(session, now, since)


def monthly_scoring_job(session: Session, now):
    """On the 2nd: last month's automatic records and scores; after a quarter's last month, the quarter."""
    from app.services import scoring_month, scoring_periods
    from app.services.monthly_report import previous_month

    month = previous_month(now.date())
    rows = scoring_month.run_month(session, month, now)
    quarter = scoring_periods.finished_quarter(month)
    return rows + (scoring_periods.assess_quarter(session, quarter, now) if quarter else 0)


def violation_lapse_job(session: Session, now):
    """Supervisors hear of pending second supplement requests; those nobody decided in time count."""
    return pending_violations.lapse(session, now, calendar.load(session))


def personnel_changes_job(session: Session, now):
    """Approved personnel changes whose date has come take effect."""
    return personnel.apply_due_changes(session, now)


def backup_job(session: Session, now):
    """The daily online backup with the stored files, keeping the newest `backup_keep`."""
    backup.backup_kept(session, current_app.config["BACKUP_DIR"], now, current_app.config["FILES_DIR"])
    return 1


def transfer_scan_job(session: Session, now):
    """Forwarded requests whose receipt is overdue: flagged once, the receiving side and the center told;
    comprehensive-window hand-offs past their time: the on-duty person's violation, the chief told."""
    return transfers.flag_overdue(session, now) + duty_scan.scan(session, now)


def application_purge_job(session: Session, now):
    """Closed online applications kept past `application_retention_days`: deleted with their files."""
    return applications.purge_expired(session, now, current_app.config["FILES_DIR"])


def leader_check_job(session: Session, now):
    """On the 1st: departments whose leaders came to the windows less often than the minimums last
    month (and last quarter, after its last month): the center is told once."""
    return leadership.check(session, now)


def appointment_scan_job(session: Session, now):
    """Past appointments never checked in become no-shows; repeated no-shows block online booking."""
    result = appointments.mark_no_shows(session, now)
    return result["no_shows"] + result["blocked"]


def queue_close_job(session: Session, now):
    """Late at night: tickets still waiting are abandoned (离队), so the day's wait figures close."""
    return queue.abandon_scan(session, now)


def _default_setting(key: str) -> str:
    return settings.SPECS[key].default


def _setting_note(setting: str | None) -> tuple[str, str]:
    return (f" (setting `{setting}`)", f"（设置 {setting}）") if setting else ("", "")


@dataclass(frozen=True)
class Every:
    """Every `minutes`, or every as many minutes as the setting `setting` says; `at_start`: also
    at once when the scheduler starts. A missed run runs once (the scheduler's job defaults)."""

    minutes: int | None = None
    setting: str | None = None
    at_start: bool = False

    def _minutes(self, read) -> int:
        return int(read(self.setting)) if self.setting else self.minutes

    def options(self, read) -> dict:
        """APScheduler's add_job arguments; `read` gives a setting's value."""
        options = {"trigger": "interval", "minutes": self._minutes(read)}
        if self.at_start:
            options["next_run_time"] = clock.now_aware()
        return options

    def when(self, read=_default_setting) -> tuple[str, str]:
        """(English, Chinese), as README.md and `flask jobs --help` say it."""
        minutes, (note_en, note_zh) = self._minutes(read), _setting_note(self.setting)
        return f"every {minutes} minutes{note_en}", f"每 {minutes} 分钟{note_zh}"


@dataclass(frozen=True)
class At:
    """At `time` ("HH:MM"), or at the time the setting `setting` holds; on `day` of the month, else daily.
    A missed slot (the server was down) still runs once when the scheduler is back the same day;
    every job is idempotent."""

    time: str | None = None
    setting: str | None = None
    day: int | None = None

    def options(self, read) -> dict:
        hour, minute = (int(part) for part in (read(self.setting) if self.setting else self.time).split(":"))
        options = {"trigger": "cron", "hour": hour, "minute": minute, "misfire_grace_time": 86_400}
        if self.day:
            options["day"] = self.day
        return options

    def when(self, read=_default_setting) -> tuple[str, str]:
        at, (note_en, note_zh) = read(self.setting) if self.setting else self.time, _setting_note(self.setting)
        if self.day:
            ordinal = {1: "1st", 2: "2nd", 3: "3rd"}.get(self.day, f"{self.day}th")
            return f"{ordinal} of the month, {at}{note_en}", f"每月 {self.day} 日 {at}{note_zh}"
        return f"daily {at}{note_en}", f"每天 {at}{note_zh}"


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable  # (session, now) -> rows written
    trigger: Every | At
    en: str
    zh: str
    full: bool = False  # takes full=True: `flask jobs run NAME --full` rebuilds instead of the routine run


JOBS = {
    job.name: job
    for job in (
        Job(
            "warning_scan",
            warning_scan_job,
            Every(setting="warning_scan_minutes", at_start=True),
            "lights, overdue events and violations, then who must hear of them",
            "更新办件红黄绿灯，记录超期事件和违规，再发出相应提醒",
            full=True,
        ),
        Job(
            "calendar_check",
            calendar_check_job,
            At("00:30"),
            "from 1 November, tells every Admin once while next year's holiday schedule is missing; "
            "the notice is marked read when it is loaded",
            "11 月 1 日起，下一年节假日安排尚未导入时提醒每位管理员一次；导入后提醒自动标为已读",
        ),
        Job(
            "monthly_report",
            monthly_report_job,
            At("01:00", day=1),
            "last month's report for every county, sub-center and township center that has none",
            "为尚无上月月报的县中心、分中心和乡镇中心生成上月月报",
        ),
        Job(
            "report_check",
            report_check_job,
            At("09:00"),
            "tells the center about reports past their due date (5th working day, setting) and not submitted",
            "提醒中心：超过报送期限（第 5 个工作日，可设置）仍未提交的月报",
        ),
        Job(
            "feedback_scan",
            feedback_scan_job,
            Every(minutes=30),
            "default ratings for cases left unrated, rectifications and complaint stages past their limits; "
            "tells the center once of each rectification order (from a complaint or an inspection) past its deadline, "
            "and the center and the owning center's heads once of each joint-meeting follow-up past its date; "
            "a referred first inquiry still open past its reply deadline is told once to its first responder and "
            "their chief representative and recorded against the first responder (rule 首问负责)",
            "未评价办件给出默认评价，标记超期的整改和投诉环节；整改通知、联席会议议定事项逾期的，各提醒一次； "
            "首问登记转交事项逾期未办结的，提醒首问责任人及其首席代表一次，并计入首问责任人考核",
        ),
        Job(
            "monthly_scoring",
            monthly_scoring_job,
            At("02:00", day=2),
            "last month's assessment records and scores; after a quarter's last month, the quarter",
            "生成上月考核记录和得分；季度最后一个月之后，生成该季度考核",
        ),
        Job(
            "violation_lapse",
            violation_lapse_job,
            At("00:20"),
            "tells the supervisors of second supplement requests to be confirmed; those left unconfirmed for 3 "
            "working days (setting `violation_confirm_days`) count as violations; a month already scored is "
            "scored again",
            "提醒督查确认再次补正的待确认违规；3 个工作日（设置 violation_confirm_days）内未经确认或不予认定的，"
            "计为违规；已生成得分的月份重新计分",
        ),
        Job(
            "personnel_changes",
            personnel_changes_job,
            At("00:10"),
            "approved personnel changes whose date has come take effect",
            "已批准且到期的人员变动生效",
        ),
        Job(
            "backup",
            backup_job,
            At(setting="backup_time"),
            "online backup into `BACKUP_DIR`, keeping the newest `backup_keep` (14)",
            "在线备份到 BACKUP_DIR，保留最新的 backup_keep 份（14）",
        ),
        Job(
            "transfer_scan",
            transfer_scan_job,
            Every(minutes=15),
            "flags forwarded village requests whose receipt is not confirmed in time (1 working day, setting "
            "`transfer_confirm_days`) and tells the receiving side and the center, once each; records a "
            "comprehensive window's hand-off not made in time (0.5 working day, setting `duty_handoff_days`) "
            "as the on-duty person's violation and tells their chief, once",
            "标记超过确认接收时限（1 个工作日，设置 transfer_confirm_days）仍未确认接收的村级代办转交件，"
            "并提醒接收方和中心（各一次）； 综合窗口受理的成员部门办件超过移交时限（0.5 个工作日，设置 "
            "duty_handoff_days）仍未移交的，记轮值人员违规并提醒其首席代表（一次）",
        ),
        Job(
            "leader_check",
            leader_check_job,
            At("01:30", day=1),
            "tells the center of departments whose leaders sat at or stood in at their windows, or visited "
            "them, less often than the minimums last month (and last quarter) (settings `leader_*`), once each",
            "提醒中心：上月（及上季度）领导坐班/代班或到窗口指导次数低于最低要求（设置 leader_*）的部门，"
            "每部门每项一次",
        ),
        Job(
            "appointment_scan",
            appointment_scan_job,
            Every(minutes=15),
            "marks appointments whose time has ended without a check-in as no-shows; a phone with 3 no-shows in "
            "90 days (settings `appointment_no_show_count`, `appointment_no_show_days`) cannot book online for "
            "30 days (setting `appointment_block_days`)",
            "将预约时段已结束仍未签到的预约记为爽约；同一手机号 90 天内爽约 3 次（设置 appointment_no_show_count、"
            "appointment_no_show_days）的，暂停网上预约 30 天（设置 appointment_block_days）",
        ),
        Job(
            "queue_close",
            queue_close_job,
            At("23:30"),
            "queue tickets still waiting (after any delayed service) are recorded as abandoned",
            "将仍在等候的排队号（含延时服务之后）记为离队",
        ),
        Job(
            "application_purge",
            application_purge_job,
            At("02:40"),
            "deletes online applications closed (passed, refused or withdrawn) longer ago than the retention "
            "(365 days, setting `application_retention_days`), with their files",
            "删除办结（预审通过、不予受理或撤回）超过保留期限（365 天，设置 application_retention_days）的网上申报，"
            "连同其文件",
        ),
    )
}


def help_rows() -> list[tuple[str, str]]:
    """The job table as `flask jobs --help` lists it: name, then when and what, in Chinese and English."""
    rows = []
    for job in JOBS.values():
        when_en, when_zh = job.trigger.when()
        rows.append((job.name, f"{when_zh}：{job.zh}\n\n{when_en}: {job.en}".replace("`", "")))
    return rows
