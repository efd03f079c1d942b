"""Time to value, figures only: from an empty data directory to one PDL's two years in Home Assistant's Energy
dashboard. A real Home Assistant Core is started first (``HA_PYTHON``; not counted: the user's HA is already up) and
the simulated gateway runs in-process (today frozen at 2025-11-05). Then, timed from an empty temporary directory:
the database created and migrated, the Home Assistant exporter's settings saved (Energy on, discovery off, the
default total shape), one sync of the HP/HC demo PDL (2 years: daily values, load curve, maximum power, contract,
Tempo, EcoWatt) and the exports it runs at its end, which return once HA has written every row. The last sum is then
read back from HA and compared with the local database."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

from myelectricaldata.database import models as m
from myelectricaldata.database.migrate import upgrade
from myelectricaldata.database.session import make_engine
from myelectricaldata.energy.costs import WM_PER_KWH
from myelectricaldata.exporters.manager import ExporterManager
from myelectricaldata.gateway.client import GatewayClient, RetryPolicy
from myelectricaldata.services.sync import SyncService
from myelectricaldata.simulator import start_simulator

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2025, 11, 5)
PDL = "99000000000002"
TARGET_S = 60.0


def main() -> int:
    if not os.environ.get("HA_PYTHON"):
        print("skipped: HA_PYTHON is not set (point it at the Home Assistant venv, e.g. HA_PYTHON=.venv-ha/bin/python)")
        return 0
    sys.path.insert(0, str(ROOT))
    from tests.support.homeassistant import HomeAssistant

    started = time.perf_counter()
    ha = HomeAssistant.start(broker_host=None)
    print(f"Home Assistant {ha.version} started in {time.perf_counter() - started:.1f} s (not counted)")
    try:
        with start_simulator(today=TODAY) as sim, tempfile.TemporaryDirectory() as name:
            data_dir = Path(name)
            t0 = time.perf_counter()
            engine = make_engine(f"sqlite:///{data_dir / 'myelectricaldata.db'}")
            upgrade(engine)
            t_db = time.perf_counter()
            exporters = ExporterManager(engine, data_dir, None, entry_points=False)
            exporters.save_config("homeassistant", {"discovery": False, "energy": True, "ha_url": ha.url,
                                                    "ha_token": ha.token}, enabled=True)
            client = GatewayClient(sim.url, "demo", "demo", retry=RetryPolicy(attempts=3, base=0.01, cap=0.05))
            sync = SyncService(engine, client, data_dir / "sync.lock", clock=sim.state.now)
            outcomes = {}
            t_sync_end = [0.0]

            def after(report: object) -> None:
                t_sync_end[0] = time.perf_counter()
                outcomes.update(exporters.after_sync(report))

            sync.after_run.append(after)
            report = sync.run(pdls=[PDL])
            t_end = time.perf_counter()
            outcome = outcomes.get("homeassistant")
            total = t_end - t0
            print(f"sync of {PDL} ({report.outcome}) and its Energy import, from an empty data directory: "
                  f"{total:.1f} s (target <= {TARGET_S:g} s: {'met' if total <= TARGET_S else 'MISSED'})")
            print(f"   database created and migrated {t_db - t0:.2f} s; sync {t_sync_end[0] - t_db:.1f} s; exports "
                  f"until read back {t_end - t_sync_end[0]:.1f} s: "
                  + (f"{outcome.message}" if outcome and outcome.ok else f"FAILED {outcome.error if outcome else ''}"))
            sid = f"myelectricaldata:{PDL}_consumption"
            rows = ha.statistics(sid, datetime(2020, 1, 1, tzinfo=UTC), types=("sum",)).get(sid, [])
            t = m.load_curve
            with engine.connect() as conn:
                wm = conn.scalar(sa.select(sa.func.sum(t.c.watts * t.c.minutes)).where(
                    t.c.usage_point_id == PDL, t.c.direction == "consumption"))
            print(f"   read back {sid}: {len(rows):,} hours, last sum {rows[-1]['sum'] if rows else 0:,.3f} kWh; "
                  f"local load curve {(wm or 0) / WM_PER_KWH:,.3f} kWh")
            exporters.close()
            engine.dispose()
    finally:
        ha.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
