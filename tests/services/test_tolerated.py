"""容缺受理: accepting with tolerable materials missing, their due dates in working days, the
assignee warned once on the due date, the chief representatives asked for a passive return after
the grace period, arrival stopping both, and refusals that change nothing. Fixed `now` values;
2026: National Day 1–7 Oct, Saturday 10 Oct a makeup working day."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.jobs import warning_scan_job
from app.models import Case, CaseResult, CaseStatus, Matter, MatterMaterial, ToleratedMaterial, User
from app.models.notice import Notice
from app.security import staff_of
from app.services import tolerated
from app.services.case_flow import CaseError, Clock
from app.services.case_flow.tolerated import due_on
from app.services.scope import scope_for
from tests.services.test_case_flow import act, new_case
from tests.services.test_follow_up_scans import ctx, inbox, run  # noqa: F401  (ctx: the fixture)

pytestmark = pytest.mark.usefixtures("ctx")

ACCEPTED = datetime(2026, 9, 30, 10, 0)  # Wednesday before National Day
# 5 working days (the default) after 30 Sep: 8, 9, 10 (makeup Saturday), 12, 13 Oct.
DUE = date(2026, 10, 13)


@pytest.fixture
def site_proof(world_ids):
    """Matter A gets a third, tolerable material: 经营场所证明."""
    material = MatterMaterial(matter_id=world_ids["matter_a"], name="经营场所证明", tolerable=True, sort_order=3)
    db.session.add(material)
    db.session.commit()
    return material.id


def tolerated_case(world_ids, material_id, now=ACCEPTED, **extra):
    """Matter A accepted with its two other materials received and the site proof missing."""
    matter = db.session.get(Matter, world_ids["matter_a"])
    received = [m.id for m in matter.materials if m.id != material_id]
    return new_case(world_ids, received=received, now=now, tolerated_material_ids=(material_id,), **extra)


def counts():
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in (Case, ToleratedMaterial, Notice)
    )


def test_due_dates_count_working_days_from_the_day_after_acceptance():
    clock = Clock.load(db.session)
    assert due_on(ACCEPTED, 5, clock) == DUE  # the holiday skipped, the makeup Saturday counted
    # Accepted after closing time: day 0 is the next working day (8 Oct), so 9, 10, 12, 13, 14.
    assert due_on(datetime(2026, 9, 30, 18, 0), 5, clock) == date(2026, 10, 14)
    # A Friday: a plain weekend is not counted...
    assert due_on(datetime(2026, 10, 16, 10, 0), 1, clock) == date(2026, 10, 19)
    # ...but Sunday 20 Sep 2026 is a makeup working day (国庆调休): the 1st, Monday the 2nd.
    assert clock.calendar.is_workday(date(2026, 9, 20)) and not clock.calendar.is_workday(date(2026, 9, 19))
    assert due_on(datetime(2026, 9, 18, 10, 0), 2, clock) == date(2026, 9, 21)
    # Accepted on the makeup Saturday itself: a working day, counting starts on Monday.
    assert due_on(datetime(2026, 10, 10, 9, 0), 1, clock) == date(2026, 10, 12)


def test_the_case_is_accepted_with_the_tolerated_material_due_by_the_default(world_ids, site_proof):
    case = tolerated_case(world_ids, site_proof)
    assert case.status is CaseStatus.accepted and case.supplement_count == 0
    assert [(row.name, row.due_on, row.received_at) for row in case.tolerated] == [("经营场所证明", DUE, None)]
    assert case.events[0].data["tolerated"] == ["经营场所证明（2026-10-13前）"]


def test_the_clerk_may_set_another_due_date_but_not_one_in_the_past(world_ids, site_proof):
    case = tolerated_case(world_ids, site_proof, tolerated_due={site_proof: date(2026, 10, 20)})
    assert case.tolerated[0].due_on == date(2026, 10, 20)
    before = counts()
    with pytest.raises(CaseError, match="补交期限不能早于今天"):
        tolerated_case(world_ids, site_proof, tolerated_due={site_proof: date(2026, 9, 29)})
    db.session.rollback()
    assert counts() == before


def test_a_material_not_marked_tolerable_cannot_be_missing(world_ids, site_proof):
    matter = db.session.get(Matter, world_ids["matter_a"])
    licence = next(m for m in matter.materials if m.name == "营业执照")
    before = counts()
    # Ticked as tolerated although the matter does not allow it.
    with pytest.raises(CaseError, match="营业执照.*不属于本事项的可容缺材料"):
        new_case(
            world_ids,
            received=[m.id for m in matter.materials if m.id != licence.id],
            now=ACCEPTED,
            tolerated_material_ids=(licence.id,),
        )
    db.session.rollback()
    # The tolerable one ticked, but a required one that is not tolerable missing too.
    with pytest.raises(CaseError, match="营业执照.*不属于可容缺材料"):
        new_case(
            world_ids,
            received=[m.id for m in matter.materials if m.id not in (licence.id, site_proof)],
            now=ACCEPTED,
            tolerated_material_ids=(site_proof,),
        )
    db.session.rollback()
    # Another matter's material.
    with pytest.raises(CaseError, match="只能对本事项的申请材料容缺受理"):
        tolerated_case(world_ids, world_ids["material_b"])
    db.session.rollback()
    assert counts() == before


def test_the_assignee_is_warned_once_on_the_due_date(world_ids, site_proof):
    case = tolerated_case(world_ids, site_proof)
    run(warning_scan_job, datetime(2026, 10, 12, 9, 0))
    assert inbox(world_ids, "staff_a", "tolerated_due") == []
    run(warning_scan_job, datetime(2026, 10, 13, 9, 0))
    assert inbox(world_ids, "staff_a", "tolerated_due") == [("tolerated_due", case.id)]
    detail = db.session.scalar(sa.select(Notice.detail).where(Notice.kind == "tolerated_due"))
    assert "经营场所证明" in detail and "2026-10-13" in detail
    assert run(warning_scan_job, datetime(2026, 10, 13, 9, 5)) == 0
    run(warning_scan_job, datetime(2026, 10, 14, 9, 0))  # the day after: still the one notice
    assert inbox(world_ids, "staff_a", "tolerated_due") == [("tolerated_due", case.id)]
    assert inbox(world_ids, "chief_a", "tolerated_expired") == []


def test_after_the_grace_period_the_chief_rep_decides_on_a_passive_return(world_ids, site_proof):
    case = tolerated_case(world_ids, site_proof)
    run(warning_scan_job, datetime(2026, 10, 13, 9, 0))
    # Grace 3 working days (the default) after 13 Oct: 14, 15, 16 Oct.
    run(warning_scan_job, datetime(2026, 10, 15, 17, 0))
    assert inbox(world_ids, "chief_a", "tolerated_expired") == []
    run(warning_scan_job, datetime(2026, 10, 16, 9, 0))
    assert inbox(world_ids, "chief_a", "tolerated_expired") == [("tolerated_expired", case.id)]
    assert inbox(world_ids, "chief_b") == []
    assert db.session.get(Case, case.id).status is CaseStatus.accepted  # the decision stays with a person
    assert run(warning_scan_job, datetime(2026, 10, 16, 9, 5)) == 0
    # The chief representative returns it (the existing passive return); nothing more is sent.
    act(
        case, "return_case", who="chief_a", now=datetime(2026, 10, 16, 10, 0), reason="容缺材料逾期未补交", passive=True
    )
    assert db.session.get(Case, case.id).result is CaseResult.returned_passive
    assert run(warning_scan_job, datetime(2026, 10, 19, 9, 0)) == 0


def test_a_longer_grace_setting_is_read_by_the_scan(world_ids, site_proof):
    from app.models.system import Setting

    db.session.execute(sa.update(Setting).where(Setting.key == "tolerated_grace_days").values(value="4"))
    db.session.commit()
    case = tolerated_case(world_ids, site_proof)
    run(warning_scan_job, datetime(2026, 10, 16, 9, 0))
    assert inbox(world_ids, "chief_a", "tolerated_expired") == []
    run(warning_scan_job, datetime(2026, 10, 19, 9, 0))  # 14, 15, 16, 19 Oct
    assert inbox(world_ids, "chief_a", "tolerated_expired") == [("tolerated_expired", case.id)]


def test_recording_the_arrival_stops_the_warnings(world_ids, site_proof):
    case = tolerated_case(world_ids, site_proof)
    run(warning_scan_job, datetime(2026, 10, 13, 9, 0))
    row_id = case.tolerated[0].id
    act(case, "receive_tolerated", now=datetime(2026, 10, 13, 10, 0), material_ids=[row_id])
    row = db.session.get(ToleratedMaterial, row_id)
    assert row.received_at == datetime(2026, 10, 13, 10, 0) and row.received_by_id == world_ids["staff_staff_a"]
    # The warning already sent is marked read; nothing new after the grace period.
    assert db.session.scalar(sa.select(Notice.read_at).where(Notice.kind == "tolerated_due")) is not None
    run(warning_scan_job, datetime(2026, 10, 20, 9, 0))
    assert inbox(world_ids, "chief_a", "tolerated_expired") == []
    assert len(inbox(world_ids, "staff_a", "tolerated_due")) == 1
    # Nothing is left to receive.
    with pytest.raises(CaseError, match="没有待补交的容缺材料"):
        act(case, "receive_tolerated", now=datetime(2026, 10, 13, 11, 0), material_ids=[row_id])


def test_arrival_refuses_rows_of_another_case_or_nothing_ticked(world_ids, site_proof):
    case = tolerated_case(world_ids, site_proof)
    other = tolerated_case(world_ids, site_proof)
    for bad in ([], [other.tolerated[0].id], ["x"]):
        with pytest.raises(CaseError, match="请勾选已补交的容缺材料"):
            act(case, "receive_tolerated", now=datetime(2026, 10, 9, 9, 0), material_ids=bad)
    assert db.session.get(ToleratedMaterial, case.tolerated[0].id).received_at is None


def test_the_case_is_not_approved_before_the_tolerated_materials_are_in(world_ids, site_proof):
    case = tolerated_case(world_ids, site_proof)
    with pytest.raises(CaseError, match="容缺材料尚未补齐：经营场所证明"):
        act(case, "complete", now=datetime(2026, 10, 9, 9, 0), approved=True)
    assert db.session.get(Case, case.id).status is CaseStatus.accepted


def _scope_of(username):
    user = db.session.scalar(sa.select(User).where(User.username == username))
    return scope_for([r.name for r in user.roles], current_app.config["ROLE_SCOPES"], staff_of(user)).clause(Case)


def test_counts_and_lists_follow_the_scope(world_ids, site_proof):
    waiting = tolerated_case(world_ids, site_proof)
    brought = tolerated_case(world_ids, site_proof)
    new_case(world_ids, now=ACCEPTED)  # complete materials: not a 容缺 case
    act(brought, "receive_tolerated", now=datetime(2026, 10, 9, 9, 0), material_ids=[brought.tolerated[0].id])
    today = date(2026, 10, 14)
    assert tolerated.count(db.session, today) == {"accepted": 2, "waiting": 1, "overdue": 1}
    assert tolerated.count(db.session, date(2026, 10, 13)) == {"accepted": 2, "waiting": 1, "overdue": 0}
    assert tolerated.count(db.session, today, start=date(2026, 10, 1))["accepted"] == 0
    assert tolerated.count(db.session, today, scope=_scope_of("chief_a"))["accepted"] == 2
    assert tolerated.count(db.session, today, scope=_scope_of("chief_b")) == {"accepted": 0, "waiting": 0, "overdue": 0}
    listed = db.session.scalars(sa.select(Case.id).where(tolerated.still_missing(today))).all()
    assert listed == [waiting.id]
