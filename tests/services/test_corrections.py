"""数据更正申请: a case fact changes only through an approved request, applied and audited by the system."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditLog, Case, CaseAction, CaseStatus, User
from app.models.correction import CorrectionRequest, CorrectionStatus
from app.security import staff_of
from app.services import corrections
from app.services.corrections import CaseFactsLocked, CorrectionError
from app.services.idnumber import check_digit
from app.services.scope import scope_for
from config import ROLE_SCOPES
from tests.services.test_case_flow import act, actor, new_case

NOW = datetime(2026, 9, 29, 10, 0)
LATER = datetime(2026, 9, 30, 15, 0)
NEW_ID = "11010519800101001" + check_digit("11010519800101001")


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield db.session
        db.session.remove()


def scope(name):
    user = db.session.scalar(sa.select(User).where(User.username == name))
    return scope_for([role.name for role in user.roles], ROLE_SCOPES, staff_of(user))


def file(case, field="applicant_name", value="李四", who="staff_a", reason="受理时录入错误", now=NOW):
    item = corrections.request_correction(
        db.session, actor(who), scope(who), now, case_id=case.id, field=field, new_value=value, reason=reason
    )
    db.session.commit()
    return item


def decide(item, step, who="chief_a", version=None, now=LATER, **inputs):
    db.session.expire_all()
    item = db.session.get(CorrectionRequest, item.id)
    result = corrections.ACTIONS[step](
        db.session, actor(who), scope(who), item, item.version if version is None else version, now, **inputs
    )
    db.session.commit()
    return result


def fresh(model, pk):
    db.session.expire_all()
    return db.session.get(model, pk)


def test_an_approved_request_is_applied_to_the_case_and_audited_with_it(ctx, world_ids):
    case = new_case(world_ids)
    version = case.version
    item = file(case, field="applicant_id_number", value=NEW_ID.lower())
    assert item.status is CorrectionStatus.pending and item.old_value == "11010519491231002X"
    assert item.new_value == NEW_ID  # written as intake writes it
    assert fresh(Case, case.id).applicant_id_number == "11010519491231002X"  # nothing applied yet
    decide(item, "approve", note="核对身份证原件")
    case = fresh(Case, case.id)
    assert case.applicant_id_number == NEW_ID and case.version == version + 1
    # One event, as for every change of the case: the version still counts the events.
    corrected = case.events[-1]
    assert corrected.action is CaseAction.correct and case.version == len(case.events)
    assert corrected.at == LATER and corrected.to_status is case.status and NEW_ID not in corrected.note
    item = fresh(CorrectionRequest, item.id)
    assert item.status is CorrectionStatus.applied and item.decided_at == LATER and item.decided_by
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.table_name == "case", AuditLog.row_id == str(case.id)))
    assert entry.at == LATER and entry.actor_name == item.decided_by
    assert entry.changes == {
        "applicant_id_number": ["11010519491231002X", NEW_ID],
        "correction_request": [None, item.id],
    }
    request_entries = db.session.scalars(
        sa.select(AuditLog.action)
        .where(AuditLog.table_name == "correction_request", AuditLog.row_id == str(item.id))
        .order_by(AuditLog.id)
    ).all()
    assert [a.name for a in request_entries] == ["insert", "update"]


def test_a_phone_is_normalized_as_at_intake(ctx, world_ids):
    case = new_case(world_ids)
    item = file(case, field="applicant_phone", value="(0396)2812345转801")
    assert item.new_value == "0396-2812345-801"
    decide(item, "approve")
    assert fresh(Case, case.id).applicant_phone == "0396-2812345-801"


def test_a_rejected_request_changes_nothing(ctx, world_ids):
    case = new_case(world_ids)
    version = case.version
    item = file(case)
    with pytest.raises(CorrectionError):
        decide(item, "reject", note="  ")  # the reason is required
    db.session.rollback()
    decide(item, "reject", note="与原件一致，无需更正")
    case = fresh(Case, case.id)
    assert case.applicant_name == "张三" and case.version == version
    assert fresh(CorrectionRequest, item.id).status is CorrectionStatus.rejected
    with pytest.raises(CorrectionError, match="."):
        decide(item, "approve")  # decided once


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("applicant_id_number", "110105194912310021"),  # check digit wrong
        ("applicant_phone", "12345"),
        ("applicant_name", "   "),
        ("applicant_name", "张" * 101),
        ("fee", "5"),  # the case is not completed: no fee recorded
    ],
)
def test_an_invalid_new_value_is_refused(ctx, world_ids, field, value):
    case = new_case(world_ids)
    with pytest.raises(CorrectionError):
        file(case, field=field, value=value)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CorrectionRequest)) == 0


def test_a_fee_is_corrected_only_within_the_matter_standard(ctx, world_ids):
    case = new_case(world_ids, who="staff_b", matter="matter_b")  # fee standard 20
    act(case, "complete", who="staff_b", now=NOW, approved=True, fee="20")
    with pytest.raises(CorrectionError):
        file(case, field="fee", value="15", who="staff_b")
    db.session.rollback()
    with pytest.raises(CorrectionError):
        file(case, field="fee", value="20.00", who="staff_b")  # the same as recorded
    db.session.rollback()


@pytest.mark.parametrize("field", ["status", "deadline_at", "version", "light", "applicant_type", "", None])
def test_a_field_outside_the_whitelist_is_refused(ctx, world_ids, field):
    case = new_case(world_ids)
    with pytest.raises(CorrectionError) as refused:
        file(case, field=field, value="completed")
    assert refused.value.code == "field"


def test_a_requester_outside_the_case_scope_is_refused(ctx, world_ids):
    case = new_case(world_ids)  # department A
    with pytest.raises(CorrectionError) as refused:
        file(case, who="staff_b")
    assert refused.value.code == "scope"
    with pytest.raises(CorrectionError) as refused:
        file(case, who="leader")  # sees every case, handles none
    assert refused.value.code == "actor"


def test_an_approver_outside_the_department_or_the_requester_is_refused(ctx, world_ids):
    case = new_case(world_ids)
    item = file(case)
    for who in ("chief_b", "staff_a", "supervisor"):
        with pytest.raises(CorrectionError):
            decide(item, "approve", who=who)
        db.session.rollback()
    mine = file(case, field="applicant_phone", value="13900001111", who="chief_a")
    with pytest.raises(CorrectionError, match="."):
        decide(mine, "approve", who="chief_a")  # nobody decides their own request
    db.session.rollback()
    decide(mine, "approve", who="manager")  # the center
    assert fresh(Case, case.id).applicant_phone == "13900001111"


def test_a_stale_request_after_a_concurrent_change_of_the_fact_is_refused(ctx, world_ids):
    case = new_case(world_ids)
    first = file(case, field="applicant_name", value="李四")
    decide(first, "reject", note="先核对")
    second = file(case, field="applicant_name", value="王五")
    stale = file(case, field="applicant_id_number", value=NEW_ID)
    # Meanwhile the name changes through another request; the ID request still holds.
    decide(second, "approve")
    decide(stale, "approve")
    late = file(case, field="applicant_name", value="赵六")
    db.session.execute(sa.update(Case.__table__).where(Case.__table__.c.id == case.id).values(applicant_name="钱七"))
    db.session.commit()
    version = fresh(Case, case.id).version
    with pytest.raises(CorrectionError) as refused:
        decide(late, "approve")
    assert refused.value.code == "stale" and "钱七" in str(refused.value)
    db.session.rollback()
    case = fresh(Case, case.id)
    assert case.applicant_name == "钱七" and case.version == version
    assert fresh(CorrectionRequest, late.id).status is CorrectionStatus.pending


def test_another_action_on_the_case_since_the_request_does_not_block_it(ctx, world_ids):
    case = new_case(world_ids)
    item = file(case)
    act(case, "forward", now=NOW)  # the case's version moves on; the name is unchanged
    decide(item, "approve")
    case = fresh(Case, case.id)
    assert case.applicant_name == "李四"
    assert [event.action for event in case.events] == [CaseAction.accept, CaseAction.forward, CaseAction.correct]


def test_of_two_approvers_at_once_exactly_one_wins(app, world_ids):
    with app.app_context():
        case = new_case(world_ids)
        item_id = file(case).id
        case_id = case.id
        db.session.remove()
    with app.app_context():
        first, second = db.session, db.session.session_factory()
        try:
            mine = first.get(CorrectionRequest, item_id)
            theirs = second.get(CorrectionRequest, item_id)
            version = mine.version
            corrections.approve(first, actor("chief_a"), scope("chief_a"), mine, version, LATER)
            first.commit()
            with pytest.raises(CorrectionError, match="."):
                corrections.approve(second, actor("manager"), scope("manager"), theirs, version, LATER)
        finally:
            second.close()
        case = fresh(Case, case_id)
        assert case.applicant_name == "李四" and case.version == 2
        entries = db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditLog).where(AuditLog.table_name == "case")
        )
        assert entries == 1
        db.session.remove()


def test_a_second_pending_request_for_the_same_field_is_refused(ctx, world_ids):
    case = new_case(world_ids)
    file(case)
    with pytest.raises(CorrectionError) as refused:
        file(case, value="王五")
    assert refused.value.code == "duplicate"


def test_a_direct_write_of_a_case_fact_is_refused(ctx, world_ids):
    case = new_case(world_ids, who="staff_b", matter="matter_b")
    for name, value in (
        ("applicant_name", "李四"),
        ("applicant_id_number", NEW_ID),
        ("applicant_phone", "13900001111"),
    ):
        case = fresh(Case, case.id)
        setattr(case, name, value)
        with pytest.raises(CaseFactsLocked):
            db.session.flush()
        db.session.rollback()
    act(case, "complete", who="staff_b", now=NOW, approved=True, fee="20")  # the decision sets the fee
    case = fresh(Case, case.id)
    case.fee = 0
    with pytest.raises(CaseFactsLocked):
        db.session.flush()
    db.session.rollback()
    assert fresh(Case, case.id).applicant_name == "张三"


def test_a_township_files_and_its_head_decides_within_the_center_scope(ctx, world_ids):
    from app.models import Center, Matter
    from app.services.case_flow import Actor
    from app.services.scope import Kind, Scope

    county, town = db.session.get(Center, world_ids["county"]), db.session.get(Center, world_ids["town"])
    town2 = Center(code="XZ-T8", name="河湾镇便民服务中心", level=town.level, parent=county)
    db.session.add(town2)
    matter = db.session.get(Matter, world_ids["matter_b"])
    case = Case(
        number="XZ-T1-20260929-00001",
        center=town,
        matter=matter,
        department_id=matter.department_id,
        applicant_name="王五",
        applicant_id_number="11010519491231002X",
        kind=matter.case_kind,
        status=CaseStatus.in_progress,
        submitted_at=NOW,
        accepted_at=NOW,
    )
    db.session.add(case)
    db.session.commit()
    clerk = Actor(user_id=None, name="镇窗口", roles=frozenset({"TownshipStaff"}), center_id=town.id)
    head = Actor(user_id=None, name="镇主任", roles=frozenset({"TownshipHead"}), center_id=town.id)
    other_head = Actor(user_id=None, name="邻镇主任", roles=frozenset({"TownshipHead"}), center_id=town2.id)
    in_town = Scope(kind=Kind.center_own, center_id=town.id)
    item = corrections.request_correction(
        db.session, clerk, in_town, NOW, case_id=case.id, field="applicant_name", new_value="王武", reason="错字"
    )
    db.session.commit()
    with pytest.raises(CorrectionError) as refused:
        corrections.request_correction(
            db.session,
            clerk,
            Scope(kind=Kind.center_own, center_id=town2.id),
            NOW,
            case_id=case.id,
            field="applicant_phone",
            new_value="13900001111",
            reason="错号",
        )
    assert refused.value.code == "scope"
    with pytest.raises(CorrectionError):
        corrections.approve(db.session, other_head, Scope(kind=Kind.center, center_id=town2.id), item, 1, LATER)
    db.session.rollback()
    item = db.session.get(CorrectionRequest, item.id)
    corrections.approve(db.session, head, Scope(kind=Kind.center, center_id=town.id), item, item.version, LATER)
    db.session.commit()
    assert fresh(Case, case.id).applicant_name == "王武"


def test_the_chief_hears_of_a_request_and_the_requester_of_the_decision(ctx, world_ids):
    from app.models import Notice
    from app.models.notice import NoticeKind

    def inbox(name):
        return db.session.scalars(
            sa.select(Notice.kind).where(Notice.user_id == world_ids[f"user_{name}"]).order_by(Notice.id)
        ).all()

    case = new_case(world_ids)
    item = file(case)
    assert inbox("chief_a") == [NoticeKind.correction_filed] and inbox("chief_b") == []
    decide(item, "reject", note="无需更正")
    assert inbox("staff_a") == [NoticeKind.correction_decided]
    # The chief's own request goes to the center.
    file(case, field="applicant_phone", value="13900001111", who="chief_a")
    assert inbox("manager") == [NoticeKind.correction_filed]


def test_two_approvers_racing_in_threads_one_wins_and_the_case_moves_once(app, world_ids):
    import threading

    with app.app_context():
        case = new_case(world_ids)
        item_id, case_id, version = file(case).id, case.id, case.version
        db.session.remove()
    start = threading.Barrier(2)
    won, refused, faults = [], [], []

    def approver(name):
        with app.app_context():
            try:
                me, my_scope = actor(name), scope(name)
                item = db.session.get(CorrectionRequest, item_id)
                start.wait()
                corrections.approve(db.session, me, my_scope, item, item.version, LATER)
                db.session.commit()
                won.append(name)
            except CorrectionError:
                db.session.rollback()
                refused.append(name)
            except Exception as exc:  # anything else is a bug (a lock error would be a 500)
                faults.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approver, args=(name,)) for name in ("chief_a", "manager")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not faults and len(won) == 1 and len(refused) == 1
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.applicant_name == "李四" and case.version == version + 1
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(AuditLog.table_name == "case"))
            == 1
        )
        assert db.session.get(CorrectionRequest, item_id).decided_by
        db.session.remove()


def test_the_public_progress_query_does_not_show_a_correction(ctx, world_ids):
    from app.services import portal

    case = new_case(world_ids)
    decide(file(case), "approve")
    labels = [label for _at, label in portal.progress(db.session, fresh(Case, case.id)).timeline]
    assert labels and not any("更正" in label for label in labels)


def test_a_completed_case_fee_is_corrected_within_its_range_and_bad_amounts_refused(ctx, world_ids):
    from decimal import Decimal

    from app.models import Matter

    db.session.get(Matter, world_ids["matter_b"]).fee_max = Decimal("30")  # the matter allows a range
    db.session.commit()
    case = new_case(world_ids, who="staff_b", matter="matter_b")
    act(case, "complete", who="staff_b", now=NOW, approved=True, fee="20")
    for bad in ("abc", "NaN", "sNaN", "-20", "1e9999", "Infinity", "40"):
        with pytest.raises(CorrectionError):
            file(case, field="fee", value=bad, who="staff_b")
        db.session.rollback()
    item = file(case, field="fee", value="25", who="staff_b")
    assert item.old_value == "20.00" and item.new_value == "25.00"
    decide(item, "approve", who="chief_b")
    assert fresh(Case, case.id).fee == Decimal("25.00")
