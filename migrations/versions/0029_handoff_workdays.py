"""hand-off working days: stored on the county's child case when it decides

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03 02:00:00

The county's network sheet (app/services/network_report.py) averages, per township, the working
days from each report-up hand-off to the county's decision. Computed in SQL for every hand-off of
the month (a calendar lookup each) that was half the sheet's time at 1M cases; the case flow now
stores them on the child when the county completes or returns it (case_flow/handoff.py), and the
partial index of the month's hand-offs holds them. Existing decided children are filled with the
same count in SQL (app/services/workday_sql.py), which agrees with the work calendar.
"""

import sqlalchemy as sa
from alembic import op

from app.services.workday_sql import workdays_between

# revision identifiers, used by Alembic.
revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

CHILDREN = sa.text("parent_id IS NOT NULL")
MONTH = ["submitted_at", "parent_id", "status", "accepted_at", "finished_at"]


def upgrade():
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handoff_workdays", sa.Integer(), nullable=True))
    case = sa.table(
        "case",
        sa.column("parent_id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("submitted_at", sa.DateTime),
        sa.column("finished_at", sa.DateTime),
        sa.column("handoff_workdays", sa.Integer),
    )
    dialect = op.get_bind().dialect.name
    op.execute(
        case.update()
        .where(
            case.c.parent_id.is_not(None),
            case.c.status.in_(["completed", "returned"]),
            case.c.finished_at.is_not(None),
        )
        .values(handoff_workdays=workdays_between(dialect, case.c.submitted_at, case.c.finished_at))
    )
    op.drop_index("ix_case_escalated_month", table_name="case")
    op.create_index(
        "ix_case_escalated_month",
        "case",
        [*MONTH, "handoff_workdays"],
        unique=False,
        postgresql_where=CHILDREN,
        sqlite_where=CHILDREN,
    )


def downgrade():
    op.drop_index("ix_case_escalated_month", table_name="case")
    op.create_index(
        "ix_case_escalated_month", "case", MONTH, unique=False, postgresql_where=CHILDREN, sqlite_where=CHILDREN
    )
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_column("handoff_workdays")
