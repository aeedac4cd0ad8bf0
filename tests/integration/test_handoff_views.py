"""上报 and 送达 through the pages, the API and the portal: the township escalates, the county
window accepts and completes, the township delivers; another township reaches none of it."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case, CaseStatus
from app.models.transfer import Transfer, TransferAction, TransferEvent, TransferKind, TransferStatus
from tests.conftest import login
from tests.services.test_handoff import DELIVERED, LATER, NOW, act, add_township, township_case


@pytest.fixture
def chain(app, world_ids):
    """A township case escalated, accepted and completed at the county; (parent id, child id)."""
    with app.app_context():
        add_township(app, None, None, world_ids["town"], "town_a")
        add_township(app, "XZ-T2", "河西镇便民服务中心", world_ids["county"], "town_b")
        parent_id = township_case(world_ids)
        act(parent_id, "escalate", "town_a", NOW, note="上报")
        child_id = db.session.get(Case, parent_id).children[0].id
        db.session.remove()
    return parent_id, child_id


def state(app, pk):
    with app.app_context():
        db.session.expire_all()
        case = db.session.get(Case, pk)
        return case.status, case.version, len(case.events), case.delivered_at


def test_the_chain_through_the_case_pages(app, client, chain, monkeypatch):
    parent_id, child_id = chain
    monkeypatch.setattr("app.clock.now", lambda: LATER)
    login(client, "staff_a")
    # The child is in the county department's own list, waiting to be accepted.
    listing = client.get("/caseview/list/").get_data(as_text=True)
    with app.app_context():
        child_number = db.session.get(Case, child_id).number
    assert child_number in listing
    page = client.get(f"/caseview/show/{child_id}").get_data(as_text=True)
    assert f"/caseview/act/{child_id}/accept_escalation" in page and "城关镇便民服务中心" in page
    version = state(app, child_id)[1]
    client.post(f"/caseview/act/{child_id}/accept_escalation", data={"version": version})
    assert state(app, child_id)[0] is CaseStatus.accepted
    client.post(
        f"/caseview/act/{child_id}/complete",
        data={"version": state(app, child_id)[1], "approved": "approve", "confirmed": "yes"},
    )
    assert state(app, child_id)[0] is CaseStatus.completed
    client.get("/logout/")

    monkeypatch.setattr("app.clock.now", lambda: DELIVERED)
    login(client, "town_a")
    page = client.get(f"/caseview/show/{parent_id}").get_data(as_text=True)
    assert child_number in page and f"/caseview/act/{parent_id}/deliver" in page
    assert "城关镇便民服务中心 · " in page  # a township case names the township it was accepted at
    assert f"/caseview/act/{parent_id}/complete" not in page
    # The township sees the child's progress on its own case's page, not the county's page itself.
    assert client.get(f"/caseview/show/{child_id}").status_code == 404
    version = state(app, parent_id)[1]
    bad = client.post(
        f"/caseview/act/{parent_id}/deliver",
        data={"version": version, "method": "in_person", "receiver": "", "delivered_on": DELIVERED.date().isoformat()},
        follow_redirects=True,
    )
    assert bad.status_code == 200 and state(app, parent_id)[1] == version
    client.post(
        f"/caseview/act/{parent_id}/deliver",
        data={
            "version": version,
            "method": "in_person",
            "receiver": "李四",
            "delivered_on": DELIVERED.date().isoformat(),
        },
    )
    status, _, _, delivered_at = state(app, parent_id)
    assert status is CaseStatus.completed and delivered_at is not None
    page = client.get(f"/caseview/show/{parent_id}").get_data(as_text=True)
    assert "当面送达" in page and "李四" in page


def test_another_township_reaches_nothing_by_url_or_api(app, client, chain):
    parent_id, child_id = chain
    login(client, "town_b")
    before = {pk: state(app, pk) for pk in chain}
    for pk in chain:
        assert client.get(f"/caseview/show/{pk}").status_code == 404
        for action in ("deliver", "withdraw", "accept_escalation", "complete"):
            data = {"version": before[pk][1], "method": "in_person", "receiver": "x", "note": "x"}
            assert client.post(f"/caseview/act/{pk}/{action}", data=data).status_code == 404
            response = client.post(f"/api/v1/case/{pk}/action/{action}", json=data)
            assert response.status_code == 404, (pk, action, response.status_code)
    assert {pk: state(app, pk) for pk in chain} == before


def test_the_portal_shows_one_timeline_whichever_number_is_asked(app, client, chain):
    parent_id, child_id = chain
    with app.app_context():
        parent, child = db.session.get(Case, parent_id), db.session.get(Case, child_id)
        numbers = parent.number, child.number
        village = add_village(parent)
        request = Transfer(
            number="ZJ-20261102-0001",
            kind=TransferKind.village_request,
            status=TransferStatus.accepted,
            case_id=parent.id,
            from_center_id=village,
            to_center_id=parent.center_id,
            registered_at=datetime(2026, 11, 1, 16, 0),
            events=[
                TransferEvent(action=TransferAction.register, at=datetime(2026, 11, 1, 16, 0), actor_name="代办员"),
                TransferEvent(action=TransferAction.forward, at=datetime(2026, 11, 1, 16, 5), actor_name="代办员"),
            ],
        )
        db.session.add(request)
        db.session.commit()
        act(child_id, "accept_escalation", "staff_a", LATER)
        act(child_id, "complete", "staff_a", LATER, approved=True)
        act(parent_id, "deliver", "town_a", LATER, method="in_person", receiver="李四")
    timelines = []
    for number in numbers:
        page = client.post("/portal/progress", data={"number": number, "factor": "002X"}).get_data(as_text=True)
        assert "李四" not in page and "11010519491231002X" not in page
        timeline = page[page.index("portal-timeline") :]
        timelines.append(timeline[: timeline.index("</ul>")])
    assert timelines[0] == timelines[1]
    timeline = timelines[0]
    steps = [
        "城关村便民服务站：登记",
        "城关镇便民服务中心：受理",
        "城关镇便民服务中心：上报",
        "示范县政务服务中心：办结",
        "当面送达",
    ]
    positions = [timeline.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions), positions


def add_village(parent):
    from app.models.org import Center, CenterLevel

    village = Center(code="XZ-T1-V1", name="城关村便民服务站", level=CenterLevel.village, parent_id=parent.center_id)
    db.session.add(village)
    db.session.flush()
    return village.id


def test_a_case_list_query_never_shows_a_sibling_townships_case(app, client, chain):
    parent_id, _ = chain
    with app.app_context():
        number = db.session.get(Case, parent_id).number
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Case))
    login(client, "town_b")
    assert number not in client.get("/caseview/list/").get_data(as_text=True)
    assert count >= 2
