"""延时服务 at the window (issue 18.2): a case accepted from the ticket of a delayed-service booking
is marked, whatever the hour; one from a plain booking's ticket in office hours is not."""

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Case
from app.models.appointment import Appointment
from tests.conftest import login
from tests.integration.test_queue_views import KIOSK, _accept, _ids, fixed_now, hall  # noqa: F401
from tests.services.test_queue import book


@pytest.mark.parametrize("delayed", [True, False])
def test_a_case_from_a_delayed_bookings_ticket_is_marked(app, client, hall, world_ids, delayed):  # noqa: F811
    with app.app_context():
        appointment = book(db.session, world_ids, hall["A"])
        appointment.delayed = delayed
        db.session.commit()
        db.session.remove()
    client.post(f"/queue/kiosk/{KIOSK}/checkin", data={"number": "YY20261203001", "phone4": "5678"})
    login(client, "staff_a")
    client.post("/queue-panel/act", data={"action": "call_next"})
    [(ticket_id,)] = _ids(app)
    response = _accept(app, client, world_ids, ticket_id)
    case_id = int(re.search(r"/caseview/show/(\d+)", response.headers["Location"]).group(1))
    with app.app_context():
        assert db.session.get(Case, case_id).delayed_service is delayed
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Appointment)) == 1
        db.session.remove()
