"""a PDL's chosen offer may be a catalog offer (longer keys); the offer the gateway says the PDL has

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pdl_pricing") as batch:
        batch.alter_column("offer_key", existing_type=sa.String(length=40), type_=sa.String(length=400),
                           existing_nullable=False)
    with op.batch_alter_table("usage_points") as batch:
        batch.add_column(sa.Column("selected_offer_id", sa.String(length=36), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("usage_points") as batch:
        batch.drop_column("selected_offer_id")
    with op.batch_alter_table("pdl_pricing") as batch:
        batch.alter_column("offer_key", existing_type=sa.String(length=400), type_=sa.String(length=40),
                           existing_nullable=False)
