"""case task deadline index

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 11:49:21.790139

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():

    with op.batch_alter_table('case_task', schema=None) as batch_op:
        batch_op.create_index('ix_case_task_status_deadline', ['status', 'deadline_at'], unique=False)




def downgrade():

    with op.batch_alter_table('case_task', schema=None) as batch_op:
        batch_op.drop_index('ix_case_task_status_deadline')


