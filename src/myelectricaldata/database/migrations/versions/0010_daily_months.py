"""each calendar month's daily values summed, kept with them

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "daily_months",
        sa.Column("usage_point_id", sa.String(length=14), nullable=False),
        sa.Column("direction", sa.String(length=12), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("wh", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("usage_point_id", "direction", "month", name=op.f("pk_daily_months")),
    )
    conn = op.get_bind()
    daily = sa.table("daily_energy", sa.column("usage_point_id"), sa.column("direction"), sa.column("day", sa.Date),
                     sa.column("wh"))
    months: dict[tuple, list[int]] = {}
    for pdl, direction, day, wh in conn.execute(sa.select(daily.c.usage_point_id, daily.c.direction, daily.c.day,
                                                          daily.c.wh)):
        held = months.setdefault((pdl, direction, day.replace(day=1)), [0, 0])
        held[0] += 1
        held[1] += int(wh)
    kept = sa.table("daily_months", sa.column("usage_point_id"), sa.column("direction"), sa.column("month", sa.Date),
                    sa.column("days"), sa.column("wh"))
    rows = [{"usage_point_id": pdl, "direction": direction, "month": month, "days": n, "wh": wh}
            for (pdl, direction, month), (n, wh) in sorted(months.items())]
    for i in range(0, len(rows), 5000):
        conn.execute(kept.insert(), rows[i:i + 5000])


def downgrade() -> None:
    op.drop_table("daily_months")
