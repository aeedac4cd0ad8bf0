"""urgent cases' own limit per matter; full-process proxy (全程代办) and its 承办表

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-03 13:30:00

Issue 18 point 4 (seed 004 第十一条, 第十七条, 第二十五条(四)): matter.urgent_limit_days (an
urgent case's limit, shorter than the promised one; empty: the setting); case_proxy (a case
under full-process proxy: agent, key project, proxy fee 0, call-back verdict) and proxy_entry
(the 承办表's rows). New case actions (remind_task, reassign_task) are plain VARCHAR values.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic. The lead re-chains this revision at merge.
revision = "0042"
down_revision = "0041"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("matter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("urgent_limit_days", sa.Integer(), nullable=True))

    op.create_table(
        "case_proxy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("key_project", sa.String(length=200), nullable=False),
        sa.Column("proxy_fee", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("free_declared", sa.Boolean(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.Column("assigned_by", sa.String(length=100), nullable=False),
        sa.Column("callback_at", sa.DateTime(), nullable=True),
        sa.Column(
            "callback_verdict",
            sa.Enum(
                "satisfied",
                "basically_satisfied",
                "dissatisfied",
                name="callbackverdict",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("callback_note", sa.String(length=500), nullable=True),
        sa.Column("callback_by", sa.String(length=100), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("proxy_fee = 0", name="ck_case_proxy_free"),
        sa.ForeignKeyConstraint(["agent_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id"),
    )
    with op.batch_alter_table("case_proxy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_proxy_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index("ix_case_proxy_callback", ["callback_at", "assigned_at"], unique=False)

    op.create_table(
        "proxy_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proxy_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("handled", sa.String(length=500), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("staff_name", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["proxy_id"], ["case_proxy.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("proxy_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proxy_entry_proxy_id"), ["proxy_id"], unique=False)


def downgrade():
    with op.batch_alter_table("proxy_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proxy_entry_proxy_id"))
    op.drop_table("proxy_entry")
    with op.batch_alter_table("case_proxy", schema=None) as batch_op:
        batch_op.drop_index("ix_case_proxy_callback")
        batch_op.drop_index(batch_op.f("ix_case_proxy_agent_id"))
    op.drop_table("case_proxy")
    with op.batch_alter_table("matter", schema=None) as batch_op:
        batch_op.drop_column("urgent_limit_days")
