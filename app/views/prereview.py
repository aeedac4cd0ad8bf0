"""The pre-review queue (预审, issue 17.3): online applications awaiting the department's review,
most urgent first; each application's page shows the matter's material list with the files
uploaded for each (viewed inline beside it) and the three decisions: pass, ask for a correction
once (一次性告知), refuse. The rules are services/prereview.py's; every path reads the application
in the user's scope (404 otherwise). It is views/application.py's ApplicationView (its resource,
fields, labels, materials and `file` endpoint) narrowed to the queue."""

import sqlalchemy as sa
from flask import flash, g, request
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l

from app import clock as wall_clock
from app.extensions import db
from app.models.application import (
    AWAITING_REVIEW_STATUSES,
    CLOSED_APPLICATION_STATUSES,
    Application,
    ApplicationStatus,
)
from app.models.matter import CaseKind
from app.security import actor_for
from app.services import prereview
from app.services.case_flow import CaseError
from app.services.case_flow.reception import co_department_choices
from app.services.prereview import Defect, PreReviewError
from app.views.application import ApplicationView

QUICK = ("waiting", "overdue", "correction", "closed", "all")


def status_in(statuses):
    """`application.status IN ('submitted', 'resubmitted')` with the names written into the SQL,
    not bound: SQLite reads a partial index (WHERE status IN (...)) only for a query whose WHERE
    repeats the index's condition, and a bound parameter repeats nothing. At 100k applications
    the waiting tab sorted by due time is 36 ms of SQL without such an index, 0.3 ms with it
    (bench/applications.py)."""
    return Application.status.in_([sa.literal_column(f"'{status.name}'") for status in statuses])


class QueueFilter(BaseFilter):
    """?quick=waiting (the default: awaiting pre-review) | overdue (past the limit) | correction
    (awaiting the applicant's correction) | closed | all: the queue's lists, honoured by the export."""

    name = "quick"

    def apply(self, query, value):
        # The queue opens on what awaits review; a single application's page, step or file is
        # found whatever its status.
        listing = request.endpoint in ("PreReviewView.list", "PreReviewView.export")
        quick = request.args.get("quick") or ("waiting" if listing else "all")
        if quick == "waiting":
            return query.filter(status_in(AWAITING_REVIEW_STATUSES))
        if quick == "overdue":
            return query.filter(status_in(AWAITING_REVIEW_STATUSES), Application.review_due_at < wall_clock.now())
        if quick == "correction":
            return query.filter(Application.status == ApplicationStatus.correction_requested)
        if quick == "closed":
            return query.filter(Application.status.in_(CLOSED_APPLICATION_STATUSES))
        return query


def _small_int(text) -> int | None:
    return int(text) if isinstance(text, str) and text.isascii() and text.isdigit() and len(text) < 10 else None


def defects_from(form) -> list[Defect]:
    """The correction form's ticked materials, each with its reason, and an optional other item."""
    defects = []
    for value in form.getlist("defect"):
        material_id = _small_int(value)
        if material_id is None:
            raise PreReviewError(_l("Name only materials of this matter."))
        defects.append(Defect(material_id, form.get(f"reason_{material_id}", "")))
    other = (form.get("other_reason") or "").strip()
    if other:
        defects.append(Defect(None, other))
    return defects


class PreReviewView(ApplicationView):
    """The list of every application (ApplicationView) as the department's queue, with the decisions."""

    route_base = "/prereview"
    errors = (PreReviewError, CaseError)
    base_filters = [["id", QueueFilter, lambda: None]]
    # The queue differs from the registry's list on one point: the due time, which it is sorted by.
    list_columns = ["number", "status", "matter", "department", "applicant_name", "submitted_at", "review_due_at"]
    # And the page: the reviewer reads the applicant and the notice above the materials; the
    # times of each step (correction asked, corrected, reviewed, withdrawn) are the timeline's.
    show_columns = [
        "number",
        "status",
        "matter",
        "department",
        "applicant_type",
        "applicant_name",
        "applicant_id_number",
        "applicant_phone",
        "contact_name",
        "submitted_at",
        "review_due_at",
        "review_flagged_at",
        "correction_notice",
        "reviewer",
        "refusal_reason",
        "case",
    ]
    label_columns = {
        **ApplicationView.label_columns,
        "closed_at": _l("Closed at"),
    }
    list_title = _l("Pre-review of online applications")
    base_order = ("review_due_at", "asc")
    list_template = "govhall/prereview_list.html"
    show_template = "govhall/prereview_show.html"

    def _get_list_widget(self, **kwargs):
        # The waiting and overdue tabs: most urgent first (base_order). The other tabs are records:
        # newest first, as the applications' list. By due time, 100k applications' closed and all
        # tabs were sorted whole (0.3–1.3 s of SQL); newest first, an index is read in order.
        if not kwargs.get("order_column") and request.args.get("quick") in ("correction", "closed", "all"):
            kwargs["order_column"], kwargs["order_direction"] = "submitted_at", "desc"
        return super()._get_list_widget(**kwargs)

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            quick = request.args.get("quick") or "waiting"
            kwargs["quick"] = quick if quick in QUICK else "all"
        return super().render_template(template, **kwargs)

    def step_forms(self, item):
        if not prereview.may_review(db.session, actor_for(g.user), item):
            return []
        passing = {"step": "pass", "label": _l("Pass: accept the case"), "fields": []}
        if item.matter.case_kind is CaseKind.joint:
            # 联办: the pass names the co-departments, as the window's intake form does.
            passing["co_departments"] = co_department_choices(db.session, item.matter)
        if prereview.deemed(db.session, item):
            # 行政许可法 §32 has accepted it on receipt: the pass only names its co-departments.
            passing["label"] = _l("Pass naming the co-departments: accepted on receipt (§32)")
            return [passing]
        forms = [passing]
        if item.correction_requested_at is None:
            forms.append({"step": "correct", "label": _l("Ask for a correction (once)"), "fields": []})
        forms.append(
            {
                "step": "refuse",
                "label": _l("Refuse: not within the matter"),
                "fields": [("textarea", "reason", _l("Reason for refusal"), None)],
            }
        )
        return forms

    def run_step(self, item, step, version, form):
        actor, now = actor_for(g.user), wall_clock.now()
        if step == "pass":
            # Anything not a department id is kept as None, for the service to refuse.
            co = tuple(_small_int(value) for value in form.getlist("co_departments"))
            outcome = prereview.pass_review(db.session, actor, now, item, version, co_department_ids=co)
            flash(str(_l("Case %(number)s accepted.", number=outcome.case.number)), "info")
        elif step == "correct":
            prereview.request_correction(db.session, actor, now, item, version, defects_from(form), form.get("note"))
        elif step == "refuse":
            prereview.refuse(db.session, actor, now, item, version, form.get("reason"))
        else:
            raise PreReviewError(_l("Unknown action."))
