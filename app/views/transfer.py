"""Transfers (接件登记/转交): the list, the agent's register form, the page with its timeline and
steps (forward, confirm receipt, accept into a case, return), the villager's receipt and the
scans. The rules are services/transfers.py's; every path reads the transfer in the user's scope
(404 otherwise)."""

import sqlalchemy as sa
from flask import abort, current_app, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import expose
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from app import clock as wall_clock
from app.extensions import db
from app.fields.transfer import TRANSFER_FIELDS
from app.models.case import ApplicantType
from app.models.matter import Matter, MatterStatus
from app.models.transfer import PENDING_STATUSES, StoredFile, Transfer, TransferKind, TransferStatus
from app.security import actor_for, current_scope
from app.services import settings, stored_files, transfers
from app.services.case_flow import CaseError
from app.services.idnumber import mask, mask_phone
from app.services.transfers import Destination, TransferError, VillageRequest
from app.views.interface import GovInterface
from app.views.labels import LABELS
from app.views.workflow import WorkflowView

MASKS = {"applicant_id_number": mask, "applicant_phone": mask_phone}
OPEN = (TransferStatus.registered, *PENDING_STATUSES)


class QuickFilter(BaseFilter):
    """?quick=incoming|open|returned|flagged and ?kind=village_request|duty_handoff: the everyday
    lists, honoured by the export too."""

    name = "quick"

    def apply(self, query, value):
        kind = TransferKind.__members__.get(request.args.get("kind") or "")
        if kind is not None:
            query = query.filter(Transfer.kind == kind)
        quick = request.args.get("quick")
        if quick == "incoming":
            # Addressed to the user's own center (and department, when one is named).
            scope = current_scope()
            if scope.center_id is None:
                return query.filter(Transfer.status.in_(PENDING_STATUSES))
            return query.filter(
                Transfer.status.in_(PENDING_STATUSES),
                Transfer.to_center_id == scope.center_id,
                sa.or_(Transfer.to_department_id.is_(None), Transfer.to_department_id == scope.department_id),
            )
        if quick == "open":
            return query.filter(Transfer.status.in_(OPEN))
        if quick == "returned":
            return query.filter(Transfer.status == TransferStatus.returned)
        if quick == "flagged":
            return query.filter(Transfer.status == TransferStatus.sent, Transfer.flagged_at.is_not(None))
        return query


def _scans():
    """The uploaded scans of the request, refused before the body is read when it is too large."""
    limits = stored_files.Limits.load(db.session, current_app.config["FILES_DIR"])
    most = int(settings.get(db.session, "transfer_max_files"))
    if (request.content_length or 0) > most * limits.max_bytes + 1024 * 1024:
        raise TransferError(_l("The upload is too large."))
    uploads = [(f.stream, f.filename) for f in request.files.getlist("scans") if f and f.filename]
    return uploads, limits


class TransferView(WorkflowView):
    datamodel = GovInterface(Transfer, eager=("matter", "from_center", "to_center", "to_department"), masked=MASKS)
    class_permission_name = "Transfer"
    base_permissions = ["can_read", "can_export", "can_act", "can_add"]
    method_permission_name = {
        **WorkflowView.method_permission_name,
        "register": "add",
        "register_form": "add",
        "attach": "add",
        "receipt": "read",
        "scan": "read",
    }
    service_add_form = "register"
    errors = (TransferError, CaseError, stored_files.FileRefused)
    base_filters = [["id", QuickFilter, lambda: None]]
    label_columns = {
        **LABELS,
        "number": _l("Transfer number"),
        "kind": _l("Transfer kind"),
        "status": _l("Transfer status"),
        "from_center": _l("Sent from"),
        "from_staff": _l("Registered by"),
        "to_center": _l("Sent to (center)"),
        "to_department": _l("Sent to (department)"),
        "to_window": _l("Sent to (window)"),
        "registered_at": _l("Registered at"),
        "sent_at": _l("Forwarded at"),
        "confirm_due_at": _l("Receipt due by"),
        "handoff_due_at": _l("Hand-off due by"),
        "flagged_at": _l("Flagged as not received at"),
        "received_at": _l("Received at"),
        "received_by": _l("Received by"),
        "accepted_at": _l("Accepted into a case at"),
        "returned_at": _l("Returned at"),
        "return_reason": _l("Reason for return"),
        "case": _l("Case"),
        "case.number": _l("Case"),
    }
    list_title = _l("Village requests and transfers")
    show_title = _l("Transfer")
    registry = TRANSFER_FIELDS
    base_order = ("registered_at", "desc")
    formatters_columns = MASKS
    export_formatters = MASKS
    show_template = "govhall/transfer_show.html"
    list_template = "govhall/transfer_list.html"

    # -- the list and the page ----------------------------------------------------------
    def render_template(self, template, **kwargs):
        if template == self.list_template:
            kwargs["quick"] = request.args.get("quick", "")
            kwargs["kind"] = request.args.get("kind", "")
            kwargs["kinds"] = [(kind.name, kind.label) for kind in TransferKind]
        if template == self.show_template and "pk" in kwargs:
            item = self._scoped_get(kwargs["pk"])
            if item is not None:
                kwargs["timeline"] = item.events
                kwargs["files"] = item.files
                kwargs["materials"] = (
                    [m for m in item.matter.materials if m.id in (item.material_ids or [])] if (item.matter) else []
                )
                kwargs["may_attach"] = self._may_attach(item)
        return super().render_template(template, **kwargs)

    def _may_attach(self, item):
        return (
            item.status in (TransferStatus.registered, TransferStatus.returned)
            and self.appbuilder.sm.has_access("can_add", self.class_permission_name)
            and transfers.may_send(db.session, actor_for(g.user), item)
        )

    def step_forms(self, item):
        actor = actor_for(g.user)
        if item.status in (TransferStatus.registered, TransferStatus.returned):
            if not transfers.may_send(db.session, actor, item):
                return []
            choices = [
                (d.key, label) for d, label in transfers.destinations(db.session, item.from_center_id, item.matter)
            ]
            return [
                {
                    "step": "forward",
                    "label": _l("Forward"),
                    "fields": [("select", "destination", _l("Forward to"), choices)],
                }
            ]
        if item.status not in PENDING_STATUSES or not transfers.may_receive(db.session, actor, item):
            return []
        forms = []
        if item.status is TransferStatus.sent:
            forms.append({"step": "receive", "label": _l("Confirm receipt"), "fields": []})
        if item.matter_id is not None:
            forms.append({"step": "accept", "label": _l("Accept into a case"), "fields": []})
        forms.append(
            {"step": "return", "label": _l("Return"), "fields": [("textarea", "reason", _l("Reason for return"), None)]}
        )
        return forms

    def run_step(self, item, step, version, form):
        actor, now = actor_for(g.user), wall_clock.now()
        if step == "forward":
            transfers.forward(db.session, actor, now, item, version, Destination.parse(form.get("destination")))
        elif step == "receive":
            transfers.receive(db.session, actor, now, item, version)
        elif step == "accept":
            outcome = transfers.accept(db.session, actor, now, item, version)
            flash(str(_l("Case %(number)s accepted.", number=outcome.case.number)), "info")
        elif step == "return":
            transfers.return_transfer(db.session, actor, now, item, version, form.get("reason"))
        else:
            raise TransferError(_l("Unknown action."))

    # -- registering ----------------------------------------------------------------------
    @expose("/register")
    @has_access
    def register(self):
        """Choose the matter: those the village level receives, in the user's scope."""
        query = (
            sa.select(Matter)
            .where(
                Matter.status == MatterStatus.active,
                Matter.received_at_village.is_(True),
                current_scope().clause(Matter),
            )
            .order_by(Matter.code)
        )
        search = request.args.get("q", "").strip()[:50]
        if search:
            query = query.where(Matter.name.contains(search) | Matter.code.contains(search))
        return self.render_template(
            "govhall/transfer_choose.html",
            matters=db.session.scalars(query.limit(200)).all(),
            q=search,
            title=_l("Register a villager's request"),
        )

    @expose("/register/<int:matter_id>", methods=["GET", "POST"])
    @has_access
    def register_form(self, matter_id):
        matter = db.session.scalar(sa.select(Matter).where(Matter.id == matter_id, current_scope().clause(Matter)))
        if matter is None:
            abort(404)
        actor = actor_for(g.user)
        values = request.form if request.method == "POST" else {}
        if request.method == "POST":
            limits, stored = None, []
            try:
                uploads, limits = _scans()
                applicant_type = ApplicantType.__members__.get(values.get("applicant_type", "person"))
                if applicant_type is None:
                    raise TransferError(_l("The form is not valid."))
                transfer = transfers.register(
                    db.session,
                    actor,
                    wall_clock.now(),
                    VillageRequest(
                        matter_id=matter.id,
                        applicant_type=applicant_type,
                        applicant_name=values.get("applicant_name", ""),
                        applicant_id_number=values.get("applicant_id_number", ""),
                        applicant_phone=values.get("applicant_phone", ""),
                        material_ids=tuple(int(v) for v in request.form.getlist("materials") if _small_int(v)),
                        note=values.get("note", ""),
                        proxy_fee=values.get("proxy_fee"),
                        uploads=uploads,
                    ),
                    limits,
                )
                stored = list(transfer.files)
                destination = values.get("destination")
                if destination:
                    transfers.forward(
                        db.session, actor, wall_clock.now(), transfer, transfer.version, Destination.parse(destination)
                    )
                db.session.commit()
            except (TransferError, stored_files.FileRefused) as exc:
                undo_upload(limits, stored)
                flash(str(exc), "danger")
            except Exception:
                undo_upload(limits, stored)
                raise
            else:
                flash(
                    str(
                        _l("Request %(number)s registered: print the receipt for the villager.", number=transfer.number)
                    ),
                    "success",
                )
                return redirect(url_for(f"{self.endpoint}.show", pk=transfer.id))
        staff_center = current_scope().center_id
        return self.render_template(
            "govhall/transfer_register.html",
            matter=matter,
            values=values,
            destinations=[(d.key, label) for d, label in transfers.destinations(db.session, staff_center, matter)]
            if staff_center
            else [],
            title=_l("Register a villager's request"),
        )

    @expose("/attach/<int:pk>", methods=["POST"])
    @has_access
    def attach(self, pk):
        item = self._scoped_get(pk)
        if item is None:
            abort(404)

        def attach(upload):
            uploads, upload.limits = _scans()
            if not uploads:
                raise TransferError(_l("Choose the scans to upload."))
            upload.stored = transfers.attach(
                db.session, actor_for(g.user), wall_clock.now(), item, uploads, upload.limits
            )

        save_upload(attach, (TransferError, stored_files.FileRefused))
        return redirect(url_for(f"{self.endpoint}.show", pk=pk))

    # -- the receipt and the scans --------------------------------------------------------
    @expose("/receipt/<int:pk>")
    @has_access
    def receipt(self, pk):
        item = self._scoped_get(pk)
        if item is None:
            abort(404)
        materials = [m.name for m in item.matter.materials if m.id in (item.material_ids or [])] if item.matter else []
        return self.render_template(
            "govhall/print_transfer_receipt.html",
            transfer=item,
            materials=materials,
            mask=mask,
            mask_phone=mask_phone,
            center_name=settings.get(db.session, "center_name"),
        )

    @expose("/scan/<int:file_id>")
    @has_access
    def scan(self, file_id):
        """A scan, to those whose scope covers its transfer (404 to everyone else)."""
        stored = db.session.scalar(
            sa.select(StoredFile).where(StoredFile.id == file_id, current_scope().row_clause(StoredFile))
        )
        return send_stored(stored)


def send_stored(stored, *, inline: bool = False):
    """A stored file the caller found in the user's scope (None: 404), with its download headers
    (`inline`: shown in the browser rather than saved)."""
    if stored is None:
        abort(404)
    path = stored_files.path_of(current_app.config["FILES_DIR"], stored)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=stored.content_type, conditional=False, max_age=0)
    response.headers.update(stored_files.download_headers(stored, inline=inline))
    return response


class Upload:
    """One request's upload: the limits it was read under and the rows it stored."""

    limits = None
    stored: list = []


def save_upload(work, errors) -> None:
    """`work(upload)` stores an upload; committed, or (a refusal, one of `errors`, flashed; a fault
    raised) nothing of it stays: no rows, no files."""
    upload = Upload()
    try:
        work(upload)
        db.session.commit()
    except errors as exc:
        undo_upload(upload.limits, upload.stored)
        flash(str(exc), "danger")
    except Exception:
        undo_upload(upload.limits, upload.stored)
        raise
    else:
        flash(str(_l("Saved.")), "success")


def undo_upload(limits, stored) -> None:
    """Nothing of a refused or failed request stays: no rows, no files (their names are read
    before the rollback, which detaches the rows)."""
    paths = [stored_files.path_of(limits.directory, row) for row in stored] if limits is not None else []
    db.session.rollback()
    for path in paths:
        path.unlink(missing_ok=True)


def _small_int(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) < 10
