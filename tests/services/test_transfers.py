"""Village requests (接件登记 → 转交) as service calls with a fixed `now`: register, forward,
confirm receipt in time or be flagged, return with a reason, accept into a case; the proxy fee
is refused; two receivers at once: exactly one wins."""

import io
import threading
from datetime import datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, CaseStatus, Channel, Matter, Notice, NoticeKind, Setting
from app.models.case import ApplicantType
from app.models.transfer import StoredFile, Transfer, TransferAction, TransferEvent, TransferStatus
from app.services import transfers
from app.services.case_flow import Clock
from app.services.transfers import Destination, StaleTransfer, TransferError, VillageRequest
from tests.transfer_world import ID_NUMBER, actor, build_network

MON = datetime(2026, 9, 28, 10, 0)  # a Monday; Tuesday 29 September is a working day


@pytest.fixture
def network(app, world_ids):
    return build_network(app, world_ids)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield db.session
        db.session.remove()


def request_for(ids, **extra):
    matter = db.session.get(Matter, ids["matter_a"])
    values = dict(
        matter_id=matter.id,
        applicant_name="王五",
        applicant_id_number=ID_NUMBER,
        applicant_phone="13800001234",
        material_ids=tuple(m.id for m in matter.materials),
    )
    return VillageRequest(**{**values, **extra})


def registered(ids, now=MON, **extra):
    transfer = transfers.register(db.session, actor("tw_agent"), now, request_for(ids, **extra))
    db.session.commit()
    return transfer


def to_town(ids):
    return Destination(ids["town"])


def to_county(ids):
    return Destination(ids["county"], ids["dept_a"])


def sent(ids, now=MON, where=None):
    transfer = registered(ids, now)
    transfers.forward(db.session, actor("tw_agent"), now, transfer, transfer.version, where or to_town(ids))
    db.session.commit()
    return transfer


def events(transfer):
    return [
        e.action
        for e in db.session.scalars(
            sa.select(TransferEvent).where(TransferEvent.transfer_id == transfer.id).order_by(TransferEvent.id)
        )
    ]


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_register_at_the_village_point(ctx, network):
    transfer = registered(network)
    assert transfer.status is TransferStatus.registered
    assert transfer.from_center_id == network["village"] and transfer.from_staff_id == network["staff_tw_agent"]
    assert transfer.number.startswith("ZJ20260928") and len(transfer.number) == 16
    assert transfer.material_ids == sorted(request_for(network).material_ids)
    assert events(transfer) == [TransferAction.register]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"applicant_name": "  "}, "请填写申请人姓名"),
        ({"applicant_id_number": "110105194912310021"}, "身份证号码"),
        ({"applicant_phone": "12ab"}, "电话"),
        ({"applicant_phone": "2812345"}, "带区号的固定电话"),  # a landline without its area code
        (
            {"applicant_type": ApplicantType.organisation, "applicant_id_number": "91410102MA9XXXXX1A"},
            "统一社会信用代码",
        ),
        ({"matter_id": 999999}, "事项"),
        ({"material_ids": (999999,)}, "只能勾选本事项的申请材料"),
    ],
)
def test_register_refuses_bad_input_and_stores_nothing(ctx, network, change, message):
    before = count(Transfer)
    with pytest.raises(TransferError, match=message):
        transfers.register(db.session, actor("tw_agent"), MON, request_for(network, **change))
    db.session.rollback()
    assert count(Transfer) == before


@pytest.mark.parametrize("fee", ["5", "0.01", 1, "-1", "NaN", "Infinity", "免费"])
def test_a_proxy_fee_is_never_taken(ctx, network, fee):
    with pytest.raises(TransferError, match="代办服务一律免费"):
        transfers.register(db.session, actor("tw_agent"), MON, request_for(network, proxy_fee=fee))
    db.session.rollback()
    assert count(Transfer) == 0


@pytest.mark.parametrize("fee", [None, "", "0", "0.00", 0])
def test_no_fee_or_zero_is_accepted(ctx, network, fee):
    assert registered(network, proxy_fee=fee).status is TransferStatus.registered


def test_only_a_village_agent_registers(ctx, network):
    for who in ("tw_town", "staff_a", "manager"):
        with pytest.raises(TransferError):
            transfers.register(db.session, actor(who), MON, request_for(network))
        db.session.rollback()


def test_a_matter_the_village_level_may_not_receive_is_refused(ctx, network):
    matter = db.session.get(Matter, network["matter_a"])
    matter.received_at_village = False
    db.session.commit()
    with pytest.raises(TransferError, match="不在"):
        transfers.register(db.session, actor("tw_agent"), MON, request_for(network))


def test_forward_to_the_township_sets_the_receipt_due_time(ctx, network):
    transfer = sent(network)
    assert transfer.status is TransferStatus.sent
    assert (transfer.to_center_id, transfer.to_department_id) == (network["town"], None)
    assert transfer.sent_at == MON
    # 1 working day (the default): closing time of the next working day.
    assert transfer.confirm_due_at == datetime(2026, 9, 29, 17, 30)
    assert events(transfer) == [TransferAction.register, TransferAction.forward]


def test_sent_after_closing_counts_from_the_next_day(ctx, network):
    evening = datetime(2026, 9, 28, 18, 0)
    transfer = sent(network, now=evening)
    assert transfer.confirm_due_at == datetime(2026, 9, 30, 17, 30)


def test_the_due_time_follows_the_setting(ctx, network):
    db.session.execute(sa.update(Setting).where(Setting.key == "transfer_confirm_days").values(value="2"))
    db.session.commit()
    assert sent(network).confirm_due_at == datetime(2026, 9, 30, 17, 30)


def test_forward_directly_to_the_county_window(ctx, network):
    transfer = sent(network, where=Destination(network["county"], network["dept_a"], network["win_a"]))
    assert (transfer.to_center_id, transfer.to_department_id, transfer.to_window_id) == (
        network["county"],
        network["dept_a"],
        network["win_a"],
    )


def test_forward_offers_only_the_network_above_and_the_matters_department(ctx, network):
    transfer = registered(network)
    choices = {d for d, _label in transfers.destinations(db.session, transfer.from_center_id, transfer.matter)}
    assert Destination(network["town"]) in choices
    assert Destination(network["county"], network["dept_a"]) in choices
    assert Destination(network["town2"]) not in choices
    for wrong in (
        Destination(network["town2"]),
        Destination(network["county"]),  # the county hall, but no department
        Destination(network["county"], network["dept_b"]),  # not the matter's department
        Destination(network["county"], network["dept_a"], network["win_b"]),  # another department's window
        None,
    ):
        with pytest.raises(TransferError, match="请选择转交去向"):
            transfers.forward(db.session, actor("tw_agent"), MON, transfer, transfer.version, wrong)
        db.session.rollback()
    assert db.session.get(Transfer, transfer.id).status is TransferStatus.registered


def test_only_the_sending_point_forwards(ctx, network):
    transfer = registered(network)
    for who in ("tw_agent2", "tw_town"):
        with pytest.raises(TransferError, match="只有转出方"):
            transfers.forward(db.session, actor(who), MON, transfer, transfer.version, to_town(network))
        db.session.rollback()


def test_receipt_in_time_is_not_flagged(ctx, network):
    transfer = sent(network)
    transfers.receive(db.session, actor("tw_town"), datetime(2026, 9, 29, 9, 0), transfer, transfer.version)
    db.session.commit()
    assert transfer.status is TransferStatus.received and transfer.received_by_id == network["staff_tw_town"]
    assert transfers.flag_overdue(db.session, datetime(2026, 9, 30, 9, 0)) == 0
    assert db.session.get(Transfer, transfer.id).flagged_at is None


def test_receipt_overdue_is_flagged_once_and_told_to_the_receiver_and_the_center(ctx, network):
    transfer = sent(network)
    assert transfers.flag_overdue(db.session, datetime(2026, 9, 29, 17, 30)) == 0  # due, not past
    late = datetime(2026, 9, 29, 17, 31)
    rows = transfers.flag_overdue(db.session, late)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Transfer, transfer.id).flagged_at == late
    told = set(db.session.scalars(sa.select(Notice.user_id).where(Notice.kind == NoticeKind.transfer_overdue)))
    # The township's clerk (not the other township's, not the agent) and the center's supervisors.
    assert network["user_tw_town"] in told
    assert {network["user_supervisor"], network["user_manager"]} <= told
    assert not told & {network["user_tw_town2"], network["user_tw_agent"], network["user_staff_a"]}
    assert rows == 1 + len(told)
    detail = db.session.scalar(sa.select(Notice.detail).where(Notice.kind == NoticeKind.transfer_overdue).limit(1))
    assert detail == f"转交件 {transfer.number}（东村便民服务点 王五）应于 2026-09-29 17:30 前确认接收，现已超时"
    # Idempotent: a second run writes nothing.
    assert transfers.flag_overdue(db.session, datetime(2026, 9, 30, 9, 0)) == 0
    assert events(transfer).count(TransferAction.flag) == 1
    # A late receipt still works and clears the notices.
    transfers.receive(db.session, actor("tw_town"), datetime(2026, 9, 30, 9, 0), transfer, transfer.version)
    db.session.commit()
    unread = sa.select(sa.func.count()).where(Notice.kind == NoticeKind.transfer_overdue, Notice.read_at.is_(None))
    assert db.session.scalar(unread) == 0


def test_a_county_transfer_tells_the_department_not_the_township(ctx, network):
    sent(network, where=to_county(network))
    transfers.flag_overdue(db.session, datetime(2026, 9, 30, 9, 0))
    told = set(db.session.scalars(sa.select(Notice.user_id).where(Notice.kind == NoticeKind.transfer_overdue)))
    assert {network["user_staff_a"], network["user_chief_a"]} <= told
    assert not told & {network["user_tw_town"], network["user_staff_b"]}


def test_only_the_addressed_side_receives(ctx, network):
    transfer = sent(network)
    for who in ("tw_town2", "staff_a", "tw_agent"):
        with pytest.raises(TransferError):
            transfers.receive(db.session, actor(who), MON, transfer, transfer.version)
        db.session.rollback()
    county = sent(network, where=to_county(network))
    for who in ("staff_b", "tw_town"):
        with pytest.raises(TransferError, match="转往其他中心或部门"):
            transfers.receive(db.session, actor(who), MON, county, county.version)
        db.session.rollback()


def test_return_with_a_reason_comes_back_to_the_agent(ctx, network):
    transfer = sent(network)
    with pytest.raises(TransferError, match="请填写退回原因"):
        transfers.return_transfer(db.session, actor("tw_town"), MON, transfer, transfer.version, "  ")
    db.session.rollback()
    transfers.return_transfer(db.session, actor("tw_town"), MON, transfer, transfer.version, "缺少户口簿复印件")
    db.session.commit()
    assert transfer.status is TransferStatus.returned and transfer.return_reason == "缺少户口簿复印件"
    notice = db.session.scalar(sa.select(Notice).where(Notice.kind == NoticeKind.transfer_returned))
    assert notice.user_id == network["user_tw_agent"] and "缺少户口簿复印件" in notice.detail
    # The agent forwards it again (to the county this time); the return is in the history.
    transfers.forward(db.session, actor("tw_agent"), MON, transfer, transfer.version, to_county(network))
    db.session.commit()
    assert transfer.status is TransferStatus.sent and transfer.return_reason is None
    assert events(transfer)[-2:] == [TransferAction.return_transfer, TransferAction.forward]


def test_accept_into_a_case_with_its_clock_channel_proxy(ctx, network):
    transfer = sent(network, where=to_county(network))
    outcome = transfers.accept(
        db.session, actor("staff_a"), datetime(2026, 9, 29, 9, 0), transfer, transfer.version, Clock.load(db.session)
    )
    db.session.commit()
    case = db.session.get(Case, outcome.case.id)
    assert transfer.status is TransferStatus.accepted and transfer.case_id == case.id
    assert transfer.received_at == datetime(2026, 9, 29, 9, 0)  # receipt implied
    assert case.channel is Channel.proxy and case.status is CaseStatus.accepted
    assert case.deadline_at is not None and case.department_id == network["dept_a"]
    assert (case.applicant_name, case.applicant_id_number) == ("王五", ID_NUMBER)
    assert transfer.number in case.events[0].note
    # Nothing more can be done with it.
    for step in (
        lambda: transfers.return_transfer(db.session, actor("staff_a"), MON, transfer, transfer.version, "x"),
        lambda: transfers.receive(db.session, actor("staff_a"), MON, transfer, transfer.version),
    ):
        with pytest.raises(TransferError, match="已被"):
            step()
        db.session.rollback()


def test_accept_at_the_township(ctx, network):
    transfer = sent(network)
    transfers.receive(db.session, actor("tw_town"), MON, transfer, transfer.version)
    outcome = transfers.accept(db.session, actor("tw_town"), MON, transfer, transfer.version)
    db.session.commit()
    assert outcome.case.center_id == network["town"] and outcome.case.channel is Channel.proxy


def test_a_stale_version_is_refused(ctx, network):
    transfer = sent(network)
    old = transfer.version
    transfers.receive(db.session, actor("tw_town"), MON, transfer, old)
    db.session.commit()
    with pytest.raises(TransferError):
        transfers.return_transfer(db.session, actor("tw_town"), MON, transfer, old, "再看看")
    db.session.rollback()
    with pytest.raises(TransferError, match="版本号"):
        transfers.return_transfer(db.session, actor("tw_town"), MON, transfer, "abc", "再看看")
    db.session.rollback()
    received = db.session.get(Transfer, transfer.id)
    received_version = received.version
    with pytest.raises(StaleTransfer):
        transfers.return_transfer(db.session, actor("tw_town"), MON, received, received_version - 1, "再看看")
    db.session.rollback()
    assert db.session.get(Transfer, transfer.id).status is TransferStatus.received


def test_two_receivers_accept_at_once_exactly_one_wins(app, network):
    with app.app_context():
        transfer = sent(network, where=to_county(network))
        transfer_id, version = transfer.id, transfer.version
        db.session.remove()
    results, barrier = [], threading.Barrier(2)

    def attempt(name):
        with app.app_context():
            me = actor(name)
            row = db.session.get(Transfer, transfer_id)
            barrier.wait()
            try:
                transfers.accept(db.session, me, datetime(2026, 9, 29, 9, 0), row, version)
                db.session.commit()
                results.append("won")
            except TransferError as exc:
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
    with app.app_context():
        assert lost == str(transfers._DONE[TransferStatus.accepted])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in lost), lost  # told in Chinese
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 1
        assert db.session.get(Transfer, transfer_id).status is TransferStatus.accepted
        db.session.remove()


def test_scans_are_stored_with_the_request(ctx, network, tmp_path):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    limits = transfers.stored_files.Limits(1024 * 1024, ("pdf", "jpeg", "png"), tmp_path)
    transfer = transfers.register(
        db.session, actor("tw_agent"), MON, request_for(network, uploads=[(io.BytesIO(pdf), "户口簿.pdf")]), limits
    )
    db.session.commit()
    [stored] = transfer.files
    assert (stored.original_name, stored.content_type, stored.size) == ("户口簿.pdf", "application/pdf", len(pdf))
    assert (tmp_path / stored.storage_key).read_bytes() == pdf
    assert events(transfer)[-1] is TransferAction.attach


def test_a_bad_scan_refuses_the_whole_registration(ctx, network, tmp_path):
    limits = transfers.stored_files.Limits(1024 * 1024, ("pdf", "jpeg", "png"), tmp_path)
    good = (
        io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + b"\x00" * 17 + b"\x00\x00\x00\x00IEND\xaeB`\x82"),
        "a.png",
    )
    bad = (io.BytesIO(b"MZ\x90\x00" + b"\x00" * 200), "scan.pdf")
    with pytest.raises(transfers.stored_files.FileRefused):
        transfers.register(db.session, actor("tw_agent"), MON, request_for(network, uploads=[good, bad]), limits)
    db.session.rollback()
    assert count(Transfer) == 0 and count(StoredFile) == 0
    assert list(tmp_path.iterdir()) == []


def test_the_scan_runs_as_the_transfer_scan_job(ctx, network):
    from app.jobs import JOBS

    transfer = sent(network)
    job = JOBS["transfer_scan"]
    assert job.run(db.session, datetime(2026, 9, 29, 17, 0)) == 0
    assert job.run(db.session, datetime(2026, 9, 30, 8, 0)) > 0
    db.session.commit()
    assert db.session.get(Transfer, transfer.id).flagged_at == datetime(2026, 9, 30, 8, 0)
    assert job.run(db.session, datetime(2026, 9, 30, 8, 15)) == 0
