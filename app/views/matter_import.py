"""Upload page for the province's matter catalogue workbook: dry run, then import."""

import io

from flask import flash, request, send_file
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.services.matter_import import build_template, import_matters


class MatterImportView(BaseView):
    route_base = "/matter-import"
    class_permission_name = "MatterImport"
    method_permission_name = {"index": "import", "template": "import"}
    default_view = "index"

    @expose("/", methods=["GET", "POST"])
    @has_access
    def index(self):
        report = None
        if request.method == "POST":
            upload = request.files.get("file")
            dry_run = request.form.get("mode") != "import"
            if upload is None or not upload.filename:
                flash(str(_l("Choose an .xlsx file to upload.")), "danger")
            else:
                report = import_matters(db.session, io.BytesIO(upload.read()), dry_run=dry_run)
                if report.ok and not dry_run:
                    db.session.commit()
                    flash(
                        str(
                            _l(
                                "Import finished: %(created)s created, %(updated)s updated.",
                                created=report.created,
                                updated=report.updated,
                            )
                        ),
                        "success",
                    )
                else:
                    db.session.rollback()
        return self.render_template("govhall/matter_import.html", report=report, title=_l("Import matter catalogue"))

    @expose("/template")
    @has_access
    def template(self):
        buffer = io.BytesIO()
        build_template(buffer)
        buffer.seek(0)
        return send_file(
            buffer,
            as_attachment=True,
            download_name="政务服务事项导入模板.xlsx",
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
