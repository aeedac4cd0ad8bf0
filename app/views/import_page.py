"""An upload page for a spreadsheet import: dry run first, then all rows or none, and a template.

Shared by the matter catalogue and the attendance imports, which differ only in
what they call and what they report.
"""

import io

from flask import flash, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.views.export import send_workbook


class ImportPageView(BaseView):
    method_permission_name = {"index": "import", "template": "import"}
    default_view = "index"
    page_template: str
    page_title = None
    template_file_name: str
    choose_file_message = _l("Choose an .xlsx file to upload.")

    def run_import(self, data: bytes, filename: str, dry_run: bool):
        """The importer's report (with `ok`); it writes into the session, committed here on success."""
        raise NotImplementedError

    def finished_message(self, report) -> str:
        raise NotImplementedError

    def build_template(self, buffer) -> None:
        raise NotImplementedError

    def page_context(self) -> dict:
        """What the page's template needs besides the report."""
        return {}

    @expose("/", methods=["GET", "POST"])
    @has_access
    def index(self):
        report, status = None, 200
        if request.method == "POST":
            upload = request.files.get("file")
            dry_run = request.form.get("mode") != "import"
            if upload is None or not upload.filename:
                flash(str(self.choose_file_message), "danger")
                status = 400
            else:
                report = self.run_import(upload.read(), upload.filename, dry_run)
                if report.ok and not dry_run:
                    db.session.commit()
                    flash(self.finished_message(report), "success")
                else:
                    db.session.rollback()
                if not report.ok:
                    status = 422  # a refused file or bad rows: nothing was written
        page = self.render_template(self.page_template, report=report, title=self.page_title, **self.page_context())
        return page, status

    @expose("/template")
    @has_access
    def template(self):
        buffer = io.BytesIO()
        self.build_template(buffer)
        buffer.seek(0)
        return send_workbook(buffer, self.template_file_name)
