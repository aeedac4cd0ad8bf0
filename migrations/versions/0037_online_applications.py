"""online applications (网上申报 / 预审) and their material files

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-03 13:12:49

Issue 17 (seeds 002 网上接件、预审, 003 在线申请, 004 第十六条 互联网+政务服务): `application`
(an online application before it becomes a case; one open application per applicant and
matter by a partial unique index), `application_event` (its timeline), and on `stored_file`
the application it belongs to, the matter's material it is and its correction round.
Enums are plain VARCHAR values.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic. The lead re-chains this revision at merge.
revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "correction_requested",
                "resubmitted",
                "passed",
                "refused",
                "withdrawn",
                name="applicationstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column(
            "applicant_type",
            sa.Enum("person", "organisation", name="applicanttype", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("applicant_name", sa.String(length=100), nullable=False),
        sa.Column("applicant_id_number", sa.String(length=30), nullable=False),
        sa.Column("applicant_phone", sa.String(length=20), nullable=False),
        sa.Column("contact_name", sa.String(length=100), nullable=True),
        sa.Column("declaration_accepted", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("review_due_at", sa.DateTime(), nullable=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("correction_requested_at", sa.DateTime(), nullable=True),
        sa.Column("correction_notice", sa.Text(), nullable=True),
        sa.Column("correction_material_ids", sa.JSON(), nullable=True),
        sa.Column("resubmitted_at", sa.DateTime(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("refusal_reason", sa.String(length=1000), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["center_id"],
            ["center.id"],
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
        ),
        sa.ForeignKeyConstraint(
            ["matter_id"],
            ["matter.id"],
        ),
        sa.ForeignKeyConstraint(["reviewer_id"], ["staff.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_applicant_id_number"), ["applicant_id_number"], unique=False)
        batch_op.create_index(batch_op.f("ix_application_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_application_center_status", ["center_id", "status", "submitted_at"], unique=False)
        batch_op.create_index("ix_application_closed_at", ["closed_at"], unique=False)
        batch_op.create_index(
            "ix_application_department_status", ["department_id", "status", "submitted_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_application_matter_id"), ["matter_id"], unique=False)
        batch_op.create_index("ix_application_status_review_due", ["status", "review_due_at"], unique=False)
        batch_op.create_index("ix_application_submitted_at", ["submitted_at"], unique=False)
        batch_op.create_index(
            "uq_application_open",
            ["matter_id", "applicant_id_number"],
            unique=True,
            postgresql_where=sa.text("status IN ('submitted', 'correction_requested', 'resubmitted')"),
            sqlite_where=sa.text("status IN ('submitted', 'correction_requested', 'resubmitted')"),
        )

    op.create_table(
        "application_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "submit",
                "request_correction",
                "resubmit",
                "pass_review",
                "refuse",
                "withdraw",
                name="applicationaction",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("application_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_event_application_id"), ["application_id"], unique=False)

    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("application_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("matter_material_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("round", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_stored_file_application_id"), ["application_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_stored_file_application", "application", ["application_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_foreign_key(
            "fk_stored_file_matter_material", "matter_material", ["matter_material_id"], ["id"], ondelete="SET NULL"
        )


def downgrade():
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.drop_constraint("fk_stored_file_matter_material", type_="foreignkey")
        batch_op.drop_constraint("fk_stored_file_application", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_stored_file_application_id"))
        batch_op.drop_column("round")
        batch_op.drop_column("matter_material_id")
        batch_op.drop_column("application_id")

    with op.batch_alter_table("application_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_event_application_id"))

    op.drop_table("application_event")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_application_open",
            postgresql_where=sa.text("status IN ('submitted', 'correction_requested', 'resubmitted')"),
            sqlite_where=sa.text("status IN ('submitted', 'correction_requested', 'resubmitted')"),
        )
        batch_op.drop_index("ix_application_submitted_at")
        batch_op.drop_index("ix_application_status_review_due")
        batch_op.drop_index(batch_op.f("ix_application_matter_id"))
        batch_op.drop_index("ix_application_department_status")
        batch_op.drop_index("ix_application_closed_at")
        batch_op.drop_index("ix_application_center_status")
        batch_op.drop_index(batch_op.f("ix_application_case_id"))
        batch_op.drop_index(batch_op.f("ix_application_applicant_id_number"))

    op.drop_table("application")
