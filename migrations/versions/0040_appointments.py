"""appointments (预约): window groups, slots, delayed-service openings, appointments, no-show blocks

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-03 13:12:36

Issue 18.2 (seeds 003, 004 第十一条/第十七条/第二十六条): a window group per center (the windows
one queue and one appointment calendar serve, with its ticket letter and slot settings), its
slots with a booked count moved by conditional UPDATEs, the center's dated delayed-service
openings, appointments and the blocks repeated no-shows earn. Enums are plain VARCHAR values.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic. The lead re-chains this revision at merge.
revision = "0040"
down_revision = "0039"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "appointment_block",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("id_last4", sa.String(length=4), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.Column("until", sa.DateTime(), nullable=False),
        sa.Column("no_shows", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("appointment_block", schema=None) as batch_op:
        batch_op.create_index("ix_appointment_block_person", ["name", "id_last4"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointment_block_phone"), ["phone"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointment_block_until"), ["until"], unique=False)

    op.create_table(
        "window_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("department", "comprehensive", "green", name="windowgroupkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("prefix", sa.String(length=4), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("slot_capacity", sa.Integer(), nullable=False),
        sa.Column("days_ahead", sa.Integer(), nullable=False),
        sa.Column("reserved_seats", sa.Integer(), nullable=False),
        sa.Column("bookable", sa.Boolean(), nullable=False),
        sa.Column(
            "status", sa.Enum("active", "inactive", name="recordstatus", native_enum=False, length=32), nullable=False
        ),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "slot_minutes > 0 AND slot_capacity > 0 AND days_ahead >= 0 "
            "AND reserved_seats >= 0 AND reserved_seats <= slot_capacity",
            name="ck_window_group_slots",
        ),
        sa.ForeignKeyConstraint(
            ["center_id"],
            ["center.id"],
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("center_id", "prefix", name="uq_window_group_center_prefix"),
    )
    with op.batch_alter_table("window_group", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_window_group_center_id"), ["center_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_window_group_department_id"), ["department_id"], unique=False)

    op.create_table(
        "appointment_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.Column("booked_special", sa.Integer(), nullable=False),
        sa.Column("delayed", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "booked >= 0 AND booked <= capacity AND booked_special >= 0 AND booked_special <= booked",
            name="ck_appointment_slot_booked",
        ),
        sa.ForeignKeyConstraint(["group_id"], ["window_group.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("group_id", "starts_at", name="uq_appointment_slot_group_start"),
    )
    op.create_table(
        "delayed_opening",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starts", sa.Time(), nullable=False),
        sa.Column("ends", sa.Time(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("ends > starts", name="ck_delayed_opening_period"),
        sa.ForeignKeyConstraint(
            ["center_id"],
            ["center.id"],
        ),
        sa.ForeignKeyConstraint(["group_id"], ["window_group.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("delayed_opening", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delayed_opening_center_id"), ["center_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_delayed_opening_day"), ["day"], unique=False)
        batch_op.create_index(batch_op.f("ix_delayed_opening_group_id"), ["group_id"], unique=False)

    op.create_table(
        "window_group_window",
        sa.Column("window_group_id", sa.Integer(), nullable=False),
        sa.Column("window_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["window_group_id"], ["window_group.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["window_id"], ["window.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("window_group_id", "window_id"),
    )
    with op.batch_alter_table("window_group_window", schema=None) as batch_op:
        batch_op.create_index("ix_window_group_window_window_id", ["window_id"], unique=False)

    op.create_table(
        "appointment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("id_last4", sa.String(length=4), nullable=False),
        sa.Column(
            "special",
            sa.Enum("elderly", "disabled", "key_project", name="specialgroup", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column(
            "channel",
            sa.Enum("portal", "staff", name="appointmentchannel", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "booked", "checked_in", "cancelled", "no_show", name="appointmentstatus", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("delayed", sa.Boolean(), nullable=False),
        sa.Column("booked_at", sa.DateTime(), nullable=False),
        sa.Column("booked_by_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.Column("checked_in_at", sa.DateTime(), nullable=True),
        sa.Column("rescheduled", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["booked_by_id"],
            ["ab_user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["center_id"],
            ["center.id"],
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["window_group.id"],
        ),
        sa.ForeignKeyConstraint(
            ["matter_id"],
            ["matter.id"],
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["appointment_slot.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.create_index("ix_appointment_center_starts", ["center_id", "starts_at"], unique=False)
        batch_op.create_index("ix_appointment_group_starts", ["group_id", "starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointment_matter_id"), ["matter_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointment_phone"), ["phone"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointment_slot_id"), ["slot_id"], unique=False)
        batch_op.create_index("ix_appointment_status_starts", ["status", "starts_at"], unique=False)


def downgrade():
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_index("ix_appointment_status_starts")
        batch_op.drop_index(batch_op.f("ix_appointment_slot_id"))
        batch_op.drop_index(batch_op.f("ix_appointment_phone"))
        batch_op.drop_index(batch_op.f("ix_appointment_matter_id"))
        batch_op.drop_index("ix_appointment_group_starts")
        batch_op.drop_index("ix_appointment_center_starts")

    op.drop_table("appointment")
    with op.batch_alter_table("window_group_window", schema=None) as batch_op:
        batch_op.drop_index("ix_window_group_window_window_id")

    op.drop_table("window_group_window")
    with op.batch_alter_table("delayed_opening", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delayed_opening_group_id"))
        batch_op.drop_index(batch_op.f("ix_delayed_opening_day"))
        batch_op.drop_index(batch_op.f("ix_delayed_opening_center_id"))

    op.drop_table("delayed_opening")
    op.drop_table("appointment_slot")
    with op.batch_alter_table("window_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_window_group_department_id"))
        batch_op.drop_index(batch_op.f("ix_window_group_center_id"))

    op.drop_table("window_group")
    with op.batch_alter_table("appointment_block", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointment_block_until"))
        batch_op.drop_index(batch_op.f("ix_appointment_block_phone"))
        batch_op.drop_index("ix_appointment_block_person")

    op.drop_table("appointment_block")
