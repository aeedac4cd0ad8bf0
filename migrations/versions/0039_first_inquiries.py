"""first-inquiry register (首问登记)

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-03 13:30:00

Issue 18 point 1: an inquiry, its first responder, its referral and reply deadline, the overdue flag
(app/services/inquiries.py). The new assessment trigger `inquiry_overdue` and the notice kinds are
members of non-native (VARCHAR(32)) enums: no schema change. The lead re-chains this revision at merge.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "inquiry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("walk_in", "phone", "portal", name="inquirychannel", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("inquirer_name", sa.String(length=50), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("topic", sa.String(length=500), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=True),
        sa.Column("responder_id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("referred", "closed", name="inquirystatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("referred_department_id", sa.Integer(), nullable=True),
        sa.Column("referred_staff_id", sa.Integer(), nullable=True),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("reply", sa.String(length=1000), nullable=True),
        sa.Column("replied_at", sa.DateTime(), nullable=True),
        sa.Column("replied_by", sa.String(length=100), nullable=True),
        sa.Column("answer", sa.String(length=1000), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        sa.Column("overdue_at", sa.DateTime(), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["center_id"], ["center.id"]),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["matter_id"], ["matter.id"]),
        sa.ForeignKeyConstraint(["referred_department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["referred_staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["responder_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inquiry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inquiry_responder_id"), ["responder_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inquiry_referred_department_id"), ["referred_department_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inquiry_referred_staff_id"), ["referred_staff_id"], unique=False)
        batch_op.create_index("ix_inquiry_phone_received", ["phone", "received_at"], unique=False)
        batch_op.create_index("ix_inquiry_status_due", ["status", "due_at"], unique=False)
        batch_op.create_index("ix_inquiry_center_received", ["center_id", "received_at"], unique=False)
        batch_op.create_index("ix_inquiry_department_received", ["department_id", "received_at"], unique=False)
        batch_op.create_index("ix_inquiry_received", ["received_at"], unique=False)


def downgrade():
    with op.batch_alter_table("inquiry", schema=None) as batch_op:
        batch_op.drop_index("ix_inquiry_received")
        batch_op.drop_index("ix_inquiry_department_received")
        batch_op.drop_index("ix_inquiry_center_received")
        batch_op.drop_index("ix_inquiry_status_due")
        batch_op.drop_index("ix_inquiry_phone_received")
        batch_op.drop_index(batch_op.f("ix_inquiry_referred_staff_id"))
        batch_op.drop_index(batch_op.f("ix_inquiry_referred_department_id"))
        batch_op.drop_index(batch_op.f("ix_inquiry_responder_id"))
    op.drop_table("inquiry")
