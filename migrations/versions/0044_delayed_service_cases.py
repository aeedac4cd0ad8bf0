"""delayed-service cases (延时服务) and the long-wait trigger

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-03 17:30:00

Issue 18 points 2 and 5: `case.delayed_service` (a case received outside office hours while its
center had opened delayed service, or from a delayed-service booking; case_flow/reception.py), with
a small partial index for the case list's filter and the month's count. The new assessment trigger
`long_wait` is a member of a non-native (VARCHAR(32)) enum: no DDL.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic. The lead re-chains this revision at merge.
revision = "0044"
down_revision = "0043"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (a constant default): no copy of the case table.
    op.add_column("case", sa.Column("delayed_service", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_index(
        "ix_case_delayed_accepted",
        "case",
        ["accepted_at", "center_id", "department_id"],
        unique=False,
        postgresql_where=sa.text("delayed_service"),
        sqlite_where=sa.text("delayed_service = 1"),
    )


def downgrade():
    op.drop_index(
        "ix_case_delayed_accepted",
        table_name="case",
        postgresql_where=sa.text("delayed_service"),
        sqlite_where=sa.text("delayed_service = 1"),
    )
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_column("delayed_service")
