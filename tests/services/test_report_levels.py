"""Reports per level (issue 16.7, seed 000 第十七条): a township or sub-center head builds and
submits their own center's monthly report (a sub-center's head also those of the centers below
it), never another's; the county's committee builds and submits every center's; a late report is
told to the county and to the late center's own head. Fixed `now` throughout."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Center, MonthlyReport
from app.models.notice import Notice, NoticeKind
from app.services import calendar, reports
from tests import report_world
from tests.report_world import actor

OCTOBER = date(2026, 10, 1)
NOW = datetime(2026, 11, 3, 9, 0)
DUE = date(2026, 11, 6)  # the 5th working day of November


@pytest.fixture
def ids(app, world_ids):
    built = report_world.build(app, world_ids)
    with app.app_context():
        yield built
        db.session.remove()


def _generate(who, center_id, now=NOW):
    report = reports.generate_as(
        db.session,
        actor(who),
        db.session.get(Center, center_id),
        OCTOBER,
        now,
        calendar=calendar.load(db.session),
        due_workday=5,
    )
    db.session.commit()
    return report


def _count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(MonthlyReport))


def _covered(who):
    return set(db.session.scalars(sa.select(Center.id).where(reports.reporting_centers(actor(who)))))


def test_each_head_covers_their_center_and_those_below(ids):
    assert _covered("head_town") == {ids["town"]}
    assert _covered("head_sub") == {ids["sub"], ids["sub_town"]}
    everything = {ids[key] for key in ("county", "town", "town2", "sub", "sub_town")}
    assert _covered("manager") == _covered("supervisor") == everything
    # No staff record, or a role without the head's duty: nothing.
    assert _covered("town_head") == set() and _covered("staff_a") == set() and _covered("chief_a") == set()


def test_a_township_head_builds_and_submits_their_own_report(ids):
    report = _generate("head_town", ids["town"])
    assert (report.center_id, report.month, report.due_on) == (ids["town"], OCTOBER, DUE)
    assert report.generated_by == "负责人head_town" and report.file_name == "XZ-T1-2026-10-月报.xlsx"
    report = _generate("head_town", ids["town"], datetime(2026, 11, 4, 9, 0))  # rebuilt until submitted
    reports.submit_as(db.session, actor("head_town"), report, datetime(2026, 11, 5, 16, 30))
    db.session.commit()
    assert (report.submitted_by, report.submitted_at, report.late) == (
        "负责人head_town",
        datetime(2026, 11, 5, 16, 30),
        False,
    )
    with pytest.raises(reports.ReportError):
        _generate("head_town", ids["town"])  # submitted: no rebuild
    assert _count() == 1


@pytest.mark.parametrize(
    ("who", "other"), [("head_town", "town2"), ("head_town", "county"), ("head_sub", "town"), ("head_town", "sub")]
)
def test_a_head_cannot_build_or_submit_another_centers_report(ids, who, other):
    with pytest.raises(reports.ReportError, match="不在您的中心范围内"):
        _generate(who, ids[other])
    db.session.rollback()
    assert _count() == 0
    report = _generate("manager", ids[other])
    with pytest.raises(reports.ReportError, match="不在您的中心范围内"):
        reports.submit_as(db.session, actor(who), report, NOW)
    db.session.rollback()
    report = db.session.get(MonthlyReport, report.id)
    assert report.submitted_at is None and report.submitted_by is None and report.generated_by != who


def test_a_sub_center_head_reports_for_the_township_below_it(ids):
    own = _generate("head_sub", ids["sub"])
    below = _generate("head_sub", ids["sub_town"])
    reports.submit_as(db.session, actor("head_sub"), below, datetime(2026, 11, 9, 10, 0))
    db.session.commit()
    assert own.submitted_at is None and below.late and below.submitted_by == "负责人head_sub"


def test_the_county_builds_and_submits_every_centers_report(ids):
    for key in ("county", "sub", "sub_town", "town2"):
        report = _generate("manager", ids[key])
        reports.submit_as(db.session, actor("manager"), report, NOW)
    db.session.commit()
    assert _count() == 4


def test_a_late_township_report_tells_the_county_and_the_townships_head(ids):
    town = _generate("head_town", ids["town"])
    _generate("manager", ids["town2"])
    _generate("manager", ids["sub_town"])  # no head of its own: only the county hears
    county_users = 2  # manager and supervisor (duty center_notices)
    assert reports.flag_late(db.session, datetime(2026, 11, 6, 9, 0)) == 0  # due today
    assert reports.flag_late(db.session, datetime(2026, 11, 9, 9, 0)) == 3 * county_users + 2
    assert reports.flag_late(db.session, datetime(2026, 11, 10, 9, 0)) == 0  # once per report
    heard = db.session.execute(
        sa.select(Notice.user_id, Notice.detail).where(Notice.kind == NoticeKind.report_late)
    ).all()
    head = {detail for user, detail in heard if user == ids["user_head_town"]}
    assert head == {f"城关镇便民服务中心 2026-10 月报应于 {DUE} 前报送，至今未提交。"}
    assert not any(user == ids["user_head_sub"] for user, _ in heard)
    assert sum(1 for user, _ in heard if user == ids["user_manager"]) == 3
    # Submitted late: recorded as late, and no further notice.
    reports.submit_as(db.session, actor("head_town"), town, datetime(2026, 11, 10, 10, 0))
    assert town.late
