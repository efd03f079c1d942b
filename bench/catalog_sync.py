"""Catalog sync benchmark: 1,000 offer rows with their history parsed and stored, on SQLite and PostgreSQL.

The rows are the simulated gateway's (today frozen at 2026-11-27), whole offer histories taken in turn until
1,000 rows, sent through JSON as on the wire. Prints, per database, the best of N runs of: parsing (JSON,
decimals, dates, grouping per offer), storing them into empty tables, storing the same answer again (every
row updated), and reading back the offers of one kVA; then the whole simulated catalog fetched over HTTP, and
synced into empty tables through the catalog sync service. Asserts nothing."""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sync import database  # bench/sync.py: a throwaway database per server URL

from myelectricaldata.database import catalog as cat
from myelectricaldata.database import models as m
from myelectricaldata.database.migrate import upgrade
from myelectricaldata.database.session import make_engine
from myelectricaldata.gateway.catalog import group_history, parse_offers, parse_providers
from myelectricaldata.gateway.catalog_fetch import fetch_catalog
from myelectricaldata.gateway.client import GatewayClient
from myelectricaldata.services.catalog import CatalogSync
from myelectricaldata.simulator import start_simulator
from myelectricaldata.simulator.catalog import catalog, provider_id
from myelectricaldata.simulator.catalog_data import SUPPLIERS

TODAY = date(2026, 11, 27)
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def thousand_rows() -> bytes:
    """1,000 rows of the simulated catalog, whole offer histories first, as the gateway's JSON."""
    rows = sorted((r.row for r in catalog(TODAY)),
                  key=lambda r: (r["provider_id"], r["name"], r["offer_type"], r["valid_from"] or "~"))
    return json.dumps({"success": True, "data": rows[:1000], "error": None}).encode()


def best(runs: int, work: Callable[[], object], before: Callable[[], object] = lambda: None) -> tuple[float, object]:
    """The shortest of ``runs`` timings of ``work`` (``before`` runs untimed ahead of each) and its last result."""
    timings, result = [], None
    for _ in range(runs):
        before()
        start = time.perf_counter()
        result = work()
        timings.append(time.perf_counter() - start)
    return min(timings), result


def bench_database(url: str, label: str, body: bytes, runs: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    providers = parse_providers([{"id": provider_id(s.name), "name": s.name} for s in SUPPLIERS])

    def parse():
        rows = parse_offers(json.loads(body)["data"], providers)
        return rows, group_history(rows.grids)

    def parse_and_store():
        _, history = parse()
        with engine.begin() as conn:
            return cat.store_history(conn, history)

    def empty():
        with engine.begin() as conn:
            conn.execute(m.catalog_grids.delete())

    def read():
        with engine.connect() as conn:
            return cat.catalog_offers(conn, 6)

    parsed, (rows, history) = best(runs, parse)
    fresh, stored = best(runs, parse_and_store, empty)
    again, _ = best(runs, parse_and_store)
    reading, offers = best(runs, read)
    print(f"\n{label}")
    print(f"  rows {len(rows.grids):,} ({len(history)} offers, {len(rows.refused)} refused), stored {stored:,}")
    print(f"  parse (JSON, decimals, dates, grouping)   {parsed * 1000:8.1f} ms")
    print(f"  parse + store into empty tables           {fresh * 1000:8.1f} ms   (target <= 2 s)")
    print(f"  parse + store again (every row updated)   {again * 1000:8.1f} ms")
    print(f"  read the offers of 6 kVA ({len(offers)})            {reading * 1000:8.1f} ms")

    with start_simulator(today=TODAY) as sim:
        client = GatewayClient(sim.url, "demo", "demo")
        start = time.perf_counter()
        fetched = fetch_catalog(client)
        fetch = time.perf_counter() - start
        empty()
        start = time.perf_counter()
        report = CatalogSync(engine, client).run(("offers",))  # the service: fetch, store, freshness, digest
        total = time.perf_counter() - start
    print(f"  whole simulated catalog over HTTP: {fetched.received:,} rows fetched and parsed in "
          f"{fetch * 1000:.0f} ms; through the catalog sync service (fetched, stored in one transaction with "
          f"its freshness) in {total * 1000:.0f} ms ({report.summary()})")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgresql-url", default=PG_URL)
    parser.add_argument("--mariadb-url", help="also measure on this MariaDB/MySQL server")
    args = parser.parse_args()
    body = thousand_rows()
    print(f"1,000 offer rows, {len(body) / 1024:.0f} KiB of JSON; best of {args.runs} runs")
    with tempfile.TemporaryDirectory() as tmp:
        for url in (None, args.postgresql_url, *([args.mariadb_url] if args.mariadb_url else [])):
            with database(url, Path(tmp)) as (target, label):
                bench_database(target, label, body, args.runs)


if __name__ == "__main__":
    main()
