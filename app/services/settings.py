"""Run-time settings a county tunes in the UI, with their defaults.

Each later area registers its keys here; `flask govhall init` writes missing
keys with their defaults and never overwrites an edited value.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.models.system import Setting


@dataclass(frozen=True)
class SettingSpec:
    key: str
    default: str
    label: object
    help: object = ""


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
    )
}


def get(session: Session, key: str) -> str:
    value = session.scalar(sa.select(Setting.value).where(Setting.key == key))
    return value if value is not None else SPECS[key].default


def ensure_defaults(session: Session) -> int:
    """Insert missing settings with their defaults; returns how many were added."""
    present = set(session.scalars(sa.select(Setting.key)))
    missing = [Setting(key=spec.key, value=spec.default) for key, spec in SPECS.items() if key not in present]
    session.add_all(missing)
    return len(missing)
