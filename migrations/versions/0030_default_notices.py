"""default-approval notices: a numbered series per year

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03 06:30:00

Seed 002 (超时或缺席默认): the center issues a numbered 缺席默认通知书 for a defaulted case or a
defaulted joint task. `document_counter` holds the last number used per series and year, bumped
with one UPDATE … RETURNING as case numbers are (case_counter), so two notices never share one.
New enum members (case action default_task, task status defaulted, violation kind
task_defaulted, notice kind task_defaulted) are plain VARCHAR values: no DDL.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "document_counter",
        sa.Column("series", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series", "year"),
    )


def downgrade():
    op.drop_table("document_counter")
