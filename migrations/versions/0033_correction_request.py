"""data correction requests (数据更正申请)

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-03 06:00:00

A case fact (applicant name, ID number, phone, fee) is corrected through a request that the
department's chief representative or the center approves; the system then applies it to the
case (app/services/corrections.py). The lead re-chains this revision at merge.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "correction_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column(
            "field",
            sa.Enum(
                "applicant_name",
                "applicant_id_number",
                "applicant_phone",
                "fee",
                name="correctionfield",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("old_value", sa.String(length=100), nullable=True),
        sa.Column("new_value", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "applied", "rejected", name="correctionstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("requested_by_user_id", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["center_id"], ["center.id"]),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("correction_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_correction_request_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_correction_request_status"), ["status"], unique=False)
        batch_op.create_index(
            "ix_correction_request_department_requested", ["department_id", "requested_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("correction_request", schema=None) as batch_op:
        batch_op.drop_index("ix_correction_request_department_requested")
        batch_op.drop_index(batch_op.f("ix_correction_request_status"))
        batch_op.drop_index(batch_op.f("ix_correction_request_case_id"))
    op.drop_table("correction_request")
