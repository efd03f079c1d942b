"""stored day profiles of the load curves (curve_days), back-filled from every stored curve

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

from myelectricaldata.database.curve_days import COLUMNS, profile_rows
from myelectricaldata.energy.aggregate import LocalClock

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    days = op.create_table(
        "curve_days",
        sa.Column("usage_point_id", sa.String(length=14), nullable=False),
        sa.Column("direction", sa.String(length=12), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("watts_sum", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("intervals", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("usage_point_id", "direction", "day", name=op.f("pk_curve_days")),
        sqlite_with_rowid=False,
    )
    assert days is not None
    _backfill(op.get_bind(), days)


def _backfill(conn: sa.Connection, days: sa.Table) -> None:
    """The profile of every local day of every stored curve, a year of points at a time, in primary-key order."""
    curve = sa.table("load_curve", sa.column("usage_point_id"), sa.column("direction"), sa.column("start_utc"),
                     sa.column("minutes"), sa.column("watts"))
    clock = LocalClock()
    spans = conn.execute(sa.select(curve.c.usage_point_id, curve.c.direction, sa.func.min(curve.c.start_utc),
                                   sa.func.max(curve.c.start_utc))
                         .group_by(curve.c.usage_point_id, curve.c.direction)).all()
    for pdl, direction, first, last in spans:
        for year in range(clock.bounds(int(first)).day.year, clock.bounds(int(last)).day.year + 1):
            lo, hi = clock.midnight(date(year, 1, 1)), clock.midnight(date(year + 1, 1, 1))
            points = [(int(s), int(mins), int(w)) for s, mins, w in conn.execute(
                sa.select(curve.c.start_utc, curve.c.minutes, curve.c.watts).where(
                    curve.c.usage_point_id == pdl, curve.c.direction == direction, curve.c.start_utc >= lo,
                    curve.c.start_utc < hi).order_by(curve.c.start_utc))]
            rows = [dict(zip(COLUMNS, row, strict=True)) for row in profile_rows(pdl, direction, points, clock)]
            if rows:
                conn.execute(days.insert(), rows)


def downgrade() -> None:
    op.drop_table("curve_days")
