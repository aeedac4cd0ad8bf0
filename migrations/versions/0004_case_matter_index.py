"""case list by matter

Revision ID: 0004

Cases by matter, newest first: (matter_id, accepted_at) replaces the plain matter_id index.
Revises: 0003
Create Date: 2026-11-24 02:10:21.126657

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_matter_id'))
        batch_op.create_index('ix_case_matter_accepted', ['matter_id', 'accepted_at'], unique=False)



def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_matter_accepted')
        batch_op.create_index(batch_op.f('ix_case_matter_id'), ['matter_id'], unique=False)

