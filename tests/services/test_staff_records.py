"""Staff records (issue 19.5): the seeds' eligibility rules as warnings, 先进后出 on transfers out,
晋升, and the center's own reassignment through the same approval trail. Fixed dates throughout."""

from dataclasses import replace
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.notice import Notice, NoticeKind
from app.models.org import Staff, Staffing, StaffPosition, StaffRank, StaffStatus, TitleLevel
from app.models.personnel import ChangeOrigin, ChangeStatus
from app.models.staff_records import TrainingKind, TrainingRecord
from app.models.system import Setting
from app.services import eligibility, personnel
from tests.services.test_case_flow import actor

NOW = datetime(2026, 9, 1, 9, 0)
START = date(2026, 9, 1)
RULES = eligibility.Rules()
TRAINED = ((TrainingKind.pre_service, date(2026, 8, 1)), (TrainingKind.department, date(2026, 7, 1)))


def profile(**changes):
    base = eligibility.Profile(
        birth_date=date(1990, 5, 1),
        staffing=Staffing.civil_service,
        rank=StaffRank.member,
        title_level=TitleLevel.none,
        position=StaffPosition.a_post,
        trainings=TRAINED,
    )
    return replace(base, **changes)


def found(**changes):
    return eligibility.warnings(profile(**changes), RULES, START)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield db.session
        db.session.remove()


def set_setting(key, value):
    row = db.session.scalar(sa.select(Setting).where(Setting.key == key)) or Setting(key=key)
    row.value = value
    db.session.add(row)
    db.session.commit()


# -- eligibility (pure) ------------------------------------------------------------------


def test_a_qualified_person_has_no_warning():
    assert found() == []


def test_age_limit_is_45_full_years_on_the_start_date():
    # 003 第三条（四）: 年龄在45周岁以下. Born 1981-09-02: 44 on 2026-09-01; born 1981-09-01: 45; 1980-09-01: 46.
    assert found(birth_date=date(1981, 9, 2)) == []
    assert found(birth_date=date(1981, 9, 1)) == []
    over = found(birth_date=date(1980, 9, 1))
    assert len(over) == 1 and "46" in over[0] and "45" in over[0]
    assert eligibility.age_on(date(1980, 9, 2), START) == 45


def test_middle_cadres_and_intermediate_titles_may_be_up_to_50():
    born = date(1978, 1, 1)  # 48 on the start date
    assert found(birth_date=born) and "45" in found(birth_date=born)[0]
    assert found(birth_date=born, rank=StaffRank.section) == []
    assert found(birth_date=born, title_level=TitleLevel.intermediate) == []
    assert found(birth_date=born, title_level=TitleLevel.junior)
    assert "50" in found(birth_date=date(1975, 1, 1), rank=StaffRank.division)[0]


def test_a_missing_birth_date_is_said_not_ignored():
    assert len(found(birth_date=None)) == 1


def test_window_staff_should_hold_a_formal_establishment():
    # 003 第三条（一）, 004 第三十一条: 行政编制/参公/事业编制 qualify; 合同制 and 劳务派遣 do not.
    for kind in (Staffing.civil_service, Staffing.civil_service_managed, Staffing.public_institution):
        assert found(staffing=kind) == []
    assert len(found(staffing=Staffing.contract)) == 1
    assert len(found(staffing=Staffing.dispatched)) == 1
    assert len(found(staffing=None)) == 1


def test_a_chief_representative_is_a_middle_cadre_or_above():
    # 003 第三条（一）: 首席代表应为窗口部门中层以上干部 (股级 by default).
    chief = {"position": StaffPosition.chief_rep}
    assert len(found(rank=StaffRank.member, **chief)) == 1
    assert len(found(rank=None, **chief)) == 1
    assert found(rank=StaffRank.section, **chief) == []
    assert found(rank=StaffRank.member) == []  # an A post needs no rank
    stricter = replace(RULES, chief_min_rank=StaffRank.deputy_division)
    assert eligibility.warnings(profile(rank=StaffRank.section, **chief), stricter, START)


def test_pre_service_and_department_training_before_starting():
    # 004 第三十条: 须经过本部门业务培训和中心组织的岗前培训.
    assert len(found(trainings=())) == 2
    late = found(trainings=((TrainingKind.pre_service, date(2026, 9, 5)), (TrainingKind.department, date(2026, 7, 1))))
    assert len(late) == 1 and "2026-09-05" in late[0]
    only_pre = found(trainings=((TrainingKind.pre_service, date(2026, 8, 1)),))
    assert len(only_pre) == 1
    assert eligibility.warnings(profile(trainings=()), replace(RULES, training=()), START) == []


def test_rules_come_from_the_settings_with_the_seeds_defaults(ctx):
    rules = eligibility.Rules.load(db.session)
    assert (rules.max_age, rules.max_age_relaxed, rules.chief_min_rank) == (45, 50, StaffRank.section)
    assert rules.training == (TrainingKind.pre_service, TrainingKind.department)
    assert Staffing.contract not in rules.staffing and Staffing.public_institution in rules.staffing
    set_setting("staff_max_age", "40")
    set_setting("chief_rep_min_rank", "deputy_division")
    set_setting("staff_required_training", "pre_service")
    rules = eligibility.Rules.load(db.session)
    assert (rules.max_age, rules.chief_min_rank, rules.training) == (
        40,
        StaffRank.deputy_division,
        (TrainingKind.pre_service,),
    )


def test_a_staff_record_is_checked_from_its_joining_date_with_its_trainings(ctx, world_ids):
    staff = db.session.get(Staff, world_ids["staff_staff_a"])  # joined 2024-03-01
    staff.birth_date, staff.staffing, staff.cadre_rank = date(1990, 1, 1), Staffing.civil_service, StaffRank.member
    db.session.add(TrainingRecord(staff=staff, day=date(2024, 2, 20), kind=TrainingKind.pre_service, title="岗前"))
    db.session.add(TrainingRecord(staff=staff, day=date(2024, 2, 1), kind=TrainingKind.department, title="业务"))
    db.session.add(
        TrainingRecord(staff=staff, day=date(2024, 1, 1), kind=TrainingKind.pre_service, title="x", passed=False)
    )
    db.session.commit()
    assert eligibility.check_staff(db.session, staff, START) == []
    staff.joined_on = date(2024, 2, 10)  # the pre-service training came after
    assert len(eligibility.check_staff(db.session, staff, START)) == 1


# -- changes: appointment warnings, 晋升 ------------------------------------------------------


def rules():
    return personnel.Rules.load(db.session)


def change(who, staff_key, kind, effective_on=date(2026, 9, 15), **extra):
    item = personnel.request_change(
        db.session,
        actor(who),
        NOW,
        rules(),
        staff_id=staff_key if isinstance(staff_key, int) else None,
        kind=kind,
        effective_on=effective_on,
        reason="工作需要",
        **extra,
    )
    db.session.commit()
    return item


def refused(code, call, *args, **kwargs):
    with pytest.raises(personnel.ChangeError) as info:
        call(*args, **kwargs)
    assert info.value.code == code, str(info.value)
    db.session.rollback()


def test_a_transfer_in_stores_the_appointment_warnings_for_the_approver(ctx, world_ids):
    item = change(
        "chief_a", world_ids["staff_staff_b"], "transfer_in", to_window_id=world_ids["win_a"], to_position="a_post"
    )
    # staff_b has no résumé on record: age, establishment and both trainings are named.
    assert item.eligibility_warning.count("；") == 3 and item.status is ChangeStatus.pending
    staff = db.session.get(Staff, world_ids["staff_staff_a"])
    assert (
        change(
            "chief_a", staff.id, "post_change", to_window_id=world_ids["win_a"], to_position="b_post"
        ).eligibility_warning
        is None
    )


def test_a_change_of_post_to_chief_representative_checks_the_rank(ctx, world_ids):
    staff = db.session.get(Staff, world_ids["staff_staff_a"])
    staff.birth_date, staff.staffing, staff.cadre_rank = date(1990, 1, 1), Staffing.civil_service, StaffRank.member
    for kind in (TrainingKind.pre_service, TrainingKind.department):
        db.session.add(TrainingRecord(staff=staff, day=date(2024, 1, 1), kind=kind, title="培训"))
    db.session.commit()
    item = change("chief_a", staff.id, "post_change", to_position="chief_rep")
    assert item.eligibility_warning and "股级" in item.eligibility_warning


def test_a_promotion_sets_the_rank_and_position_when_applied(ctx, world_ids):
    staff = db.session.get(Staff, world_ids["staff_staff_a"])
    staff.cadre_rank = StaffRank.member
    db.session.commit()
    refused("input", change, "chief_a", staff.id, "promotion")  # no rank
    refused("input", change, "chief_a", staff.id, "promotion", to_rank="clerk")  # not higher
    item = change("chief_a", staff.id, "promotion", to_rank="section", to_position="leader")
    assert item.to_rank is StaffRank.section and item.to_window_id is None
    personnel.approve(db.session, actor("manager"), item, item.version, NOW, rules())
    db.session.commit()
    assert staff.cadre_rank is StaffRank.member  # not before its date
    assert personnel.apply_due_changes(db.session, datetime(2026, 9, 15, 0, 5)) == 1
    db.session.commit()
    assert (staff.cadre_rank, staff.position, staff.window_id) == (
        StaffRank.section,
        StaffPosition.leader,
        world_ids["win_a"],
    )
    assert item.status is ChangeStatus.effective


# -- 先进后出 ------------------------------------------------------------------------------------


def test_a_transfer_out_leaving_the_window_short_is_not_approved_until_the_successor_arrives(ctx, world_ids):
    # Window A01 holds chief_a and staff_a; the seed's AB posts need 2 others on duty, 1 would remain.
    leaving = change("chief_a", world_ids["staff_staff_a"], "transfer_out", effective_on=date(2026, 10, 1))
    assert leaving.successor_warning and "A01" in leaving.successor_warning
    refused("successor", personnel.approve, db.session, actor("manager"), leaving, leaving.version, NOW, rules())
    assert db.session.get(type(leaving), leaving.id).status is ChangeStatus.pending
    # The successor (staff_b, from 公安) transfers into window A01 first and takes effect.
    coming = change(
        "chief_a",
        world_ids["staff_staff_b"],
        "transfer_in",
        effective_on=date(2026, 9, 1),
        to_window_id=world_ids["win_a"],
        to_position="a_post",
    )
    personnel.approve(db.session, actor("manager"), coming, coming.version, NOW, rules())
    db.session.commit()
    assert coming.status is ChangeStatus.effective
    personnel.approve(db.session, actor("manager"), leaving, leaving.version, NOW, rules())
    db.session.commit()
    assert leaving.status is ChangeStatus.approved and leaving.successor_warning is None


def test_an_arrival_after_the_leaving_date_is_no_successor(ctx, world_ids):
    coming = change(
        "chief_a",
        world_ids["staff_staff_b"],
        "transfer_in",
        effective_on=date(2026, 9, 1),
        to_window_id=world_ids["win_a"],
        to_position="a_post",
    )
    personnel.approve(db.session, actor("manager"), coming, coming.version, NOW, rules())
    db.session.commit()
    # Leaving on 2026-08-31, before the newcomer arrived: 2 others are on duty now, so ask for 3.
    leaving = change("chief_a", world_ids["staff_staff_a"], "sent_back", effective_on=date(2026, 8, 31))
    strict = replace(rules(), window_min_staff=3)
    assert personnel.successor_warning(db.session, leaving, strict)
    assert personnel.successor_warning(db.session, leaving, rules()) is None  # A and B posts remain


def test_the_successor_check_may_only_warn_and_never_blocks_an_ordered_replacement(ctx, world_ids):
    set_setting("personnel_successor_check", "warn")
    leaving = change("chief_a", world_ids["staff_staff_a"], "transfer_out")
    personnel.approve(db.session, actor("manager"), leaving, leaving.version, NOW, rules())
    db.session.commit()
    assert leaving.status is ChangeStatus.approved and leaving.successor_warning
    set_setting("personnel_successor_check", "block")
    staff = db.session.get(Staff, world_ids["staff_staff_b"])
    ordered = personnel.order_replacement(db.session, staff, NOW, reason="责令换人", ordered_by="督查")
    db.session.commit()
    assert ordered.origin is ChangeOrigin.sanction and ordered.successor_warning
    personnel.approve(db.session, actor("manager"), ordered, ordered.version, NOW, rules())
    db.session.commit()
    assert ordered.status is ChangeStatus.effective and staff.status is StaffStatus.left


def test_staff_without_a_window_need_no_successor(ctx, world_ids):
    staff = db.session.get(Staff, world_ids["staff_staff_a"])
    staff.window_id = None
    db.session.commit()
    assert change("chief_a", staff.id, "transfer_out").successor_warning is None


# -- the center's own reassignment --------------------------------------------------------------


def test_the_center_opens_a_change_tells_the_chief_rep_and_another_approver_decides(ctx, world_ids):
    item = change("manager", world_ids["staff_staff_a"], "post_change", to_position="b_post")
    assert item.origin is ChangeOrigin.center and item.department_id == world_ids["dept_a"]
    assert item.requested_by_user_id == world_ids["user_manager"] and item.status is ChangeStatus.pending
    told = db.session.scalars(sa.select(Notice).where(Notice.kind == NoticeKind.personnel_change_opened)).all()
    assert [n.user_id for n in told] == [world_ids["user_chief_a"]] and "测试staff_a" in told[0].detail
    refused("actor", personnel.approve, db.session, actor("manager"), item, item.version, NOW, rules())
    refused("actor", personnel.approve, db.session, actor("chief_a"), item, item.version, NOW, rules())
    other = replace(actor("manager"), user_id=9999, name="另一位中心管理员")
    personnel.approve(db.session, other, item, item.version, NOW, rules())
    db.session.commit()
    assert item.status is ChangeStatus.approved and item.decided_by == "另一位中心管理员"


def test_the_center_transfers_in_to_a_department_it_names(ctx, world_ids):
    moving = world_ids["staff_staff_b"]
    refused("input", change, "manager", moving, "transfer_in", to_position="a_post")  # which department?
    into_a = {"to_department_id": world_ids["dept_a"], "to_position": "a_post"}
    refused("input", change, "manager", moving, "transfer_in", to_window_id=world_ids["win_b"], **into_a)
    item = change("manager", moving, "transfer_in", to_window_id=world_ids["win_a"], **into_a)
    assert item.department_id == item.to_department_id == world_ids["dept_a"] and item.origin is ChangeOrigin.center
    refused("duplicate", change, "manager", moving, "transfer_in", **into_a)


def test_a_chief_reps_own_request_is_still_theirs(ctx, world_ids):
    item = change("chief_a", world_ids["staff_staff_a"], "post_change", to_position="b_post")
    assert item.origin is ChangeOrigin.department
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Notice).where(Notice.kind == NoticeKind.personnel_change_opened)
        )
        == 0
    )
