"""Taking a rating as staff or the public give it (evaluations.capture): the center's settings, commit, rollback.

No request: the service takes the session, the case, the channel and `now`.
"""

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Evaluation, Rectification
from app.models.feedback import EvaluationChannel
from app.models.system import Setting
from app.services import evaluations
from tests.services.test_feedback import COMPLETED, completed_case, count


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


def configure(**values):
    for key, value in values.items():
        db.session.execute(sa.update(Setting).where(Setting.key == key).values(value=value))
    db.session.commit()


def test_a_captured_bad_review_is_committed_with_the_centers_rectification_limits(ctx, world_ids):
    case = completed_case(world_ids)
    configure(rectify_contact_days="2", rectify_days="3")
    forged = [*evaluations.TAGS, "<script>"]  # a ninth tag is past what a form carries: dropped, not refused
    evaluation = evaluations.capture(
        db.session, case, channel=EvaluationChannel.phone, now=COMPLETED, level="1", tags=forged, comment=" 态度生硬 "
    )
    db.session.rollback()  # committed by the service: nothing left to lose
    stored = db.session.get(Evaluation, evaluation.id)
    assert stored.level == 1 and stored.channel is EvaluationChannel.phone and not stored.is_default
    assert stored.tags == list(evaluations.TAGS) and stored.comment == "态度生硬"
    assert stored.staff_id == case.accepted_by_id and stored.department_id == case.department_id
    rectification = db.session.scalar(sa.select(Rectification))
    assert rectification.evaluation_id == evaluation.id and rectification.assignee_id == world_ids["staff_chief_a"]
    # 2 and 3 working days from the eve of National Day (1–7 October off, Saturday the 10th worked).
    assert rectification.contact_due_at == datetime(2026, 10, 9, 17, 30)
    assert rectification.rectify_due_at == datetime(2026, 10, 10, 17, 30)


def test_the_evaluation_rule_setting_decides_whether_another_channel_may_rate(ctx, world_ids):
    case = completed_case(world_ids)
    evaluations.capture(db.session, case, channel=EvaluationChannel.portal, now=COMPLETED, level=5)
    evaluations.capture(db.session, case, channel=EvaluationChannel.window_device, now=COMPLETED, level=4)
    configure(evaluation_rule="once")
    other = completed_case(world_ids)
    evaluations.capture(db.session, other, channel=EvaluationChannel.portal, now=COMPLETED, level=5)
    with pytest.raises(evaluations.EvaluationError, match="已评价"):
        evaluations.capture(db.session, other, channel=EvaluationChannel.phone, now=COMPLETED, level=2)
    assert count(Evaluation) == 3 and count(Rectification) == 0


def test_a_refusal_rolls_back_and_leaves_the_session_usable(ctx, world_ids, monkeypatch):
    case = completed_case(world_ids)
    evaluations.capture(db.session, case, channel=EvaluationChannel.portal, now=COMPLETED, level=2)
    # Two posts racing past the rule check: the unique constraint refuses the second one at flush.
    monkeypatch.setattr(evaluations, "already_rated", lambda *args: False)
    with pytest.raises(evaluations.EvaluationError, match="已评价"):
        evaluations.capture(db.session, case, channel=EvaluationChannel.portal, now=COMPLETED, level=1)
    assert count(Evaluation) == 1 and count(Rectification) == 1
    with pytest.raises(evaluations.EvaluationError, match="1 至 5"):
        evaluations.capture(db.session, case, channel=EvaluationChannel.phone, now=COMPLETED, level="")
    assert count(Evaluation) == 1
