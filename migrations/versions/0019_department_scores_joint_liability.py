"""department scores, score kinds and centers, joint liability on 十不准 rules

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 16:40:00

Monthly scores gain a kind (staff, window, department: 分中心管理办法 第二十一条 部门得分和个人得分),
the center they are ranked in and the share of the month a staff member served. Existing rows
are staff or window rows; their center is the staff member's or the window's.

Rules gain `joint_liability` (002 十不准 连带责任). The seeded `unrelated_activity` rule (002's
「不准做与工作无关的一切事情」) carries it unless a center edited the rule (version above 1).
`chief_rep_share` now applies to those rules only, 100元 for 100元: its old default 0.5, which
charged half of every deduction at the department's windows, becomes 1.0; an edited value stays.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

SUBJECT = (
    "(kind = 'staff' AND staff_id IS NOT NULL AND window_id IS NULL)"
    " OR (kind = 'window' AND window_id IS NOT NULL AND staff_id IS NULL)"
    " OR (kind = 'department' AND department_id IS NOT NULL AND staff_id IS NULL AND window_id IS NULL)"
)
SCORE_KIND = sa.Enum("staff", "window", "department", name="scorekind", native_enum=False, length=32)


def upgrade():
    with op.batch_alter_table("assessment_rule", schema=None) as batch_op:
        batch_op.add_column(sa.Column("joint_liability", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("assessment_rule", schema=None) as batch_op:
        batch_op.alter_column("joint_liability", existing_type=sa.Boolean(), server_default=None)
    op.execute("UPDATE assessment_rule SET joint_liability = true WHERE code = 'unrelated_activity' AND version = 1")
    op.execute("UPDATE setting SET value = '1.0' WHERE key = 'chief_rep_share' AND value = '0.5'")

    with op.batch_alter_table("monthly_score", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", SCORE_KIND, nullable=True))
        batch_op.add_column(sa.Column("center_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("served_share", sa.Numeric(precision=5, scale=4), nullable=True))
    op.execute(
        "UPDATE monthly_score SET served_share = 1, kind = CASE WHEN staff_id IS NULL THEN 'window' ELSE 'staff' END,"
        " center_id = COALESCE("
        "(SELECT staff.center_id FROM staff WHERE staff.id = monthly_score.staff_id),"
        ' (SELECT w.center_id FROM "window" w WHERE w.id = monthly_score.window_id))'
    )
    with op.batch_alter_table("monthly_score", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=SCORE_KIND, nullable=False)
        batch_op.alter_column("center_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("served_share", existing_type=sa.Numeric(precision=5, scale=4), nullable=False)
        batch_op.create_foreign_key("fk_monthly_score_center_id", "center", ["center_id"], ["id"])
        batch_op.drop_constraint("ck_monthly_score_subject", type_="check")
        batch_op.create_check_constraint("ck_monthly_score_subject", SUBJECT)
        batch_op.create_index("ix_monthly_score_month_kind_center", ["month", "kind", "center_id"], unique=False)


def downgrade():
    op.execute("DELETE FROM monthly_score WHERE kind = 'department'")
    with op.batch_alter_table("monthly_score", schema=None) as batch_op:
        batch_op.drop_index("ix_monthly_score_month_kind_center")
        batch_op.drop_constraint("ck_monthly_score_subject", type_="check")
        batch_op.create_check_constraint("ck_monthly_score_subject", "(staff_id IS NULL) <> (window_id IS NULL)")
        batch_op.drop_constraint("fk_monthly_score_center_id", type_="foreignkey")
        batch_op.drop_column("served_share")
        batch_op.drop_column("center_id")
        batch_op.drop_column("kind")
    op.execute("UPDATE setting SET value = '0.5' WHERE key = 'chief_rep_share' AND value = '1.0'")
    with op.batch_alter_table("assessment_rule", schema=None) as batch_op:
        batch_op.drop_column("joint_liability")
