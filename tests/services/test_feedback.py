"""好差评, rectification and complaints: lifecycles, limits in working days, refusals."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, Evaluation, Rectification, Sanction
from app.models.feedback import ComplaintChannel, ComplaintStage, EvaluationChannel, RectificationStatus
from app.models.notice import Notice
from app.services import complaints, evaluations, rectifications
from app.services.case_flow import Clock
from tests.services.test_case_flow import act, actor, new_case

COMPLETED = datetime(2026, 9, 30, 10, 0)  # the day before the National Day holiday


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


def limits():
    clock = Clock.load(db.session)
    return evaluations.Limits(clock.calendar, clock.hours, contact_days=1, rectify_days=5)


def complaint_limits():
    clock = Clock.load(db.session)
    return complaints.Limits(clock.calendar, clock.hours)


def completed_case(world_ids, *, approved=True):
    case = new_case(world_ids, now=datetime(2026, 9, 28, 9, 0))
    act(case, "forward", now=datetime(2026, 9, 28, 10, 0))
    act(case, "forward", now=datetime(2026, 9, 29, 10, 0))
    # A denial is decided in writing, with its reason (行政许可法 §38).
    reason = None if approved else "经营场所不符合食品安全要求"
    act(case, "complete", now=COMPLETED, approved=approved, fee="0", note=reason)
    db.session.commit()
    return db.session.get(Case, case.id)


def count(model, *conditions):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions))


def test_a_bad_review_opens_exactly_one_rectification_with_working_day_limits(ctx, world_ids):
    case = completed_case(world_ids)
    evaluation = evaluations.rate(
        db.session, case, level=2, channel=EvaluationChannel.portal, now=COMPLETED, limits=limits(), tags=["态度生硬"]
    )
    db.session.commit()
    rectification = db.session.scalar(sa.select(Rectification))
    assert count(Rectification) == 1 and rectification.evaluation_id == evaluation.id
    assert rectification.assignee_id == world_ids["staff_chief_a"]
    # Contact within 1 working day, rectify within 5: National Day (1–7 Oct) is skipped.
    assert rectification.contact_due_at == datetime(2026, 10, 8, 17, 30)
    assert rectification.rectify_due_at == datetime(2026, 10, 13, 17, 30)
    with pytest.raises(evaluations.EvaluationError):  # the same channel again
        evaluations.rate(db.session, case, level=1, channel=EvaluationChannel.portal, now=COMPLETED, limits=limits())
    evaluations.rate(db.session, case, level=5, channel=EvaluationChannel.window_device, now=COMPLETED, limits=limits())
    assert count(Rectification) == 1  # a good review opens nothing
    with pytest.raises(evaluations.EvaluationError):  # one per case, whatever the channel
        evaluations.rate(
            db.session, case, level=4, channel=EvaluationChannel.phone, now=COMPLETED, limits=limits(), rule="once"
        )


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"level": 0}, "1 至 5"),
        ({"level": "abc"}, "1 至 5"),
        ({"level": 6}, "1 至 5"),
        ({"level": 3, "comment": "长" * 501}, "过长"),
        ({"level": 3, "tags": ["<script>"]}, "未知的评价标签"),
    ],
)
def test_bad_ratings_are_refused_and_nothing_is_stored(ctx, world_ids, inputs, message):
    case = completed_case(world_ids)
    with pytest.raises(evaluations.EvaluationError, match=message):
        evaluations.rate(db.session, case, channel=EvaluationChannel.portal, now=COMPLETED, limits=limits(), **inputs)
    db.session.rollback()
    assert count(Evaluation) == 0


def test_an_open_case_cannot_be_rated(ctx, world_ids):
    case = new_case(world_ids)
    with pytest.raises(evaluations.EvaluationError):
        evaluations.rate(db.session, case, level=5, channel=EvaluationChannel.portal, now=COMPLETED, limits=limits())


def test_default_rating_after_the_configured_days_once(ctx, world_ids):
    case = completed_case(world_ids)
    assert evaluations.apply_defaults(db.session, datetime(2026, 10, 6, 9, 0), None, days=7, level=3) == 0
    assert evaluations.apply_defaults(db.session, datetime(2026, 10, 7, 11, 0), None, days=7, level=3) == 1
    assert evaluations.apply_defaults(db.session, datetime(2026, 10, 7, 12, 0), None, days=7, level=3) == 0
    rated = db.session.scalar(sa.select(Evaluation).where(Evaluation.case_id == case.id))
    assert rated.is_default and rated.level == 3 and rated.channel is EvaluationChannel.default
    with pytest.raises(evaluations.EvaluationError):  # 'once': the default counts as the rating
        evaluations.rate(db.session, case, level=1, channel=EvaluationChannel.default, now=COMPLETED, limits=limits())


def test_rectification_steps_in_order_by_the_right_people_and_overdue_flags(ctx, world_ids):
    case = completed_case(world_ids)
    evaluations.rate(db.session, case, level=1, channel=EvaluationChannel.phone, now=COMPLETED, limits=limits())
    db.session.commit()
    item = db.session.scalar(sa.select(Rectification))
    with pytest.raises(rectifications.RectificationError):  # another department's chief
        rectifications.contact(db.session, actor("chief_b"), item, item.version, COMPLETED, note="已电话联系")
    with pytest.raises(rectifications.RectificationError):  # out of order
        rectifications.rectify(db.session, actor("chief_a"), item, item.version, COMPLETED, measures="整改")
    with pytest.raises(rectifications.RectificationError):  # no note
        rectifications.contact(db.session, actor("chief_a"), item, item.version, COMPLETED, note="  ")
    assert rectifications.flag_overdue(db.session, datetime(2026, 10, 8, 17, 0)) == 0
    assert rectifications.flag_overdue(db.session, datetime(2026, 10, 8, 17, 31)) == 3  # chief, supervisor, manager
    assert rectifications.flag_overdue(db.session, datetime(2026, 10, 9, 9, 0)) == 0
    rectifications.contact(
        db.session, actor("chief_a"), item, item.version, datetime(2026, 10, 9, 9, 0), note="已电话联系"
    )
    db.session.commit()
    rectifications.rectify(
        db.session, actor("supervisor"), item, item.version, datetime(2026, 10, 10, 9, 0), measures="约谈窗口人员"
    )
    db.session.commit()
    with pytest.raises(rectifications.RectificationError):
        rectifications.close(
            db.session, actor("chief_a"), item, item.version, datetime(2026, 10, 12, 9, 0), verdict="maybe"
        )
    rectifications.close(
        db.session, actor("chief_a"), item, item.version, datetime(2026, 10, 12, 9, 0), verdict="satisfied"
    )
    db.session.commit()
    assert item.status is RectificationStatus.closed
    rates = rectifications.rates(db.session, datetime(2026, 9, 1), datetime(2026, 11, 1))
    assert rates == {"opened": 1, "callback_rate": 1.0, "rectification_rate": 1.0}


def _file(**overrides):
    filing = complaints.Filing(
        subject="窗口人员态度差", content="办理营业执照时被推诿", complainant_phone="13800001234", **overrides
    )
    return filing


def test_complaint_walks_every_stage_with_limits_across_a_holiday_and_sanctions(ctx, world_ids):
    now = datetime(2026, 9, 30, 16, 0)
    complaint = complaints.file(
        db.session,
        _file(department_id=world_ids["dept_a"], staff_id=world_ids["staff_staff_a"], window_id=world_ids["win_a"]),
        ComplaintChannel.portal,
        world_ids["county"],
        now,
        complaint_limits(),
    )
    db.session.commit()
    assert complaint.stage is ComplaintStage.received
    assert complaint.stage_due_at == datetime(2026, 10, 8, 17, 30)  # 1 working day, after National Day
    assert complaint.due_at == datetime(2026, 10, 20, 17, 30)  # 10 working days, 10 Oct (a Saturday) among them

    def step(who, action, when, **inputs):
        complaints.act(db.session, actor(who), complaint, complaint.version, when, complaint_limits(), action, **inputs)
        db.session.commit()

    refusals = [
        ("staff_a", "receive", {}),  # window staff never
        ("chief_a", "receive", {}),  # the chief representative does not receive
        ("supervisor", "investigate", {}),  # wrong stage
    ]
    for who, action, inputs in refusals:
        with pytest.raises(complaints.ComplaintError):
            complaints.act(
                db.session, actor(who), complaint, complaint.version, now, complaint_limits(), action, **inputs
            )
        db.session.rollback()
    with pytest.raises(complaints.ComplaintError):  # stale version
        complaints.act(
            db.session, actor("supervisor"), complaint, complaint.version - 1, now, complaint_limits(), "receive"
        )
    db.session.rollback()
    step("supervisor", "receive", datetime(2026, 10, 8, 9, 0))
    assert complaint.handler_id == world_ids["user_supervisor"]
    with pytest.raises(complaints.ComplaintError):  # a finding is required
        step("chief_a", "investigate", datetime(2026, 10, 9, 9, 0), note="核实")
    db.session.rollback()
    with pytest.raises(complaints.ComplaintError):  # another department's chief
        step("chief_b", "investigate", datetime(2026, 10, 9, 9, 0), finding="substantiated", note="核实")
    db.session.rollback()
    step("chief_a", "investigate", datetime(2026, 10, 9, 9, 0), finding="substantiated", note="调取录像，情况属实")
    step(
        "chief_a",
        "handle",
        datetime(2026, 10, 10, 9, 0),
        note="已批评教育当事人",
        sanctions=["criticism", "yellow_card"],
    )
    step("supervisor", "callback", datetime(2026, 10, 12, 9, 0), note="投诉人表示满意", satisfied="yes")
    step("manager", "archive", datetime(2026, 10, 12, 10, 0))
    assert complaint.stage is ComplaintStage.archived and complaint.closed_at == datetime(2026, 10, 12, 10, 0)
    sanctions = db.session.scalars(sa.select(Sanction).order_by(Sanction.id)).all()
    assert [(s.kind.name, s.staff_id, s.window_id) for s in sanctions] == [
        ("criticism", world_ids["staff_staff_a"], world_ids["win_a"]),
        ("yellow_card", world_ids["staff_staff_a"], world_ids["win_a"]),
    ]


def test_complaint_stage_overdue_is_flagged_once(ctx, world_ids):
    complaint = complaints.file(
        db.session,
        _file(department_id=world_ids["dept_a"]),
        ComplaintChannel.phone,
        world_ids["county"],
        datetime(2026, 9, 30, 16, 0),
        complaint_limits(),
    )
    db.session.commit()
    assert complaints.flag_overdue(db.session, datetime(2026, 10, 8, 17, 0), None) == 0
    assert complaints.flag_overdue(db.session, datetime(2026, 10, 8, 18, 0), None) == 2  # supervisor, manager
    assert complaints.flag_overdue(db.session, datetime(2026, 10, 9, 9, 0), datetime(2026, 10, 8, 18, 0)) == 0
    assert count(Notice, Notice.key == f"complaint:{complaint.id}:received") == 2


@pytest.mark.parametrize(
    "overrides",
    [
        {"subject": ""},
        {"subject": "x" * 101},
        {"content": "x" * 2001},
        {"complainant_phone": "abc"},
        {"complainant_phone": "'; DROP TABLE complaint;--"},
        {"department_id": 999999},
        {"content": "nul\0byte"},
    ],
)
def test_bad_filings_are_refused_and_nothing_is_stored(ctx, world_ids, overrides):
    filing = _file()
    for key, value in overrides.items():
        setattr(filing, key, value)
    with pytest.raises(complaints.ComplaintError):
        complaints.file(
            db.session, filing, ComplaintChannel.portal, world_ids["county"], datetime(2026, 9, 30), complaint_limits()
        )
    db.session.rollback()
    assert count(complaints.Complaint) == 0


def test_public_status_needs_both_number_and_phone_digits(ctx, world_ids):
    complaint = complaints.file(
        db.session,
        _file(),
        ComplaintChannel.portal,
        world_ids["county"],
        datetime(2026, 9, 30, 9, 0),
        complaint_limits(),
    )
    db.session.commit()
    assert complaints.public_status(db.session, complaint.number, "1234") == complaint
    assert complaints.public_status(db.session, complaint.number.lower(), "1234") == complaint
    assert complaints.public_status(db.session, complaint.number, "4321") is None
    assert complaints.public_status(db.session, "TS000", "1234") is None
    assert complaints.public_status(db.session, complaint.number, "12a4") is None


STEPS = [  # (action, the stage it applies to, inputs)
    ("receive", ComplaintStage.received, {}),
    ("investigate", ComplaintStage.investigating, {"finding": "substantiated", "note": "属实"}),
    ("handle", ComplaintStage.handling, {"note": "已整改", "sanctions": ["talk"]}),
    ("callback", ComplaintStage.replied, {"note": "满意", "satisfied": "yes"}),
    ("archive", ComplaintStage.called_back, {}),
]
ALLOWED = {
    "admin": {"receive", "investigate", "handle", "callback", "archive"},
    "supervisor": {"receive", "investigate", "handle", "callback", "archive"},
    "manager": {"receive", "investigate", "handle", "callback", "archive"},
    "chief_a": {"investigate", "handle"},  # the complained-about department's own chief representative
    "chief_b": set(),
    "staff_a": set(),
    "leader": set(),
}
MATRIX = [(who, action, stage, inputs) for who in ALLOWED for action, stage, inputs in STEPS]


@pytest.mark.parametrize(("who", "action", "stage", "inputs"), MATRIX, ids=[f"{m[0]}-{m[1]}" for m in MATRIX])
def test_every_stage_transition_by_role(ctx, world_ids, who, action, stage, inputs):
    complaint = complaints.file(
        db.session,
        _file(department_id=world_ids["dept_a"]),
        ComplaintChannel.phone,
        world_ids["county"],
        datetime(2026, 10, 12, 9, 0),
        complaint_limits(),
    )
    complaint.stage = stage
    db.session.commit()
    before = (complaint.stage, complaint.version)
    attempt = lambda: complaints.act(  # noqa: E731
        db.session,
        actor(who),
        complaint,
        complaint.version,
        datetime(2026, 10, 13, 9, 0),
        complaint_limits(),
        action,
        **inputs,
    )
    if action in ALLOWED[who]:
        attempt()
        db.session.commit()
        assert complaint.stage is complaints.ORDER[complaints.ORDER.index(stage) + 1]
    else:
        with pytest.raises(complaints.ComplaintError):
            attempt()
        db.session.rollback()
        db.session.expire_all()
        assert (complaint.stage, complaint.version) == before
    # Any other action in this stage is refused whoever asks.
    for other, other_stage, other_inputs in STEPS:
        if other_stage is not complaint.stage:
            with pytest.raises(complaints.ComplaintError):
                complaints.act(
                    db.session,
                    actor("supervisor"),
                    complaint,
                    complaint.version,
                    datetime(2026, 10, 13, 10, 0),
                    complaint_limits(),
                    other,
                    **other_inputs,
                )


def test_the_whole_complaint_past_its_limit_is_flagged_once(ctx, world_ids):
    complaint = complaints.file(
        db.session,
        _file(),
        ComplaintChannel.mailbox,
        world_ids["county"],
        datetime(2026, 9, 30, 16, 0),
        complaint_limits(),
    )
    complaint.stage_due_at = None  # only the whole limit matters here
    db.session.commit()
    assert complaints.flag_overdue(db.session, datetime(2026, 10, 20, 17, 0), None) == 0
    assert complaints.flag_overdue(db.session, datetime(2026, 10, 20, 17, 31), None) == 2
    assert complaints.flag_overdue(db.session, datetime(2026, 10, 21, 9, 0), None) == 0
    assert count(Notice, Notice.key == f"complaint-total:{complaint.id}") == 2
