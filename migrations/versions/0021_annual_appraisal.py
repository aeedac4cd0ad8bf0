"""annual appraisal: each stationed staff member's year at a center, graded (年度考核)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 16:30:00

One row per staff member and year, generated from the monthly scores, the quarterly
results, complaints and sanctions (app/services/appraisal.py), then confirmed by the center.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "annual_appraisal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column(
            "grade",
            sa.Enum(
                "excellent", "competent", "basic", "incompetent", name="appraisalgrade", native_enum=False, length=32
            ),
            nullable=True,
        ),
        sa.Column("bars", sa.JSON(), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("generated_at", sa.DateTime(), nullable=False),
        sa.Column("generated_by", sa.String(length=100), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["center_id"], ["center.id"]),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("year", "staff_id", name="uq_annual_appraisal_year_staff"),
    )
    op.create_index("ix_annual_appraisal_year_department", "annual_appraisal", ["year", "department_id"], unique=False)
    op.create_index("ix_annual_appraisal_staff_id", "annual_appraisal", ["staff_id"], unique=False)


def downgrade():
    op.drop_index("ix_annual_appraisal_staff_id", table_name="annual_appraisal")
    op.drop_index("ix_annual_appraisal_year_department", table_name="annual_appraisal")
    op.drop_table("annual_appraisal")
