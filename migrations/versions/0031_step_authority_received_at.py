"""step authority and reception time: a step's handler is a staff position; a case records when it was received

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-03 06:10:00

000 第十五条: acting on a step outside one's authority (越权) and entering a case late into the
system are operating violations. A step's handler_position was free text; it now names a staff
position (Staff.position: chief_rep, leader, a_post, b_post, clerk), so it can be matched to the
staff who act. Existing values that are a position's name or its Chinese label become that
position; any other text restricts nothing (NULL) and is kept at the start of the step's note,
so nothing typed is lost. Case.received_at is the reception time the intake now records beside
the entry time (submitted_at); existing cases have none (not known). New enum members
(violation and notice kinds) are plain VARCHAR values: no DDL.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

# Position name -> its Chinese label (app/translations: StaffPosition), as people typed them.
POSITIONS = {
    "chief_rep": ("首席代表",),
    "leader": ("窗口负责人",),
    "a_post": ("A岗", "a岗"),
    "b_post": ("B岗", "b岗"),
    "clerk": ("办事员",),
}

step = sa.table(
    "matter_step",
    sa.column("handler_position", sa.String),
    sa.column("note", sa.String),
)


def upgrade():
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("received_at", sa.DateTime(), nullable=True))
    known = []
    for name, labels in POSITIONS.items():
        known += [name, *labels]
        op.execute(step.update().where(step.c.handler_position.in_(labels)).values(handler_position=name))
    free_text = sa.and_(step.c.handler_position.is_not(None), step.c.handler_position.not_in(known))
    kept = sa.literal("经办：") + step.c.handler_position
    op.execute(
        step.update()
        .where(free_text)
        .values(
            note=sa.func.substr(
                sa.case((step.c.note.is_(None), kept), else_=kept + sa.literal("；") + step.c.note), 1, 500
            ),
            handler_position=None,
        )
    )


def downgrade():
    # Positions stay as their names (valid text for the old free-text column).
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_column("received_at")
