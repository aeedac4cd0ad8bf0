"""case escalation and delivery: a township case's county child (上报) and the result handed over (送达)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 18:30:00

A township case of a report-up matter escalates into a county case whose parent_id points
back to it; the township case waits until the child closes, then delivers the result to
the applicant (delivered_at, delivery_method, delivery_receiver) and closes with it.
Indexes: a township's list by center and acceptance; the month's hand-offs (children only).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

DELIVERY_METHODS = ("in_person", "by_agent", "by_mail", "electronic")


def upgrade():
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("delivered_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "delivery_method",
                sa.Enum(*DELIVERY_METHODS, name="deliverymethod", native_enum=False, length=32),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("delivery_receiver", sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f("ix_case_parent_id"), ["parent_id"], unique=False)
        batch_op.create_foreign_key("fk_case_parent_id", "case", ["parent_id"], ["id"])
    op.create_index("ix_case_center_accepted", "case", ["center_id", "accepted_at"], unique=False)
    op.create_index(
        "ix_case_escalated_submitted",
        "case",
        ["submitted_at"],
        unique=False,
        postgresql_where=sa.text("parent_id IS NOT NULL"),
        sqlite_where=sa.text("parent_id IS NOT NULL"),
    )


def downgrade():
    op.drop_index("ix_case_escalated_submitted", table_name="case")
    op.drop_index("ix_case_center_accepted", table_name="case")
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_constraint("fk_case_parent_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_case_parent_id"))
        batch_op.drop_column("delivery_receiver")
        batch_op.drop_column("delivery_method")
        batch_op.drop_column("delivered_at")
        batch_op.drop_column("parent_id")
