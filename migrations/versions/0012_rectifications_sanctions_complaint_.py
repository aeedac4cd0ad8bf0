"""rectifications, sanctions, complaint workflow

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 12:13:47.941272

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('rectification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('open', 'contacted', 'rectified', 'closed', name='rectificationstatus', native_enum=False, length=32), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('contact_due_at', sa.DateTime(), nullable=False),
    sa.Column('rectify_due_at', sa.DateTime(), nullable=False),
    sa.Column('contacted_at', sa.DateTime(), nullable=True),
    sa.Column('contact_note', sa.String(length=500), nullable=True),
    sa.Column('rectified_at', sa.DateTime(), nullable=True),
    sa.Column('measures', sa.String(length=1000), nullable=True),
    sa.Column('verdict', sa.Enum('satisfied', 'unsatisfied', 'unreachable', name='verdict', native_enum=False, length=32), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('evaluation_id')
    )
    with op.batch_alter_table('rectification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rectification_department_id'), ['department_id'], unique=False)
        batch_op.create_index('ix_rectification_status_due', ['status', 'contact_due_at'], unique=False)

    op.create_table('sanction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('criticism', 'talk', 'circulated', 'warning', 'yellow_card', 'replacement', name='sanctionkind', native_enum=False, length=32), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('window_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('decided_by', sa.String(length=100), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['window_id'], ['window.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sanction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sanction_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sanction_staff_id'), ['staff_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sanction_window_id'), ['window_id'], unique=False)

    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handler_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('stage_started_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('stage_due_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('due_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('investigation', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reply', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('replied_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('callback_note', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('complainant_satisfied', sa.Boolean(), nullable=True))
        batch_op.create_index('ix_complaint_stage_due', ['stage', 'stage_due_at'], unique=False)
        batch_op.create_foreign_key('fk_complaint_handler_id', 'ab_user', ['handler_id'], ['id'])

    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_evaluation_case_channel', ['case_id', 'channel'])




def downgrade():

    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.drop_constraint('uq_evaluation_case_channel', type_='unique')

    with op.batch_alter_table('complaint', schema=None) as batch_op:
        # WARNING: constraint name is None; this directive will fail as
        # rendered.  Add a name, or use a naming convention; see
        # https://alembic.sqlalchemy.org/en/latest/naming.html
        batch_op.drop_constraint('fk_complaint_handler_id', type_='foreignkey')
        batch_op.drop_index('ix_complaint_stage_due')
        batch_op.drop_column('complainant_satisfied')
        batch_op.drop_column('callback_note')
        batch_op.drop_column('replied_at')
        batch_op.drop_column('reply')
        batch_op.drop_column('investigation')
        batch_op.drop_column('due_at')
        batch_op.drop_column('stage_due_at')
        batch_op.drop_column('stage_started_at')
        batch_op.drop_column('handler_id')

    with op.batch_alter_table('sanction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sanction_window_id'))
        batch_op.drop_index(batch_op.f('ix_sanction_staff_id'))
        batch_op.drop_index(batch_op.f('ix_sanction_complaint_id'))

    op.drop_table('sanction')
    with op.batch_alter_table('rectification', schema=None) as batch_op:
        batch_op.drop_index('ix_rectification_status_due')
        batch_op.drop_index(batch_op.f('ix_rectification_department_id'))

    op.drop_table('rectification')

