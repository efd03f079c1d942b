"""Helpers for sync tests: a simulator, a sync service wired to it, whole-table snapshots."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

from myelectricaldata.database import models as m
from myelectricaldata.database.migrate import upgrade
from myelectricaldata.database.session import make_engine
from myelectricaldata.energy.timeline import PARIS
from myelectricaldata.gateway.client import GatewayClient, RetryPolicy
from myelectricaldata.services.sync import SyncService
from myelectricaldata.simulator import start_simulator

TODAY = date(2025, 11, 5)
NOON = datetime(2025, 11, 5, 12, 0, tzinfo=PARIS)
VOLATILE = {"updated_at", "fetched_at", "last_sync_at", "contract_checked_on", "address_checked_on"}
DATA_TABLES = (m.usage_points, m.contract_versions, m.daily_energy, m.load_curve, m.max_power, m.tempo_days,
               m.ecowatt_days)


def make_sync(engine: sa.Engine, sim, tmp_path: Path, attempts: int = 3, read_timeout: float = 5.0) -> SyncService:
    client = GatewayClient(sim.url, "demo", "demo", retry=RetryPolicy(attempts=attempts, base=0.01, cap=0.05),
                           timeout=(2.0, read_timeout))
    return SyncService(engine, client, tmp_path / "sync.lock", clock=sim.state.now)


def snapshot(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every row of every data table, without the columns that only record when something ran."""
    out = {}
    with engine.connect() as conn:
        for table in DATA_TABLES:
            cols = [c for c in table.columns if c.name not in VOLATILE]
            rows = conn.execute(sa.select(*cols).order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(r) for r in rows]
    return out


@contextmanager
def synced_sqlite(folder: Path, pdls: list[str], since: date) -> Iterator[sa.Engine]:
    """A migrated SQLite database in ``folder`` holding what a sync of ``pdls`` from the simulator
    (today frozen on TODAY) stored since ``since``."""
    engine = make_engine(f"sqlite:///{folder / 'synced.db'}")
    upgrade(engine)
    with start_simulator(today=TODAY) as sim:
        assert make_sync(engine, sim, folder).run(pdls=pdls, since=since).ok
    try:
        yield engine
    finally:
        engine.dispose()


def copy_sqlite(source: Path, target: Path) -> sa.Engine:
    """An engine on a copy of a SQLite file (a module's synced template, changed freely by one test)."""
    import sqlite3

    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return make_engine(f"sqlite:///{target}")
