"""token generation: a logout or a password change revokes the user's API tokens

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 21:00:00

API tokens (JWT) are signed, not stored: each carries its user's generation from
when it was issued, and a token from an older generation is refused. A user
without a row is in generation 0.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "token_generation",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["ab_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade():
    op.drop_table("token_generation")
