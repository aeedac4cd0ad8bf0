"""Excel downloads: the one .xlsx response every export, report, bulletin and import
template sends, and a model view's export route, which writes the list's own rows
(its filters, order and scope) with the export columns."""

import tempfile
from datetime import date

from flask import send_file
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import get_filter_args, get_order_args

from app.services.excel import write_workbook

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_workbook(stream, download_name: str):
    """An .xlsx download (exports, reports, bulletins, import templates)."""
    return send_file(stream, as_attachment=True, download_name=download_name, mimetype=XLSX_MIMETYPE)


def _formatted(row, formatters):
    row = list(row)
    for index, formatter in formatters:
        row[index] = formatter(row[index])
    return row


class ExcelExport:
    """A model view's /export/ route (mixed into GovModelView)."""

    # Columns written to Excel; defaults to list_columns.
    export_columns: list[str] | None = None
    # Value formatters applied in exports (e.g. masking personal data as the list does).
    export_formatters: dict = {}

    @expose("/export/")
    @has_access
    def export(self):
        get_filter_args(self._filters)
        filters = self._filters.get_joined_filters(self._base_filters)
        order_column, order_direction = get_order_args().get(self.__class__.__name__, self.base_order or ("", ""))
        columns = self.export_columns or self.list_columns
        headers = [
            str(self.label_columns.get(col) or self.label_columns.get(col.split(".")[0], col)) for col in columns
        ]
        rows = self.datamodel.stream(filters, columns, order_column, order_direction)
        formatters = [
            (index, self.export_formatters[col]) for index, col in enumerate(columns) if col in self.export_formatters
        ]
        if formatters:
            rows = (_formatted(row, formatters) for row in rows)
        handle = tempfile.TemporaryFile(suffix=".xlsx")
        write_workbook(handle, str(self.list_title), headers, rows)
        handle.seek(0)
        name = f"{self.list_title}_{date.today():%Y%m%d}.xlsx"
        return send_workbook(handle, name)
