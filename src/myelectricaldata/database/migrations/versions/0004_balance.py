"""the production PDL the gateway links to a consumption PDL

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("usage_points") as batch:
        batch.add_column(sa.Column("linked_production_pdl_id", sa.String(length=14), nullable=False,
                                   server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("usage_points") as batch:
        batch.drop_column("linked_production_pdl_id")
