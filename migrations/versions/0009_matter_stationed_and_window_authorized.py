"""matter stationed and window authorized

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 11:19:23.910115

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():

    with op.batch_alter_table('matter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stationed', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('window_authorized', sa.Boolean(), server_default=sa.true(), nullable=False))




def downgrade():

    with op.batch_alter_table('matter', schema=None) as batch_op:
        batch_op.drop_column('window_authorized')
        batch_op.drop_column('stationed')


