"""容缺受理: tolerable matter materials and the materials a case was accepted without

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-03 13:30:00

Issue 17.4: a matter's secondary material may be marked tolerable (`matter_material.tolerable`);
a case accepted without some of them keeps one `tolerated_material` row each, with its due date
and, once brought, when and by whom. The new case action `receive_tolerated` and notice kinds
`tolerated_due` / `tolerated_expired` are plain VARCHAR values: no DDL.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic. The lead re-chains this revision at merge.
revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("matter_material", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tolerable", sa.Boolean(), server_default=sa.false(), nullable=False))

    op.create_table(
        "tolerated_material",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("material_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=True),
        sa.Column("received_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["material_id"], ["matter_material.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["received_by_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "material_id", name="uq_tolerated_material_case_material"),
    )
    with op.batch_alter_table("tolerated_material", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tolerated_material_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_tolerated_material_missing_due",
            ["due_on", "case_id"],
            unique=False,
            postgresql_where=sa.text("received_at IS NULL"),
            sqlite_where=sa.text("received_at IS NULL"),
        )


def downgrade():
    with op.batch_alter_table("tolerated_material", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_tolerated_material_missing_due",
            postgresql_where=sa.text("received_at IS NULL"),
            sqlite_where=sa.text("received_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_tolerated_material_case_id"))
    op.drop_table("tolerated_material")
    with op.batch_alter_table("matter_material", schema=None) as batch_op:
        batch_op.drop_column("tolerable")
