"""Online applications (网上申报) for staff: the list and the page of those in the user's scope
(the department's, or the centers' under center scope), with the matter's materials beside the
files uploaded for each, viewable inline or downloaded. The pre-review steps (pass, correction
request, refusal) are added on this view; the applicant's side is the portal's
(app/views/portal_apply.py)."""

import sqlalchemy as sa
from flask import request
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.fields.application import APPLICATION_FIELDS
from app.models.application import Application
from app.models.transfer import StoredFile
from app.security import current_scope
from app.services import applications
from app.services.idnumber import mask, mask_phone
from app.views.interface import GovInterface
from app.views.labels import LABELS
from app.views.transfer import send_stored
from app.views.workflow import WorkflowView

MASKS = {"applicant_id_number": mask, "applicant_phone": mask_phone}


class ApplicationView(WorkflowView):
    datamodel = GovInterface(Application, eager=("matter", "department"), masked=MASKS)
    class_permission_name = "Application"
    method_permission_name = {**WorkflowView.method_permission_name, "file": "read"}
    errors = (applications.ApplicationError,)
    registry = APPLICATION_FIELDS
    label_columns = {
        **LABELS,
        "number": _l("Application number"),
        "status": _l("Application status"),
        "applicant_type": _l("Applicant type"),
        "contact_name": _l("Contact person"),
        "submitted_at": _l("Submitted at"),
        "review_due_at": _l("Pre-review due by"),
        "correction_requested_at": _l("Correction requested at"),
        "correction_notice": _l("Correction notice (一次性告知)"),
        "resubmitted_at": _l("Corrected at"),
        "reviewed_at": _l("Pre-reviewed at"),
        "reviewer": _l("Pre-reviewed by"),
        "refusal_reason": _l("Reason for refusal"),
        "withdrawn_at": _l("Withdrawn at"),
        "case": _l("Case"),
        "case.number": _l("Case"),
    }
    list_title = _l("Online applications")
    show_title = _l("Online application")
    base_order = ("submitted_at", "desc")
    formatters_columns = MASKS
    export_formatters = MASKS
    show_template = "govhall/application_show.html"

    def render_template(self, template, **kwargs):
        if template == self.show_template and "pk" in kwargs:
            item = self._scoped_get(kwargs["pk"])
            if item is not None:
                kwargs["materials"] = material_files(item)
                kwargs["timeline"] = item.events
        return super().render_template(template, **kwargs)

    @expose("/file/<int:file_id>")
    @has_access
    def file(self, file_id):
        """A file of an application in the user's scope (404 otherwise); ?inline=1 shows it in the
        browser (a PDF or an image, never sniffed), else it downloads."""
        stored = db.session.scalar(
            sa.select(StoredFile).where(
                StoredFile.id == file_id,
                StoredFile.application_id.is_not(None),
                current_scope().row_clause(StoredFile),
            )
        )
        return send_stored(stored, inline=request.args.get("inline") == "1")


def material_files(application):
    """[(material or None, [files])]: the matter's materials in order, each with its files
    (every round), then files of a material since removed from the matter."""
    by_material = {}
    for row in application.files:
        by_material.setdefault(row.matter_material_id, []).append(row)
    rows = [(m, by_material.pop(m.id, [])) for m in application.matter.materials]
    leftover = [row for files in by_material.values() for row in files]
    return rows + ([(None, leftover)] if leftover else [])
