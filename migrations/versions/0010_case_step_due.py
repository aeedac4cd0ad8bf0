"""case step due

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 11:33:27.982440

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():

    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step_due_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_case_status_step_due', ['status', 'step_due_at'], unique=False)




def downgrade():

    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_status_step_due')
        batch_op.drop_column('step_due_at')


