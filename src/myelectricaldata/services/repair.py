"""Data repair asked for by hand: re-fetch a range of days, or purge everything stored for a PDL."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, func, select

from ..database import models as m
from .datasets import MISSING
from .lock import sync_lock
from .price_cache import PriceCache


def pdl_tables() -> list[Table]:
    """Every table holding rows of one PDL, except ``usage_points`` (the PDL stays listed)."""
    return [t for t in m.metadata.sorted_tables
            if "usage_point_id" in t.c and t is not m.usage_points]


def _held(lock: Path | None) -> Any:
    return sync_lock(lock) if lock is not None else nullcontext()


def refetch(engine: Engine, pdl: str, datasets: Iterable[str], start: date, end: date, lock: Path | None = None) -> int:
    """Mark the ledger days of ``datasets`` in [start, end] missing with no attempt, so the next sync asks
    for them again; the readings stay until the new ones overwrite them. Returns the days marked.

    Days without a ledger entry are left alone: the sync already asks for them when the gateway serves them.
    With ``lock`` (the sync lock file), SyncBusy while a sync runs, here or in another process."""
    names = sorted(set(datasets))
    if not names or start > end:
        return 0
    t = m.sync_days
    with _held(lock), engine.begin() as conn:
        result = conn.execute(t.update().where(
            t.c.usage_point_id == pdl, t.c.dataset.in_(names), t.c.day >= start, t.c.day <= end,
        ).values(status=MISSING, attempts=0, last_error=""))
        return result.rowcount


def purge_preview(engine: Engine, pdl: str) -> dict[str, int]:
    """What ``purge`` would delete: rows per table (tables with none included)."""
    with engine.connect() as conn:
        return {t.name: conn.scalar(select(func.count()).select_from(t).where(t.c.usage_point_id == pdl)) or 0
                for t in pdl_tables() if t.name not in m.DERIVED}


def purge(engine: Engine, pdl: str, prices: PriceCache[Any] | None = None, lock: Path | None = None) -> dict[str, int]:
    """Delete the PDL's readings, ledger, dataset states, contract versions and preferences in one
    transaction; returns the rows deleted per table (derived tables, emptied too, left out). The next sync fetches
    its history again.
    With ``lock`` (the sync lock file), SyncBusy while a sync runs, here or in another process."""
    with _held(lock), engine.begin() as conn:
        deleted = {t.name: conn.execute(t.delete().where(t.c.usage_point_id == pdl)).rowcount for t in pdl_tables()}
        up = m.usage_points  # the contract and address are asked for again at the next sync
        conn.execute(up.update().where(up.c.usage_point_id == pdl).values(contract_checked_on=None,
                                                                            address_checked_on=None))
    if prices is not None:
        prices.clear()
    return {name: n for name, n in deleted.items() if name not in m.DERIVED}
