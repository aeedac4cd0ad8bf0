"""duty hand-off due: when a comprehensive window's on-duty department must hand a case over

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 10:00:00

Seed 003: a case the comprehensive window accepts for a member department is handed over to
that department within 0.5 working day (setting duty_handoff_days). The hand-off's register
entry (a transfer of kind duty_handoff) keeps that instant; the scan that records a late
hand-off reads the entries still registered past it, a range on (status, handoff_due_at).
New enum members (violation, case action, notice kinds) are plain VARCHAR values: no DDL.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("transfer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handoff_due_at", sa.DateTime(), nullable=True))
    op.create_index("ix_transfer_status_handoff_due", "transfer", ["status", "handoff_due_at"], unique=False)


def downgrade():
    op.drop_index("ix_transfer_status_handoff_due", table_name="transfer")
    with op.batch_alter_table("transfer", schema=None) as batch_op:
        batch_op.drop_column("handoff_due_at")
