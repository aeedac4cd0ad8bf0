"""Pre-review (预审) of online applications with a fixed `now`: the limit across holidays, a
makeup working day and a weekend; passing accepts the case with its clock from the pass;
a correction is requested once (一次性告知), a second time refused; refusal needs a reason;
past the limit the department and the center are warned and a violation is recorded, once;
five working days without a correction notice accept it on its receipt date (行政许可法 §32);
two reviewers at once: exactly one wins."""

import threading
from datetime import datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, CaseAction, CaseStatus, Channel, Matter, Notice, NoticeKind, Setting, User, Violation
from app.models.application import Application, ApplicationAction, ApplicationEvent, ApplicationStatus
from app.models.case import ApplicantType, CaseTask, ViolationKind
from app.models.matter import CaseKind
from app.models.org import Department, RecordStatus
from app.security import actor_for
from app.services import prereview
from app.services.case_flow import CaseError
from app.services.prereview import Defect, PreReviewError, StaleApplication

ID_NUMBER = "11010519491231002X"
WED = datetime(2026, 9, 30, 10, 0)  # the last working day before National Day (1–7 October 2026)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield db.session
        db.session.remove()


def actor(name):
    return actor_for(db.session.scalar(sa.select(User).where(User.username == name)))


def applied(ids, at=WED, matter="matter_a", number="WS2026000001"):
    matter = db.session.get(Matter, ids[matter])
    application = Application(
        number=number,
        status=ApplicationStatus.submitted,
        matter_id=matter.id,
        center_id=matter.department.center_id,
        department_id=matter.department_id,
        applicant_type=ApplicantType.person,
        applicant_name="王五",
        applicant_id_number=ID_NUMBER,
        applicant_phone="13800001234",
        declaration_accepted=True,
        submitted_at=at,
        round=0,
    )
    prereview.set_due(db.session, application, at)
    db.session.add(application)
    db.session.commit()
    return application


def fresh(application):
    db.session.expire_all()
    return db.session.get(Application, application.id)


def count(model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Day 0 is the day received; National Day (1–7 October) is skipped.
        (datetime(2026, 9, 30, 10, 0), datetime(2026, 10, 8, 17, 30)),
        # Saturday 10 October 2026 is a makeup working day (调休): it counts.
        (datetime(2026, 10, 9, 16, 0), datetime(2026, 10, 10, 17, 30)),
        # Received on Friday after closing time: day 0 is Monday, due Tuesday.
        (datetime(2026, 10, 16, 18, 0), datetime(2026, 10, 20, 17, 30)),
        # Received on Sunday: day 0 is Monday.
        (datetime(2026, 10, 18, 11, 0), datetime(2026, 10, 20, 17, 30)),
    ],
)
def test_the_limit_counts_working_days_from_the_day_received(ctx, world_ids, received, due):
    assert prereview.review_due(db.session, received) == due
    assert applied(world_ids, at=received).review_due_at == due


def test_the_limit_is_a_setting(ctx, world_ids):
    db.session.execute(sa.update(Setting).where(Setting.key == "prereview_limit_days").values(value="3"))
    db.session.commit()
    assert prereview.review_due(db.session, datetime(2026, 10, 9, 16, 0)) == datetime(2026, 10, 13, 17, 30)


def test_passing_accepts_the_case_online_with_its_clock_from_the_pass(ctx, world_ids):
    application = applied(world_ids)
    now = datetime(2026, 10, 8, 9, 0)
    outcome = prereview.pass_review(db.session, actor("staff_a"), now, application, application.version)
    db.session.commit()
    application, case = fresh(application), db.session.get(Case, outcome.case.id)
    assert application.status is ApplicationStatus.passed and application.case_id == case.id
    assert application.reviewed_at == now and application.closed_at == now
    assert application.reviewer_id == world_ids["staff_staff_a"]
    assert case.status is CaseStatus.accepted and case.channel is Channel.online
    assert case.accepted_at == now and case.received_at == WED and not case.deemed_accepted
    # 10 working days after 8 October: 9, 10 (makeup), 12–16, 19, 20, 21.
    assert case.deadline_at == datetime(2026, 10, 21, 17, 30)
    assert case.applicant_name == "王五" and case.applicant_id_number == ID_NUMBER
    assert [e.action for e in case.events] == [CaseAction.accept]
    assert count(Violation) == 0  # no late entry: the reception is the application's
    actions = db.session.scalars(
        sa.select(ApplicationEvent.action).where(ApplicationEvent.application_id == application.id)
    )
    assert list(actions) == [ApplicationAction.pass_review]


def test_a_correction_is_requested_once_listing_every_material_and_why(ctx, world_ids):
    application = applied(world_ids)
    first, second = (m.id for m in application.matter.materials)
    now = datetime(2026, 10, 8, 9, 0)
    prereview.request_correction(
        db.session,
        actor("staff_a"),
        now,
        application,
        application.version,
        [Defect(first, "未签字"), Defect(second, "复印件不清晰")],
    )
    db.session.commit()
    application = fresh(application)
    assert application.status is ApplicationStatus.correction_requested and application.round == 1
    assert application.correction_requested_at == now
    assert application.correction_notice == "1. 食品经营许可申请书：未签字\n2. 营业执照：复印件不清晰"
    assert application.correction_material_ids == sorted([first, second])
    # The applicant resubmits (services/applications.resubmit): back in the queue with a new limit.
    application.status, application.resubmitted_at = ApplicationStatus.resubmitted, datetime(2026, 10, 9, 9, 0)
    prereview.set_due(db.session, application, application.resubmitted_at)
    db.session.commit()
    assert application.review_due_at == datetime(2026, 10, 10, 17, 30)
    with pytest.raises(PreReviewError) as refused:
        prereview.request_correction(
            db.session,
            actor("staff_a"),
            datetime(2026, 10, 9, 10, 0),
            application,
            application.version,
            [Defect(first, "再补")],
        )
    db.session.rollback()
    assert "一次" in str(refused.value)
    application = fresh(application)
    assert application.status is ApplicationStatus.resubmitted and application.correction_notice.startswith("1. 食品")
    outcome = prereview.pass_review(
        db.session, actor("chief_a"), datetime(2026, 10, 9, 11, 0), application, application.version
    )
    db.session.commit()
    assert fresh(application).case_id == outcome.case.id


@pytest.mark.parametrize(
    ("defects", "message"),
    [
        ([], "至少"),
        ([Defect(None, "  ")], "原因"),
        ([Defect(999_999, "无此材料")], "本事项"),
    ],
)
def test_a_correction_without_materials_or_reasons_is_refused(ctx, world_ids, defects, message):
    application = applied(world_ids)
    with pytest.raises(PreReviewError) as refused:
        prereview.request_correction(db.session, actor("staff_a"), WED, application, application.version, defects)
    db.session.rollback()
    assert message in str(refused.value)
    assert fresh(application).status is ApplicationStatus.submitted and fresh(application).version == 1


def test_refusing_needs_a_reason_and_closes_the_application(ctx, world_ids):
    application = applied(world_ids)
    with pytest.raises(PreReviewError) as refused:
        prereview.refuse(db.session, actor("staff_a"), WED, application, application.version, "   ")
    db.session.rollback()
    assert "理由" in str(refused.value)
    prereview.refuse(db.session, actor("staff_a"), WED, application, application.version, "不属于本事项受理范围")
    db.session.commit()
    application = fresh(application)
    assert application.status is ApplicationStatus.refused and application.refusal_reason == "不属于本事项受理范围"
    assert application.closed_at == WED and application.case_id is None
    with pytest.raises(PreReviewError) as again:
        prereview.pass_review(db.session, actor("staff_a"), WED, application, application.version)
    db.session.rollback()
    assert "不予受理" in str(again.value) and count(Case) == 0


def test_another_department_may_not_review(ctx, world_ids):
    application = applied(world_ids)
    for who in ("staff_b", "supervisor"):
        with pytest.raises(PreReviewError):
            prereview.pass_review(db.session, actor(who), WED, application, application.version)
        db.session.rollback()
        assert not prereview.may_review(db.session, actor(who), fresh(application))
    assert prereview.may_review(db.session, actor("staff_a"), fresh(application))
    assert fresh(application).status is ApplicationStatus.submitted and count(Case) == 0


def test_a_stale_version_is_refused(ctx, world_ids):
    application = applied(world_ids)
    with pytest.raises(StaleApplication):
        prereview.refuse(db.session, actor("staff_a"), WED, application, application.version + 1, "不属于")
    db.session.rollback()
    with pytest.raises(PreReviewError):
        prereview.refuse(db.session, actor("staff_a"), WED, application, "x1", "不属于")


def test_past_its_limit_the_department_and_the_center_hear_and_a_violation_is_recorded_once(ctx, world_ids):
    application = applied(world_ids)  # due 8 October 17:30
    assert prereview.scan(db.session, datetime(2026, 10, 8, 17, 30)) == 0
    assert prereview.scan(db.session, datetime(2026, 10, 8, 17, 31)) > 0
    db.session.commit()
    [violation] = db.session.scalars(sa.select(Violation)).all()
    assert violation.kind is ViolationKind.prereview_overdue and violation.department_id == world_ids["dept_a"]
    assert violation.window_id == world_ids["win_a"] and violation.at == datetime(2026, 10, 8, 17, 30)
    assert "WS2026000001" in violation.detail
    told = set(db.session.scalars(sa.select(Notice.user_id).where(Notice.kind == NoticeKind.prereview_overdue)).all())
    assert told == {world_ids[f"user_{name}"] for name in ("chief_a", "supervisor", "manager")}
    assert prereview.scan(db.session, datetime(2026, 10, 9, 9, 0)) == 0  # once
    assert fresh(application).review_flagged_at == datetime(2026, 10, 8, 17, 31)
    # A resubmission's new limit is flagged again when it, too, passes.
    application = fresh(application)
    application.status, application.correction_requested_at = ApplicationStatus.resubmitted, datetime(2026, 10, 9, 9, 0)
    application.round = 1
    prereview.set_due(db.session, application, datetime(2026, 10, 12, 9, 0))
    db.session.commit()
    assert prereview.scan(db.session, datetime(2026, 10, 13, 18, 0)) > 0
    assert count(Violation) == 2


def test_five_working_days_without_a_correction_notice_count_as_accepted_on_receipt(ctx, world_ids):
    received = datetime(2026, 10, 12, 10, 0)  # Monday; day 5 is Monday 19 October
    application = applied(world_ids, at=received)
    assert prereview.scan(db.session, datetime(2026, 10, 19, 17, 30)) > 0  # flagged late only: day 5 not over
    db.session.commit()
    assert fresh(application).status is ApplicationStatus.submitted
    assert prereview.scan(db.session, datetime(2026, 10, 19, 17, 31)) == 1  # the acceptance only
    db.session.commit()
    application = fresh(application)
    case = application.case
    assert application.status is ApplicationStatus.passed and application.closed_at == datetime(2026, 10, 19, 17, 31)
    assert case.deemed_accepted and case.channel is Channel.online
    assert case.accepted_at == received  # on its receipt date
    # 10 working days after 12 October: 13–16, 19–23, 26.
    assert case.deadline_at == datetime(2026, 10, 26, 17, 30)
    [accept] = case.events
    assert accept.action is CaseAction.accept and "视为受理" in accept.note and accept.actor_name == "系统"
    assert prereview.scan(db.session, datetime(2026, 10, 20, 9, 0)) == 0  # once
    assert count(Case) == 1
    # Not a joint matter: accepted by the system, never recorded as awaiting co-departments.
    assert count(ApplicationEvent, ApplicationEvent.action == ApplicationAction.deemed_accepted) == 0


def test_a_correction_notice_in_time_stops_deemed_acceptance(ctx, world_ids):
    application = applied(world_ids, at=datetime(2026, 10, 12, 10, 0))
    first = application.matter.materials[0].id
    prereview.request_correction(
        db.session,
        actor("staff_a"),
        datetime(2026, 10, 13, 9, 0),
        application,
        application.version,
        [Defect(first, "缺")],
    )
    db.session.commit()
    prereview.scan(db.session, datetime(2026, 10, 30, 9, 0))
    db.session.commit()
    assert fresh(application).status is ApplicationStatus.correction_requested and count(Case) == 0


def test_two_reviewers_passing_at_once_exactly_one_wins(app, world_ids):
    with app.app_context():
        application = applied(world_ids)
        application_id, version = application.id, application.version
        db.session.remove()
    results, barrier = [], threading.Barrier(2)

    def attempt(name):
        with app.app_context():
            me = actor(name)
            row = db.session.get(Application, application_id)
            barrier.wait()
            try:
                prereview.pass_review(db.session, me, datetime(2026, 10, 8, 9, 0), row, version)
                db.session.commit()
                results.append("won")
            except PreReviewError as exc:
                db.session.rollback()
                results.append(str(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(who,)) for who in ("staff_a", "chief_a")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 2 and results.count("won") == 1, results
    [lost] = [r for r in results if r != "won"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in lost), lost  # told in Chinese
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 1
        assert db.session.get(Application, application_id).status is ApplicationStatus.passed
        db.session.remove()


def _joint(ids, matter="matter_a"):
    db.session.execute(sa.update(Matter).where(Matter.id == ids[matter]).values(case_kind=CaseKind.joint))
    db.session.commit()


def test_a_joint_matter_passes_with_its_co_departments_and_the_case_gets_their_tasks(ctx, world_ids):
    _joint(world_ids)
    application = applied(world_ids)
    now = datetime(2026, 10, 8, 9, 0)
    co = (world_ids["dept_b"], world_ids["dept_c"], world_ids["dept_a"])  # the lead itself is dropped
    outcome = prereview.pass_review(
        db.session, actor("staff_a"), now, application, application.version, co_department_ids=co
    )
    db.session.commit()
    case = db.session.get(Case, outcome.case.id)
    assert case.kind is CaseKind.joint and case.status is CaseStatus.accepted
    tasks = db.session.execute(
        sa.select(CaseTask.department_id, CaseTask.deadline_at)
        .where(CaseTask.case_id == case.id)
        .order_by(CaseTask.department_id)
    ).all()
    assert tasks == sorted((d, case.deadline_at) for d in (world_ids["dept_b"], world_ids["dept_c"]))
    assert fresh(application).status is ApplicationStatus.passed


@pytest.mark.parametrize(
    ("co", "message"),
    [
        ((), "联办件至少需要一个协办部门"),
        ((999999,), "请从列表中选择协办部门"),
        ((None,), "请从列表中选择协办部门"),
        (("dept_c", "disabled"), "请从列表中选择协办部门"),
    ],
)
def test_a_joint_pass_with_a_bad_co_department_is_refused_and_nothing_changes(ctx, world_ids, co, message):
    _joint(world_ids)
    if "disabled" in co:
        db.session.execute(
            sa.update(Department).where(Department.id == world_ids["dept_b"]).values(status=RecordStatus.inactive)
        )
        db.session.commit()
        co = (world_ids["dept_c"], world_ids["dept_b"])
    application = applied(world_ids)
    with pytest.raises(CaseError) as refused:
        prereview.pass_review(
            db.session,
            actor("staff_a"),
            datetime(2026, 10, 8, 9, 0),
            application,
            application.version,
            co_department_ids=co,
        )
    db.session.rollback()  # the caller's part of the contract (views/workflow.py)
    assert message in str(refused.value)
    application = fresh(application)
    assert application.status is ApplicationStatus.submitted and application.version == 1
    assert count(Case) == 0 and count(CaseTask) == 0 and count(ApplicationEvent) == 0


def test_a_joint_application_past_five_working_days_counts_as_accepted_and_its_department_hears_once(ctx, world_ids):
    """The scan cannot name a joint matter's co-departments: it records the acceptance on receipt
    and tells the department and the center, once; the reviewer's pass, naming them, accepts the
    case on the receipt date."""
    _joint(world_ids)
    received = datetime(2026, 10, 12, 10, 0)  # Monday; day 5 is Monday 19 October
    application = applied(world_ids, at=received)
    prereview.scan(db.session, datetime(2026, 10, 19, 17, 30))  # flagged late only: day 5 not over
    db.session.commit()
    deemed_events = (ApplicationEvent.action == ApplicationAction.deemed_accepted,)
    assert count(ApplicationEvent, *deemed_events) == 0 and not prereview.deemed(db.session, application)
    version = fresh(application).version
    assert prereview.scan(db.session, datetime(2026, 10, 19, 17, 31)) > 0
    db.session.commit()
    application = fresh(application)
    assert application.status is ApplicationStatus.submitted and count(Case) == 0
    assert application.version == version + 1  # a form read before it is stale
    [recorded] = db.session.scalars(sa.select(ApplicationEvent).where(*deemed_events)).all()
    assert recorded.actor_name == "系统" and "2026-10-12" in recorded.note
    assert recorded.at == datetime(2026, 10, 19, 17, 31)
    assert prereview.deemed(db.session, application)
    key = f"deemed:{application.id}"
    told = db.session.scalars(sa.select(Notice).where(Notice.key == key)).all()
    assert {n.user_id for n in told} == {world_ids[f"user_{name}"] for name in ("chief_a", "supervisor", "manager")}
    assert all(n.kind is NoticeKind.prereview_overdue for n in told)
    assert "视为受理" in told[0].detail and "协办部门" in told[0].detail and "WS2026000001" in told[0].detail
    notices_before = count(Notice)
    assert prereview.scan(db.session, datetime(2026, 10, 20, 9, 0)) == 0  # once
    db.session.commit()
    assert count(Notice) == notices_before and count(ApplicationEvent, *deemed_events) == 1

    # The law has accepted it: no correction notice, no refusal; a pass without co-departments is refused.
    now = datetime(2026, 10, 20, 9, 0)
    first = application.matter.materials[0].id
    with pytest.raises(PreReviewError, match="视为受理"):
        prereview.request_correction(
            db.session, actor("staff_a"), now, application, application.version, [Defect(first, "缺")]
        )
    db.session.rollback()
    with pytest.raises(PreReviewError, match="视为受理"):
        prereview.refuse(db.session, actor("staff_a"), now, fresh(application), application.version, "不属于")
    db.session.rollback()
    with pytest.raises(CaseError, match="联办件至少需要一个协办部门"):
        prereview.pass_review(db.session, actor("staff_a"), now, fresh(application), application.version)
    db.session.rollback()
    assert fresh(application).status is ApplicationStatus.submitted and count(Case) == 0

    application = fresh(application)
    co = (world_ids["dept_b"], world_ids["dept_c"])
    outcome = prereview.pass_review(
        db.session, actor("staff_a"), now, application, application.version, co_department_ids=co
    )
    db.session.commit()
    case = db.session.get(Case, outcome.case.id)
    assert case.kind is CaseKind.joint and case.deemed_accepted and case.channel is Channel.online
    assert case.accepted_at == received and case.received_at == received  # on its receipt date
    # 10 working days after 12 October: 13–16, 19–23, 26.
    assert case.deadline_at == datetime(2026, 10, 26, 17, 30)
    tasks = db.session.execute(
        sa.select(CaseTask.department_id, CaseTask.deadline_at)
        .where(CaseTask.case_id == case.id)
        .order_by(CaseTask.department_id)
    ).all()
    assert tasks == sorted((d, case.deadline_at) for d in co)
    [accept] = case.events
    assert accept.action is CaseAction.accept and "视为受理" in accept.note and accept.actor_name != "系统"
    application = fresh(application)
    assert application.status is ApplicationStatus.passed and application.case_id == case.id
    passed = db.session.scalar(
        sa.select(ApplicationEvent.note).where(ApplicationEvent.action == ApplicationAction.pass_review)
    )
    assert passed.startswith(case.number) and "视为受理" in passed
    assert prereview.scan(db.session, datetime(2026, 10, 21, 9, 0)) == 0 and count(Case) == 1
