"""N PDLs for the benchmarks: the simulator's demo households in turn, each copy with a usage point id of its own
(99000000000001, ...02, ...03 are the demo ones; ...04 copies the first, and so on). The simulator's readings are
seeded by the usage point id, so every copy has its own curve."""

from __future__ import annotations

import dataclasses
import time
from datetime import date
from pathlib import Path

from myelectricaldata.database.migrate import upgrade
from myelectricaldata.database.session import make_engine
from myelectricaldata.energy.timeline import years_before
from myelectricaldata.gateway.client import GatewayClient
from myelectricaldata.services.sync import SyncService
from myelectricaldata.simulator import DEMO_HOUSEHOLDS, Household, start_simulator

QUOTA = 100_000  # requests a day: a sync of 50 PDLs stays far below it


def households(count: int) -> list[Household]:
    """``count`` households: the demo ones first, then copies of them with the next usage point ids."""
    out = []
    for i in range(count):
        demo = DEMO_HOUSEHOLDS[i % len(DEMO_HOUSEHOLDS)]
        if i < len(DEMO_HOUSEHOLDS):
            out.append(demo)
        else:
            out.append(dataclasses.replace(demo, usage_point_id=f"99{i + 1:012d}", name=f"{demo.name} {i + 1}"))
    return out


def seed(url: str, folder: Path, today: date, years: int, count: int) -> tuple[float, str]:
    """Sync ``count`` PDLs over ``years`` from an in-process simulator frozen on ``today`` into a fresh, migrated
    database; the seconds taken and how the sync ended ("ok" or its outcome and message)."""
    engine = make_engine(url)
    upgrade(engine)
    with start_simulator(households=households(count), today=today, quota_no_cache=QUOTA, quota_cache=QUOTA) as sim:
        sync = SyncService(engine, GatewayClient(sim.url, "demo", "demo"), folder / "seed.lock", clock=sim.state.now)
        t0 = time.perf_counter()
        report = sync.run(since=years_before(today, years))
        elapsed = time.perf_counter() - t0
    engine.dispose()
    return elapsed, report.outcome if report.ok else f"{report.outcome}: {report.message}"
