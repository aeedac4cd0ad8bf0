"""leaders at the windows: the 领导坐班/代班 roster and the visit log

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-03 06:30:00

Issue 19.6 (seeds 001, 002, 003 第五条): a department's leaders on duty at its windows
(leader_duty) and their visits to the windows (leader_visit), each by department and date for
the monthly check (app/services/leadership.py). The new notice kind is a plain VARCHAR value:
no DDL.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic. The lead re-chains this revision at merge.
revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None

RANKS = ("principal", "in_charge", "member")


def _rank():
    return sa.Enum(*RANKS, name="leaderrank", native_enum=False, length=32)


def upgrade():
    op.create_table(
        "leader_duty",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("window_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("leader_name", sa.String(length=50), nullable=False),
        sa.Column("leader_rank", _rank(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "half_day",
            sa.Enum("whole", "morning", "afternoon", name="halfday", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "kind", sa.Enum("sitting", "standing_in", name="dutykind", native_enum=False, length=32), nullable=False
        ),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["window_id"], ["window.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("window_id", "day", "half_day", "leader_name", name="uq_leader_duty_slot"),
    )
    with op.batch_alter_table("leader_duty", schema=None) as batch_op:
        batch_op.create_index("ix_leader_duty_department_day", ["department_id", "day"], unique=False)
        batch_op.create_index(batch_op.f("ix_leader_duty_window_id"), ["window_id"], unique=False)

    op.create_table(
        "leader_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("window_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("leader_name", sa.String(length=50), nullable=False),
        sa.Column("leader_rank", _rank(), nullable=False),
        sa.Column("visited_at", sa.DateTime(), nullable=False),
        sa.Column("summary", sa.String(length=1000), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["window_id"], ["window.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("leader_visit", schema=None) as batch_op:
        batch_op.create_index("ix_leader_visit_department_at", ["department_id", "visited_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_leader_visit_window_id"), ["window_id"], unique=False)


def downgrade():
    op.drop_table("leader_visit")
    op.drop_table("leader_duty")
