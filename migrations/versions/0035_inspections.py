"""inspections register (巡查/暗访) and the sub-centers' joint meetings (联席会议)

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-03 09:05:19

Issue 19.3 (seed 000 分中心管理办法 第十六、十八、十九、二十条): inspections with their findings,
joint meetings with the centers concerned and their follow-ups. A finding reuses the existing
records: a sanction (sanction.complaint_id becomes optional, a sanction names its complaint or its
finding), a rectification order (rectification_order.inspection_finding_id) and photos
(stored_file.inspection_finding_id). The new notice kind and assessment trigger are plain VARCHAR
values: no DDL.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic. The lead re-chains this revision at merge.
revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "joint_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("attendees", sa.String(length=1000), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("decisions", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("joint_meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_joint_meeting_held_on"), ["held_on"], unique=False)

    op.create_table(
        "inspection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("patrol", "unannounced", "sub_center", name="inspectionkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("inspected_at", sa.DateTime(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("inspectors", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=2000), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["center_id"],
            ["center.id"],
        ),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["ab_user.id"], name="fk_inspection_recorded_by"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.create_index("ix_inspection_center_inspected_at", ["center_id", "inspected_at"], unique=False)
        batch_op.create_index("ix_inspection_inspected_at", ["inspected_at"], unique=False)

    op.create_table(
        "joint_meeting_center",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["center_id"],
            ["center.id"],
        ),
        sa.ForeignKeyConstraint(["meeting_id"], ["joint_meeting.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("meeting_id", "center_id"),
    )
    with op.batch_alter_table("joint_meeting_center", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_joint_meeting_center_center_id"), ["center_id"], unique=False)

    op.create_table(
        "meeting_follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=500), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("owner_center_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        sa.Column("closure_note", sa.String(length=1000), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["joint_meeting.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["owner_center_id"],
            ["center.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("meeting_follow_up", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_follow_up_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index("ix_meeting_follow_up_open_due", ["closed_at", "due_on"], unique=False)

    op.create_table(
        "inspection_finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("window_id", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum("none", "assessment", "sanction", name="findingoutcome", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("assessment_record_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_record_id"], ["assessment_record.id"], name="fk_inspection_finding_record", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
        ),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspection.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["window_id"],
            ["window.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inspection_finding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_finding_department_id"), ["department_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspection_finding_inspection_id"), ["inspection_id"], unique=False)

    with op.batch_alter_table("rectification_order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inspection_finding_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint("uq_rectification_order_finding", ["inspection_finding_id"])
        batch_op.create_foreign_key(
            "fk_rectification_order_finding",
            "inspection_finding",
            ["inspection_finding_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("sanction", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inspection_finding_id", sa.Integer(), nullable=True))
        batch_op.alter_column("complaint_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_unique_constraint("uq_sanction_inspection_finding", ["inspection_finding_id"])
        batch_op.create_check_constraint(
            "ck_sanction_source", "complaint_id IS NOT NULL OR inspection_finding_id IS NOT NULL"
        )
        batch_op.create_foreign_key(
            "fk_sanction_inspection_finding",
            "inspection_finding",
            ["inspection_finding_id"],
            ["id"],
            ondelete="CASCADE",
        )

    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inspection_finding_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_stored_file_inspection_finding_id"), ["inspection_finding_id"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_stored_file_finding", "inspection_finding", ["inspection_finding_id"], ["id"], ondelete="CASCADE"
        )


def downgrade():
    # A sanction or an order an inspection produced has no complaint: it goes with the register.
    op.execute("DELETE FROM sanction WHERE complaint_id IS NULL")
    op.execute("DELETE FROM rectification_order WHERE inspection_finding_id IS NOT NULL")
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.drop_constraint("fk_stored_file_finding", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_stored_file_inspection_finding_id"))
        batch_op.drop_column("inspection_finding_id")

    with op.batch_alter_table("sanction", schema=None) as batch_op:
        batch_op.drop_constraint("fk_sanction_inspection_finding", type_="foreignkey")
        batch_op.drop_constraint("ck_sanction_source", type_="check")
        batch_op.drop_constraint("uq_sanction_inspection_finding", type_="unique")
        batch_op.alter_column("complaint_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("inspection_finding_id")

    with op.batch_alter_table("rectification_order", schema=None) as batch_op:
        batch_op.drop_constraint("fk_rectification_order_finding", type_="foreignkey")
        batch_op.drop_constraint("uq_rectification_order_finding", type_="unique")
        batch_op.drop_column("inspection_finding_id")

    with op.batch_alter_table("inspection_finding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_finding_inspection_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_finding_department_id"))

    op.drop_table("inspection_finding")
    with op.batch_alter_table("meeting_follow_up", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_follow_up_open_due")
        batch_op.drop_index(batch_op.f("ix_meeting_follow_up_meeting_id"))

    op.drop_table("meeting_follow_up")
    with op.batch_alter_table("joint_meeting_center", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_joint_meeting_center_center_id"))

    op.drop_table("joint_meeting_center")
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.drop_index("ix_inspection_inspected_at")
        batch_op.drop_index("ix_inspection_center_inspected_at")

    op.drop_table("inspection")
    with op.batch_alter_table("joint_meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_joint_meeting_held_on"))

    op.drop_table("joint_meeting")
