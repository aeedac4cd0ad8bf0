"""warning lights

Revision ID: 0005

Warning lights: the stored light and the instant a case turns yellow (warn_at).
Revises: 0004
Create Date: 2026-11-24 02:37:41.340609

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warn_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('light', sa.Enum('green', 'yellow', 'red', name='light', native_enum=False, length=32), nullable=True))
        batch_op.create_index('ix_case_status_warn', ['status', 'warn_at'], unique=False)

    with op.batch_alter_table('case_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('light', sa.Enum('green', 'yellow', 'red', name='light', native_enum=False, length=32), nullable=True))



def downgrade():
    with op.batch_alter_table('case_task', schema=None) as batch_op:
        batch_op.drop_column('light')

    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_status_warn')
        batch_op.drop_column('light')
        batch_op.drop_column('warn_at')

