"""matter levels: where the network may receive a matter and how a township handles it

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 18:50:00

Seed 001 sorts the matters a township center receives into 现场办结 (finished on site),
上报办结 (accepted there, decided by the county window) and 全程业务 (handled throughout on
the applicant's behalf, the licence delivered in person). Existing rows are seeded from
their handling level by the rule of app/services/matter_levels.py (levels_for).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

HANDLING = ("on_site", "report_up", "full_service")


def upgrade():
    with op.batch_alter_table("matter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("received_at_county", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(
            sa.Column("received_at_sub_center", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("received_at_township", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("received_at_village", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(
            sa.Column(
                "township_handling",
                sa.Enum(*HANDLING, name="townshiphandling", native_enum=False, length=32),
                server_default="report_up",
                nullable=False,
            )
        )
    # The same rule as matter_levels.levels_for, in one UPDATE.
    op.execute(
        """
        UPDATE matter SET
            received_at_county = handling_level <> 'sub_center',
            received_at_sub_center = handling_level = 'sub_center',
            received_at_township = TRUE,
            received_at_village = TRUE,
            township_handling = CASE
                WHEN handling_level IN ('township', 'village') THEN 'on_site'
                WHEN category = 'licensing' THEN 'full_service'
                ELSE 'report_up' END
        """
    )


def downgrade():
    with op.batch_alter_table("matter", schema=None) as batch_op:
        batch_op.drop_column("township_handling")
        batch_op.drop_column("received_at_village")
        batch_op.drop_column("received_at_township")
        batch_op.drop_column("received_at_sub_center")
        batch_op.drop_column("received_at_county")
