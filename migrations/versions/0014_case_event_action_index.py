"""case event (action, at) index for the extension scan

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 22:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_case_event_action_at", "case_event", ["action", "at"], unique=False)


def downgrade():
    op.drop_index("ix_case_event_action_at", table_name="case_event")
