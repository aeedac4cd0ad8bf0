"""Efficiency bulletins (效能通报): a page and an .xlsx for a chosen period."""

import io
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import flash, request
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l

from app import clock
from app.extensions import db
from app.http_guard import int_or_none
from app.models.org import Center
from app.services import bulletins
from app.services.monthly_report import month_bounds, previous_month
from app.views.export import send_workbook


def presets(today: date) -> list[tuple[str, date, date]]:
    """(label, first day, last day) of the usual bulletin periods."""
    last_month = previous_month(today)
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last_quarter_start = previous_month(previous_month(previous_month(quarter_start)))
    return [
        (str(_l("Last month")), last_month, month_bounds(last_month)[1].date() - timedelta(days=1)),
        (str(_l("Last quarter")), last_quarter_start, quarter_start - timedelta(days=1)),
        (str(_l("This year so far")), date(today.year, 1, 1), today),
    ]


class BulletinView(BaseView):
    route_base = "/bulletin"
    default_view = "index"
    class_permission_name = "Bulletin"
    method_permission_name = {"index": "read", "export": "export"}
    base_permissions = ["can_read", "can_export"]

    def _query(self):
        """Center, period and ranking from the query string; (None, message) when unreadable."""
        today = clock.now().date()
        _, first, last = presets(today)[0]
        try:
            first = date.fromisoformat(request.args.get("start") or first.isoformat())
            last = date.fromisoformat(request.args.get("end") or last.isoformat())
        except ValueError:
            return None, _l("Enter dates as YYYY-MM-DD.")
        if last < first or (last - first).days > 366:
            return None, _l("Choose a period of at most one year, its end after its start.")
        order_by = request.args.get("by", "on_time_rate")
        if order_by not in {key for key, _, _ in bulletins.INDICATORS}:
            order_by = "on_time_rate"
        center_id = int_or_none(request.args.get("center_id"))
        center = db.session.get(Center, center_id) if center_id is not None else None
        center = center or db.session.scalar(sa.select(Center).where(Center.parent_id.is_(None)).order_by(Center.id))
        if center is None:
            return None, _l("There is no service center yet.")
        start, end = (
            datetime.combine(first, datetime.min.time()),
            datetime.combine(last + timedelta(days=1), datetime.min.time()),
        )
        return (center, first, last, start, end, order_by), None

    @expose("/")
    @has_access
    def index(self):
        query, error = self._query()
        rows = []
        if error:
            flash(str(error), "danger")
        else:
            center, first, last, start, end, order_by = query
            rows = bulletins.compute(db.session, center.id, start, end, order_by)
        centers = db.session.execute(
            sa.select(Center.id, Center.name).where(Center.level != "village").order_by(Center.sort_order, Center.id)
        ).all()
        return self.render_template(
            "govhall/bulletin.html",
            title=_l("Efficiency bulletin"),
            rows=rows,
            query=query,
            centers=centers,
            presets=presets(clock.now().date()),
            indicators=bulletins.INDICATORS,
            minutes=bulletins.MINUTES,
            definitions=bulletins.DEFINITIONS,
            may_export=self.appbuilder.sm.has_access("can_export", "Bulletin"),
        )

    @expose("/export/")
    @has_access
    def export(self):
        query, error = self._query()
        if error:
            flash(str(error), "danger")
            return self.index()
        center, first, last, start, end, order_by = query
        rows = bulletins.compute(db.session, center.id, start, end, order_by)
        content = bulletins.workbook(rows, center.name, start, end, order_by)
        return send_workbook(io.BytesIO(content), f"效能通报-{first:%Y%m%d}-{last:%Y%m%d}.xlsx")
