"""Demo queue (issue 18.3): a kiosk and a hall display for the county center with their tokens, and
this morning's tickets of each window group, most of them called and served, a few still waiting."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models.appointment import WindowGroup
from app.models.org import Center, Staff, StaffStatus
from app.models.queue import DeviceKind, QueueDevice, QueueTicket, TicketSource
from app.services import queue

DEVICES = (
    ("大厅取号机", DeviceKind.kiosk, "demo-kiosk-county-hall"),
    ("大厅叫号显示屏", DeviceKind.display, "demo-display-county-hall"),
)
TICKETS_PER_GROUP = 6


def seed_queue(session: Session, now: datetime) -> int:
    """Tickets written; skipped (0) when the county center already has tickets."""
    county = session.scalar(sa.select(Center).where(Center.parent_id.is_(None)).order_by(Center.id))
    if county is None or session.scalar(sa.select(QueueTicket.id).where(QueueTicket.center_id == county.id).limit(1)):
        return 0
    for name, kind, token in DEVICES:
        if session.scalar(sa.select(QueueDevice.id).where(QueueDevice.token == token)) is None:
            session.add(QueueDevice(name=name, kind=kind, center_id=county.id, token=token))
    written = 0
    for group in session.scalars(sa.select(WindowGroup).where(WindowGroup.center_id == county.id)).all():
        desks = [
            queue.Desk(staff_id=staff_id, window_id=window.id)
            for window in group.windows
            for staff_id in session.scalars(
                sa.select(Staff.id).where(Staff.window_id == window.id, Staff.status == StaffStatus.active).limit(1)
            )
        ]
        start = now - timedelta(minutes=8 * TICKETS_PER_GROUP)
        for index in range(TICKETS_PER_GROUP):
            source = TicketSource.appointment if index == 2 else TicketSource.walk_in
            queue.issue(session, county.id, group.id, start + timedelta(minutes=6 * index), source)
            written += 1
        for index, desk in enumerate(desks[:2] * 2):  # four calls: the last two stay open at the windows
            queue.call_next(session, desk, start + timedelta(minutes=10 + 9 * index))
    session.flush()
    return written
