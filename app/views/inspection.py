"""The inspections register (巡查/暗访), the joint meetings (联席会议) and the annual assessment of the
sub-centers and township centers (issue 19.3).

Thin views: each list is a GovModelView (scope, filters, export); records are made by the view's own
form calling one service function (app/services/inspections.py), which refuses with a Chinese
message, saving nothing. A finding's photos go through the stored-file service and are served only
to those whose scope covers the finding (404 otherwise). The pages' step forms post to /act/<pk>/<step>
(app/views/workflow.py); a step naming a finding carries the finding's version ("id:version") so a
stale page is refused.
"""

import tempfile

import sqlalchemy as sa
from flask import abort, current_app, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from app import clock
from app.extensions import db
from app.fields.inspection import INSPECTION_FIELDS, JOINT_MEETING_FIELDS
from app.http_guard import int_or_none
from app.models.feedback import SanctionKind
from app.models.inspection import (
    FindingOutcome,
    Inspection,
    InspectionFinding,
    InspectionKind,
    JointMeeting,
)
from app.models.org import Center, CenterLevel, Department, RecordStatus, Staff, StaffStatus, Window
from app.models.transfer import StoredFile
from app.security import actor_for, current_scope
from app.services import center_assessment, inspections, stored_files
from app.views.export import send_workbook
from app.views.interface import GovInterface
from app.views.labels import LABELS
from app.views.people import _date, _datetime
from app.views.transfer import save_upload, send_stored
from app.views.workflow import WorkflowView, service_form

ERRORS = (inspections.InspectionError, stored_files.FileRefused)
MAX_PHOTOS = 6


def _roles() -> set:
    return {role.name for role in g.user.roles}


def _records() -> bool:
    """Whether the user records inspections and meetings (duty `inspections`)."""
    return bool(_roles() & inspections.RECORDERS)


def _pick(value, rows):
    """The row an "id:version" choice names among `rows`, and the version it was shown at."""
    number, _, version = (value or "").partition(":")
    row_id = int_or_none(number)
    row = next((row for row in rows if row.id == row_id), None)
    if row is None:
        raise inspections.InspectionError(_l("Choose one of the findings offered."), "input")
    return row, version


def _choice(row, text):
    return (f"{row.id}:{row.version}", text)


class _RecordedView(WorkflowView):
    """A register the center writes through the view's own form (`record`), read in scope."""

    base_permissions = ["can_read", "can_export", "can_act", "can_add"]
    method_permission_name = {**WorkflowView.method_permission_name, "record": "add"}
    service_add_form = "record"
    errors = ERRORS
    form_title = None

    def form_fields(self, form):
        raise NotImplementedError

    def save(self, form):
        raise NotImplementedError

    @expose("/record", methods=["GET", "POST"])
    @has_access
    def record(self):
        return service_form(self, inspections.InspectionError)


class InspectionView(_RecordedView):
    """巡查/暗访/分中心检查: the register, each inspection's findings and what they became."""

    datamodel = GovInterface(Inspection, eager=("center",))
    class_permission_name = "Inspection"
    method_permission_name = {**_RecordedView.method_permission_name, "finding": "act", "photo": "read"}
    list_title = _l("Inspection register")
    show_title = _l("Inspection")
    form_title = _l("Record an inspection")
    registry = INSPECTION_FIELDS
    base_order = ("inspected_at", "desc")
    show_template = "govhall/inspection_show.html"
    label_columns = {
        **LABELS,
        "number": _l("Inspection number"),
        "kind": _l("Kind of inspection"),
        "inspected_at": _l("Inspected at"),
        "center": _l("Center inspected"),
        "place": _l("Place"),
        "inspectors": _l("Inspectors"),
        "summary": _l("Summary"),
    }

    def form_fields(self, form):
        centers = db.session.execute(
            sa.select(Center.id, Center.name).where(Center.level != CenterLevel.village).order_by(Center.code)
        )
        return [
            ("select", "kind", _l("Kind of inspection"), [(k.name, k.label) for k in InspectionKind]),
            ("datetime", "inspected_at", _l("Inspected at"), None),
            ("select", "center_id", _l("Center inspected"), list(centers)),
            ("text", "place", _l("Place"), None),
            ("text", "inspectors", _l("Inspectors"), None),
            ("textarea", "summary", _l("Summary"), None),
        ]

    def save(self, form):
        return inspections.record_inspection(
            db.session,
            actor_for(g.user),
            clock.now(),
            kind=form.get("kind"),
            inspected_at=_datetime(form.get("inspected_at")),
            center_id=int_or_none(form.get("center_id")),
            inspectors=form.get("inspectors"),
            summary=form.get("summary"),
            place=form.get("place"),
        )

    # -- the page ---------------------------------------------------------------------------
    def _findings(self, item):
        """The inspection's findings the user sees (a department: those against it)."""
        return db.session.scalars(
            sa.select(InspectionFinding)
            .where(InspectionFinding.inspection_id == item.id, current_scope().clause(InspectionFinding))
            .order_by(InspectionFinding.id)
        ).all()

    def render_template(self, template, **kwargs):
        if template == self.show_template and "pk" in kwargs:
            item = self._scoped_get(kwargs["pk"])
            if item is not None:
                kwargs["findings"] = self._findings(item)
                kwargs["may_record"] = self._may_act() and _records()
                kwargs["targets"] = self._targets(item) if kwargs["may_record"] else {}
        return super().render_template(template, **kwargs)

    def _may_act(self):
        return self.appbuilder.sm.has_access("can_act", self.class_permission_name)

    @staticmethod
    def _targets(item):
        """The departments, windows and staff a finding at this center may name."""
        below = sa.select(Center.id).where(sa.or_(Center.id == item.center_id, Center.parent_id == item.center_id))
        windows = db.session.execute(
            sa.select(Window.id, Window.code, Window.name)
            .where(Window.center_id.in_(below), Window.status == RecordStatus.active)
            .order_by(Window.code)
        )
        staff = db.session.execute(
            sa.select(Staff.id, Staff.name, Department.short_name)
            .join(Department, Department.id == Staff.department_id, isouter=True)
            .where(Staff.center_id.in_(below), Staff.status == StaffStatus.active)
            .order_by(Staff.name)
        )
        departments = db.session.execute(
            sa.select(Department.id, Department.name)
            .where(Department.status == RecordStatus.active)
            .order_by(Department.sort_order, Department.code)
        )
        return {
            "departments": list(departments),
            "windows": [(i, f"{c} {n}") for i, c, n in windows],
            "staff": [(i, f"{n}（{d}）" if d else n) for i, n, d in staff],
        }

    def step_forms(self, item):
        if not _records():
            return []
        findings = self._findings(item)
        undecided = [
            _choice(f, f"#{f.id} {f.description[:40]}")
            for f in findings
            if f.outcome is FindingOutcome.none and (f.staff_id or f.window_id)
        ]
        orderable = [
            _choice(f, f"#{f.id} {f.description[:40]}")
            for f in findings
            if f.department_id is not None and f.rectification_order is None
        ]
        forms = []
        if undecided:
            rules = [(r.id, f"{r.name}（{r.points}）") for r in inspections.manual_rules(db.session)]
            forms.append(
                {
                    "step": "assess",
                    "label": _l("Record the finding as an assessment deduction"),
                    "fields": [
                        ("select", "finding", _l("Finding concerned"), undecided),
                        ("select", "rule", _l("Assessment rule"), rules),
                    ],
                }
            )
            forms.append(
                {
                    "step": "sanction",
                    "label": _l("Sanction the finding"),
                    "fields": [
                        ("select", "finding", _l("Finding concerned"), undecided),
                        ("select", "kind", _l("Sanction"), [(k.name, k.label) for k in SanctionKind]),
                        ("textarea_optional", "note", _l("Note"), None),
                    ],
                }
            )
        if orderable:
            forms.append(
                {
                    "step": "order",
                    "label": _l("Issue a rectification order for the finding"),
                    "fields": [
                        ("select", "finding", _l("Finding concerned"), orderable),
                        ("textarea_optional", "requirement", _l("Requirement (blank: the standard text)"), None),
                    ],
                }
            )
        return forms

    def run_step(self, item, step, version, form):
        finding, finding_version = _pick(form.get("finding"), self._findings(item))
        actor, now = actor_for(g.user), clock.now()
        if step == "assess":
            inspections.to_assessment(
                db.session, actor, now, finding, finding_version, rule_id=int_or_none(form.get("rule"))
            )
        elif step == "sanction":
            inspections.to_sanction(
                db.session, actor, now, finding, finding_version, kind=form.get("kind"), note=form.get("note")
            )
        elif step == "order":
            due = inspections.order_due(db.session, now)
            inspections.order_rectification(
                db.session, actor, now, finding, finding_version, due_at=due, requirement=form.get("requirement")
            )
        else:
            raise inspections.InspectionError(_l("Unknown action."))

    # -- a finding and its photos ---------------------------------------------------------------
    @expose("/finding/<int:pk>", methods=["POST"])
    @has_access
    def finding(self, pk):
        item = self._scoped_get(pk)
        if item is None:
            abort(404)

        def add(upload):
            upload.limits = limits = stored_files.Limits.load(db.session, current_app.config["FILES_DIR"])
            if (request.content_length or 0) > MAX_PHOTOS * limits.max_bytes + 1024 * 1024:
                raise inspections.InspectionError(_l("The upload is too large."))
            uploads = [(f.stream, f.filename) for f in request.files.getlist("photos") if f and f.filename]
            if len(uploads) > MAX_PHOTOS:
                raise inspections.InspectionError(_l("At most %(count)s photos per finding.", count=MAX_PHOTOS))
            form = request.form
            _, upload.stored = inspections.add_finding(
                db.session,
                actor_for(g.user),
                clock.now(),
                item,
                description=form.get("description"),
                department_id=int_or_none(form.get("department_id")),
                window_id=int_or_none(form.get("window_id")),
                staff_id=int_or_none(form.get("staff_id")),
                uploads=uploads,
                limits=limits,
            )

        save_upload(add, ERRORS)
        return redirect(url_for(f"{self.endpoint}.show", pk=pk))

    @expose("/photo/<int:file_id>")
    @has_access
    def photo(self, file_id):
        """A finding's photo, to those whose scope covers the finding (404 to everyone else)."""
        stored = db.session.scalar(
            sa.select(StoredFile).where(
                StoredFile.id == file_id,
                StoredFile.inspection_finding_id.is_not(None),
                current_scope().row_clause(StoredFile),
            )
        )
        return send_stored(stored)


class JointMeetingView(_RecordedView):
    """联席会议: minutes, decisions and their follow-ups."""

    datamodel = GovInterface(JointMeeting)
    class_permission_name = "JointMeeting"
    list_title = _l("Joint meetings")
    show_title = _l("Joint meeting")
    form_title = _l("Record a joint meeting")
    registry = JOINT_MEETING_FIELDS
    base_order = ("held_on", "desc")
    show_template = "govhall/joint_meeting_show.html"
    label_columns = {
        **LABELS,
        "held_on": _l("Held on"),
        "topic": _l("Topic"),
        "centers": _l("Centers concerned"),
        "attendees": _l("Attendees"),
        "minutes": _l("Minutes"),
        "decisions": _l("Decisions"),
    }

    def form_fields(self, form):
        centers = db.session.execute(
            sa.select(Center.id, Center.name).where(Center.level.in_(inspections.MEETING_LEVELS)).order_by(Center.code)
        )
        return [
            ("date", "held_on", _l("Held on"), None),
            ("text", "topic", _l("Topic"), None),
            ("checkboxes", "center_ids", _l("Centers concerned"), list(centers)),
            ("textarea", "attendees", _l("Attendees"), None),
            ("textarea", "minutes", _l("Minutes"), None),
            ("note", "decisions", _l("Decisions"), None),
        ]

    def save(self, form):
        return inspections.record_meeting(
            db.session,
            actor_for(g.user),
            clock.now(),
            held_on=_date(form.get("held_on")),
            topic=form.get("topic"),
            attendees=form.get("attendees"),
            minutes=form.get("minutes"),
            decisions=form.get("decisions"),
            center_ids=[int_or_none(value) for value in form.getlist("center_ids")],
        )

    def render_template(self, template, **kwargs):
        if template == self.show_template and "pk" in kwargs:
            item = self._scoped_get(kwargs["pk"])
            if item is not None:
                kwargs["follow_ups"] = item.follow_ups
                kwargs["today"] = clock.now().date()
        return super().render_template(template, **kwargs)

    def _closable(self, item):
        actor = actor_for(g.user)
        if _records():
            return [f for f in item.follow_ups if f.closed_at is None]
        if _roles() & inspections.HEADS:
            return [f for f in item.follow_ups if f.closed_at is None and f.owner_center_id == actor.center_id]
        return []

    def step_forms(self, item):
        forms = []
        if _records():
            forms.append(
                {
                    "step": "follow_up",
                    "label": _l("Add a follow-up"),
                    "fields": [
                        ("textarea", "action", _l("What is to be done"), None),
                        ("text", "owner", _l("Owner"), None),
                        ("date", "due_on", _l("To be done by"), None),
                        (
                            "select_optional",
                            "owner_center",
                            _l("Owning center"),
                            [(c.id, c.name) for c in item.centers],
                        ),
                    ],
                }
            )
        closable = self._closable(item)
        if closable:
            forms.append(
                {
                    "step": "close",
                    "label": _l("Close a follow-up"),
                    "fields": [
                        ("select", "follow_up", _l("Follow-up"), [_choice(f, f.action[:50]) for f in closable]),
                        ("textarea", "note", _l("What was done"), None),
                    ],
                }
            )
        return forms

    def run_step(self, item, step, version, form):
        actor, now = actor_for(g.user), clock.now()
        if step == "follow_up":
            inspections.add_follow_up(
                db.session,
                actor,
                now,
                item,
                action=form.get("action"),
                owner=form.get("owner"),
                due_on=_date(form.get("due_on")),
                owner_center_id=int_or_none(form.get("owner_center")),
            )
        elif step == "close":
            follow_up, follow_version = _pick(form.get("follow_up"), self._closable(item))
            inspections.close_follow_up(db.session, actor, now, follow_up, follow_version, note=form.get("note"))
        else:
            raise inspections.InspectionError(_l("Unknown action."))


class CenterAssessmentView(BaseView):
    """年度考核 of each sub-center and township center (000 第二十条), ranked, with its workbook."""

    route_base = "/center-assessment"
    class_permission_name = "CenterAssessment"
    method_permission_name = {"index": "read", "workbook": "export"}
    base_permissions = ["can_read", "can_export"]
    default_view = "index"

    @staticmethod
    def _year() -> int:
        value = request.args.get("year", "")
        return int(value) if value.isascii() and value.isdigit() and 2000 <= int(value) <= 2100 else clock.now().year

    @staticmethod
    def _title(year):
        return _l("Annual assessment of sub-centers and township centers, %(year)s", year=year)

    @expose("/")
    @has_access
    def index(self):
        year = self._year()
        weights = center_assessment.Weights.load(db.session)
        return self.render_template(
            "govhall/center_assessment.html",
            title=self._title(year),
            year=year,
            lines=center_assessment.annual(db.session, year, clock.now(), weights),
            weights=weights,
            may_export=self.appbuilder.sm.has_access("can_export", self.class_permission_name),
        )

    @expose("/workbook")
    @has_access
    def workbook(self):
        year = self._year()
        weights = center_assessment.Weights.load(db.session)
        lines = center_assessment.annual(db.session, year, clock.now(), weights)
        note = (
            f"基础得分＝窗口月均得分×{weights.window}与人员月均得分×{weights.staff}的加权平均；"
            f"检查扣分＝每个问题{weights.finding}分，受到处理的另扣{weights.sanction}分，"
            f"整改逾期的另扣{weights.late_order}分（分中心管理办法第二十条）。"
        )
        handle = tempfile.TemporaryFile(suffix=".xlsx")
        center_assessment.write_workbook(handle, str(self._title(year)), lines, note)
        handle.seek(0)
        return send_workbook(handle, f"center_assessment_{year}.xlsx")
