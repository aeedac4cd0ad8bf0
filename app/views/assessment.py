"""Assessment (考核): rules as rows, records (automatic and manual), monthly scores, quarterly results.

Thin views: the scoring lives in app/services/assessment.py, scoring_month.py and
scoring_periods.py. Manual records need evidence and are audited (AssessmentRecord is
Audited). Scores and quarterly results are rebuilt by the monthly_scoring job or the
page's button (POST with the CSRF token).
"""

import tempfile
from datetime import date

import sqlalchemy as sa
from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms.validators import DataRequired, Length

from app import clock
from app.extensions import db
from app.fields.assessment import (
    ASSESSMENT_RECORD_FIELDS,
    ASSESSMENT_RULE_FIELDS,
    MONTHLY_SCORE_FIELDS,
    QUARTERLY_RESULT_FIELDS,
)
from app.models.assessment import (
    AssessmentCategory,
    AssessmentOrigin,
    AssessmentRecord,
    AssessmentRule,
    AssessmentTrigger,
    MonthlyScore,
    QuarterlyResult,
    ScoreKind,
)
from app.models.org import Staff, Window
from app.security import current_scope
from app.services import rescoring, scoring_month, scoring_periods
from app.services.excel import write_workbook
from app.views.export import send_workbook
from app.views.interface import GovInterface
from app.views.model_view import GovModelView

CRUD = ["can_read", "can_add", "can_edit", "can_delete", "can_export"]


def _month(value):
    return f"{value:%Y-%m}" if value else ""


def _quarter(value):
    return f"{value.year} Q{(value.month - 1) // 3 + 1}" if value else ""


def rule_errors(rule: AssessmentRule) -> list[str]:
    errors = []
    if rule.points is None or rule.points == 0:
        errors.append(str(_l("Points must not be zero.")))
    elif rule.category is AssessmentCategory.addition and rule.points < 0:
        errors.append(str(_l("An addition adds points: enter a positive number.")))
    elif rule.category is not AssessmentCategory.addition and rule.points > 0:
        errors.append(str(_l("A deduction takes points off: enter a negative number.")))
    if rule.monthly_cap is not None and rule.monthly_cap <= 0:
        errors.append(str(_l("The monthly cap is a positive number of points, or empty for none.")))
    return errors


class AssessmentRuleView(GovModelView):
    """The 考核细则 as rows: the center edits points, caps and whether a rule applies."""

    datamodel = GovInterface(AssessmentRule)
    class_permission_name = "AssessmentRule"
    base_permissions = CRUD
    list_title = _l("Assessment rules")
    show_title = _l("Assessment rule")
    add_title = _l("Add an assessment rule")
    edit_title = _l("Edit assessment rule")
    # The code is the rule's key (automatic records and the quarterly rules name it): shown as code.
    formatters_columns = {"code": lambda code: Markup("<code>{}</code>").format(code)}
    registry = ASSESSMENT_RULE_FIELDS
    # The forms differ from the registry's order, which the list leads with the sort order: a new rule
    # is entered code first, its place last.
    add_columns = [
        "code",
        "name",
        "category",
        "trigger",
        "points",
        "monthly_cap",
        "active",
        "joint_liability",
        "sort_order",
        "note",
    ]
    # The code and the source stay: automatic records and the quarterly rules refer to them.
    edit_columns = ["name", "category", "points", "monthly_cap", "active", "joint_liability", "sort_order", "note"]
    order_columns = ["sort_order", "code", "points"]
    base_order = ("sort_order", "asc")
    item_rules = staticmethod(rule_errors)


class AssessmentRecordView(GovModelView):
    """Additions and deductions by month; supervisors add manual ones with evidence."""

    datamodel = GovInterface(AssessmentRecord, eager=("rule", "staff", "window", "department"))
    class_permission_name = "AssessmentRecord"
    base_permissions = CRUD
    list_title = _l("Assessment records")
    show_title = _l("Assessment record")
    add_title = _l("Record an addition or deduction")
    edit_title = _l("Edit assessment record")
    registry = ASSESSMENT_RECORD_FIELDS
    # The add form is in the order one records an event (rule, when, who, evidence), not the list's;
    # the month, department and points follow from those.
    add_columns = ["rule", "occurred_at", "staff", "window", "evidence"]
    order_columns = ["month", "occurred_at", "points"]
    base_order = ("occurred_at", "desc")
    formatters_columns = {"month": _month}
    validators_columns = {"evidence": [DataRequired(), Length(max=500)]}
    add_form_query_rel_fields = {
        "rule": [["trigger", FilterEqual, AssessmentTrigger.manual.name], ["active", FilterEqual, True]]
    }
    description_columns = {
        "window": _l("Empty: the staff member's window (an individual's deduction is also the window's)."),
        "evidence": _l("Required: what was seen or received, by whom, where to find it."),
    }

    def pre_add(self, item):
        now = clock.now()
        item.evidence = (item.evidence or "").strip()
        if not item.evidence:
            raise ValueError(str(_l("Evidence is required for a manual record.")))
        rule = db.session.get(AssessmentRule, item.rule_id) if item.rule_id else item.rule
        if rule is None or not rule.active or rule.trigger is not AssessmentTrigger.manual:
            raise ValueError(str(_l("Choose an active rule recorded by supervisors.")))
        if item.occurred_at is None or item.occurred_at > now:
            raise ValueError(str(_l("The date must not be in the future.")))
        staff = db.session.get(Staff, item.staff_id) if item.staff_id else item.staff
        window = db.session.get(Window, item.window_id) if item.window_id else item.window
        if staff is None and window is None:
            raise ValueError(str(_l("Choose the staff member or the window.")))
        if window is None and staff.window is not None:
            item.window = staff.window  # the relationship, not the column: FAB set the relationship
        item.department_id = staff.department_id if staff else window.department_id
        item.month = item.occurred_at.date().replace(day=1)
        item.points = rule.points
        item.origin = AssessmentOrigin.manual
        item.recorded_by = g.user.username
        item.recorded_at = now
        super().pre_add(item)


# The monthly score page's tabs: FAB's first filter on `kind` (equal).
KIND_FILTER = "_flt_0_kind"


def _finished_month(value: str) -> date | None:
    return rescoring.finished_month(value, clock.now().date())


# The columns a tab of one score kind would show empty.
EMPTY_COLUMNS = {
    ScoreKind.staff.name: ("window",),
    ScoreKind.window.name: ("staff",),
    ScoreKind.department.name: ("staff", "window"),
}


class MonthlyScoreView(GovModelView):
    """Monthly 100-point scores in rank order; generated for any finished month."""

    datamodel = GovInterface(
        MonthlyScore, eager=("center", "staff", "window", "department"), ranked_within=("center_id",)
    )
    class_permission_name = "MonthlyScore"
    base_permissions = ["can_read", "can_export", "can_generate"]
    # Re-scoring (the attendance page's button) is generating again: the same permission.
    method_permission_name = {**GovModelView.method_permission_name, "generate": "generate", "rescore": "generate"}
    list_template = "govhall/score_list.html"
    list_title = _l("Monthly scores")
    show_title = _l("Monthly score")
    registry = MONTHLY_SCORE_FIELDS
    order_columns = ["month", "rank", "score"]
    base_order = ("rank", "asc")
    formatters_columns = {"month": _month}

    @expose("/generate/", methods=["POST"])
    @has_access
    def generate(self):
        month = _finished_month(request.form.get("month", ""))
        if month is None:
            flash(str(_l("Choose a finished month (YYYY-MM).")), "danger")
            return redirect(url_for(".list"))
        now = clock.now()
        rows = scoring_month.run_month(db.session, month, now)
        quarter = scoring_periods.finished_quarter(month)
        if quarter:
            scoring_periods.assess_quarter(db.session, quarter, now)
        db.session.commit()
        flash(str(_l("Scores of %(month)s computed (%(rows)s rows).", month=_month(month), rows=rows)), "success")
        return redirect(url_for(".list", _flt_0_month=month.isoformat()))

    @expose("/rescore/", methods=["POST"])
    @has_access
    def rescore(self):
        """Reclassify a finished month's attendance under today's settings and rebuild its scores (audited)."""
        month = _finished_month(request.form.get("month", ""))
        if month is None:
            flash(str(_l("Choose a finished month (YYYY-MM).")), "danger")
            return redirect(url_for("AttendanceView.list"))
        result = rescoring.rescore_month(db.session, month, clock.now())
        db.session.commit()
        message = _l(
            "%(month)s re-scored: %(attendance)s attendance rows classified again, %(rows)s score rows written.",
            month=_month(month),
            attendance=result.attendance_rows,
            rows=result.rows,
        )
        flash(str(message), "success")
        return redirect(url_for(".list", _flt_0_month=month.isoformat()))

    def _get_list_widget(self, **kwargs):
        """One kind of score at a time (ranks are within kind and center): the staff's unless a tab is chosen."""
        filters = kwargs["filters"]
        if "kind" not in {active.column_name for active in filters.filters}:
            filters = filters.copy()
            filters.add_filter_index("kind", 0, ScoreKind.staff.name)
            kwargs["filters"] = filters
        widgets = super()._get_list_widget(**kwargs)
        # A tab lists one kind: the columns that kind leaves empty (a department has no staff
        # member or window) go; the export keeps them all, as it may hold every kind.
        kinds = set()
        for active, value in filters.get_filters_values():
            if active.column_name == "kind":  # a value from the URL comes as a list of one
                kinds.update(value if isinstance(value, list) else [value])
        if len(kinds) == 1:
            empty = EMPTY_COLUMNS.get(kinds.pop(), ())
            columns = widgets["list"].template_args["include_columns"]
            widgets["list"].template_args["include_columns"] = [column for column in columns if column not in empty]
        return widgets

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            kwargs["kind_filter"] = KIND_FILTER
            kwargs["kinds"] = [(kind.name, kind.label) for kind in ScoreKind]
            months = db.session.scalars(
                sa.select(MonthlyScore.month).distinct().order_by(MonthlyScore.month.desc()).limit(36)
            ).all()
            kwargs["periods"] = [(month.isoformat(), _month(month)) for month in months]
            kwargs["filter_name"] = "_flt_0_month"
            kwargs["default_month"] = _month(_previous(clock.now().date()))
            kwargs["may_generate"] = self.appbuilder.sm.has_access("can_generate", "MonthlyScore")
            kwargs["generate_url"] = url_for(".generate")
            kwargs["generate_name"] = "month"
        return super().render_template(template, **kwargs)


def _previous(day: date) -> date:
    from app.services.monthly_report import previous_month

    return previous_month(day)


def _reasons(value):
    return "；".join(value or [])


class QuarterlyResultView(GovModelView):
    """Quarterly ranking: mean score, eligibility with reasons, red-flag windows and service stars."""

    datamodel = GovInterface(QuarterlyResult, eager=("staff", "window", "department"))
    class_permission_name = "MonthlyScore"
    base_permissions = ["can_read", "can_export", "can_generate"]
    method_permission_name = {
        **GovModelView.method_permission_name,
        "generate": "generate",
        "annual": "read",
        "annual_export": "export",
    }
    list_template = "govhall/score_list.html"
    list_title = _l("Quarterly results")
    show_title = _l("Quarterly result")
    registry = QUARTERLY_RESULT_FIELDS
    order_columns = ["quarter_start", "rank", "mean_score"]
    base_order = ("mean_score", "desc")
    formatters_columns = {"quarter_start": _quarter, "reasons": _reasons}
    export_formatters = {"reasons": _reasons, "quarter_start": _quarter}

    @expose("/generate/", methods=["POST"])
    @has_access
    def generate(self):
        value = request.form.get("quarter", "")
        try:
            quarter = scoring_periods.quarter_of(date.fromisoformat(value))
        except ValueError:
            quarter = None
        now = clock.now()
        if quarter is None or scoring_periods.quarter_months(quarter)[-1] >= now.date().replace(day=1):
            flash(str(_l("Choose a finished quarter.")), "danger")
            return redirect(url_for(".list"))
        for month in scoring_periods.quarter_months(quarter):
            scoring_month.run_month(db.session, month, now)
        rows = scoring_periods.assess_quarter(db.session, quarter, now)
        db.session.commit()
        flash(str(_l("Quarter %(quarter)s assessed (%(rows)s rows).", quarter=_quarter(quarter), rows=rows)), "success")
        return redirect(url_for(".list", _flt_0_quarter_start=quarter.isoformat()))

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            quarters = db.session.scalars(
                sa.select(QuarterlyResult.quarter_start)
                .distinct()
                .order_by(QuarterlyResult.quarter_start.desc())
                .limit(20)
            ).all()
            kwargs["periods"] = [(quarter.isoformat(), _quarter(quarter)) for quarter in quarters]
            kwargs["filter_name"] = "_flt_0_quarter_start"
            today = clock.now().date()
            last = scoring_periods.quarter_of(_previous(scoring_periods.quarter_of(today)))
            kwargs["quarter_choices"] = [(q.isoformat(), _quarter(q)) for q in _quarters_before(last, 8)]
            kwargs["may_generate"] = self.appbuilder.sm.has_access("can_generate", "MonthlyScore")
            kwargs["generate_url"] = url_for(".generate")
            kwargs["generate_name"] = "quarter"
            kwargs["annual_url"] = url_for(".annual")
        return super().render_template(template, **kwargs)

    def _year(self) -> int:
        value = request.args.get("year", "")
        return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else clock.now().year

    @expose("/annual/")
    @has_access
    def annual(self):
        year = self._year()
        return self.render_template(
            "govhall/annual_scores.html",
            title=_l("Annual summary %(year)s", year=year),
            year=year,
            lines=scoring_periods.annual(db.session, year, current_scope()),
            may_export=self.appbuilder.sm.has_access("can_export", "MonthlyScore"),
        )

    @expose("/annual/export/")
    @has_access
    def annual_export(self):
        year = self._year()
        kinds = {"staff": str(_l("Staff member")), "window": str(_l("Window"))}
        headers = [str(_l("Rank")), str(_l("Assessed")), str(_l("Name")), str(_l("Department"))]
        headers += [str(_l("Months scored")), str(_l("Mean score"))]
        rows = (
            [line.rank, kinds[line.kind], line.name, line.department, line.months, float(line.mean)]
            for line in scoring_periods.annual(db.session, year, current_scope())
        )
        handle = tempfile.TemporaryFile(suffix=".xlsx")
        write_workbook(handle, str(_l("Annual summary %(year)s", year=year)), headers, rows)
        handle.seek(0)
        return send_workbook(handle, f"annual_scores_{year}.xlsx")


def _quarters_before(last: date, count: int) -> list[date]:
    quarters, current = [], last
    for _ in range(count):
        quarters.append(current)
        current = scoring_periods.quarter_of(_previous(current))
    return quarters
