"""One light per case (services/case_light.py): running, warning, overdue, suspended (frozen) and
finished cases at a fixed `now`, in Python and in SQL, which must agree row by row."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, CaseStatus
from app.models.case import Light
from app.models.matter import CaseKind
from app.services.case_light import Phase, case_light, light_sql, open_with_light
from app.services.workdays import WorkCalendar, from_chinese_calendar, years_covered

OFFICIAL = from_chinese_calendar()
CAL = WorkCalendar(OFFICIAL, years_covered(OFFICIAL))
NOW = datetime(2026, 12, 2, 10, 0)  # a Wednesday; no holiday in November or December 2026


def d(text):
    return datetime.fromisoformat(text)


# status, deadline_at, warn_at, suspended_at, finished_at → light, days left, phase
CASES = {
    "running, on time": ("in_progress", "2026-12-11 17:30", "2026-12-10", None, None, "green", 7, "running"),
    "accepted, on time": ("accepted", "2026-12-11 17:30", "2026-12-10", None, None, "green", 7, "running"),
    "running, warning": ("in_progress", "2026-12-03 17:30", "2026-12-02", None, None, "yellow", 1, "running"),
    "running, due today": ("in_progress", "2026-12-02 17:30", "2026-12-01", None, None, "yellow", 0, "running"),
    "running, overdue": ("in_progress", "2026-11-30 17:30", "2026-11-27", None, None, "red", -2, "running"),
    "overdue since this morning": ("accepted", "2026-12-02 09:00", "2026-12-01", None, None, "red", -1, "running"),
    # Suspended a week ago with 5 working days left: the deadline on the row is in the past
    # (the paused days are added on resumption), yet the case is not overdue.
    "suspended, frozen green": (
        "suspended",
        "2026-11-27 17:30",
        "2026-11-26",
        "2026-11-20 10:00",
        None,
        "green",
        5,
        "suspended",
    ),
    "suspended, frozen yellow": (
        "suspended",
        "2026-11-27 17:30",
        "2026-11-26",
        "2026-11-26 15:00",
        None,
        "yellow",
        1,
        "suspended",
    ),
    "suspended after going overdue": (
        "suspended",
        "2026-11-25 17:30",
        "2026-11-24",
        "2026-11-27 09:00",
        None,
        "red",
        -2,
        "suspended",
    ),
    # Finished: on time or overdue at the instant it closed, never yellow.
    "completed on time, in the warning window": (
        "completed",
        "2026-11-27 17:30",
        "2026-11-26",
        None,
        "2026-11-26 16:00",
        "green",
        1,
        "finished",
    ),
    "completed late": ("completed", "2026-11-25 17:30", "2026-11-24", None, "2026-11-30 10:00", "red", -3, "finished"),
    "returned while suspended": (
        "returned",
        "2026-11-27 17:30",
        "2026-11-26",
        "2026-11-20 10:00",
        "2026-12-01 10:00",
        "green",
        5,
        "finished",
    ),
    "withdrawn after the deadline": (
        "withdrawn",
        "2026-11-27 17:30",
        "2026-11-26",
        None,
        "2026-12-01 10:00",
        "red",
        -2,
        "finished",
    ),
    "awaiting materials, not accepted": ("submitted", None, None, None, None, None, None, None),
}


def make_case(name, row, world_ids=None, seq=0):
    status, deadline_at, warn_at, suspended_at, finished_at = row[:5]
    parse = lambda value: d(value) if value else None  # noqa: E731
    case = Case(
        status=CaseStatus[status],
        deadline_at=parse(deadline_at),
        warn_at=parse(warn_at),
        suspended_at=parse(suspended_at),
        finished_at=parse(finished_at),
    )
    if world_ids is not None:
        case.number = f"LIGHT-{seq:03d}"
        case.center_id = world_ids["county"]
        case.matter_id = world_ids["matter_a"]
        case.department_id = world_ids["dept_a"]
        case.applicant_name = name
        case.applicant_id_number = "11010519491231002X"
        case.kind = CaseKind.promised
        case.submitted_at = d("2026-11-10 09:00")
        case.accepted_at = d("2026-11-10 09:00") if deadline_at else None
        case.limit_days = 10
    return case


@pytest.mark.parametrize("name", list(CASES))
def test_case_light(name):
    row = CASES[name]
    light, days_left, phase = row[5:]
    shown = case_light(make_case(name, row), NOW, CAL)
    assert shown.light == (Light[light] if light else None)
    assert shown.days_left == days_left
    assert shown.phase == (Phase(phase) if phase else None)
    assert shown.as_dict() == {"light": light, "days_left": days_left, "clock": phase}


def test_a_suspended_case_stays_frozen_whatever_the_date():
    case = make_case("frozen", CASES["suspended, frozen green"])
    for now in (d("2026-11-23 09:00"), NOW, d("2027-03-01 12:00")):
        assert case_light(case, now, CAL).light is Light.green
        assert case_light(case, now, CAL).days_left == 5


def test_sql_and_python_agree_case_by_case(app, world_ids):
    with app.app_context():
        ids = {}
        for seq, (name, row) in enumerate(CASES.items()):
            case = make_case(name, row, world_ids, seq)
            db.session.add(case)
            db.session.flush()
            ids[case.id] = name
        in_sql = dict(db.session.execute(sa.select(Case.id, light_sql(NOW)).where(Case.id.in_(ids))).all())
        for case_id, name in ids.items():
            assert in_sql[case_id] == CASES[name][5], name
        # The WHERE form the quick lists and the dashboard use: open cases only.
        for light in Light:
            found = set(db.session.scalars(sa.select(Case.id).where(Case.id.in_(ids), open_with_light(light, NOW))))
            expected = {
                case_id
                for case_id, name in ids.items()
                if CASES[name][5] == light.name and CASES[name][7] in ("running", "suspended")
            }
            assert found == expected, light
        db.session.rollback()
