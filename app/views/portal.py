"""The public portal (/portal/): no login, Chinese, phone-sized, local assets only.

Matter guides, the directory, the case progress query (case number plus the
last four characters of the applicant's ID number or phone), applying online and following
the application (app/views/portal_apply.py), rating a
completed case, filing a complaint and following it, and the window rating
device page. Rate-limited per client; every form carries a CSRF token; no
applicant's personal data is ever shown.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l

from app import clock
from app.extensions import db
from app.fields.matter import MATTER_FIELDS
from app.http_guard import int_or_none
from app.models.appointment import AppointmentChannel, AppointmentStatus, SpecialGroup
from app.models.case import Case
from app.models.feedback import LEVEL_LABELS, ComplaintChannel, EvaluationChannel
from app.models.matter import MatterCategory
from app.models.org import Center, Department
from app.services import appointments, complaints, evaluations, portal, queue, scoring_periods, settings
from app.views.labels import LABELS
from app.views.rating_form import capture_from_form

blueprint = Blueprint("portal", __name__, url_prefix="/portal", template_folder="../templates/portal")
VERIFIED_CASE = "portal_case"


@blueprint.context_processor
def _center_name():
    return {"center_name": settings.get(db.session, "center_name")}


def _departments():
    return db.session.execute(
        db.select(Department.id, Department.name).where(Department.status == "active").order_by(Department.sort_order)
    ).all()


@blueprint.route("/")
def index():
    text = request.args.get("q", "")
    department = request.args.get("department", "")
    if department and int_or_none(department) is None:
        abort(400)
    category = request.args.get("category", "")
    page = int_or_none(request.args.get("page")) or 1
    matters, total = portal.search_matters(db.session, text, int_or_none(department), category, page)
    return render_template(
        "portal/index.html",
        matters=matters,
        total=total,
        page=page,
        pages=max(1, -(-total // portal.PAGE_SIZE)),
        text=text[: portal.MAX_QUERY],
        department=department,
        category=category,
        departments=_departments(),
        categories=[(c.name, c.label) for c in MatterCategory],
        # The last assessed quarter's red-flag windows and service stars: names only (issue 5).
        honours=scoring_periods.honour_board(db.session),
    )


@blueprint.route("/matter/<code>")
def matter(code):
    guide = portal.matter_guide(db.session, code[:40])
    if guide is None:
        abort(404)
    return render_template("portal/matter.html", matter=guide, rows=MATTER_FIELDS.guide_rows(LABELS))


@blueprint.route("/directory")
def directory():
    return render_template("portal/directory.html", rows=portal.directory(db.session))


@blueprint.route("/progress", methods=["GET", "POST"])
def progress():
    result = None
    if request.method == "POST":
        case = portal.find_case(db.session, request.form.get("number", ""), request.form.get("factor", ""))
        if case is None:
            # One message for every mismatch: it must not tell which part was wrong.
            flash(str(_l("No case matches this number and these digits.")), "danger")
        else:
            session[VERIFIED_CASE] = case.id
            result = portal.progress(db.session, case)
    elif session.get(VERIFIED_CASE):
        case = db.session.get(Case, session[VERIFIED_CASE])
        result = portal.progress(db.session, case) if case else None
    # Only a finished case (evaluations.RATEABLE_STATUSES) can have been rated: the others cost no lookup.
    rateable = result is not None and result.status in evaluations.RATEABLE_STATUSES
    rated = rateable and evaluations.already_rated(
        db.session, case, EvaluationChannel.portal, settings.get(db.session, "evaluation_rule")
    )
    return render_template(
        "portal/progress.html",
        result=result,
        rated=rated,
        may_rate=rateable and not rated,
        levels=sorted(LEVEL_LABELS.items(), reverse=True),
        tags=evaluations.TAGS,
    )


@blueprint.route("/rate", methods=["POST"])
def rate():
    case_id = session.get(VERIFIED_CASE)
    case = db.session.get(Case, case_id) if case_id else None
    if case is None:
        flash(str(_l("Look up your case first.")), "danger")
        return redirect(url_for(".progress"))
    capture_from_form(case, EvaluationChannel.portal, _l("Thank you for your rating."))
    return redirect(url_for(".progress"))


@blueprint.route("/window/<int:window_id>", methods=["GET", "POST"])
def window_device(window_id):
    """The rating device beside a window: the window's last finished case, five big buttons."""
    window, case = portal.last_finished_at_window(db.session, window_id, clock.now())
    if window is None:
        abort(404)
    if request.method == "POST":
        if case is None or str(case.id) != request.form.get("case_id"):
            flash(str(_l("There is no case to rate at this window right now.")), "danger")
        else:
            capture_from_form(case, EvaluationChannel.window_device, _l("Thank you for your rating."))
        return redirect(url_for(".window_device", window_id=window_id))
    # A case rated already (by the rule, evaluation_rule) is thanked for, not offered again.
    if case is not None and evaluations.already_rated(
        db.session, case, EvaluationChannel.window_device, settings.get(db.session, "evaluation_rule")
    ):
        case = None
    return render_template(
        "portal/window.html",
        window=window,
        case=case,
        served=queue.served_at_window(db.session, window.id, clock.now()),
        levels=sorted(LEVEL_LABELS.items(), reverse=True),
    )


@blueprint.route("/complaint", methods=["GET", "POST"])
def complaint():
    filed = None
    form = request.form
    if request.method == "POST":
        department = form.get("department_id", "")
        filing = complaints.Filing(
            subject=form.get("subject", ""),
            content=form.get("content", ""),
            complainant_name=form.get("name", ""),
            complainant_phone=form.get("phone", ""),
            department_id=int_or_none(department),
        )
        if department and filing.department_id is None:
            flash(str(_l("The department, window or staff member chosen does not exist.")), "danger")
        else:
            center_id = db.session.scalar(db.select(Center.id).where(Center.parent_id.is_(None)).order_by(Center.id))
            try:
                filed = complaints.file(
                    db.session,
                    filing,
                    ComplaintChannel.portal,
                    center_id,
                    clock.now(),
                    complaints.load_limits(db.session),
                )
            except complaints.ComplaintError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
            else:
                db.session.commit()
    return render_template("portal/complaint.html", filed=filed, departments=_departments(), form={} if filed else form)


@blueprint.route("/complaint/status", methods=["GET", "POST"])
def complaint_status():
    found = None
    if request.method == "POST":
        found = complaints.public_status(db.session, request.form.get("number", ""), request.form.get("phone4", ""))
        if found is None:
            flash(str(_l("No complaint matches this number and these digits.")), "danger")
    return render_template("portal/complaint_status.html", complaint=found)


@blueprint.route("/appointment", methods=["GET", "POST"])
def appointment():
    """预约: choose a window group, then a time with places left; book with name, phone and ID last four."""
    groups = appointments.bookable_groups(db.session)
    group = next((g for g in groups if g.id == int_or_none(request.values.get("group"))), None)
    made, form = None, request.form
    special = form.get("special") or None
    if request.method == "POST" and group is not None:
        try:
            chosen = SpecialGroup.__members__.get(special) if special else None
            if special and chosen is None:
                raise appointments.AppointmentError(str(_l("Choose one of the special groups offered.")))
            booking = appointments.Booking(
                slot_id=int_or_none(form.get("slot_id")),
                name=form.get("name", ""),
                phone=form.get("phone", ""),
                id_last4=form.get("id_last4", ""),
                matter_id=int_or_none(form.get("matter_id")),
                special=chosen,
            )
            made = appointments.book(
                db.session,
                booking,
                channel=AppointmentChannel.portal,
                now=clock.now(),
                actor=appointments.PUBLIC_ACTOR,
            )
        except appointments.AppointmentError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            db.session.commit()
    slots = appointments.open_slots(db.session, group, clock.now(), special=bool(special)) if group else []
    db.session.commit()  # the slots generated for this page: the booking form posts their ids back
    matters = appointments.group_matters(db.session, group) if group else []
    return render_template(
        "portal/appointment.html",
        groups=groups,
        group=group,
        slots=slots,
        matters=matters,
        specials=list(SpecialGroup),
        made=made,
        form={} if made else form,
    )


@blueprint.route("/appointment/mine", methods=["GET", "POST"])
def my_appointment():
    """Look up an appointment by number and the phone's last four digits; cancel or move it until the cut-off."""
    found, form = None, request.form
    if request.method == "POST":
        found = appointments.find_for_citizen(db.session, form.get("number", ""), form.get("phone4", ""))
        if found is None:
            flash(str(_l("No appointment matches this number and these digits.")), "danger")
        elif form.get("do") in ("cancel", "move"):
            try:
                if form["do"] == "cancel":
                    appointments.cancel(db.session, found, clock.now(), actor=appointments.PUBLIC_ACTOR)
                else:
                    appointments.reschedule(
                        db.session,
                        found,
                        int_or_none(form.get("slot_id")),
                        clock.now(),
                        actor=appointments.PUBLIC_ACTOR,
                    )
            except appointments.AppointmentError as exc:
                db.session.rollback()
                flash(str(exc), "danger")
            else:
                db.session.commit()
                flash(str(_l("Saved.")), "success")
            found = db.session.get(type(found), found.id)
    slots = []
    if found is not None and found.status is AppointmentStatus.booked:
        slots = [
            (slot, free)
            for slot, free in appointments.open_slots(
                db.session, found.group, clock.now(), special=found.special is not None
            )
            if slot.id != found.slot_id
        ]
        db.session.commit()  # the slots generated for the move form, whose ids it posts back
    return render_template("portal/my_appointment.html", found=found, slots=slots, form=form)


def install(app, limiter) -> None:
    """Register the portal with its rate limits (per client address).

    Flask-Limiter enforces a decorated limit inside the wrapper it returns, so the
    app's view functions are replaced by the wrapped ones after registration.
    """
    from app.views import portal_apply  # its routes join the blueprint before it is registered

    limiter.limit(app.config["PORTAL_RATE_LIMIT"])(blueprint)
    app.register_blueprint(blueprint)
    # Ahead of every other hook (the CSRF check parses the form): an upload's limits first.
    app.before_request_funcs.setdefault(None, []).insert(0, portal_apply.upload_guard)
    query_limit = app.config["PORTAL_QUERY_LIMIT"]
    for view, limit in (
        (progress, query_limit),
        (complaint_status, query_limit),
        (my_appointment, query_limit),
        (appointment, app.config["PORTAL_FILING_LIMIT"]),
        (complaint, app.config["PORTAL_FILING_LIMIT"]),
        (portal_apply.application_follow, query_limit),
        (portal_apply.apply_form, app.config["PORTAL_APPLY_LIMIT"]),
        (portal_apply.application_resubmit, app.config["PORTAL_UPLOAD_LIMIT"]),
        (portal_apply.application_withdraw, app.config["PORTAL_UPLOAD_LIMIT"]),
    ):
        endpoint = f"portal.{view.__name__}"
        app.view_functions[endpoint] = limiter.limit(limit, methods=["POST"])(view)
