"""The window's calling panel (叫号), the ticket list and the kiosk/display devices (Admin)."""

import sqlalchemy as sa
from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from app import clock
from app.extensions import db
from app.fields.queue import QUEUE_DEVICE_FIELDS, QUEUE_TICKET_FIELDS
from app.http_guard import int_or_none
from app.models.appointment import WindowGroup
from app.models.org import RecordStatus, Window
from app.models.queue import QueueDevice, QueueTicket
from app.security import actor_for
from app.services import queue
from app.services.queue import Desk
from app.views.interface import GovInterface
from app.views.model_view import GovModelView

ACTIONS = {
    "call_next": queue.call_next,
    "recall": queue.recall,
    "start": queue.start,
    "finish": queue.finish,
    "skip": queue.skip,
    # 待核验: the clerk confirms a green claim made at the kiosk, or makes it an ordinary ticket.
    "green_ok": lambda session, desk, now: queue.verify_green(session, desk, now, eligible=True),
    "green_no": lambda session, desk, now: queue.verify_green(session, desk, now, eligible=False),
}


def _desk():
    actor = actor_for(g.user)
    return Desk(staff_id=actor.staff_id, window_id=actor.window_id) if actor.staff_id else None


class QueuePanelView(BaseView):
    """The staff member's window: its current ticket, who waits in its queues, the calling buttons.

    Scope: a user acts only at the window of their own active Staff record, on the queues that
    window serves (services/queue.py); a user without one is told so and changes nothing."""

    route_base = "/queue-panel"
    class_permission_name = "QueueTicket"
    method_permission_name = {"index": "call", "act": "call"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        desk = _desk()
        window = db.session.get(Window, desk.window_id) if desk and desk.window_id else None
        today = clock.now().date()
        group_ids = queue.window_groups(db.session, window.id) if window else []
        waiting = (
            [row for row in queue.waiting_now(db.session, window.center_id, today) if row["id"] in group_ids]
            if window
            else []
        )
        others = (
            db.session.scalars(
                sa.select(WindowGroup)
                .where(WindowGroup.center_id == window.center_id, WindowGroup.status == RecordStatus.active)
                .order_by(WindowGroup.sort_order, WindowGroup.prefix)
            ).all()
            if window
            else []
        )
        return self.render_template(
            "govhall/queue_panel.html",
            title=_l("Calling panel"),
            window=window,
            ticket=queue.current(db.session, window.id) if window else None,
            waiting=waiting,
            groups=others,
        )

    @expose("/act", methods=["POST"])
    @has_access
    def act(self):
        desk = _desk()
        action = request.form.get("action", "")
        try:
            if desk is None:
                raise queue.QueueError(_l("You are not assigned to a window: calling needs a window."))
            now = clock.now()
            if action == "transfer":
                ticket = queue.transfer(db.session, desk, int_or_none(request.form.get("group_id")) or 0, now)
                message = _l("Ticket %(number)s sent to another queue.", number=ticket.number)
            elif action in ACTIONS:
                ticket = ACTIONS[action](db.session, desk, now)
                message = (
                    _l("Nobody is waiting.")
                    if ticket is None
                    else _l("Ticket %(number)s: %(status)s.", number=ticket.number, status=ticket.status.label)
                )
            else:
                raise queue.QueueError(_l("The form is not valid."))
        except queue.QueueError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
            flash(str(message), "success")
        return redirect(url_for("QueuePanelView.index"))


class QueueTicketView(GovModelView):
    """Tickets of the day and before: numbers, queues, windows, times (read only)."""

    datamodel = GovInterface(QueueTicket, eager=("group", "window", "case"))
    class_permission_name = "QueueTicket"
    base_permissions = ["can_read", "can_export"]
    list_title = _l("Queue tickets")
    show_title = _l("Queue ticket")
    registry = QUEUE_TICKET_FIELDS
    base_order = ("issued_at", "desc")


class QueueDeviceView(GovModelView):
    """Kiosks and hall displays bound to a center: their URL carries the token (Admin)."""

    datamodel = GovInterface(QueueDevice, eager=("center",))
    class_permission_name = "QueueDevice"
    base_permissions = ["can_read", "can_add", "can_edit", "can_delete"]
    list_title = _l("Queue devices")
    show_title = _l("Queue device")
    add_title = _l("Add a queue device")
    edit_title = _l("Edit a queue device")
    registry = QUEUE_DEVICE_FIELDS
    base_order = ("name", "asc")
    description_columns = {
        "token": _l("A long random text; the device opens /queue/kiosk/<token> or /queue/display/<token>.")
    }
