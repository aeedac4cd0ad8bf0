"""The network sheet (三级网络, issue 16.7): network_report's figures for a small month built by
hand — four report-up hand-offs from 城关镇 (three decided after 1, 2 and 4 working days, one
still waiting), one delivered, and a village agent's requests — and the county workbook's sheet
read back with openpyxl. Fixed `now` throughout."""

import io
from datetime import date, datetime, timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models.case import CaseStatus
from app.models.org import Center, CenterLevel, Staff
from app.models.transfer import Transfer, TransferKind, TransferStatus
from app.services import calendar, monthly_report, reports
from app.services.network_report import network_summary
from app.services.workday_sql import workdays_between
from tests.services import test_handoff
from tests.services.test_handoff import DELIVERED, act, escalated, fresh

# The handoff tests' township network (two townships, a TownshipStaff clerk each).
network, ctx = test_handoff.network, test_handoff.ctx
NOVEMBER = date(2026, 11, 1)
DECEMBER = datetime(2026, 12, 3, 9, 0)


def _decided_after(ctx, done_at):
    parent_id, child_id = escalated(ctx)  # sent Mon 2 Nov 09:00
    act(child_id, "accept_escalation", "staff_a", datetime(2026, 11, 2, 15, 0))  # 6 h later
    act(child_id, "complete", "staff_a", done_at, approved=True)
    return parent_id


def _agent_requests(ctx):
    """A village point below 城关镇 and its agent's requests: accepted, returned (its receipt
    flagged late), forwarded and awaiting receipt, registered only."""
    village = Center(code="XZ-T1-V1", name="东村便民服务站", level=CenterLevel.village, parent_id=ctx["town"])
    db.session.add(village)
    db.session.flush()
    agent = Staff(staff_no="N-AG", name="王代办", center_id=village.id, department_id=ctx["dept_a"])
    db.session.add(agent)
    db.session.flush()
    sent = datetime(2026, 11, 3, 9, 0)
    for number, status, received, extra in (
        ("ZJ-1", TransferStatus.accepted, datetime(2026, 11, 3, 11, 0), {"accepted_at": datetime(2026, 11, 3, 12)}),
        ("ZJ-2", TransferStatus.returned, datetime(2026, 11, 5, 9, 0), {"flagged_at": datetime(2026, 11, 4, 17)}),
        ("ZJ-3", TransferStatus.sent, None, {}),
        ("ZJ-4", TransferStatus.registered, None, {"sent_at": None}),
    ):
        db.session.add(
            Transfer(
                number=number,
                kind=TransferKind.village_request,
                status=status,
                from_center_id=village.id,
                from_staff_id=agent.id,
                to_center_id=ctx["town"],
                registered_at=sent,
                **{"sent_at": sent, "received_at": received, **extra},
                returned_at=received if status is TransferStatus.returned else None,
            )
        )
    db.session.commit()


@pytest.fixture
def month(ctx):
    first = _decided_after(ctx, datetime(2026, 11, 3, 10, 0))  # Tue: 1 working day
    _decided_after(ctx, datetime(2026, 11, 4, 10, 0))  # Wed: 2
    _decided_after(ctx, datetime(2026, 11, 6, 16, 0))  # Fri: 4
    escalated(ctx)  # still at the county
    act(first, "deliver", "town_a", DELIVERED, method="in_person", receiver="李四")  # Thu 5 Nov 15:00
    _agent_requests(ctx)
    return {**ctx, "delivered": first}


def test_hand_offs_per_township_in_working_days(month):
    summary = network_summary(db.session, month["county"], NOVEMBER)
    (handoff,) = summary.handoffs
    assert (handoff.center_id, handoff.sent, handoff.decided, handoff.open) == (month["town"], 4, 3, 1)
    assert handoff.workdays == round(7 / 3, 1) and handoff.median_workdays == 2.0
    assert handoff.hours_to_acceptance == 6.0  # the open one was never accepted
    # Another month, a township's own subtree, a sibling township: only what is in them.
    assert network_summary(db.session, month["county"], date(2026, 10, 1)).handoffs == []
    assert len(network_summary(db.session, month["town"], NOVEMBER).handoffs) == 1
    assert network_summary(db.session, month["town_b"], NOVEMBER).handoffs == []


def test_median_of_an_even_count_with_ties(month):
    """Working days 1, 2, 4, 4: the median is the mean of the two middle ones, whatever the ties."""
    _decided_after(month, datetime(2026, 11, 6, 11, 0))  # Fri: 4 again
    (handoff,) = network_summary(db.session, month["county"], NOVEMBER).handoffs
    assert (handoff.sent, handoff.decided, handoff.open) == (5, 4, 1)
    assert handoff.median_workdays == 3.0 and handoff.workdays == round(11 / 4, 1)


def test_cases_per_center_and_level_count_as_the_monthly_report(month):
    summary = network_summary(db.session, month["county"], NOVEMBER)
    by_center = {line.center_id: line for line in summary.centers}
    town, county = by_center[month["town"]], by_center[month["county"]]
    assert (town.accepted, town.completed) == (4, 1)  # the delivered one closed at the township
    assert (county.accepted, county.completed, county.on_time) == (3, 3, 3)
    figures = monthly_report.compute(db.session, month["county"], NOVEMBER)
    for line in figures.lines["center"]:
        mine = by_center[line.key]
        assert [getattr(mine, name) for name in ("accepted", "completed", "on_time", "overdue")] == [
            line.values[name] for name in ("accepted", "completed", "on_time", "overdue")
        ], line.name
    assert summary.levels[CenterLevel.township]["accepted"] == 4
    assert summary.levels[CenterLevel.county]["completed"] == 3


def test_deliveries_and_agents(month):
    summary = network_summary(db.session, month["county"], NOVEMBER)
    town = next(line for line in summary.centers if line.center_id == month["town"])
    parent = fresh(month["delivered"])
    assert town.delivered == 1
    assert town.delivery_days == round((DELIVERED - parent.accepted_at).total_seconds() / 86400, 1)
    assert town.result_days == round(53 / 24, 1)  # Tue 3 Nov 10:00 → Thu 5 Nov 15:00
    (agent,) = summary.agents
    assert (agent.name, agent.center) == ("王代办", "东村便民服务站")
    assert (agent.requests, agent.forwarded, agent.accepted, agent.returned, agent.flagged) == (4, 3, 1, 1, 1)
    assert agent.hours_to_receipt == round((2 + 48) / 2, 1)
    assert summary.headline == {"handoffs": 4, "handoffs_open": 1, "delivered": 1, "village_requests": 4}


def test_working_days_in_sql_agree_with_the_calendar(ctx):
    """National Day 2026 (1–7 Oct off, Sat 26 Sep and Sat 10 Oct worked) and plain weeks."""
    work_calendar = calendar.load(db.session)
    dialect = db.session.get_bind().dialect.name
    spans = [
        (datetime(2026, 9, 25, 16, 0), datetime(2026, 10, 12, 9, 0)),
        (datetime(2026, 9, 30, 9, 0), datetime(2026, 10, 8, 9, 0)),
        (datetime(2026, 10, 9, 9, 0), datetime(2026, 10, 10, 17, 0)),
        (datetime(2026, 11, 2, 9, 0), datetime(2026, 11, 2, 17, 0)),
        (datetime(2026, 11, 6, 9, 0), datetime(2026, 11, 9, 9, 0)),
        (datetime(2026, 11, 7, 9, 0), datetime(2026, 12, 31, 9, 0)),
    ]
    for earlier, later in spans:
        expected = work_calendar.workdays_between(earlier.date(), later.date())
        found = db.session.scalar(sa.select(workdays_between(dialect, sa.literal(earlier), sa.literal(later))))
        assert found == expected, (earlier, later)


def test_the_county_decision_stores_the_calendars_working_days(ctx):
    """Stored on the child with the county's decision, in the calendar's count: over National Day
    2026 (weekday holidays not counted, the makeup Saturday 10 Oct counted), and a return decided
    on that Saturday. Undecided, or withdrawn with its township case: nothing stored."""
    work_calendar = calendar.load(db.session)
    for sent, decided, action, inputs in (
        (datetime(2026, 9, 25, 16, 0), datetime(2026, 10, 12, 9, 0), "complete", {"approved": True}),
        (datetime(2026, 10, 9, 9, 0), datetime(2026, 10, 10, 17, 0), "return_case", {"reason": "材料不符合法定形式"}),
    ):
        _, child_id = escalated(ctx, at=sent)
        act(child_id, "accept_escalation", "staff_a", sent.replace(hour=sent.hour + 1))
        assert fresh(child_id).handoff_workdays is None
        act(child_id, action, "staff_a", decided, **inputs)
        expected = work_calendar.workdays_between(sent.date(), decided.date())
        weekdays = sum(
            1 for n in range(1, (decided.date() - sent.date()).days + 1) if (sent + timedelta(n)).weekday() < 5
        )
        assert fresh(child_id).handoff_workdays == expected != weekdays, (sent, decided)
    parent_id, child_id = escalated(ctx)
    act(parent_id, "withdraw", "town_a", datetime(2026, 11, 3, 9, 0), note="申请人书面申请撤回")
    assert fresh(child_id).status is CaseStatus.withdrawn and fresh(child_id).handoff_workdays is None


def _sheet_rows(report):
    sheet = openpyxl.load_workbook(io.BytesIO(report.file))["三级网络"]
    return [row for row in sheet.iter_rows(values_only=True)]


def _table(rows, heading):
    """The rows of the table under `heading`, as dicts by its header, up to the blank row."""
    start = next(i for i, row in enumerate(rows) if row[0] == heading)
    header = rows[start + 1]
    table = []
    for row in rows[start + 2 :]:
        if row[0] is None:
            break
        table.append({label: value for label, value in zip(header, row, strict=False) if label})
    return table


def test_the_county_workbook_has_the_network_sheet(month):
    county = db.session.get(Center, month["county"])
    report = reports.generate(
        db.session, county, NOVEMBER, DECEMBER, "测试", calendar=calendar.load(db.session), due_workday=5
    )
    rows = _sheet_rows(report)
    assert rows[0][0] == "示范县政务服务中心 2026年11月三级网络运行情况"
    levels = {row["层级"]: row for row in _table(rows, "一、各层级办件")}
    assert levels["乡镇便民服务中心"]["受理"] == 4 and levels["乡镇便民服务中心"]["送达"] == 1
    assert levels["县级政务服务中心"]["按时办结率"] == 1.0
    centers = {row["服务中心"]: row for row in _table(rows, "二、各中心办件")}
    assert centers["城关镇便民服务中心"]["层级"] == "乡镇便民服务中心"
    handoffs = _table(rows, "三、上报件（乡镇受理、上报县政务大厅窗口办理）")
    assert handoffs[0] == {
        "乡镇便民服务中心": "城关镇便民服务中心",
        "上报件数": 4,
        "县级已办结": 3,
        "尚未办结": 1,
        "上报至县级办结平均工作日": 2.3,
        "上报至县级办结中位工作日": 2,
        "上报至县级受理平均小时": 6,
    }
    assert handoffs[-1]["乡镇便民服务中心"] == "合计" and handoffs[-1]["上报件数"] == 4
    (agent, total) = _table(rows, "四、村级代办（按代办员）")
    assert (agent["代办员"], agent["登记"], agent["转交"], agent["受理成件"], agent["退回"]) == ("王代办", 4, 3, 1, 1)
    assert agent["超时未确认接收"] == 1 and total["登记"] == 4
    (delivery, _) = _table(rows, "五、结果送达")
    assert delivery["送达件数"] == 1 and delivery["县级办结至送达平均天数"] == round(53 / 24, 1)
    assert report.figures["handoffs"] == 4 and report.figures["delivered"] == 1
    # A township's own report has no network sheet.
    town = reports.generate(
        db.session,
        db.session.get(Center, month["town"]),
        NOVEMBER,
        DECEMBER,
        "测试",
        calendar=calendar.load(db.session),
        due_workday=5,
    )
    assert "三级网络" not in openpyxl.load_workbook(io.BytesIO(town.file)).sheetnames
    assert "handoffs" not in town.figures
    db.session.rollback()
