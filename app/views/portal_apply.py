"""Applying online on the portal (网上申报, issue 17): the matters one can apply for, the form
(applicant, phone, one upload slot per material, several files each, the declaration), the
receipt with the tracking number; following an application with its number and the last four
characters of the ID number (credit code) or phone, answering a correction request with the
materials asked, withdrawing, and the applicant's own files after that second factor.

Uploads are bounded before the body is read: a before-request guard (ahead of the CSRF check,
which parses the form) sets this request's size and part limits from the settings and refuses a
body announced too large without reading it; Werkzeug streams files to temporary files, and
services/stored_files.py copies each in chunks, checking its type by content.
"""

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from app import clock
from app.extensions import db
from app.http_guard import int_or_none
from app.models.application import Application, ApplicationStatus
from app.models.case import ApplicantType
from app.models.transfer import StoredFile
from app.services import applications, stored_files
from app.services.idnumber import mask, mask_phone
from app.views.portal import blueprint
from app.views.transfer import send_stored

VERIFIED_APPLICATION = "portal_application"
# The fields a form carries besides its files (csrf_token, applicant, declaration…).
FORM_FIELDS = 20


def _limits():
    return applications.Limits.load(db.session, current_app.config["FILES_DIR"])


def upload_guard():
    """Before the CSRF check reads the form: bound this upload's body by the settings, refuse one
    announced too large unread, and turn a body found too large or with too many parts while
    parsing into the page's own message (nothing is stored)."""
    if request.method != "POST" or request.endpoint not in ("portal.apply_form", "portal.application_resubmit"):
        return None
    limits = _limits()
    request.max_content_length = limits.request_bytes
    request.max_form_parts = limits.max_files + FORM_FIELDS
    message = _l(
        "The upload is too large or has too many files: at most %(n)s files and %(mb)s MB together.",
        n=limits.max_files,
        mb=limits.max_bytes // (1024 * 1024),
    )
    if (request.content_length or 0) > limits.request_bytes:
        flash(str(message), "danger")
        return redirect(request.url)
    try:
        request.files  # noqa: B018 (parses the body under this request's limits)
    except RequestEntityTooLarge:
        flash(str(message), "danger")
        return redirect(request.url)
    return None


@blueprint.route("/apply")
def apply_index():
    text = request.args.get("q", "")
    page = int_or_none(request.args.get("page")) or 1
    matters, total = applications.online_matters(db.session, text, page)
    return render_template(
        "portal/apply_index.html",
        matters=matters,
        total=total,
        page=page,
        pages=max(1, -(-total // applications.PAGE_SIZE)),
        text=text[:50],
    )


@blueprint.route("/apply/<code>", methods=["GET", "POST"])
def apply_form(code):
    matter = applications.online_matter(db.session, code)
    if matter is None:
        abort(404)
    form = request.form
    if request.method == "POST":
        limits = _limits()
        submission = applications.Submission(
            applicant=applications.Applicant(
                kind=form.get("applicant_type", ""),
                name=form.get("applicant_name", ""),
                id_number=form.get("applicant_id_number", ""),
                phone=form.get("applicant_phone", ""),
                contact_name=form.get("contact_name", ""),
            ),
            declaration=form.get("declaration") == "1",
            uploads=_uploads(),
        )
        try:
            application = applications.submit(db.session, matter, submission, limits, clock.now())
            db.session.commit()
        except (applications.ApplicationError, stored_files.FileRefused) as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        except Exception:
            db.session.rollback()
            raise
        else:
            session[VERIFIED_APPLICATION] = application.id
            return redirect(url_for(".application_receipt"))
    return render_template(
        "portal/apply_form.html",
        matter=matter,
        form=form,
        kinds=[(kind.name, kind.label) for kind in ApplicantType],
        limits=_limits(),
    )


def _uploads() -> list:
    """Every chosen file as an Upload, by its slot's material (file_<material id>); a slot naming
    no material of the matter is kept as such, for the service to refuse."""
    uploads = []
    for key in request.files:
        if not key.startswith("file_"):
            continue
        material_id = int_or_none(key[5:])
        for upload in request.files.getlist(key):
            if upload and upload.filename:
                uploads.append(
                    applications.Upload(material_id if material_id is not None else -1, upload.stream, upload.filename)
                )
    return uploads


def _verified() -> Application | None:
    application_id = session.get(VERIFIED_APPLICATION)
    return db.session.get(Application, application_id) if application_id else None


@blueprint.route("/application/receipt")
def application_receipt():
    application = _verified()
    if application is None:
        return redirect(url_for(".application_follow"))
    return render_template("portal/application_receipt.html", application=application, **_page(application))


@blueprint.route("/application", methods=["GET", "POST"])
def application_follow():
    application = None
    if request.method == "POST":
        application = applications.find_for_applicant(
            db.session, request.form.get("number", ""), request.form.get("factor", "")
        )
        if application is None:
            # One message for every mismatch: it must not tell which part was wrong.
            flash(str(_l("No application matches this number and these digits.")), "danger")
            session.pop(VERIFIED_APPLICATION, None)
        else:
            session[VERIFIED_APPLICATION] = application.id
    else:
        application = _verified()
    return render_template(
        "portal/application.html",
        application=application,
        **(_page(application) if application else {}),
        limits=_limits(),
    )


def _page(application):
    return {
        "materials": _material_files(application),
        "asked": applications.asked_materials(application)
        if application.status is ApplicationStatus.correction_requested
        else [],
        "timeline": applications.timeline(application),
        "masked_id": mask(application.applicant_id_number),
        "masked_phone": mask_phone(application.applicant_phone),
    }


def _material_files(application):
    from app.views.application import material_files

    return material_files(application)


@blueprint.route("/application/resubmit", methods=["POST"])
def application_resubmit():
    application = _verified()
    if application is None or str(application.id) != request.form.get("application_id"):
        # Another applicant's number (or a stale page): nothing is read or stored.
        flash(str(_l("Look up your application first.")), "danger")
        return redirect(url_for(".application_follow"))
    limits = _limits()
    try:
        applications.resubmit(
            db.session,
            application,
            _uploads(),
            clock.now(),
            limits=limits,
        )
        db.session.commit()
    except (applications.ApplicationError, stored_files.FileRefused) as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    except Exception:
        db.session.rollback()
        raise
    else:
        flash(str(_l("The corrected materials are uploaded: the department reviews them again.")), "success")
    return redirect(url_for(".application_follow"))


@blueprint.route("/application/withdraw", methods=["POST"])
def application_withdraw():
    application = _verified()
    if application is None or str(application.id) != request.form.get("application_id"):
        flash(str(_l("Look up your application first.")), "danger")
        return redirect(url_for(".application_follow"))
    try:
        applications.withdraw(db.session, application, clock.now())
        db.session.commit()
    except applications.ApplicationError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        flash(str(_l("The application is withdrawn.")), "success")
    return redirect(url_for(".application_follow"))


@blueprint.route("/application/file/<int:file_id>")
def application_file(file_id):
    """One of the verified application's own files (404 for any other), inline or downloaded."""
    application = _verified()
    stored = None
    if application is not None:
        stored = db.session.scalar(
            db.select(StoredFile).where(StoredFile.id == file_id, StoredFile.application_id == application.id)
        )
    return send_stored(stored, inline=request.args.get("inline") == "1")
