"""rectification orders (整改通知) opened by substantiated complaints

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-03 06:20:00

A complaint found substantiated (or partly) opens an order to the department with a deadline;
its closure (who, when, what was done) and a referral to the discipline inspectors (纪检: date,
reference number) are recorded on it (app/services/rectification_orders.py).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rectification_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("window_id", sa.Integer(), nullable=True),
        sa.Column("requirement", sa.String(length=1000), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "closed", name="orderstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        sa.Column("closure_note", sa.String(length=1000), nullable=True),
        sa.Column("referred_on", sa.Date(), nullable=True),
        sa.Column("referral_number", sa.String(length=60), nullable=True),
        sa.Column("referral_note", sa.String(length=500), nullable=True),
        sa.Column("referred_by", sa.String(length=100), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaint.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["center_id"], ["center.id"]),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["window_id"], ["window.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("complaint_id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("rectification_order", schema=None) as batch_op:
        batch_op.create_index("ix_rectification_order_department_id", ["department_id"], unique=False)
        batch_op.create_index("ix_rectification_order_status_due", ["status", "due_at"], unique=False)


def downgrade():
    with op.batch_alter_table("rectification_order", schema=None) as batch_op:
        batch_op.drop_index("ix_rectification_order_status_due")
        batch_op.drop_index("ix_rectification_order_department_id")
    op.drop_table("rectification_order")
