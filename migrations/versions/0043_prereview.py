"""pre-review (预审) of online applications: the overdue flag, the queue's indexes, 视为受理

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-03 13:30:00

Issue 17.3: `application.review_flagged_at` (the pre-review scan flagged it past its limit, once
per due time), the pre-review queue's indexes (a department's or a center's applications by
status and due time; first-round ones by receipt for 行政许可法 §32's scan), and
`case.deemed_accepted` (视为受理: accepted by the system on its receipt date). The new violation
and notice kinds are plain VARCHAR values: no DDL.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic. The lead re-chains this revision at merge.
revision = "0043"
down_revision = "0042"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_flagged_at", sa.DateTime(), nullable=True))
        batch_op.create_index(
            "ix_application_department_status_due", ["department_id", "status", "review_due_at"], unique=False
        )
        batch_op.create_index(
            "ix_application_center_status_due", ["center_id", "status", "review_due_at"], unique=False
        )
        batch_op.create_index("ix_application_status_submitted", ["status", "submitted_at"], unique=False)
    # A plain ADD COLUMN (a constant default): no copy of the case table.
    op.add_column("case", sa.Column("deemed_accepted", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_column("deemed_accepted")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index("ix_application_status_submitted")
        batch_op.drop_index("ix_application_center_status_due")
        batch_op.drop_index("ix_application_department_status_due")
        batch_op.drop_column("review_flagged_at")
