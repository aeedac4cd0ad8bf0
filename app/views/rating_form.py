"""The rating form as staff (a phone call-back) and the public (portal, window device) submit it:
one reading of its fields into the rating-capture service, one way of saying the outcome."""

from flask import flash, request

from app import clock
from app.extensions import db
from app.services import evaluations


def capture_from_form(case, channel, done_message) -> bool:
    """Record the submitted rating of `case`; flash `done_message` or the service's refusal."""
    try:
        evaluations.capture(
            db.session,
            case,
            channel=channel,
            now=clock.now(),
            level=request.form.get("level"),
            tags=request.form.getlist("tags"),
            comment=request.form.get("comment"),
        )
    except evaluations.EvaluationError as exc:
        flash(str(exc), "danger")
        return False
    flash(str(done_message), "success")
    return True
