"""network sheet indexes: the month's report-up hand-offs and deliveries, read from small partial indexes

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 19:10:00

The county's network sheet (app/services/network_report.py) reads, for one month, the escalated
children sent and the results delivered. Both are a fraction of the cases, so each gets a
partial index holding what the sheet reads (no row lookups at province size): the children by
the time they were sent, with their parent, status and times; the delivered cases by the time
of delivery, with their center and acceptance.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

CHILDREN = sa.text("parent_id IS NOT NULL")
DELIVERED = sa.text("delivered_at IS NOT NULL")


def upgrade():
    op.drop_index("ix_case_escalated_submitted", table_name="case")
    op.create_index(
        "ix_case_escalated_month",
        "case",
        ["submitted_at", "parent_id", "status", "accepted_at", "finished_at"],
        unique=False,
        postgresql_where=CHILDREN,
        sqlite_where=CHILDREN,
    )
    op.create_index(
        "ix_case_delivered_month",
        "case",
        ["delivered_at", "center_id", "accepted_at"],
        unique=False,
        postgresql_where=DELIVERED,
        sqlite_where=DELIVERED,
    )


def downgrade():
    op.drop_index("ix_case_delivered_month", table_name="case")
    op.drop_index("ix_case_escalated_month", table_name="case")
    op.create_index(
        "ix_case_escalated_submitted",
        "case",
        ["submitted_at"],
        unique=False,
        postgresql_where=CHILDREN,
        sqlite_where=CHILDREN,
    )
