"""Upload page for the province's matter catalogue workbook: dry run, then import."""

import io

from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.services.matter_import import build_template, import_matters
from app.views.import_page import ImportPageView


class MatterImportView(ImportPageView):
    route_base = "/matter-import"
    class_permission_name = "MatterImport"
    page_template = "govhall/matter_import.html"
    page_title = _l("Import matter catalogue")
    template_file_name = "政务服务事项导入模板.xlsx"

    def run_import(self, data, filename, dry_run):
        return import_matters(db.session, io.BytesIO(data), dry_run=dry_run)

    def finished_message(self, report):
        return str(
            _l(
                "Import finished: %(created)s created, %(updated)s updated.",
                created=report.created,
                updated=report.updated,
            )
        )

    def build_template(self, buffer):
        build_template(buffer)
