"""全程代办 (seed 004 第十七条): a key project's case with its agent, free of charge, its 承办表
and one call-back after completion."""

from datetime import datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, CaseProxy, ProxyEntry
from app.models.proxy import CallbackVerdict
from app.services import green_channel, proxy
from app.services.proxy import Agent, ProxyError
from tests.services.test_case_flow import act, new_case

THU = datetime(2026, 11, 5, 10, 0)
WHO = Agent(staff_id=None, name="中心代办员")


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield db.session
        db.session.remove()


def assigned(world_ids, **extra):
    case = new_case(world_ids, now=THU)
    values = {"agent_id": world_ids["staff_staff_a"], "key_project": "年产万吨饲料加工项目", "free_declared": True}
    made = proxy.assign(db.session, WHO, THU, db.session.get(Case, case.id), **{**values, **extra})
    db.session.commit()
    return case, made


def proxy_count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(CaseProxy))


@pytest.mark.parametrize("fee", [None, "", "0", "0.00", 0, Decimal("0")])
def test_a_case_is_put_under_free_proxy_with_its_agent(ctx, world_ids, fee):
    case, made = assigned(world_ids, proxy_fee=fee)
    assert made.case_id == case.id and made.agent_id == world_ids["staff_staff_a"]
    assert made.proxy_fee == 0 and made.free_declared and made.assigned_at == THU


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"proxy_fee": "50"}, "代办费用必须为 0"),
        ({"proxy_fee": "0.01"}, "代办费用必须为 0"),
        ({"proxy_fee": "abc"}, "代办费用必须为 0"),
        ({"proxy_fee": "NaN"}, "代办费用必须为 0"),
        ({"free_declared": False}, "请勾选"),
        ({"key_project": "  "}, "重点项目"),
        ({"agent_id": 99999}, "代办员"),
        ({"agent_id": "1"}, "代办员"),
    ],
)
def test_a_fee_or_a_missing_declaration_is_refused_and_nothing_saved(ctx, world_ids, extra, message):
    case = new_case(world_ids, now=THU)
    values = {"agent_id": world_ids["staff_staff_a"], "key_project": "重点项目", "free_declared": True, **extra}
    with pytest.raises(ProxyError, match=message):
        proxy.assign(db.session, WHO, THU, db.session.get(Case, case.id), **values)
    db.session.rollback()
    assert proxy_count() == 0


def test_one_proxy_per_case(ctx, world_ids):
    case, _made = assigned(world_ids)
    with pytest.raises(ProxyError, match="已设为全程代办"):
        proxy.assign(
            db.session,
            WHO,
            THU,
            db.session.get(Case, case.id),
            agent_id=world_ids["staff_chief_a"],
            key_project="另一项目",
            free_declared=True,
        )
    db.session.rollback()
    assert proxy_count() == 1


def test_the_database_refuses_a_proxy_fee_too(ctx, world_ids):
    _case, made = assigned(world_ids)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(CaseProxy).where(CaseProxy.id == made.id).values(proxy_fee=Decimal("5")))
    db.session.rollback()


def test_the_undertaking_sheet_lists_what_was_handled_when_and_by_whom(ctx, world_ids):
    _case, made = assigned(world_ids)
    staff = Agent(staff_id=world_ids["staff_staff_a"], name="测试staff_a")
    proxy.add_entry(db.session, staff, datetime(2026, 11, 6, 9, 0), made, handled="代为领取并填写申请表")
    proxy.add_entry(
        db.session, staff, datetime(2026, 11, 9, 16, 0), made, handled="陪同现场踏勘", at=datetime(2026, 11, 6, 8, 0)
    )
    db.session.commit()
    db.session.expire_all()
    rows = [(e.at, e.handled, e.staff_name, e.staff_id) for e in db.session.get(CaseProxy, made.id).entries]
    assert rows == [
        (datetime(2026, 11, 6, 8, 0), "陪同现场踏勘", "测试staff_a", world_ids["staff_staff_a"]),
        (datetime(2026, 11, 6, 9, 0), "代为领取并填写申请表", "测试staff_a", world_ids["staff_staff_a"]),
    ]
    for bad in (
        {"handled": ""},
        {"handled": "x" * 501},
        {"handled": "a", "at": datetime(2026, 11, 7)},
        {"handled": "a", "at": datetime(2026, 11, 1)},
        {"handled": "a", "at": "昨天"},
    ):
        with pytest.raises(ProxyError):
            proxy.add_entry(db.session, staff, datetime(2026, 11, 6, 10, 0), made, **bad)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProxyEntry)) == 2


def test_a_call_back_after_completion_once(ctx, world_ids):
    case, made = assigned(world_ids)
    with pytest.raises(ProxyError, match="办结后"):
        proxy.record_callback(db.session, WHO, THU, made, verdict="satisfied")
    assert db.session.scalars(proxy.awaiting_callback()).all() == []
    act(case, "complete", now=datetime(2026, 11, 9, 10, 0), approved=True)
    assert [p.id for p in db.session.scalars(proxy.awaiting_callback())] == [made.id]
    with pytest.raises(ProxyError, match="不满意"):
        proxy.record_callback(db.session, WHO, datetime(2026, 11, 10, 9, 0), made, verdict="dissatisfied")
    with pytest.raises(ProxyError, match="评价"):
        proxy.record_callback(db.session, WHO, datetime(2026, 11, 10, 9, 0), made, verdict="great")
    proxy.record_callback(
        db.session, WHO, datetime(2026, 11, 10, 9, 0), made, verdict=CallbackVerdict.basically_satisfied, note="材料多"
    )
    db.session.commit()
    with pytest.raises(ProxyError, match="已回访"):
        proxy.record_callback(db.session, WHO, datetime(2026, 11, 11, 9, 0), made, verdict="satisfied")
    db.session.expire_all()
    stored = db.session.get(CaseProxy, made.id)
    assert (stored.callback_at, stored.callback_verdict, stored.callback_note, stored.callback_by) == (
        datetime(2026, 11, 10, 9, 0),
        CallbackVerdict.basically_satisfied,
        "材料多",
        "中心代办员",
    )
    assert db.session.scalars(proxy.awaiting_callback()).all() == []
    got = green_channel.counts(db.session, datetime(2026, 11, 1), datetime(2026, 12, 1))
    assert got == {"urgent": 0, "urgent_on_time": 0, "proxy": 1, "callbacks": 1}
