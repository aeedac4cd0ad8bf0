"""A realistic year of cases for the demo county and the benchmarks, generated in bulk.

Rows are built as plain dicts and written with Core executemany (not ORM
objects): 100k cases with their ~350k events take seconds. Deterministic for
a seed. Deadlines come from the same rules as live cases (services.deadlines),
cached per (acceptance day, after hours, working days).
"""

import random
import time
from collections import defaultdict
from datetime import datetime, timedelta
from itertools import accumulate

import sqlalchemy as sa

from app.models.case import Case, CaseCounter, CaseEvent, CaseTask, Violation
from app.models.feedback import Evaluation
from app.models.matter import Matter, MatterStep
from app.models.org import Center, Department, Staff, StaffPosition, Window
from app.services.deadlines import deadline, step_due_at
from app.services.demo import bulk, data
from app.services.demo.office import latest_before, office_time, taken_in
from app.services.id_sequences import reset_id_sequences
from app.services.idnumber import CREDIT_CODE_CHARS, check_digit, credit_check_char

# Applicants' names, ID regions, company name patterns and return reasons: data/applicants.json.
_APPLICANTS = data.document("applicants.json")
SURNAMES, GIVEN = _APPLICANTS["surnames"], _APPLICANTS["given_name_characters"]
REGIONS, COMPANIES = _APPLICANTS["id_regions"], _APPLICANTS["companies"]
RETURN_REASONS = _APPLICANTS["return_reasons"]
EXTENSION_REASONS = _APPLICANTS["extension_reasons"]
# Share of outcomes for cases whose deadline has passed.
OUTCOMES = [("on_time", 86), ("late", 3), ("returned", 5), ("withdrawn", 1), ("open_overdue", 1)]
# Draws take cumulative weights (random.choices would add the weights up on every draw).
OUTCOME_NAMES, OUTCOME_SHARES = [o for o, _ in OUTCOMES], list(accumulate(w for _, w in OUTCOMES))
CHANNELS, CHANNEL_SHARES = ("window", "online", "proxy", "township"), list(accumulate((70, 20, 6, 4)))
CLOSED = ("completed", "returned", "withdrawn")
# An open case is left at most this many working days past its deadline; older overdue ones were
# finished late.
OPEN_OVERDUE_WORKDAYS = 10
# Share of completed cases the applicant rates, and how (most ratings are 非常满意).
RATED_SHARE = 0.55
RATING_LEVELS, RATING_WEIGHTS = (5, 4, 3, 2, 1), (70, 18, 8, 3, 1)
RATING_CHANNELS = ("window_device", "portal", "phone")
RATING_SHARES, RATING_CHANNEL_SHARES = list(accumulate(RATING_WEIGHTS)), list(accumulate((6, 3, 1)))


def _person_id(rng):
    born = datetime(1950, 1, 1) + timedelta(days=rng.randint(0, 55 * 365))
    first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + check_digit(first17)


def _credit_code(rng):
    """A company's unified social credit code (GB 32100): 91, the county's region code, 9 characters and
    the check character. Draws 14 characters as it always did, so the rest of the demo stays the same."""
    drawn = "".join(rng.choice(CREDIT_CODE_CHARS) for _ in range(14))
    first17 = "91411721" + drawn[:9]
    return first17 + credit_check_char(first17)


class _Deadlines:
    def __init__(self, clock):
        self.clock, self.cache = clock, {}

    def __call__(self, accepted_at, days):
        after_hours = accepted_at.time() >= self.clock.hours.closes
        key = (accepted_at.date(), after_hours, days)
        if key not in self.cache:
            result = deadline(accepted_at, days, self.clock.calendar, self.clock.hours)
            self.cache[key] = (result.due_at, not result.confirmed)
        return self.cache[key]


def _load(connection):
    shares, chief_steps = {}, set()
    for row in connection.execute(
        sa.select(MatterStep.matter_id, MatterStep.seq, MatterStep.limit_days, MatterStep.handler_position)
    ):
        shares[row.matter_id, row.seq] = row.limit_days
        if row.handler_position is StaffPosition.chief_rep:
            chief_steps.add((row.matter_id, row.seq))
    steps = defaultdict(int)
    for matter_id, _seq in shares:
        steps[matter_id] += 1
    # Enum columns come back as members; the rows below are written by name.
    matters = [
        dict(row._mapping, case_kind=row.case_kind.name, steps=steps.get(row.id, 1))
        for row in connection.execute(
            sa.select(
                Matter.id, Matter.department_id, Matter.case_kind, Matter.promised_limit_days, Matter.fee_standard
            )
            .where(Matter.status == "active")
            .order_by(Matter.id)
        )
    ]
    windows, staff = defaultdict(list), defaultdict(list)
    for row in connection.execute(sa.select(Window.id, Window.department_id, Window.center_id)):
        windows[row.department_id].append((row.id, row.center_id))
    # Clerks by (department, center): a case is taken in by the department's staff at the center
    # of its window, never by a colleague posted at a sub-center (whose scope ends there).
    chiefs = {}
    for row in connection.execute(
        sa.select(
            Staff.id, Staff.department_id, Staff.center_id, Staff.user_id, Staff.name, Staff.window_id, Staff.position
        ).order_by(Staff.id)
    ):
        staff[row.department_id, row.center_id].append(row)
        if row.position is StaffPosition.chief_rep:
            chiefs.setdefault(row.department_id, row)
    departments = dict(connection.execute(sa.select(Department.id, Department.center_id)).all())
    codes = dict(connection.execute(sa.select(Center.id, Center.code)).all())
    # A step the chief representative handles (决定) is acted on by him (case_flow step authority).
    matters = [dict(m, chief_steps={seq for mid, seq in chief_steps if mid == m["id"]}) for m in matters]
    return matters, windows, staff, departments, codes, shares, chiefs


def generate_cases(
    connection,
    *,
    year_start: datetime,
    count: int,
    clock,
    now: datetime,
    seed: int = 2026,
    progress=None,
    batch: int = 20_000,
) -> dict:
    started = time.perf_counter()
    rng = random.Random(seed)
    matters, windows, staff, departments, codes, shares, chiefs = _load(connection)
    if not matters:
        raise ValueError("no matters: seed the demo county first")
    # Popular matters are far more frequent (a few matters make most of a hall's work).
    order = list(range(len(matters)))
    rng.shuffle(order)
    weights = [0.0] * len(matters)
    for rank, index in enumerate(order):
        weights[index] = 1 / (rank + 1) ** 0.9
    picks, popularity = range(len(matters)), list(accumulate(weights))
    days = [year_start.date() + timedelta(days=i) for i in range((now.date() - year_start.date()).days + 1)]
    days = [d for d in days if clock.calendar.is_workday(d)]
    day_weights = [1.35 if d.weekday() == 0 else 1.2 if d.day <= 5 else 1.0 for d in days]
    picked_days = sorted(rng.choices(days, day_weights, k=count))
    due = _Deadlines(clock)

    first_id = (connection.execute(sa.select(sa.func.max(Case.id))).scalar() or 0) + 1
    sequences = defaultdict(
        int, {(row.center_id, row.year): row.last for row in connection.execute(sa.select(CaseCounter))}
    )
    totals = {"cases": 0, "events": 0, "tasks": 0, "violations": 0, "evaluations": 0}
    cases, events, tasks, violations, evaluations = [], [], [], [], []
    # Its own generator: the ratings do not shift the cases' random draws.
    ratings = random.Random(seed + 1)
    department_ids = list(departments)

    for index, day in enumerate(picked_days):
        case_id = first_id + index
        matter = matters[rng.choices(picks, cum_weights=popularity)[0]]
        dept = matter["department_id"]
        window_id, center_id = rng.choice(windows[dept]) if windows[dept] else (None, departments[dept])
        clerks = staff[dept, center_id] or [None]
        clerk = rng.choice(clerks)
        channel = rng.choices(CHANNELS, cum_weights=CHANNEL_SHARES)[0]
        # Online applications come in at any hour; the window takes them in while it is open.
        submitted_at = (
            datetime.combine(day, datetime.min.time()) + timedelta(minutes=rng.randint(0, 1439))
            if channel == "online"
            else office_time(rng, day, clock.hours)
        )
        accepted_at = taken_in(rng, submitted_at, clock) if channel == "online" else submitted_at
        if accepted_at > now:
            accepted_at = latest_before(rng, now, clock)
            submitted_at = min(submitted_at, accepted_at)
        kind = "urgent" if rng.random() < 0.01 else matter["case_kind"]
        limit = 0 if kind == "immediate" else matter["promised_limit_days"]
        paused = rng.randint(1, 5) if limit and rng.random() < 0.05 else 0
        extension = rng.randint(3, 10) if limit and rng.random() < 0.01 else 0
        deadline_at, unconfirmed = due(accepted_at, limit + paused + extension)
        outcome = (
            "open"
            if deadline_at > now and rng.random() < 0.6
            else rng.choices(OUTCOME_NAMES, cum_weights=OUTCOME_SHARES)[0]
        )
        if deadline_at > now and outcome in ("late", "open_overdue"):
            outcome = "on_time"
        # A center that supervises daily does not leave a case open long past its deadline.
        if outcome == "open_overdue" and overdue_workdays(clock, deadline_at, now) > OPEN_OVERDUE_WORKDAYS:
            outcome = "late"
        sequences[(center_id, accepted_at.year)] += 1
        number = f"{codes[center_id]}-{accepted_at:%Y%m%d}-{sequences[(center_id, accepted_at.year)]:05d}"

        finished_at = None
        if outcome in ("on_time", "returned", "withdrawn"):
            span = max(1, int((min(deadline_at, now) - accepted_at).total_seconds()))
            finished_at = accepted_at + timedelta(seconds=rng.randint(min(600, span), span))
        elif outcome == "late":
            finish_day = clock.calendar.add_workdays(deadline_at.date(), rng.randint(1, 3))
            finished_at = office_time(rng, finish_day, clock.hours)
            if finished_at > now:  # not finished yet: open and just overdue
                outcome, finished_at = "open_overdue", None
        intended = {
            "on_time": "completed",
            "late": "completed",
            "returned": "returned",
            "withdrawn": "withdrawn",
            "open": rng.choice(["accepted", "in_progress", "in_progress", "suspended"]),
            "open_overdue": "in_progress",
        }[outcome]
        actor = (clerk.user_id, clerk.name) if clerk else (None, "系统")
        chief = chiefs.get(dept)
        step_actors = {seq: (chief.user_id, chief.name) for seq in matter["chief_steps"]} if chief else {}
        end = finished_at or now
        overdue_at = deadline_at if outcome in ("late", "open_overdue") else None
        case_events, forwards = _events(
            rng,
            case_id,
            accepted_at,
            end,
            actor,
            matter["steps"],
            intended,
            paused,
            extension,
            overdue_at,
            step_actors,
        )
        _explain_extension(case_events, case_id, extension, deadline_at)
        warn = clock.warn_at(deadline_at, limit)
        # An open case is where its history left it (a one-step matter never reaches "in progress").
        status = case_events[-1]["to_status"]
        step_due = None
        if status in ("accepted", "in_progress"):
            step_started = max(e["at"] for e in case_events if e["action"] in ("accept", "forward"))
            step_due = step_due_at(clock.calendar, step_started, shares.get((matter["id"], 1 + forwards), 0))
        result = {"completed": "approved", "returned": "returned_active", "withdrawn": "withdrawn"}.get(status)
        if status == "completed" and rng.random() < 0.02:
            result = "denied"
            # A denial is decided in writing, with its reason (printed on the 不予许可决定书).
            case_events[-1]["note"] = RETURN_REASONS[case_id % len(RETURN_REASONS)]
        # The case is held by its step's handler: the chief representative at his step.
        holder = chief if chief and 1 + forwards in matter["chief_steps"] and status not in CLOSED else clerk
        person = rng.random() >= 0.15
        name = (
            rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            if person
            else rng.choice(COMPANIES).format(rng.choice(GIVEN) + rng.choice(GIVEN))
        )
        cases.append(
            {
                "id": case_id,
                "number": number,
                "center_id": center_id,
                "matter_id": matter["id"],
                "department_id": dept,
                "window_id": window_id,
                "accepted_by_id": clerk.id if clerk else None,
                "assignee_id": holder.id if holder else None,
                "step_seq": 1 + forwards,
                "applicant_type": "person" if person else "organisation",
                "applicant_name": name,
                "applicant_id_number": _person_id(rng) if person else _credit_code(rng),
                "applicant_phone": f"1{rng.choice('3456789')}{rng.randint(10**8, 10**9 - 1)}",
                "channel": channel,
                "kind": kind,
                "status": status,
                "submitted_at": submitted_at,
                # Entered as it was received (no late entries in the generated year).
                "received_at": submitted_at,
                "accepted_at": accepted_at,
                "deadline_at": deadline_at,
                "warn_at": warn,
                "light": None if status in CLOSED else _light(now, warn, deadline_at),
                "step_due_at": step_due,
                "finished_at": finished_at,
                "limit_days": limit,
                "paused_workdays": paused,
                "extension_days": extension,
                "suspended_at": end - timedelta(hours=2) if status == "suspended" else None,
                "suspend_reason": "supplement" if status == "suspended" else None,
                "supplement_count": 1 if paused or status == "suspended" else 0,
                "calendar_unconfirmed": unconfirmed,
                "result": result,
                "fee": matter["fee_standard"] if result == "approved" else None,
                "version": len(case_events),
            }
        )
        events.extend(case_events)
        if status == "completed" and ratings.random() < RATED_SHARE:
            evaluations.append(
                {
                    "case_id": case_id,
                    "center_id": center_id,
                    "department_id": dept,
                    "window_id": window_id,
                    "staff_id": clerk.id if clerk else None,
                    "level": ratings.choices(RATING_LEVELS, cum_weights=RATING_SHARES)[0],
                    "channel": ratings.choices(RATING_CHANNELS, cum_weights=RATING_CHANNEL_SHARES)[0],
                    "is_default": False,
                    "created_at": min(now, finished_at + timedelta(minutes=ratings.randint(1, 600))),
                }
            )
        if kind == "joint":
            others = rng.sample([d for d in department_ids if d != dept], k=rng.randint(1, 2))
            for other in others:
                done = status in CLOSED  # a closed case closes its co-departments' tasks
                tasks.append(
                    {
                        "case_id": case_id,
                        "department_id": other,
                        "deadline_at": deadline_at,
                        "status": "done" if done else "open",
                        "light": None if done else ("red" if now > deadline_at else "green"),
                        "done_at": finished_at if done else None,
                        "version": 1,
                    }
                )
        if outcome in ("late", "open_overdue"):
            violations.append(
                {
                    "kind": "overdue",
                    "at": deadline_at,
                    "case_id": case_id,
                    "department_id": dept,
                    "staff_id": clerk.id if clerk else None,
                    "window_id": window_id,
                    "detail": f"办件 {number} 超过承诺时限 {deadline_at:%Y-%m-%d %H:%M}",
                }
            )
        if len(cases) >= batch:
            _flush(connection, cases, events, tasks, violations, evaluations, totals)
            if progress:
                progress("办件", index + 1, count)
    _flush(connection, cases, events, tasks, violations, evaluations, totals)
    _save_counters(connection, sequences)
    reset_id_sequences(connection, [Case.__table__])  # cases were written with their own ids
    if progress:
        progress("办件", count, count)
    return {**totals, "seconds": round(time.perf_counter() - started, 1)}


def overdue_workdays(clock, deadline_at, now) -> int:
    """Working days from the deadline's day to `now`'s."""
    return clock.calendar.workdays_between(deadline_at.date(), now.date())


def _light(now, warn, deadline_at):
    return "red" if now > deadline_at else "yellow" if now >= warn else "green"


def _events(rng, case_id, start, end, actor, steps, status, paused, extension, overdue_at, step_actors=None):
    """The case's history as event rows, in time order, consistent with its final status; each
    action at a step is taken by the step's handler (step_actors: step -> actor, else `actor`)."""
    step_actors = step_actors or {}
    plan = [("accept", "submitted", "accepted")]
    plan += [("forward", "accepted" if i == 0 else "in_progress", "in_progress") for i in range(min(2, steps - 1))]
    if paused:
        plan += [("request_supplement", "in_progress", "suspended"), ("receive_supplement", "suspended", "in_progress")]
    if extension:
        plan.append(("extend", "in_progress", "in_progress"))
    final = {
        "completed": ("complete", "completed"),
        "returned": ("return_case", "returned"),
        "withdrawn": ("withdraw", "withdrawn"),
    }.get(status)
    if status == "suspended":
        plan.append(("request_supplement", "in_progress", "suspended"))
    elif status == "accepted":
        plan = plan[:1]
    # The handling happens before the overdue mark, which comes before the final event.
    until = overdue_at if overdue_at is not None else end
    span = max(60, int((until - start).total_seconds()))
    moments = sorted(start + timedelta(seconds=rng.randint(1, span)) for _ in range(len(plan)))
    moments[0] = start
    rows = []
    previous, step = "submitted", 1
    for (action, _from, to), at in zip(plan, moments, strict=True):
        by = actor if action == "accept" else step_actors.get(step, actor)
        rows.append(_event(case_id, action, at, by, previous, to))
        previous = to
        step += action == "forward"
    if overdue_at is not None:
        rows.append(_event(case_id, "overdue", overdue_at, (None, "系统"), previous, previous))
    if final:
        note = rng.choice(RETURN_REASONS) if final[0] == "return_case" else None
        by = actor if final[0] == "withdraw" else step_actors.get(step, actor)
        rows.append(_event(case_id, final[0], max(end, rows[-1]["at"]), by, previous, final[1], note=note))
    forwards = sum(1 for action, _f, _t in plan if action == "forward")
    return rows, forwards


def _explain_extension(events, case_id, days, deadline_at):
    """The extension's reason and figures, as the extend action records them (the reason picked by
    case id: another draw from the generator would change every case after it)."""
    for row in events:
        if row["action"] == "extend":
            row["note"] = EXTENSION_REASONS[case_id % len(EXTENSION_REASONS)]
            row["data"] = {"days": days, "deadline": deadline_at.isoformat()}


def _event(case_id, action, at, actor, from_status, to_status, note=None):
    return {
        "case_id": case_id,
        "action": action,
        "at": at,
        "actor_id": actor[0],
        "actor_name": actor[1],
        "from_status": from_status,
        "to_status": to_status,
        "from_step": None,
        "to_step": None,
        "note": note,
        "materials": None,
        "data": None,
    }


def _flush(connection, cases, events, tasks, violations, evaluations, totals):
    for table, rows, key in (
        (Case.__table__, cases, "cases"),
        (CaseEvent.__table__, events, "events"),
        (CaseTask.__table__, tasks, "tasks"),
        (Violation.__table__, violations, "violations"),
        (Evaluation.__table__, evaluations, "evaluations"),
    ):
        if rows:
            bulk.insert(connection, table, rows)
            totals[key] += len(rows)
            rows.clear()


def _save_counters(connection, sequences):
    table = CaseCounter.__table__
    for (center_id, year), last in sequences.items():
        updated = connection.execute(
            sa.update(table).where(table.c.center_id == center_id, table.c.year == year).values(last=last)
        ).rowcount
        if not updated:
            connection.execute(sa.insert(table).values(center_id=center_id, year=year, last=last))
