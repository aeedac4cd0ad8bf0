"""The front of the hall, counted (issue 18.5): a hand-computed December day of tickets, inquiries,
appointments and cases, read whole, by a department user's scope, and live."""

import io
from datetime import date, datetime, time
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AssessmentRule
from app.models.appointment import AppointmentChannel, AppointmentSlot, DelayedOpening
from app.models.assessment import AssessmentTrigger
from app.models.org import Center
from app.models.system import Setting
from app.services import appointments, assessment, bulletins, hall_figures, inquiries, queue, reports
from app.services import calendar as calendar_service
from app.services.appointments import Booking
from app.services.queue import Desk
from app.services.scope import Kind, Scope
from tests.services.test_case_flow import actor, new_case
from tests.services.test_queue import make_groups

DAY = date(2026, 12, 1)  # a Tuesday
NOW = datetime(2026, 12, 3, 9, 0)
START, END = date(2026, 12, 1), date(2027, 1, 1)


def at(hour, minute=0, day=DAY):
    return datetime.combine(day, time(hour, minute))


def desk(ids, window):
    return Desk(staff_id=ids["staff_staff_a"], window_id=ids[window])


def hall_day(ids, groups):
    """Group A (市场监管): A001 09:00 called 09:10 at A01 (wait 10 min) and finished; A002 09:05
    called 09:20 at A01 (15 min) and skipped; A003 10:00 called 10:40 at C01 (40 min), finished;
    A004 10:30 never called: abandoned at close. Group B (公安): B001 09:00 called 09:30 at B01
    (30 min), finished."""
    s, county = db.session, ids["county"]
    for number, hour, minute in (("A", 9, 0), ("A", 9, 5), ("A", 10, 0), ("A", 10, 30), ("B", 9, 0)):
        queue.issue(s, county, groups[number], at(hour, minute))
    queue.call_next(s, desk(ids, "win_a"), at(9, 10))
    queue.call_next(s, desk(ids, "win_a"), at(9, 20))  # finishes A001
    queue.skip(s, desk(ids, "win_a"), at(9, 25))
    queue.call_next(s, desk(ids, "win_c"), at(10, 40))
    queue.finish(s, desk(ids, "win_c"), at(10, 50))
    queue.call_next(s, Desk(staff_id=ids["staff_staff_b"], window_id=ids["win_b"]), at(9, 30))
    queue.finish(s, Desk(staff_id=ids["staff_staff_b"], window_id=ids["win_b"]), at(9, 45))
    queue.abandon_scan(s, at(17, 30))
    s.commit()


@pytest.fixture
def world(db_session, world_ids):
    groups = make_groups(db_session, world_ids)
    hall_day(world_ids, groups)
    # Inquiries: one answered on the spot at A (closed), one referred by A to B (open, due 12-04).
    inquiries.record(
        db.session,
        actor("staff_a"),
        at(9),
        channel="walk_in",
        inquirer_name="李",
        phone=None,
        topic="营业执照",
        answer="当场答复",
    )
    inquiries.record(
        db.session,
        actor("staff_a"),
        at(10),
        channel="phone",
        inquirer_name="王",
        phone="13800001234",
        topic="户口迁移",
        referred_staff_id=world_ids["staff_staff_b"],
    )
    # Appointments of group A on 12-01: 09:00 kept (checked in), 09:30 and 10:00 no-shows, 10:30 cancelled.
    group = db.session.get(queue.WindowGroup, groups["A"])
    booked_at = datetime(2026, 11, 30, 8, 0)
    appointments.ensure_slots(db.session, group, booked_at)
    made = []
    for n, (hour, minute) in enumerate(((9, 0), (9, 30), (10, 0), (10, 30))):
        slot = db.session.query(AppointmentSlot).filter_by(group_id=group.id, starts_at=at(hour, minute)).one()
        booking = Booking(slot_id=slot.id, name="张三", phone=f"1380000{n:04d}", id_last4="123X")
        made.append(appointments.book(db.session, booking, channel=AppointmentChannel.portal, now=booked_at))
    appointments.check_in(db.session, made[0], at(8, 50))
    appointments.cancel(db.session, made[3], datetime(2026, 11, 30, 9, 0))
    appointments.mark_no_shows(db.session, at(18))
    db.session.commit()
    # Cases in December: an urgent one at A, an evening delayed-service one at A, a plain one at B.
    new_case(world_ids, now=at(11), urgent=True)
    db.session.add(
        DelayedOpening(center_id=world_ids["county"], day=DAY, starts=time(17, 30), ends=time(19, 0), note="延时")
    )
    db.session.commit()
    new_case(world_ids, now=at(18, 10))
    new_case(world_ids, who="staff_b", matter="matter_b", now=at(11))
    return groups


def test_the_hall_month_by_hand(world, world_ids):
    everything = Scope(kind=Kind.everything)
    figures = hall_figures.figures(db.session, START, END, NOW, everything.clause)
    assert (figures.inquiries.received, figures.inquiries.closed, figures.inquiries.open) == (2, 1, 1)
    assert figures.inquiries.closure_rate == 0.5
    a = figures.appointments
    assert (a["kept"], a["no_show"], a["cancelled"]) == (1, 2, 1)
    assert figures.keep_rate == pytest.approx(1 / 3)
    t = figures.tickets
    assert (t["issued"], t["served"], t["abandoned"], t["skipped"], t["called"]) == (5, 3, 1, 1, 4)
    assert t["average_wait"] == pytest.approx((600 + 900 + 2400 + 1800) / 4)  # 1425 s
    assert t["longest_wait"] == 2400
    by_group = {g["prefix"]: g for g in figures.groups}
    assert (by_group["A"]["issued"], by_group["A"]["called"], by_group["A"]["longest_wait"]) == (4, 3, 2400)
    assert by_group["A"]["average_wait"] == pytest.approx(1300)
    assert (by_group["B"]["issued"], by_group["B"]["average_wait"]) == (1, 1800)
    by_hour = {h["hour"]: h for h in figures.hours}
    assert (by_hour[9]["issued"], by_hour[9]["called"], by_hour[9]["longest_wait"]) == (3, 3, 1800)
    assert by_hour[9]["average_wait"] == pytest.approx(1100)
    assert (by_hour[10]["issued"], by_hour[10]["called"], by_hour[10]["average_wait"]) == (2, 1, 2400)
    calls = {w["code"]: (w["calls"], w["served"], w["skipped"]) for w in figures.windows}
    assert calls == {"A01": (2, 1, 1), "B01": (1, 1, 0), "C01": (1, 1, 0)}
    assert (figures.cases["urgent"], figures.cases["proxy"], figures.cases["delayed"]) == (1, 0, 1)
    headline = figures.headline()
    assert headline["hall_wait_minutes"] == 23.8 and headline["hall_longest_wait_minutes"] == 40.0
    assert headline["hall_tickets"] == 5 and headline["hall_delayed_cases"] == 1


def test_a_department_user_counts_only_their_department(world, world_ids):
    police = Scope(kind=Kind.department, center_id=world_ids["county"], department_id=world_ids["dept_b"])
    figures = hall_figures.figures(db.session, START, END, NOW, police.clause)
    assert [g["prefix"] for g in figures.groups] == ["B"]
    assert (figures.tickets["issued"], figures.tickets["longest_wait"]) == (1, 1800)
    assert [w["code"] for w in figures.windows] == ["B01"]
    assert (figures.appointments["kept"], figures.appointments["no_show"]) == (0, 0)
    # The inquiry referred to the police is theirs; the one answered at A is not.
    assert (figures.inquiries.received, figures.inquiries.open) == (1, 1)
    assert (figures.cases["urgent"], figures.cases["delayed"]) == (0, 0)


def test_another_month_is_empty(world, world_ids):
    figures = hall_figures.figures(db.session, date(2026, 11, 1), date(2026, 12, 1), NOW, in_county(world_ids))
    assert figures.tickets["issued"] == 0 and figures.tickets["average_wait"] is None and figures.groups == []
    assert figures.keep_rate is None


def in_county(world_ids):
    return hall_figures.in_centers([world_ids["county"]])


def test_the_live_hall_panel(db_session, world_ids):
    groups = make_groups(db_session, world_ids)
    county, now = world_ids["county"], at(10, 0)
    queue.issue(db_session, county, groups["A"], at(9, 0))
    queue.issue(db_session, county, groups["A"], at(9, 40))
    queue.issue(db_session, county, groups["B"], at(9, 50))
    queue.call_next(db_session, desk(world_ids, "win_a"), at(9, 55))  # A001 to A01
    queue.issue(db_session, county, groups["A"], at(8, 0, day=date(2026, 11, 30)))  # another day's: not shown
    db_session.commit()
    panel = hall_figures.live(db_session, now, in_county(world_ids))
    assert (panel["waiting"], panel["serving"], panel["longest_wait"]) == (2, 1, 20 * 60)
    assert [(g["prefix"], g["waiting"], g["serving"], g["longest_wait"]) for g in panel["groups"]] == [
        ("A", 1, 1, 20 * 60),
        ("B", 1, 0, 10 * 60),
    ]
    police = Scope(kind=Kind.department, center_id=county, department_id=world_ids["dept_b"])
    assert hall_figures.live(db_session, now, police.clause)["waiting"] == 1


def long_wait_records():
    from app.models import AssessmentRecord

    rows = db.session.execute(
        sa.select(AssessmentRecord.staff_id, AssessmentRecord.window_id, AssessmentRecord.department_id)
        .join(AssessmentRule, AssessmentRule.id == AssessmentRecord.rule_id)
        .where(AssessmentRule.code == "long_wait")
        .order_by(AssessmentRecord.id)
    ).all()
    return [tuple(row) for row in rows]


def set_wait_limit(minutes):
    db.session.execute(sa.update(Setting).where(Setting.key == "queue_wait_limit_minutes").values(value=str(minutes)))
    db.session.commit()


def test_long_waits_become_records_of_the_caller_and_window(world, world_ids):
    rule = db.session.scalar(sa.select(AssessmentRule).where(AssessmentRule.code == "long_wait"))
    assert rule.trigger is AssessmentTrigger.long_wait and rule.points == Decimal("-0.5") and rule.active
    month = date(2026, 12, 1)
    # The default limit is 30 minutes: A003 (40 min, called to C01 by staff_a) is over; B001's 30 is not.
    assessment.collect_trigger(db.session, AssessmentTrigger.long_wait, month, NOW)
    a = (world_ids["staff_staff_a"], world_ids["win_c"], world_ids["dept_a"])
    b = (world_ids["staff_staff_b"], world_ids["win_b"], world_ids["dept_b"])
    assert long_wait_records() == [a]
    assert assessment.collect_trigger(db.session, AssessmentTrigger.long_wait, month, NOW) == 0  # idempotent
    set_wait_limit(20)
    assessment.collect(db.session, month, NOW)
    assert sorted(long_wait_records()) == sorted([a, b])
    set_wait_limit(60)  # nothing waited an hour: the automatic records go
    assessment.collect(db.session, month, NOW)
    assert long_wait_records() == []


def sheet_rows(report, title):
    book = openpyxl.load_workbook(io.BytesIO(report.file))
    return [row for row in book[title].iter_rows(values_only=True)], book


def test_the_monthly_report_has_the_hall_sheet_and_its_definitions(world, world_ids):
    county = db.session.get(Center, world_ids["county"])
    report = reports.generate(
        db.session,
        county,
        date(2026, 12, 1),
        datetime(2027, 1, 5, 9, 0),
        "测试",
        calendar=calendar_service.load(db.session),
        due_workday=5,
    )
    rows, book = sheet_rows(report, "大厅服务")
    assert book.sheetnames.index("大厅服务") < book.sheetnames.index("指标口径")
    assert rows[0][0] == "示范县政务服务中心 2026年12月大厅服务情况"
    by_name = {row[0]: row[1:] for row in rows if row and row[0]}
    # Queue A: 4 issued, 2 served, 1 abandoned, 1 skipped, 3 called, 21.7 and 40 minutes.
    assert by_name["A 市场监管"][:7] == (4, 2, 1, 1, 3, 21.7, 40.0)
    assert by_name["合计"][:7] == (5, 3, 1, 1, 4, 23.8, 40.0)
    assert by_name["09:00-10:00"][4:7] == (3, 18.3, 30.0)
    assert by_name["A01 市场监管窗口"][:3] == (2, 1, 1)
    assert by_name["首问办结率"][0] == 0.5 and by_name["预约履约率"][0] == pytest.approx(1 / 3)
    assert (by_name["预约爽约"][0], by_name["急办件"][0], by_name["延时服务件"][0]) == (2, 1, 1)
    notes = " ".join(row[0] for row in book["指标口径"].iter_rows(values_only=True) if row[0])
    assert "预约履约率为已签到" in notes and "等候时长为首次取号至首次叫号" in notes
    # The report's JSON holds the headline.
    assert report.figures["hall_tickets"] == 5 and report.figures["hall_wait_minutes"] == 23.8
    assert report.figures["hall_delayed_cases"] == 1 and report.figures["hall_inquiry_closure_rate"] == 0.5


def test_bulletin_hall_indicators_by_department(world, world_ids):
    rows = bulletins.compute(db.session, world_ids["county"], datetime(2026, 12, 1), datetime(2027, 1, 1))
    values = {row.department_id: row.values for row in rows}
    market, police, weather = (values[world_ids[key]] for key in ("dept_a", "dept_b", "dept_c"))
    # 首问: A answered one on the spot (in time); the one referred to the police is still open.
    assert (market["inquiry_closure_rate"], police["inquiry_closure_rate"]) == (1.0, 0.0)
    # 预约: group A kept 1 of 3 (the cancelled one is left out); the police took no bookings.
    assert market["appointment_keep_rate"] == pytest.approx(1 / 3) and police["appointment_keep_rate"] is None
    # 等候: A (10 + 15 + 40) / 3 = 21.7 minutes, B 30.
    assert (market["average_wait"], police["average_wait"]) == (21.7, 30.0)
    assert weather["inquiry_closure_rate"] is None and weather["average_wait"] is None
    ranked = bulletins.compute(
        db.session, world_ids["county"], datetime(2026, 12, 1), datetime(2027, 1, 1), "average_wait"
    )
    assert [row.department_id for row in ranked[:2]] == [world_ids["dept_a"], world_ids["dept_b"]]  # lower first
    sheet = openpyxl.load_workbook(
        io.BytesIO(bulletins.workbook(ranked, "示范县", datetime(2026, 12, 1), datetime(2027, 1, 1), "average_wait"))
    )["效能通报"]
    headers = [cell.value for cell in sheet[4]]
    assert headers[-3:] == ["首问办结率", "预约履约率", "平均等候时长（分钟）"]
    assert [cell.value for cell in sheet[5]][-1] == 21.7


def test_the_figures_are_a_few_statements_whatever_the_volume(world, world_ids):
    statements = []

    def count(*_args):
        statements.append(1)

    engine = db.session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        where = in_county(world_ids)
        hall_figures.figures(db.session, START, END, NOW, where)
        assert len(statements) == 7
        statements.clear()
        hall_figures.month_summary(db.session, START, END, NOW, where)
        assert len(statements) == 4
        statements.clear()
        hall_figures.live(db.session, NOW, where)
        assert len(statements) == 1
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def test_the_month_summary_agrees_with_the_figures(world, world_ids):
    summary = hall_figures.month_summary(db.session, START, END, NOW, in_county(world_ids))
    assert (summary["tickets"], summary["served"], summary["abandoned"]) == (5, 3, 1)
    assert (summary["average_wait"], summary["longest_wait"]) == (23.8, 40.0)
    assert (summary["inquiries"], summary["inquiry_closure_rate"], summary["kept"], summary["no_show"]) == (
        2,
        0.5,
        1,
        2,
    )
    assert (summary["urgent"], summary["delayed"]) == (1, 1)
