"""case list at province scale: open cases index, name search index (PostgreSQL)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 01:55:00

Measured at 10M cases on PostgreSQL (README, "Province scale"):
- the open cases (3%) sit at the end of the table, so counting the "open" list
  read the heap from its start; a partial index holds only them;
- FAB's name filter is ILIKE 'prefix%', which no B-tree serves; a trigram GIN
  index does (pg_trgm is a trusted extension: the database owner may create it).
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('submitted', 'accepted', 'in_progress', 'suspended')")


def upgrade():
    op.create_index("ix_case_open_accepted", "case", ["accepted_at"], postgresql_where=OPEN, sqlite_where=OPEN)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index(
            "ix_case_applicant_name_trgm",
            "case",
            ["applicant_name"],
            postgresql_using="gin",
            postgresql_ops={"applicant_name": "gin_trgm_ops"},
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_case_applicant_name_trgm", table_name="case")
    op.drop_index("ix_case_open_accepted", table_name="case")
