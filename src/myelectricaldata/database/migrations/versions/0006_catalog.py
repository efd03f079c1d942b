"""supplier catalog: providers, offer grids with their history, offer types, Zen Flex days, fetches

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _key_text(length: int) -> sa.types.TypeEngine:
    return sa.String(length=length).with_variant(mysql.VARCHAR(length, collation="utf8mb4_bin"), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "catalog_providers",
        sa.Column("name", _key_text(100), nullable=False),
        sa.Column("gateway_id", sa.String(length=36), nullable=False),
        sa.Column("logo_url", sa.String(length=500), nullable=False),
        sa.Column("website", sa.String(length=500), nullable=False),
        sa.Column("scraper_urls", sa.Text(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_catalog_providers")),
    )
    op.create_table(
        "catalog_grids",
        sa.Column("provider", _key_text(100), nullable=False),
        sa.Column("offer", _key_text(200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("kva", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("gateway_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("offer_type", sa.String(length=20), nullable=False),
        sa.Column("subscription", sa.String(length=20), nullable=False),
        sa.Column("prices", sa.Text(), nullable=False),
        sa.Column("hc_schedules", sa.Text(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("offer_url", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("provider", "offer", "kind", "kva", "valid_from", name=op.f("pk_catalog_grids")),
    )
    op.create_index("ix_catalog_grids_gateway_id", "catalog_grids", ["gateway_id"])
    op.create_index("ix_catalog_grids_kva", "catalog_grids", ["kva"])
    op.create_table(
        "catalog_offer_types",
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("icon", sa.String(length=50), nullable=False),
        sa.Column("color", sa.String(length=20), nullable=False),
        sa.Column("required_price_fields", sa.Text(), nullable=False),
        sa.Column("optional_price_fields", sa.Text(), nullable=False),
        sa.Column("display_order", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_catalog_offer_types")),
    )
    op.create_table(
        "zen_flex_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("day_type", sa.String(length=8), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_zen_flex_days")),
    )
    op.create_table(
        "catalog_fetches",
        sa.Column("part", sa.String(length=20), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=True),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("tried_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("part", name=op.f("pk_catalog_fetches")),
    )


def downgrade() -> None:
    op.drop_table("catalog_fetches")
    op.drop_table("zen_flex_days")
    op.drop_table("catalog_offer_types")
    op.drop_index("ix_catalog_grids_kva", table_name="catalog_grids")
    op.drop_index("ix_catalog_grids_gateway_id", table_name="catalog_grids")
    op.drop_table("catalog_grids")
    op.drop_table("catalog_providers")
