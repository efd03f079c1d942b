"""Sync benchmark: a full backfill and one incremental day against the simulated gateway, load-curve
upsert throughput and peak memory, each figure next to its target. Asserts nothing."""

from __future__ import annotations

import argparse
import math
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date, datetime, timedelta
from pathlib import Path

import requests
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.database.migrate import upgrade
from myelectricaldata.database.session import make_engine
from myelectricaldata.energy.timeline import PARIS
from myelectricaldata.gateway.client import GatewayClient
from myelectricaldata.gateway.parse import CurvePoint
from myelectricaldata.services.datasets import DATASETS, datasets_for
from myelectricaldata.services.sync import SyncService

TABLES = (m.daily_energy, m.load_curve, m.max_power, m.tempo_days, m.ecowatt_days, m.contract_versions)
PER_PDL = [d.name for d in DATASETS] + ["contract", "address"]
LABELS = {"power": "consumption_max_power", "consumption_detail_batch": "consumption_load_curve",
          "production_detail_batch": "production_load_curve", "accounts_usage-stats": "usage_stats",
          "accounts_token": "token", "tempo_days": "tempo", "ecowatt_forecast": "ecowatt"}
BENCH_PDL = "99000000009999"
UPSERT_TARGETS = {"sqlite": 200_000, "postgresql": 150_000}  # rows/s


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=PARIS)


class Gateway:
    """The simulated gateway: its URL, request log and clock, served in this process (``state``) or another."""

    def __init__(self, root: str, today: date, state=None) -> None:
        self.root, self.url, self.state, self._now = root, f"{root}/api", state, noon(today)

    def now(self) -> datetime:
        return self.state.now() if self.state is not None else self._now

    def log(self) -> list[dict]:
        return [r.as_json() for r in list(self.state.requests)] if self.state is not None else \
            requests.get(f"{self.root}/_sim/requests", timeout=30).json()

    def set_now(self, moment: datetime) -> None:
        if self.state is not None:
            self.state.set_now(moment)
        else:
            requests.post(f"{self.root}/_sim/now", json={"now": moment.isoformat()}, timeout=10).raise_for_status()
        self._now = moment


@contextmanager
def gateway(in_process: bool, today: date) -> Iterator[Gateway]:
    if in_process:
        from myelectricaldata.simulator import start_simulator

        with start_simulator(today=today) as sim:
            yield Gateway(sim.root, today, sim.state)
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "myelectricaldata.cli", "simulate", "--port", str(port),
                             "--today", today.isoformat()], stdout=subprocess.DEVNULL)
    root = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            with suppress(requests.ConnectionError):
                if requests.get(f"{root}/api/ping", timeout=1).ok:
                    break
            if proc.poll() is not None:
                raise SystemExit("the simulator stopped before answering")
            time.sleep(0.1)
        else:
            raise SystemExit("the simulator did not answer within 30 s")
        yield Gateway(root, today)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextmanager
def database(url: str | None, tmp: Path) -> Iterator[tuple[str, str]]:
    """A fresh, migrated database URL and its description; server databases are created and dropped."""
    if url is None:
        yield f"sqlite:///{tmp / 'bench.db'}", "SQLite, fresh file in a temp dir"
        return
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if Path(parsed.database or "").is_file():
            raise SystemExit(f"{parsed.database} exists: the backfill needs a fresh database")
        yield url, f"SQLite, {parsed.database}"
        return
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as c:
        c.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False), \
            f"{backend}, throwaway database {name} on {parsed.host}"
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}" + (" WITH (FORCE)" if backend == "postgresql" else ""))
        admin.dispose()


def route_counts(records: list[dict]) -> Counter[tuple[str, str]]:
    """(PDL or 'account', dataset label) -> requests, from the simulator's request log."""
    out: Counter[tuple[str, str]] = Counter()
    for r in records:
        parts = r["path"].strip("/").split("/")[1:]
        pdl, key = (parts[-1], "_".join(parts[1:-1])) if parts[0] == "enedis" else ("account", "_".join(parts))
        out[pdl, LABELS.get(key, key)] += 1
    return out


def row_counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.scalar(sa.select(sa.func.count()).select_from(t)) for t in TABLES}


def minimums(meters: list[dict], today: date) -> dict[str, dict[str, int]]:
    """Fewest requests a backfill can take, per PDL and dataset, from the windows and history depths."""
    last = today - timedelta(days=1)
    out = {}
    for up in meters:
        need = {"contract": 1, "address": 1}
        for ds in datasets_for(up["has_consumption"], up["has_production"]):
            first = max(ds.horizon(today), up["activation_date"] or date.min)
            need[ds.name] = math.ceil(((last - first).days + 1) / ds.window_days)
        out[up["usage_point_id"]] = need
    return out


def print_requests(counts: Counter, pdls: list[str], target: dict[str, dict[str, int]], heading: str,
                   total_target: str = "") -> None:
    print(f"   {heading:<26}" + "".join(f"{p:>17}" for p in pdls))
    for name in PER_PDL:
        cells = [f"{counts[p, name]}/{target[p][name]}" if name in target[p] else "-" for p in pdls]
        print(f"   {name:<26}" + "".join(f"{c:>17}" for c in cells))
    totals = [f"{sum(counts[p, n] for n in PER_PDL)}/{sum(target[p].values())}" for p in pdls]
    print(f"   {'per PDL ' + total_target:<26}" + "".join(f"{c:>17}" for c in totals))
    other = {k: v for k, v in counts.items() if k[0] not in pdls or k[1] not in PER_PDL}
    print("   account-wide: " + (", ".join(f"{n} {v}" for (_, n), v in sorted(other.items())) or "none"))


def timed_sync(sync: SyncService, gw: Gateway, engine: sa.Engine) -> tuple[Counter, dict[str, int]]:
    """Run one sync; print its wall time; return the requests the simulator served and the rows added."""
    seen, before = len(gw.log()), row_counts(engine)
    t0 = time.perf_counter()
    report = sync.run()
    elapsed = time.perf_counter() - t0
    after = row_counts(engine)
    print(f"   {elapsed:.2f} s end to end, outcome {report.outcome}, client counted "
          f"{sum(report.requests.values())} requests" + (f" ({report.message})" if report.message else ""))
    return route_counts(gw.log()[seen:]), {k: after[k] - before[k] for k in after}


def curve(days: int) -> list[CurvePoint]:
    start = int(datetime(2023, 1, 1, tzinfo=PARIS).timestamp())
    return [CurvePoint(t, 30, 200 + (i * 37) % 3000, datetime.fromtimestamp(t, PARIS).date())
            for i, t in enumerate(range(start, start + days * 86400, 1800))]


def store_rate(engine: sa.Engine, points: list[CurvePoint], profiles: bool) -> float:
    t0 = time.perf_counter()
    with engine.begin() as conn:
        repo.store_load_curve(conn, BENCH_PDL, "consumption", points, profiles=profiles)
    return len(points) / (time.perf_counter() - t0)


def vacuum(engine: sa.Engine) -> None:
    """On PostgreSQL, clear the dead rows the bench's own deletes left (a first sync meets none)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM load_curve, curve_days")


def throughput(engine: sa.Engine, profiles: bool) -> tuple[int, float, float]:
    """Best insert (fresh rows) and update (rows already there) rates of 2 years of 30-min points, in rows/s: the
    raw upsert, or with the day profiles re-made (as the sync and the imports store)."""
    points = curve(730)
    clear = [t.delete().where(t.c.usage_point_id == BENCH_PDL) for t in (m.load_curve, m.curve_days)]
    inserts = []
    for _ in range(3):
        with engine.begin() as conn:
            for statement in clear:
                conn.execute(statement)
        vacuum(engine)
        inserts.append(store_rate(engine, points, profiles))
    updates = [store_rate(engine, [p._replace(watts=p.watts + n) for p in points], profiles) for n in (1, 2, 3)]
    with engine.begin() as conn:
        for statement in clear:
            conn.execute(statement)
    return len(points), max(inserts), max(updates)


def rss_mb() -> tuple[float, float]:
    """Current and peak resident set size of this process, in MB."""
    status = Path("/proc/self/status").read_text()
    current = int(status.split("VmRSS:")[1].split()[0]) if "VmRSS:" in status else 0
    return current / 1024, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="SQLite file, or a PostgreSQL/MariaDB server to create a "
                                               "throwaway database on (default: SQLite in a temp dir)")
    parser.add_argument("--today", type=date.fromisoformat, default=date(2025, 11, 5), metavar="YYYY-MM-DD",
                        help="the simulated today (default 2025-11-05, so runs are comparable)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--external-simulator", dest="in_process", action="store_false", default=False,
                      help="run the simulator as a subprocess, so the RSS is the client's alone (default)")
    mode.add_argument("--in-process-simulator", dest="in_process", action="store_true",
                      help="serve the simulator from a thread of this process")
    args = parser.parse_args()
    today = args.today
    with tempfile.TemporaryDirectory() as tmp, database(args.database_url, Path(tmp)) as (url, where), \
            gateway(args.in_process, today) as gw:
        mode = "in-process simulator (the RSS includes the simulator)" if args.in_process else \
            "simulator in a separate process (the RSS is the client's alone)"
        print(f"Sync benchmark: {where}; today {today}; {mode}")
        engine = make_engine(url)
        upgrade(engine)
        client = GatewayClient(gw.url, "demo", "demo")
        sync = SyncService(engine, client, Path(tmp) / "sync.lock", clock=gw.now)
        rss_before, peak_before = rss_mb()
        print("1. Full backfill of the demo PDLs")
        counts, added = timed_sync(sync, gw, engine)
        peak_after = rss_mb()[1]
        with engine.connect() as conn:
            meters = repo.usage_point_rows(conn)
        pdls = [p["usage_point_id"] for p in meters]
        need = minimums(meters, today)
        print_requests(counts, pdls, need, "requests (sent/minimum)", "(target <= 40)")
        print("   rows stored: " + ", ".join(f"{k} {v:,}" for k, v in added.items()))

        gw.set_now(noon(today + timedelta(days=1)))
        print(f"2. One incremental day ({today + timedelta(days=1)})")
        counts, added = timed_sync(sync, gw, engine)
        print_requests(counts, pdls, {p: dict.fromkeys(need[p], 1) for p in pdls}, "requests (sent/target)")
        print("   rows added: " + ", ".join(f"{k} {v:,}" for k, v in added.items()))

        n, insert, update = throughput(engine, profiles=False)
        target = UPSERT_TARGETS.get(engine.dialect.name)
        print(f"3. load-curve upsert, {n:,} rows in one transaction, best of 3: {insert:,.0f} rows/s insert, "
              f"{update:,.0f} rows/s update" + (f" (target >= {target:,} insert on {engine.dialect.name})"
                                                 if target else ""))
        n, insert, update = throughput(engine, profiles=True)
        print(f"   with the day profiles re-made, as the sync stores: {insert:,.0f} rows/s insert, "
              f"{update:,.0f} rows/s update")
        print(f"4. peak RSS during the full backfill: {peak_after:.0f} MB (target <= 150 MB); "
              f"before it: {rss_before:.0f} MB current, {peak_before:.0f} MB peak")
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
