"""History import benchmark: two years of 30-minute rows from an R63 file imported into one PDL (target <= 5 s),
and the legacy client's database with two years of load curve for two PDLs migrated (target <= 10 s), on SQLite
and PostgreSQL targets (MariaDB too when given). Inputs come from the simulated meters (demo households 1 and 2,
today frozen at 2025-11-05). Best of N runs, each into tables emptied beforehand (untimed). Asserts nothing."""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from catalog_sync import best  # the shortest of N timed runs
from sync import database  # bench/sync.py: a throwaway database per server URL

from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.database.migrate import upgrade
from myelectricaldata.database.session import make_engine
from myelectricaldata.energy.timeline import date_range, years_before
from myelectricaldata.services import history_import, legacy_migration
from myelectricaldata.simulator import DEMO_HOUSEHOLDS
from myelectricaldata.simulator.enedis_downloads import r63_csv
from myelectricaldata.simulator.legacy_database import write_legacy_database

TODAY = date(2025, 11, 5)
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
READINGS = (m.load_curve, m.daily_energy, m.max_power, m.sync_days, m.contract_versions, m.pdl_pricing,
            m.user_offers, m.usage_points, m.tempo_days)


def emptied(engine: sa.Engine, pdl: str | None = None) -> Callable[[], None]:
    def empty() -> None:
        with engine.begin() as conn:
            for table in READINGS:
                conn.execute(table.delete())
            if pdl:
                repo.save_usage_point(conn, pdl)
    return empty


def bench_target(url: str, label: str, r63: bytes, legacy: Path, runs: int, tmp: Path) -> None:
    engine = make_engine(url)
    upgrade(engine)
    pdl = DEMO_HOUSEHOLDS[1].usage_point_id
    files = [("ENEDIS_R63_P_CdC.csv", r63)]
    lock = tmp / "sync.lock"
    print(f"\n{label}")
    emptied(engine, pdl)()
    start = time.perf_counter()
    shown = history_import.preview(engine, pdl, files)
    preview = time.perf_counter() - start
    imported, done = best(runs, lambda: history_import.run(engine, pdl, files, lock), emptied(engine, pdl))
    (plan,) = done.datasets
    print(f"  R63, {plan.given:,} points ({plan.first} .. {plan.last}), preview (read + plan)   {preview:6.2f} s")
    print(f"  R63 import: read, plan and write {done.written:,} rows in one transaction     {imported:6.2f} s"
          "   (target <= 5 s)")
    assert shown.ready
    migrated, report = best(runs, lambda: legacy_migration.migrate(engine, str(legacy), lock, TODAY),
                            emptied(engine))
    curves = sum(d.added for p in report.pdls for d in p.datasets if d.dataset.endswith("load_curve"))
    print(f"  legacy database, {len(report.pdls)} PDL, {curves:,} curve points and {report.written - curves:,} "
          f"daily rows migrated     {migrated:6.2f} s   (target <= 10 s)")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgresql-url", default=PG_URL)
    parser.add_argument("--mariadb-url", help="also measure on this MariaDB/MySQL server")
    args = parser.parse_args()
    curve_days = list(date_range(years_before(TODAY, 2), TODAY))
    daily_days = list(date_range(years_before(TODAY, 3), TODAY))
    start = time.perf_counter()
    r63 = r63_csv(DEMO_HOUSEHOLDS[1], curve_days)
    with tempfile.TemporaryDirectory() as tmp:
        legacy = Path(tmp) / "cache.db"
        source = sa.create_engine(f"sqlite:///{legacy}")
        write_legacy_database(source, DEMO_HOUSEHOLDS[:2], curve_days, daily_days,
                              missing=[curve_days[100] + timedelta(days=n) for n in range(3)])
        source.dispose()
        print(f"inputs made in {time.perf_counter() - start:.1f} s: an R63 CSV of {len(curve_days)} days "
              f"({len(r63) / 2**20:.1f} MiB), a legacy SQLite database of {legacy.stat().st_size / 2**20:.1f} MiB "
              f"({len(curve_days)} days of curve and {len(daily_days)} of daily energy for 2 PDLs); "
              f"best of {args.runs}")
        for url in (None, args.postgresql_url, *([args.mariadb_url] if args.mariadb_url else [])):
            with database(url, Path(tmp)) as (target, label):
                bench_target(target, label, r63, legacy, args.runs, Path(tmp))


if __name__ == "__main__":
    main()
