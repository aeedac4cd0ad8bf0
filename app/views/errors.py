"""Error answers: a Chinese page (JSON `{"message": …}` under /api/) for every status the app gives.

The page is rendered straight from the Jinja environment, without context processors or the
menu: those read the database (the portal's center name, the user's menu), and an error page
must still render while the database is down. A database outage answers 503 with Retry-After.
"""

import time
from datetime import timedelta

from flask import Flask, current_app, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DataError, InterfaceError, OperationalError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from app import clock
from app.extensions import db

RETRY_AFTER_SECONDS = 30
# An unreachable server, a dropped connection, an exhausted pool (and SQLite's "unable to
# open" or "locked"): the request may succeed a moment later.
OUTAGES = (OperationalError, InterfaceError, PoolTimeoutError)

MESSAGES = {
    400: _l("The request is not valid."),
    403: _l("You do not have access to this page."),
    404: _l("The page or record does not exist, or is outside your scope."),
    405: _l("This address does not accept this kind of request."),
    413: _l("The upload is too large: at most %(size)s MB."),
    429: _l("Too many requests. Please wait a moment and try again."),
    500: _l("Something went wrong on the server. It has been logged; please try again later."),
    503: _l("The database cannot be reached at the moment. Please try again in a minute."),
}


# The page's heading above the message (the status code stays beside it, small).
HEADINGS = {
    400: _l("Invalid request"),
    403: _l("No access"),
    404: _l("Not found"),
    405: _l("Request not accepted"),
    413: _l("Upload too large"),
    429: _l("Too many requests"),
    500: _l("Server error"),
    503: _l("Service unavailable"),
}


def install(app: Flask) -> None:
    for code in MESSAGES:
        if code != 503:
            app.register_error_handler(code, _status_handler(code))
    for outage in OUTAGES:
        app.register_error_handler(outage, _database_unavailable)
    app.register_error_handler(StatementError, _bad_query)


def _status_handler(code):
    def handler(error):
        seconds = _retry_seconds() if code == 429 else None
        response = respond(code, _retry_message(seconds) if seconds else None)
        if seconds:
            response.headers["Retry-After"] = str(seconds)
        # e.g. the Allow header of a 405
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    return handler


def _retry_seconds():
    """Seconds until the breached rate limit lets this client in again (None if unknown)."""
    breached = current_app.appbuilder.sm.limiter.current_limit
    return None if breached is None else max(1, breached.reset_at - int(time.time()))


def _retry_message(seconds):
    """A rate limit's refusal with when to try again (Beijing time, minutes from now)."""
    again = clock.now() + timedelta(seconds=seconds)
    return _l(
        "Too many requests. Please try again after %(time)s (in about %(minutes)s minutes).",
        time=f"{again:%H:%M}",
        minutes=max(1, (seconds + 30) // 60),
    )


def _database_unavailable(error):
    current_app.logger.error("database unavailable: %s", error)
    _discard_session()
    response = respond(503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _bad_query(error):
    # A filter value the database cannot read (text in a number column on
    # PostgreSQL, a malformed date) is the client's mistake, not a 500.
    if not (isinstance(error, DataError) or isinstance(error.orig, (ValueError, TypeError))):
        raise error
    db.session.rollback()
    return respond(400, _l("The search conditions are not valid."))


def _discard_session():
    # The session's connection is dead: its rollback may fail the same way. The request
    # teardown removes the session anyway.
    try:
        db.session.rollback()
    except OUTAGES:
        current_app.logger.warning("rollback after a database outage failed", exc_info=True)


def respond(code, message=None):
    """The error answer for `code`: JSON under /api/, otherwise the error page."""
    if message is None:
        message = str(MESSAGES[code])
        if code == 413:
            message %= {"size": current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)}
    if request.path.startswith("/api/"):
        response = current_app.json.response({"message": str(message)})
    else:
        portal = request.path.startswith("/portal")
        page = current_app.jinja_env.get_template("govhall/error.html").render(
            code=code,
            heading=HEADINGS.get(code, ""),
            message=message,
            app_name=current_app.config["APP_NAME"],
            home=url_for("portal.index") if portal else "/",
        )
        response = current_app.response_class(page, mimetype="text/html")
    response.status_code = code
    return response
