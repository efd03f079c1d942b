"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_state")),
    )
    op.create_table(
        "contract_versions",
        sa.Column("usage_point_id", sa.String(length=14), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("first_seen_on", sa.Date(), nullable=False),
        sa.Column("subscribed_kva", sa.Integer(), nullable=True),
        sa.Column("pricing_option", sa.String(length=20), nullable=False),
        sa.Column("offpeak_hours", sa.String(length=100), nullable=False),
        sa.Column("offpeak_raw", sa.String(length=200), nullable=False),
        sa.Column("distribution_tariff", sa.String(length=20), nullable=False),
        sa.Column("contract_status", sa.String(length=20), nullable=False),
        sa.Column("last_activation_date", sa.Date(), nullable=True),
        sa.Column("last_tariff_change_date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("usage_point_id", "valid_from", name=op.f("pk_contract_versions")),
    )
    op.create_table(
        "daily_energy",
        sa.Column("usage_point_id", sa.String(length=14), nullable=False),
        sa.Column("direction", sa.String(length=12), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("wh", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("usage_point_id", "direction", "day", name=op.f("pk_daily_energy")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "dataset_states",
        sa.Column("usage_point_id", sa.String(length=14), nullable=False),
        sa.Column("dataset", sa.String(length=32), nullable=False),
        sa.Column("oldest_available", sa.Date(), nullable=True),
        sa.Column("last_sync_at", sa.DateTime(), nullable=True),
        sa.Column("last_outcome", sa.String(length=20), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("usage_point_id", "dataset", name=op.f("pk_dataset_states")),
    )
    op.create_table(
        "ecowatt_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=False),
        sa.Column("hours", sa.String(length=24), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_ecowatt_days")),
    )
    op.create_table(
        "load_curve",
        sa.Column("usage_point_id", sa.String(length=14), nullable=False),
        sa.Column("direction", sa.String(length=12), nullable=False),
        sa.Column("start_utc", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("minutes", sa.SmallInteger(), nullable=False),
        sa.Column("watts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("usage_point_id", "direction", "start_utc", name=op.f("pk_load_curve")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "max_power",
        sa.Column("usage_point_id", sa.String(length=14), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("va", sa.Integer(), nullable=False),
        sa.Column("at_utc", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("usage_point_id", "day", name=op.f("pk_max_power")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "sync_days",
        sa.Column("usage_point_id", sa.String(length=14), nullable=False),
        sa.Column("dataset", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("usage_point_id", "dataset", "day", name=op.f("pk_sync_days")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
    )
    op.create_table(
        "tempo_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("color", sa.String(length=5), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_tempo_days")),
    )
    op.create_table(
        "usage_points",
        sa.Column("usage_point_id", sa.String(length=14), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("pricing_option", sa.String(length=20), nullable=False),
        sa.Column("has_consumption", sa.Boolean(), nullable=False),
        sa.Column("has_production", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("activation_date", sa.Date(), nullable=True),
        sa.Column("attention", sa.String(length=500), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("locality", sa.String(length=200), nullable=False),
        sa.Column("postal_code", sa.String(length=10), nullable=False),
        sa.Column("insee_code", sa.String(length=10), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("country", sa.String(length=50), nullable=False),
        sa.Column("latitude", sa.String(length=20), nullable=False),
        sa.Column("longitude", sa.String(length=20), nullable=False),
        sa.Column("contract_checked_on", sa.Date(), nullable=True),
        sa.Column("address_checked_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("usage_point_id", name=op.f("pk_usage_points")),
    )


def downgrade() -> None:
    op.drop_table("usage_points")
    op.drop_table("tempo_days")
    op.drop_table("sync_runs")
    op.drop_table("sync_days")
    op.drop_table("max_power")
    op.drop_table("load_curve")
    op.drop_table("ecowatt_days")
    op.drop_table("dataset_states")
    op.drop_table("daily_energy")
    op.drop_table("contract_versions")
    op.drop_table("app_state")
