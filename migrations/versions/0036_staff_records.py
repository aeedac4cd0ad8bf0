"""staff records: résumé fields, training records, previous posts, 晋升 and the change's warnings

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-03 09:05:03

Issue 19.5 (seeds 000 第五条, 003 第三条/第六条, 004 第三十条/第三十一条): a staff member's
résumé (gender, birth date, 编制, 职级, 职称, 学历, post in the department), training records
and previous posts; a personnel change's promotion rank, origin (department, center, sanction),
eligibility and successor warnings and the requester's user id. Enums are plain VARCHAR values:
the new change kind `promotion` needs no DDL. Existing changes were all requested by a
department (or a sanction, told apart by nothing stored): they read `department`.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic. The lead re-chains this revision at merge.
revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None

RANKS = ("none", "clerk", "member", "section", "deputy_division", "division", "deputy_bureau")


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade():
    op.create_table(
        "previous_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("organisation", sa.String(length=100), nullable=False),
        sa.Column("post", sa.String(length=100), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ck_previous_post_period"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("previous_post", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_previous_post_staff_id"), ["staff_id"], unique=False)

    op.create_table(
        "training_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            _enum("trainingkind", "pre_service", "department", "in_service", "etiquette", "other"),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=True),
        sa.Column("provider", sa.String(length=100), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("hours IS NULL OR hours >= 0", name="ck_training_record_hours"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("training_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_training_record_staff_id"), ["staff_id"], unique=False)

    with op.batch_alter_table("personnel_change", schema=None) as batch_op:
        batch_op.add_column(sa.Column("to_rank", _enum("staffrank", *RANKS), nullable=True))
        batch_op.add_column(
            sa.Column(
                "origin",
                _enum("changeorigin", "department", "center", "sanction"),
                nullable=False,
                server_default="department",
            )
        )
        batch_op.add_column(sa.Column("eligibility_warning", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("successor_warning", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("requested_by_user_id", sa.Integer(), nullable=True))
    # The default filled the existing rows; new rows get theirs from the service.
    with op.batch_alter_table("personnel_change", schema=None) as batch_op:
        batch_op.alter_column("origin", server_default=None)

    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gender", _enum("gender", "male", "female"), nullable=True))
        batch_op.add_column(sa.Column("birth_date", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "staffing",
                _enum(
                    "staffing", "civil_service", "civil_service_managed", "public_institution", "contract", "dispatched"
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("cadre_rank", _enum("staffrank", *RANKS), nullable=True))
        batch_op.add_column(
            sa.Column(
                "title_level",
                _enum("titlelevel", "none", "junior", "intermediate", "associate_senior", "senior"),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "education", _enum("education", "secondary", "college", "bachelor", "master", "doctor"), nullable=True
            )
        )
        batch_op.add_column(sa.Column("home_post", sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table("staff", schema=None) as batch_op:
        for column in ("home_post", "education", "title_level", "cadre_rank", "staffing", "birth_date", "gender"):
            batch_op.drop_column(column)

    with op.batch_alter_table("personnel_change", schema=None) as batch_op:
        for column in ("requested_by_user_id", "successor_warning", "eligibility_warning", "origin", "to_rank"):
            batch_op.drop_column(column)

    with op.batch_alter_table("training_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_record_staff_id"))
    op.drop_table("training_record")
    with op.batch_alter_table("previous_post", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_previous_post_staff_id"))
    op.drop_table("previous_post")
