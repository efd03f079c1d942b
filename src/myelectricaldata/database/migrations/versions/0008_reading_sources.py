"""where each reading came from: the gateway, an Enedis file or the legacy client's database

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = ("daily_energy", "load_curve", "max_power")


def upgrade() -> None:
    for table in TABLES:  # rows stored so far all came from the gateway
        op.add_column(table, sa.Column("source", sa.String(length=16), nullable=False, server_default="gateway"))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("source")
