"""appeals (申诉) and violations to be confirmed

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 16:30:00

A violation now has a status: only confirmed ones count in the scores and the quarter's
disqualification; a second supplement request is recorded as pending until a supervisor
confirms or dismisses it (or it lapses). Existing violations are confirmed. An appeal is a
staff member's challenge of a violation or an automatic deduction (services/appeals.py).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

VIOLATION_STATUS = sa.Enum(
    "confirmed", "pending", "dismissed", "cancelled", name="violationstatus", native_enum=False, length=32
)
APPEAL_STATUS = sa.Enum("filed", "commented", "upheld", "cancelled", name="appealstatus", native_enum=False, length=32)


def upgrade():
    with op.batch_alter_table("violation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", VIOLATION_STATUS, server_default="confirmed", nullable=False))
        batch_op.add_column(sa.Column("decided_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(), nullable=True))
    op.create_table(
        "appeal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("violation_id", sa.Integer(), nullable=True),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("source_key", sa.String(length=80), nullable=True),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("points", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("status", APPEAL_STATUS, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.Column("filed_by", sa.String(length=100), nullable=False),
        sa.Column("chief_comment", sa.Text(), nullable=True),
        sa.Column("commented_by", sa.String(length=100), nullable=True),
        sa.Column("commented_at", sa.DateTime(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("violation_id IS NOT NULL OR source_key IS NOT NULL", name="ck_appeal_subject"),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["record_id"], ["assessment_record.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["rule_id"], ["assessment_rule.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["violation_id"], ["violation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rule_id", "source_key", name="uq_appeal_rule_source"),
        sa.UniqueConstraint("violation_id"),
    )
    with op.batch_alter_table("appeal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeal_department_id"), ["department_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appeal_staff_id"), ["staff_id"], unique=False)


def downgrade():
    with op.batch_alter_table("appeal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeal_staff_id"))
        batch_op.drop_index(batch_op.f("ix_appeal_department_id"))
    op.drop_table("appeal")
    with op.batch_alter_table("violation", schema=None) as batch_op:
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decided_by")
        batch_op.drop_column("status")
