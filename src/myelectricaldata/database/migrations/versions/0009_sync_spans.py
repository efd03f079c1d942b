"""the ledger's span per PDL and dataset kept with it, and its days not complete found through an index

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_sync_days_status", "sync_days", ["status"])
    op.create_table(
        "sync_spans",
        sa.Column("usage_point_id", sa.String(length=14), nullable=False),
        sa.Column("dataset", sa.String(length=32), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("usage_point_id", "dataset", name=op.f("pk_sync_spans")),
    )
    op.execute("INSERT INTO sync_spans (usage_point_id, dataset, days, first_day, last_day) "
               "SELECT usage_point_id, dataset, COUNT(*), MIN(day), MAX(day) FROM sync_days "
               "GROUP BY usage_point_id, dataset")


def downgrade() -> None:
    op.drop_table("sync_spans")
    op.drop_index("ix_sync_days_status", table_name="sync_days")
