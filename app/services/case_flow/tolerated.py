"""容缺受理 in the case flow: accepting a case with tolerable secondary materials missing, and
recording their arrival.

A matter marks which of its materials may be missing at acceptance (MatterMaterial.tolerable).
At intake the clerk names those the applicant lacks; the case is accepted on the applicant's
written commitment (承诺书, printed from the case page) and each of them gets a due date: the
`tolerated_due_days`-th working day after acceptance (the acceptance day is day 0, as for the
case's own deadline), unless the clerk sets another. A material not marked tolerable can never
be missing at acceptance: the intake is refused. What happens past a due date is the warning
scan's (services/tolerated.py).
"""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from app.models.case import CaseAction, ToleratedMaterial
from app.services import notices, settings
from app.services.case_flow.guards import CaseError
from app.services.case_flow.history import event


def due_on(accepted_at: datetime, days: int, clock) -> date:
    """The `days`-th working day after acceptance (受理日不计; accepted after closing time, day 0
    is the next working day), as services/deadlines.deadline counts a case's limit."""
    return clock.calendar.count_from(accepted_at.date(), days, day_is_over=accepted_at.time() >= clock.hours.closes)[1]


def checked(matter, received_ids, tolerated_ids, due_dates, today: date) -> list[tuple]:
    """[(material, due date or None)] for the materials the clerk accepts as missing, or CaseError:
    each must be one of the matter's materials marked tolerable and not received, and every other
    required material must be received."""
    tolerated_ids = set(tolerated_ids)
    by_id = {material.id: material for material in matter.materials}
    unknown = tolerated_ids - set(by_id)
    if unknown:
        raise CaseError(_l("Only this matter's own materials may be accepted as missing."))
    chosen = []
    for material in matter.materials:
        if material.id not in tolerated_ids:
            continue
        if not material.tolerable:
            raise CaseError(
                _l(
                    "“%(name)s” may not be missing at acceptance (not a tolerated material of this matter).",
                    name=material.name,
                )
            )
        if material.id in received_ids:
            raise CaseError(_l("“%(name)s” is ticked as received and as missing.", name=material.name))
        due = due_dates.get(material.id)
        if due is not None and (not isinstance(due, date) or due < today):
            raise CaseError(_l("The due date of “%(name)s” cannot be before today.", name=material.name))
        chosen.append((material, due))
    lacking = [m.name for m in matter.materials if m.required and m.id not in received_ids | tolerated_ids]
    if lacking:
        raise CaseError(
            _l(
                "%(names)s may not be missing at acceptance: only tolerated materials can be brought later. "
                "Untick the tolerated materials to send one supplement notice instead.",
                names="、".join(f"“{name}”" for name in lacking),
            )
        )
    return chosen


def record(session, case, chosen, now: datetime, clock) -> list[str]:
    """One row per material accepted as missing, the clerk's due date or the default; returns
    what the acceptance event notes, e.g. ['营业场所证明（2026-12-10前）']."""
    default_due = due_on(now, int(settings.get(session, "tolerated_due_days")), clock)
    noted = []
    for material, due in chosen:
        row = ToleratedMaterial(material_id=material.id, name=material.name, due_on=due or default_due)
        case.tolerated.append(row)
        noted.append(f"{row.name}（{row.due_on:%Y-%m-%d}前）")
    return noted


def missing(case) -> list[ToleratedMaterial]:
    return [row for row in case.tolerated if row.received_at is None]


def has_missing(case, now):
    """`ready` of receive_tolerated: a tolerated material still to come."""
    if not missing(case):
        raise CaseError(_l("No tolerated material is still missing."))


def may_decide(case, approved: bool) -> None:
    """A case accepted with tolerated materials missing is not approved before they are all in:
    the commitment promises them before the decision. A denial needs no wait."""
    waiting = missing(case)
    if approved and waiting:
        raise CaseError(
            _l(
                "Tolerated materials still missing: %(names)s. Record their arrival before approving the case.",
                names="、".join(row.name for row in waiting),
            )
        )


def _ids(values) -> set[int]:
    if values is None:
        return set()
    if isinstance(values, (str, int)) or not hasattr(values, "__iter__"):
        values = [values]
    chosen = set()
    for value in values:
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()):
            raise CaseError(_l("Tick the tolerated materials that have arrived."))
        chosen.add(int(text))
    return chosen


def receive(session, actor, case, now, *, clock, material_ids=(), note=None):
    """The clerk records the arrival of tolerated materials (their rows on this case, ticked);
    their warnings stop, and the due-date notices already sent are marked read."""
    ids = _ids(material_ids)
    arrived = [row for row in missing(case) if row.id in ids]
    if not arrived or len(arrived) != len(ids):
        raise CaseError(_l("Tick the tolerated materials that have arrived."))
    for row in arrived:
        row.received_at = now
        row.received_by_id = actor.staff_id
        notices.resolve(session, f"tolerated:{row.id}", now)
        notices.resolve(session, f"tolerated_expired:{row.id}", now)
    return event(
        case,
        actor,
        now,
        CaseAction.receive_tolerated,
        case.status,
        materials=[row.name for row in arrived],
        note=note,
        data={"tolerated_ids": sorted(row.id for row in arrived), "still_missing": len(missing(case))},
    )
