"""The network sheet's figures (services/network_report.py) for a month with one full chain:
a village request, a township case escalated, accepted and completed at the county, delivered."""

from datetime import date, datetime

from app.extensions import db
from app.models.org import CenterLevel
from app.models.transfer import Transfer, TransferKind, TransferStatus
from app.services.network_report import network_summary
from tests.services import test_handoff
from tests.services.test_handoff import DELIVERED, LATER, NOW, act, escalated, fresh

# The handoff tests' township network (two townships, a TownshipStaff clerk each).
network, ctx = test_handoff.network, test_handoff.ctx


def test_one_chain_in_the_month(ctx):
    parent_id, child_id = escalated(ctx)  # sent Mon 2 Nov 09:00
    act(child_id, "accept_escalation", "staff_a", datetime(2026, 11, 2, 15, 0))  # 6 h later
    act(child_id, "complete", "staff_a", LATER, approved=True)  # Wed 4 Nov 10:00: 43 h at the county
    act(parent_id, "deliver", "town_a", DELIVERED, method="in_person", receiver="李四")  # 29 h after the result
    parent = fresh(parent_id)
    db.session.add(
        Transfer(
            number="ZJ-1",
            kind=TransferKind.village_request,
            status=TransferStatus.accepted,
            from_center_id=ctx["town"],
            to_center_id=ctx["town"],
            registered_at=NOW,
            sent_at=NOW,
            received_at=datetime(2026, 11, 2, 11, 0),
        )
    )
    db.session.commit()

    summary = network_summary(db.session, ctx["county"], date(2026, 11, 1))
    (handoff,) = summary.handoffs
    assert (handoff.center_id, handoff.sent, handoff.open) == (ctx["town"], 1, 0)
    assert (handoff.hours_to_acceptance, handoff.county_hours, handoff.hours_to_delivery) == (6.0, 43.0, 29.0)
    by_center = {line.center_id: line for line in summary.centers}
    assert by_center[ctx["town"]].received == 1 and by_center[ctx["county"]].received == 1
    assert by_center[ctx["town"]].delivered == 1
    assert by_center[ctx["town"]].delivery_days == round((DELIVERED - parent.accepted_at).total_seconds() / 86400, 1)
    assert summary.levels[CenterLevel.township] == {"received": 1, "delivered": 1}
    (agent,) = summary.agents
    assert (agent.requests, agent.returned, agent.hours_to_receipt) == (1, 0, 2.0)

    # Another month, or a township's own subtree without the county, counts only what is in it.
    assert network_summary(db.session, ctx["county"], date(2026, 10, 1)).handoffs == []
    township = network_summary(db.session, ctx["town"], date(2026, 11, 1))
    assert [line.center_id for line in township.centers] == [ctx["town"]] and len(township.handoffs) == 1
    assert network_summary(db.session, ctx["town_b"], date(2026, 11, 1)).handoffs == []
