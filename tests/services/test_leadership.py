"""Department leaders at the windows (issue 19.6) as service calls with a fixed `now`: the roster and
the visit log are recorded for the actor's own department only, bad input saves nothing, and the
monthly check tells the center of exactly the departments below the seeds' minimums, once."""

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import User

import config
from app.extensions import db
from app.jobs import JOBS
from app.models import LeaderDuty, LeaderVisit, Notice, NoticeKind, Staff
from app.services import leadership
from app.services.scope import scope_for
from tests.services.test_case_flow import actor

NOW = datetime(2026, 10, 1, 1, 30)  # the check of September and of the third quarter
AUGUST = datetime(2026, 8, 20, 10, 0)
SEPTEMBER = datetime(2026, 9, 15, 15, 0)


def scope(name):
    user = db.session.scalar(sa.select(User).where(User.username == name))
    staff = db.session.scalar(sa.select(Staff).where(Staff.user_id == user.id))
    return scope_for([role.name for role in user.roles], config.ROLE_SCOPES, staff)


def visit(who, window, at, rank, now=NOW, **extra):
    return leadership.record_visit(
        db.session,
        actor(who),
        scope(who),
        now,
        window_id=window,
        visited_at=at,
        rank=rank,
        summary=extra.pop("summary", "检查窗口服务，协调解决材料互认问题"),
        leader_name=extra.pop("leader_name", "王局长"),
        **extra,
    )


def duty(who, window, day, *, half="whole", kind="sitting", name="李副局长", now=NOW):
    return leadership.record_duty(
        db.session,
        actor(who),
        scope(who),
        now,
        window_id=window,
        day=day,
        rank="in_charge",
        kind=kind,
        half_day=half,
        leader_name=name,
    )


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def ids(app, world_ids):
    with app.app_context():
        yield world_ids
        db.session.remove()


def test_a_chief_representative_records_a_visit_for_the_own_department(ids):
    recorded = visit("chief_a", ids["win_a"], SEPTEMBER, "principal")
    db.session.commit()
    assert (recorded.department_id, recorded.window_id, recorded.leader_name) == (ids["dept_a"], ids["win_a"], "王局长")
    assert recorded.recorded_at == NOW and recorded.recorded_by


def test_a_leader_with_a_staff_record_is_named_after_it(ids):
    recorded = visit("chief_a", ids["win_a"], SEPTEMBER, "in_charge", leader_name="", staff_id=ids["staff_chief_a"])
    assert recorded.staff_id == ids["staff_chief_a"] and recorded.leader_name == "测试chief_a"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"at": datetime(2026, 10, 2, 9, 0)}, "date"),  # a visit in the future
        ({"window": "win_b"}, "window"),  # another department's window
        ({"window": "win_c"}, "window"),  # a comprehensive window the department is no member of… (A is)
        ({"rank": "chief"}, "input"),
        ({"summary": "  "}, "input"),
        ({"leader_name": "", "staff_id": None}, "input"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(ids, changes, code):
    if changes.get("window") == "win_c":
        changes = {**changes, "window": "win_c", "who": "chief_b"}
    arguments = {
        "who": changes.pop("who", "chief_a"),
        "window": ids[changes.pop("window", "win_a")],
        "at": changes.pop("at", SEPTEMBER),
        "rank": changes.pop("rank", "principal"),
    }
    with pytest.raises(leadership.LeadershipError) as refused:
        visit(arguments["who"], arguments["window"], arguments["at"], arguments["rank"], **changes)
    db.session.rollback()
    assert refused.value.code == code
    assert count(LeaderVisit) == 0


def test_a_staff_member_of_another_department_is_refused(ids):
    with pytest.raises(leadership.LeadershipError) as refused:
        visit("chief_a", ids["win_a"], SEPTEMBER, "principal", staff_id=ids["staff_chief_b"])
    assert refused.value.code == "staff"


def test_a_member_department_records_at_its_comprehensive_window(ids):
    assert visit("chief_a", ids["win_c"], SEPTEMBER, "in_charge").department_id == ids["dept_a"]


def test_the_center_records_for_the_window_s_own_department(ids):
    assert visit("admin", ids["win_b"], SEPTEMBER, "principal").department_id == ids["dept_b"]
    with pytest.raises(leadership.LeadershipError):
        visit("admin", ids["win_c"], SEPTEMBER, "principal")  # a comprehensive window: whose?


def test_the_roster_refuses_a_taken_slot_and_a_day_years_away(ids):
    duty("chief_a", ids["win_a"], date(2026, 10, 12), half="morning")
    duty("chief_a", ids["win_a"], date(2026, 10, 12), half="afternoon")
    duty("chief_a", ids["win_a"], date(2026, 10, 12), half="morning", name="张局长")
    for half in ("morning", "whole"):
        with pytest.raises(leadership.LeadershipError) as refused:
            duty("chief_a", ids["win_a"], date(2026, 10, 12), half=half)
        assert refused.value.code == "duplicate"
    with pytest.raises(leadership.LeadershipError) as refused:
        duty("chief_a", ids["win_a"], date(2028, 10, 12))
    assert refused.value.code == "date"
    with pytest.raises(leadership.LeadershipError):
        duty("chief_a", ids["win_a"], date(2026, 10, 13), kind="resting")
    assert count(LeaderDuty) == 3


def _quarter_of_a_and_b(ids):
    """A meets every minimum of September and Q3; B's leader in charge came in August only."""
    visit("chief_a", ids["win_a"], AUGUST, "principal")
    visit("chief_a", ids["win_a"], SEPTEMBER, "in_charge")
    duty("chief_a", ids["win_a"], date(2026, 9, 7), half="afternoon", kind="standing_in")
    visit("chief_b", ids["win_b"], AUGUST, "in_charge")
    duty("chief_b", ids["win_b"], date(2026, 8, 31))  # August: not September's
    db.session.commit()


def _notices():
    return db.session.execute(
        sa.select(Notice.user_id, Notice.key, Notice.detail)
        .where(Notice.kind == NoticeKind.leaders_below_minimum)
        .order_by(Notice.key, Notice.user_id)
    ).all()


def test_the_monthly_check_flags_exactly_the_departments_below_the_minimum_once(ids):
    _quarter_of_a_and_b(ids)
    below = leadership.shortfalls(db.session, date(2026, 9, 1), quarter=True)
    assert [(row["department_id"], row["short"]) for row in below] == [
        (ids["dept_b"], ["principal", "in_charge", "duty_days"])
    ]
    # Department C has no window of its own: nobody sits at one, it is not checked.
    assert JOBS["leader_check"].run(db.session, NOW) == 6  # 3 rules × (manager, supervisor)
    db.session.commit()
    sent = _notices()
    assert {user for user, _key, _detail in sent} == {ids["user_manager"], ids["user_supervisor"]}
    assert {key for _user, key, _detail in sent} == {
        f"leaders:2026-Q3:principal:{ids['dept_b']}",
        f"leaders:2026-09:in_charge:{ids['dept_b']}",
        f"leaders:2026-09:duty_days:{ids['dept_b']}",
    }
    assert "县公安局 2026年9月分管领导到窗口指导 0 次，少于每月 1 次（综合窗口管理办法第五条）。" in {
        d for *_, d in sent
    }
    assert leadership.check(db.session, NOW) == 0  # idempotent
    assert leadership.check(db.session, datetime(2026, 10, 28, 1, 30)) == 0  # still September's check


def test_a_month_inside_a_quarter_checks_the_monthly_minimums_only(ids):
    _quarter_of_a_and_b(ids)
    sent = leadership.check(db.session, datetime(2026, 9, 1, 1, 30))  # August, mid-quarter
    keys = {key for _user, key, _detail in _notices()}
    # August: B's leader in charge came and B's roster has a day; A had no one in August.
    assert keys == {f"leaders:2026-08:in_charge:{ids['dept_a']}", f"leaders:2026-08:duty_days:{ids['dept_a']}"}
    assert sent == 4


def test_a_minimum_set_to_zero_is_not_checked(ids):
    from app.models import Setting

    for key in ("leader_duty_days_per_month", "leader_principal_visits_per_quarter"):
        db.session.scalar(sa.select(Setting).where(Setting.key == key)).value = "0"
    db.session.commit()
    _quarter_of_a_and_b(ids)
    leadership.check(db.session, NOW)
    assert {key for _user, key, _detail in _notices()} == {f"leaders:2026-09:in_charge:{ids['dept_b']}"}
