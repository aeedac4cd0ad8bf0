"""queue tickets (取号叫号): tickets, the per-group daily counter, kiosk and display devices

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-03 13:14:08

Issue 18.3: a ticket per person queuing for a window group (number A023 from the group's counter
of the day), with its calls, service times, case and appointment; kiosks and hall displays bound
to a center by a token. ix_queue_ticket_next serves "call next" (center, group, status, priority,
issued_at). Enums are plain VARCHAR values.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic. The lead re-chains this revision at merge.
revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "queue_device",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.Enum("kiosk", "display", name="devicekind", native_enum=False, length=32), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["center_id"],
            ["center.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token"),
    )
    with op.batch_alter_table("queue_device", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_queue_device_center_id"), ["center_id"], unique=False)

    op.create_table(
        "queue_counter",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["window_group.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("group_id", "day"),
    )
    op.create_table(
        "queue_ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=12), nullable=False),
        sa.Column(
            "source",
            sa.Enum("walk_in", "appointment", "green", "transfer", name="ticketsource", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "waiting",
                "called",
                "serving",
                "done",
                "skipped",
                "transferred",
                "abandoned",
                name="ticketstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_hour", sa.SmallInteger(), nullable=False),
        sa.Column("called_at", sa.DateTime(), nullable=True),
        sa.Column("last_called_at", sa.DateTime(), nullable=True),
        sa.Column("recalls", sa.SmallInteger(), nullable=False),
        sa.Column("window_id", sa.Integer(), nullable=True),
        sa.Column("called_by_id", sa.Integer(), nullable=True),
        sa.Column("served_start", sa.DateTime(), nullable=True),
        sa.Column("served_end", sa.DateTime(), nullable=True),
        sa.Column("wait_seconds", sa.Integer(), nullable=True),
        sa.Column("service_seconds", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("transferred_from_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["called_by_id"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["center_id"],
            ["center.id"],
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["window_group.id"],
        ),
        sa.ForeignKeyConstraint(
            ["transferred_from_id"],
            ["queue_ticket.id"],
        ),
        sa.ForeignKeyConstraint(
            ["window_id"],
            ["window.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("queue_ticket", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_queue_ticket_appointment_id"), ["appointment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_queue_ticket_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_queue_ticket_day", ["center_id", "service_day", "last_called_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_queue_ticket_department_id"), ["department_id"], unique=False)
        batch_op.create_index(
            "ix_queue_ticket_next", ["center_id", "group_id", "status", "priority", "issued_at"], unique=False
        )
        batch_op.create_index("ix_queue_ticket_window", ["window_id", "status"], unique=False)


def downgrade():
    with op.batch_alter_table("queue_ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_queue_ticket_window")
        batch_op.drop_index("ix_queue_ticket_next")
        batch_op.drop_index(batch_op.f("ix_queue_ticket_department_id"))
        batch_op.drop_index("ix_queue_ticket_day")
        batch_op.drop_index(batch_op.f("ix_queue_ticket_case_id"))
        batch_op.drop_index(batch_op.f("ix_queue_ticket_appointment_id"))

    op.drop_table("queue_ticket")
    op.drop_table("queue_counter")
    with op.batch_alter_table("queue_device", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_queue_device_center_id"))

    op.drop_table("queue_device")
