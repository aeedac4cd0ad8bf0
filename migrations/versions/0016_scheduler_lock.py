"""scheduler lock: one row with a lease instead of an advisory lock or a lock file

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 20:00:00

A session advisory lock lives on one server connection: behind PgBouncer in
transaction mode that connection is not the scheduler's, and after a network
blip the lock is gone while the scheduler keeps running. A row with a lease
works the same on SQLite, on PostgreSQL and behind any pooler (app/scheduler.py).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "scheduler_lock",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),  # one row, id 1: no sequence
        sa.Column("holder", sa.String(length=200), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    # The one row every scheduler competes for; nobody holds it yet.
    op.bulk_insert(table, [{"id": 1, "holder": None, "lease_until": None}])


def downgrade():
    op.drop_table("scheduler_lock")
