"""staff center: where a staff member works, for the `center` scope kind; cases by center

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 16:00:00

A staff member works at their department's center or at a center below it (a county
department's clerk stationed at a township center). Existing staff are placed at their
department's center; a county moves the stationed ones on the staff form. A `center`
scope lists a center's cases as a department scope lists a department's: one index range.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("staff", sa.Column("center_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE staff SET center_id = "
        "(SELECT department.center_id FROM department WHERE department.id = staff.department_id)"
    )
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.alter_column("center_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f("ix_staff_center_id"), ["center_id"], unique=False)
        batch_op.create_foreign_key("fk_staff_center_id", "center", ["center_id"], ["id"])
    op.create_index("ix_case_center_status_deadline", "case", ["center_id", "status", "deadline_at"], unique=False)


def downgrade():
    op.drop_index("ix_case_center_status_deadline", table_name="case")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_constraint("fk_staff_center_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_staff_center_id"))
        batch_op.drop_column("center_id")
