"""The inbox (我的消息): each user's own notices from the scheduler."""

from flask import flash, g, redirect, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app import clock
from app.fields.system import NOTICE_FIELDS
from app.models.notice import Notice
from app.services import notices
from app.views.interface import GovInterface
from app.views.model_view import GovModelView


class OwnNoticeFilter(BaseFilter):
    """Everyone reads their own inbox only, Admin included: list, show and actions."""

    name = "own"

    def apply(self, query, value):
        return query.filter(Notice.user_id == g.user.id)


def _case_link(case):
    if case is None:
        return ""
    return Markup('<a href="/caseview/show/{}">{}</a>').format(case.id, escape(case.number))


class NoticeView(GovModelView):
    datamodel = GovInterface(Notice, eager=("case",))
    class_permission_name = "Notice"
    base_permissions = ["can_read"]
    method_permission_name = {**GovModelView.method_permission_name, "mark_read": "read", "mark_all_read": "read"}
    scope_filter_class = OwnNoticeFilter
    list_template = "govhall/notice_list.html"
    list_title = _l("My notices")
    show_title = _l("Notice")
    registry = NOTICE_FIELDS
    base_order = ("created_at", "desc")
    formatters_columns = {"case": _case_link}

    @action("mark_read", _l("Mark as read"), None, "fa-check", single=False)
    def mark_read(self, items):
        items = items if isinstance(items, list) else [items]
        changed = notices.mark_read(self.datamodel.session, g.user.id, [item.id for item in items], clock.now())
        self.datamodel.session.commit()
        flash(str(_l("%(count)s notice(s) marked as read.")) % {"count": changed}, "success")
        return redirect(self.get_redirect())

    @expose("/mark-all-read", methods=["POST"])
    @has_access
    def mark_all_read(self):
        """Every unread notice of the user's own inbox read at once (one UPDATE; CSRF-checked POST)."""
        changed = notices.mark_all_read(self.datamodel.session, g.user.id, clock.now())
        self.datamodel.session.commit()
        flash(str(_l("%(count)s notice(s) marked as read.")) % {"count": changed}, "success")
        return redirect(url_for(".list"))

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            kwargs["unread"] = notices.unread_count(self.datamodel.session, g.user.id)
        return super().render_template(template, **kwargs)
