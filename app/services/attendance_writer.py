"""Writing an attendance import's checked staff days (attendance_reader.py) in bulk.

A re-import replaces the device's row of a staff member and day but never a
manual correction (reported as skipped). Rows go 1,000 a statement, so the
rows to write are never all in memory. After the write, working days of the
file's period on which an active staff member of a department in the file has
no record get one (absent_day, or the leave they were on), so absences are never
silently missing. One audit entry records the import.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.models.audit import AuditAction
from app.models.org import Staff
from app.models.personnel import AttendanceRecord, AttendanceSource
from app.services import attendance, audit
from app.services.import_rows import RowError


def write(session, report, days, rules, cal, today, progress):
    """Insert or replace the days' records, then fill the period's absences; counts go on `report`."""
    table = AttendanceRecord.__table__
    staff_ids = {k[0] for k in days}
    existing = {}
    for chunk in _chunks(sorted(staff_ids), 500):
        for row in session.execute(
            sa.select(
                table.c.id,
                table.c.staff_id,
                table.c.day,
                table.c.source,
                table.c.corrected_by,
                table.c.correction_reason,
            ).where(table.c.staff_id.in_(chunk), table.c.day.between(report.first_day, report.last_day))
        ):
            existing[(row.staff_id, row.day)] = row
    leaves = attendance.load_leaves(session, report.first_day, report.last_day, staff_ids)
    writer = _Batches(session, len(days), progress)
    names = dict(session.execute(sa.select(Staff.id, Staff.name).where(Staff.id.in_(staff_ids))).all())
    for key, item in sorted(days.items(), key=lambda pair: pair[1].row):
        old = existing.get(key)
        if old is not None and old.source in (AttendanceSource.manual, AttendanceSource.manual.name):
            report.skipped.append(
                RowError(
                    item.row,
                    "",
                    str(
                        _l(
                            "%(name)s %(day)s was corrected by %(by)s (%(reason)s); the correction is kept.",
                            name=names.get(item.staff_id, ""),
                            day=item.day.isoformat(),
                            by=old.corrected_by or "",
                            reason=old.correction_reason or "",
                        )
                    ),
                )
            )
            continue
        values = {
            "clock_in": item.clock_in,
            "clock_out": item.clock_out,
            **attendance.classified(item.day, item.clock_in, item.clock_out, cal, rules, leaves.get(item.staff_id, ())),
        }
        if old is None:
            writer.insert(
                {
                    **values,
                    "staff_id": item.staff_id,
                    "department_id": item.department_id,
                    "day": item.day,
                    "source": AttendanceSource.device.name,
                    "version": 1,
                }
            )
        else:
            writer.update({**values, "row_id": old.id})
    writer.flush()
    report.created, report.replaced = writer.inserted, writer.updated
    # Today is still under way: only finished days are filled with absences.
    last_finished = min(report.last_day, today - timedelta(days=1))
    if last_finished >= report.first_day:
        departments = {item.department_id for item in days.values()}
        report.absences = attendance.fill_absences(session, report.first_day, last_finished, cal, rules, departments)
    _audit_summary(session, report)


def _audit_summary(session, report):
    """The bulk write bypasses the ORM: one audit entry records the import itself."""
    audit.log_summary(
        session,
        AuditAction.insert,
        AttendanceRecord.__tablename__,
        "import",
        f"考勤导入 {report.first_day}～{report.last_day}",
        {
            "created": report.created,
            "replaced": report.replaced,
            "absences": report.absences,
            "skipped": len(report.skipped),
        },
    )


class _Batches:
    """Inserts and updates sent 1,000 rows a statement, so the rows to write are never all in memory."""

    SIZE = 1000
    table = AttendanceRecord.__table__

    def __init__(self, session, total, progress):
        self.session, self.total, self.progress = session, total, progress
        self.inserts, self.updates = [], []
        self.inserted = self.updated = 0

    def insert(self, row):
        self.inserts.append(row)
        if len(self.inserts) == self.SIZE:
            self.flush()

    def update(self, row):
        self.updates.append(row)
        if len(self.updates) == self.SIZE:
            self.flush()

    def flush(self):
        table = self.table
        if self.inserts:
            self.session.execute(sa.insert(table), self.inserts)
        attendance.update_rows(self.session, self.updates)
        self.inserted += len(self.inserts)
        self.updated += len(self.updates)
        self.inserts, self.updates = [], []
        if self.progress and self.total:
            self.progress("写入", self.inserted + self.updated, self.total)


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]
