"""transfers (接件登记/转交) with their history, and stored files (scans)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 18:23:20

A village request forwarded to the township or a county window, or a comprehensive window's
hand-off to the owning department (app/models/transfer.py); StoredFile holds uploaded scans.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic; numbered 0001, 0002… by migrations/env.py.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "transfer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("village_request", "duty_handoff", name="transferkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "registered",
                "sent",
                "received",
                "accepted",
                "returned",
                name="transferstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("matter_id", sa.Integer(), nullable=True),
        sa.Column(
            "applicant_type",
            sa.Enum("person", "organisation", name="applicanttype", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("applicant_name", sa.String(length=100), nullable=True),
        sa.Column("applicant_id_number", sa.String(length=30), nullable=True),
        sa.Column("applicant_phone", sa.String(length=20), nullable=True),
        sa.Column("material_ids", sa.JSON(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("from_center_id", sa.Integer(), nullable=False),
        sa.Column("from_department_id", sa.Integer(), nullable=True),
        sa.Column("from_staff_id", sa.Integer(), nullable=True),
        sa.Column("to_center_id", sa.Integer(), nullable=True),
        sa.Column("to_department_id", sa.Integer(), nullable=True),
        sa.Column("to_window_id", sa.Integer(), nullable=True),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("confirm_due_at", sa.DateTime(), nullable=True),
        sa.Column("flagged_at", sa.DateTime(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=True),
        sa.Column("received_by_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("returned_at", sa.DateTime(), nullable=True),
        sa.Column("return_reason", sa.String(length=1000), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["from_center_id"],
            ["center.id"],
        ),
        sa.ForeignKeyConstraint(
            ["from_department_id"],
            ["department.id"],
        ),
        sa.ForeignKeyConstraint(
            ["from_staff_id"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["matter_id"],
            ["matter.id"],
        ),
        sa.ForeignKeyConstraint(
            ["received_by_id"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["to_center_id"],
            ["center.id"],
        ),
        sa.ForeignKeyConstraint(
            ["to_department_id"],
            ["department.id"],
        ),
        sa.ForeignKeyConstraint(
            ["to_window_id"],
            ["window.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("transfer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transfer_applicant_id_number"), ["applicant_id_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_transfer_applicant_name"), ["applicant_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_transfer_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_transfer_from_center_status", ["from_center_id", "status", "registered_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_transfer_from_department_id"), ["from_department_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_transfer_from_staff_id"), ["from_staff_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_transfer_matter_id"), ["matter_id"], unique=False)
        batch_op.create_index("ix_transfer_registered_at", ["registered_at"], unique=False)
        batch_op.create_index("ix_transfer_status_confirm_due", ["status", "confirm_due_at"], unique=False)
        batch_op.create_index("ix_transfer_to_center_status", ["to_center_id", "status", "registered_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_transfer_to_department_id"), ["to_department_id"], unique=False)

    op.create_table(
        "stored_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=60), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("transfer_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["transfer_id"], ["transfer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("storage_key"),
    )
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stored_file_transfer_id"), ["transfer_id"], unique=False)

    op.create_table(
        "transfer_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transfer_id", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "register",
                "forward",
                "receive",
                "accept",
                "return_transfer",
                "flag",
                "attach",
                name="transferaction",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(["transfer_id"], ["transfer.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("transfer_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transfer_event_transfer_id"), ["transfer_id"], unique=False)


def downgrade():
    with op.batch_alter_table("transfer_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfer_event_transfer_id"))

    op.drop_table("transfer_event")
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_file_transfer_id"))

    op.drop_table("stored_file")
    with op.batch_alter_table("transfer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfer_to_department_id"))
        batch_op.drop_index("ix_transfer_to_center_status")
        batch_op.drop_index("ix_transfer_status_confirm_due")
        batch_op.drop_index("ix_transfer_registered_at")
        batch_op.drop_index(batch_op.f("ix_transfer_matter_id"))
        batch_op.drop_index(batch_op.f("ix_transfer_from_staff_id"))
        batch_op.drop_index(batch_op.f("ix_transfer_from_department_id"))
        batch_op.drop_index("ix_transfer_from_center_status")
        batch_op.drop_index(batch_op.f("ix_transfer_case_id"))
        batch_op.drop_index(batch_op.f("ix_transfer_applicant_name"))
        batch_op.drop_index(batch_op.f("ix_transfer_applicant_id_number"))

    op.drop_table("transfer")
