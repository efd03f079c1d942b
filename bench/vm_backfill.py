"""VictoriaMetrics back-fill, figures only: the three demo PDLs synced over 2 years into a fresh SQLite file (today
frozen at 2025-11-05), then pushed by the exporter to a ``victoria-metrics`` child process on loopback."""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from myelectricaldata.database.migrate import upgrade
from myelectricaldata.database.session import make_engine
from myelectricaldata.energy.timeline import PARIS, years_before
from myelectricaldata.exporters import changes
from myelectricaldata.exporters.manager import ExporterManager
from myelectricaldata.exporters.victoriametrics import VictoriaMetricsExporter
from myelectricaldata.gateway.client import GatewayClient, RetryPolicy
from myelectricaldata.services.sync import SyncService
from myelectricaldata.simulator import start_simulator

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2025, 11, 5)
NOON = datetime(2025, 11, 5, 12, tzinfo=PARIS)
TARGET_S = 5.0


def vm_backfill(years: int = 2) -> None:
    """Print the 2-year back-fill of the 3 demo PDLs through the manager (time, samples, samples/s), then a re-run."""
    sys.path.insert(0, str(ROOT))
    from tests.support.victoriametrics import VictoriaMetrics

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = make_engine(f"sqlite:///{folder / 'vm.db'}")
        upgrade(engine)
        started = time.perf_counter()
        with start_simulator(today=TODAY) as sim:
            client = GatewayClient(sim.url, "demo", "demo", retry=RetryPolicy(attempts=3, base=0.01, cap=0.05),
                                   timeout=(2.0, 30.0))
            report = SyncService(engine, client, folder / "sync.lock", clock=sim.state.now).run(
                since=years_before(TODAY, years))
        print(f"Seeding: 3 demo PDLs over {years} years in {time.perf_counter() - started:.1f} s ({report.outcome})")
        with VictoriaMetrics(folder / "vm") as vm:
            manager = ExporterManager(engine, folder, None, entry_points=False)
            try:
                manager.save_config("victoriametrics", {"url": vm.url, "extra_labels": "site=bench"}, True)
                started = time.perf_counter()
                outcome = manager.run_exports(NOON)["victoriametrics"]
                took = time.perf_counter() - started
            finally:
                manager.close()
            if not outcome.ok:
                raise SystemExit(f"export failed: {outcome.error}")
            state = "met" if took <= TARGET_S else "MISSED"
            print(f"VictoriaMetrics back-fill, {vm.url}: {took:.2f} s (target <= {TARGET_S:g} s: {state}), "
                  f"{outcome.items_sent:,} samples pushed, {outcome.items_sent / took:,.0f} samples/s")
            started = time.perf_counter()
            batch, _ = changes.collect(engine, {}, NOON + timedelta(hours=1))
            collect_s = time.perf_counter() - started
            exporter = VictoriaMetricsExporter({"url": vm.url, "extra_labels": "site=bench"})
            started = time.perf_counter()
            again = exporter.export(batch)
            again_s = time.perf_counter() - started
            exporter.disconnect()
            print(f"Batch build alone (changes.collect, {batch.size:,} rows, pricing cached): {collect_s:.2f} s")
            print(f"Same rows again, fresh exporter: {again_s:.2f} s ({again.message})")
            held = vm.export('{__name__=~"linky_.*"}')
            print(f"Read back: {len(held)} series, {sum(len(p) for p in held.values()):,} samples")
        engine.dispose()


if __name__ == "__main__":
    vm_backfill()
