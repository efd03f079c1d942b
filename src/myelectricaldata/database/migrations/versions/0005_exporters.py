"""exporter settings, run status and high-water marks

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exporter_settings",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_exporter_settings")),
    )
    op.create_table(
        "exporter_runs",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("last_export_at", sa.DateTime(), nullable=True),
        sa.Column("items_sent", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("retry_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_exporter_runs")),
    )
    op.create_table(
        "exporter_marks",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("stream", sa.String(length=64), nullable=False),
        sa.Column("mark", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", "stream", name=op.f("pk_exporter_marks")),
    )


def downgrade() -> None:
    op.drop_table("exporter_marks")
    op.drop_table("exporter_runs")
    op.drop_table("exporter_settings")
