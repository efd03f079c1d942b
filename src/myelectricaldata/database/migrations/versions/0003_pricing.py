"""user offers and the per-PDL pricing choice

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_offers",
        sa.Column("offer_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("offer_id", name=op.f("pk_user_offers")),
    )
    op.create_table(
        "pdl_pricing",
        sa.Column("usage_point_id", sa.String(length=14), nullable=False),
        sa.Column("offer_key", sa.String(length=40), nullable=False),
        sa.Column("offpeak_overrides", sa.String(length=500), nullable=False),
        sa.Column("buyback", sa.String(length=20), nullable=False),
        sa.Column("kva", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("usage_point_id", name=op.f("pk_pdl_pricing")),
    )


def downgrade() -> None:
    op.drop_table("pdl_pricing")
    op.drop_table("user_offers")
