"""cases

Revision ID: 0003

Cases, their events, joint tasks, violations and the case-number counter.
Revises: 0002
Create Date: 2026-11-24 01:30:33.728186

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_counter',
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['center_id'], ['center.id'], ),
    sa.PrimaryKeyConstraint('center_id', 'year')
    )
    op.create_table('case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('matter_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('step_seq', sa.Integer(), nullable=False),
    sa.Column('applicant_type', sa.Enum('person', 'organisation', name='applicanttype', native_enum=False, length=32), nullable=False),
    sa.Column('applicant_name', sa.String(length=100), nullable=False),
    sa.Column('applicant_id_number', sa.String(length=30), nullable=False),
    sa.Column('applicant_phone', sa.String(length=20), nullable=True),
    sa.Column('channel', sa.Enum('window', 'online', 'proxy', 'township', name='channel', native_enum=False, length=32), nullable=False),
    sa.Column('kind', sa.Enum('immediate', 'promised', 'joint', 'escalated', 'urgent', name='casekind', native_enum=False, length=32), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'accepted', 'in_progress', 'suspended', 'completed', 'returned', 'withdrawn', name='casestatus', native_enum=False, length=32), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('deadline_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('limit_days', sa.Integer(), nullable=False),
    sa.Column('paused_workdays', sa.Integer(), nullable=False),
    sa.Column('extension_days', sa.Integer(), nullable=False),
    sa.Column('suspended_at', sa.DateTime(), nullable=True),
    sa.Column('suspend_reason', sa.Enum('supplement', 'escalation', 'special_procedure', name='suspendreason', native_enum=False, length=32), nullable=True),
    sa.Column('supplement_count', sa.Integer(), nullable=False),
    sa.Column('calendar_unconfirmed', sa.Boolean(), nullable=False),
    sa.Column('result', sa.Enum('approved', 'denied', 'default_approved', 'returned_active', 'returned_passive', 'withdrawn', name='caseresult', native_enum=False, length=32), nullable=True),
    sa.Column('fee', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['assignee_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['center_id'], ['center.id'], ),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.ForeignKeyConstraint(['matter_id'], ['matter.id'], ),
    sa.ForeignKeyConstraint(['window_id'], ['window.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index('ix_case_accepted_at', ['accepted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_applicant_id_number'), ['applicant_id_number'], unique=False)
        batch_op.create_index('ix_case_applicant_name', ['applicant_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_applicant_phone'), ['applicant_phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index('ix_case_department_accepted', ['department_id', 'accepted_at'], unique=False)
        batch_op.create_index('ix_case_department_status_deadline', ['department_id', 'status', 'deadline_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_matter_id'), ['matter_id'], unique=False)
        batch_op.create_index('ix_case_status_deadline', ['status', 'deadline_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_window_id'), ['window_id'], unique=False)

    op.create_table('case_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.Enum('accept', 'forward', 'request_supplement', 'receive_supplement', 'start_special', 'end_special', 'escalate', 'receive_escalation_result', 'extend', 'return_case', 'complete', 'withdraw', 'issue_default_approval', 'complete_task', 'overdue', name='caseaction', native_enum=False, length=32), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=100), nullable=False),
    sa.Column('from_status', sa.Enum('submitted', 'accepted', 'in_progress', 'suspended', 'completed', 'returned', 'withdrawn', name='casestatus', native_enum=False, length=32), nullable=True),
    sa.Column('to_status', sa.Enum('submitted', 'accepted', 'in_progress', 'suspended', 'completed', 'returned', 'withdrawn', name='casestatus', native_enum=False, length=32), nullable=False),
    sa.Column('from_step', sa.Integer(), nullable=True),
    sa.Column('to_step', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.Column('materials', sa.JSON(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_event_case_id'), ['case_id'], unique=False)

    op.create_table('case_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('deadline_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.Enum('open', 'done', name='taskstatus', native_enum=False, length=32), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_task_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_task_department_id'), ['department_id'], unique=False)

    op.create_table('violation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('step_overdue', 'second_supplement', 'fee_mismatch', 'cross_department', 'overdue', name='violationkind', native_enum=False, length=32), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('window_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['window_id'], ['window.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('violation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_violation_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_violation_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_violation_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_violation_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_violation_staff_id'), ['staff_id'], unique=False)



def downgrade():
    with op.batch_alter_table('violation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_violation_staff_id'))
        batch_op.drop_index(batch_op.f('ix_violation_kind'))
        batch_op.drop_index(batch_op.f('ix_violation_department_id'))
        batch_op.drop_index(batch_op.f('ix_violation_case_id'))
        batch_op.drop_index(batch_op.f('ix_violation_at'))

    op.drop_table('violation')
    with op.batch_alter_table('case_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_task_department_id'))
        batch_op.drop_index(batch_op.f('ix_case_task_case_id'))

    op.drop_table('case_task')
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_event_case_id'))

    op.drop_table('case_event')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_window_id'))
        batch_op.drop_index('ix_case_status_deadline')
        batch_op.drop_index(batch_op.f('ix_case_matter_id'))
        batch_op.drop_index('ix_case_department_status_deadline')
        batch_op.drop_index('ix_case_department_accepted')
        batch_op.drop_index(batch_op.f('ix_case_assignee_id'))
        batch_op.drop_index(batch_op.f('ix_case_applicant_phone'))
        batch_op.drop_index('ix_case_applicant_name')
        batch_op.drop_index(batch_op.f('ix_case_applicant_id_number'))
        batch_op.drop_index('ix_case_accepted_at')

    op.drop_table('case')
    op.drop_table('case_counter')
