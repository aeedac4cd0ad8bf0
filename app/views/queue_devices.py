"""The hall's queue devices (/queue/): the ticket kiosk and the hall display, no login.

A device is bound to a center by the token in its URL (QueueDevice, set by Admin): any other
token answers 403. The pages are Chinese, big type, local assets only, and show no personal
data: ticket numbers, queue names and window names. Issuing and checking in are rate-limited
per client address (settings QUEUE_TICKET_LIMIT, QUEUE_CHECKIN_LIMIT).
"""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for

from app import clock
from app.extensions import db
from app.http_guard import int_or_none
from app.models.queue import DeviceKind, TicketSource
from app.services import queue

blueprint = Blueprint("queue", __name__, url_prefix="/queue", template_folder="../templates/queue")


def _device(token, kind):
    device = queue.device_for(db.session, token, kind)
    if device is None:
        abort(403)
    return device


def _page(template, device, **context):
    return render_template(template, device=device, token=device.token, center_name=device.center.name, **context)


@blueprint.route("/kiosk/<token>")
def kiosk(token):
    device = _device(token, DeviceKind.kiosk)
    today = clock.now().date()
    ticket_id = int_or_none(request.args.get("ticket"))
    slip = queue.slip(db.session, device.center_id, ticket_id, today) if ticket_id else None
    return _page("queue/kiosk.html", device, groups=queue.waiting_now(db.session, device.center_id, today), slip=slip)


def _issued(device, action):
    try:
        ticket = action()
    except queue.QueueError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for(".kiosk", token=device.token))
    db.session.commit()
    return redirect(url_for(".kiosk", token=device.token, ticket=ticket.id))


@blueprint.route("/kiosk/<token>/ticket", methods=["POST"])
def take_ticket(token):
    device = _device(token, DeviceKind.kiosk)
    group_id = int_or_none(request.form.get("group_id"))
    # A green ticket taken at the kiosk is the citizen's own claim: 待核验 until the window checks it.
    source = TicketSource.green_claimed if request.form.get("green") == "1" else TicketSource.walk_in
    return _issued(device, lambda: queue.issue(db.session, device.center_id, group_id or 0, clock.now(), source))


@blueprint.route("/kiosk/<token>/checkin", methods=["POST"])
def check_in(token):
    device = _device(token, DeviceKind.kiosk)
    return _issued(
        device,
        lambda: queue.check_in(
            db.session, device.center_id, request.form.get("number", ""), request.form.get("phone4", ""), clock.now()
        ),
    )


@blueprint.route("/kiosk/<token>/state.json")
def kiosk_state(token):
    device = _device(token, DeviceKind.kiosk)
    groups = queue.waiting_now(db.session, device.center_id, clock.now().date())
    return jsonify(
        {"groups": [{"id": g["id"], "prefix": g["prefix"], "name": g["name"], "waiting": g["waiting"]} for g in groups]}
    )


@blueprint.route("/display/<token>")
def display(token):
    device = _device(token, DeviceKind.display)
    return _page(
        "queue/display.html", device, state=queue.display_state(db.session, device.center_id, clock.now().date())
    )


@blueprint.route("/display/<token>/state.json")
def display_state(token):
    device = _device(token, DeviceKind.display)
    response = jsonify(queue.display_state(db.session, device.center_id, clock.now().date()))
    response.headers["Cache-Control"] = "no-store"
    return response


def install(app, limiter) -> None:
    """Register the devices' pages with their rate limits (per client address), as the portal does."""
    limiter.limit(app.config["QUEUE_DEVICE_LIMIT"])(blueprint)
    app.register_blueprint(blueprint)
    for view, limit in ((take_ticket, app.config["QUEUE_TICKET_LIMIT"]), (check_in, app.config["QUEUE_CHECKIN_LIMIT"])):
        endpoint = f"queue.{view.__name__}"
        app.view_functions[endpoint] = limiter.limit(limit, methods=["POST"])(view)
