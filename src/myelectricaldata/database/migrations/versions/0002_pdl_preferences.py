"""per-PDL preferences edited in the UI

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pdl_preferences",
        sa.Column("usage_point_id", sa.String(length=14), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("datasets", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("usage_point_id", name=op.f("pk_pdl_preferences")),
    )


def downgrade() -> None:
    op.drop_table("pdl_preferences")
