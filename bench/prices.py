"""Pricing benchmark: 2 years of 30-min points for one PDL priced cold then cached, and 100 offers ranked through
the services (cold, then from the price cache).

Synthetic data in a temporary SQLite file (a Tempo PDL with Tempo colours and Zen Flex days, so every slot kind is
exercised; 3 regulated, 7 user and 90 catalog offers of every type). Prints figures next to their targets; asserts
nothing."""

from __future__ import annotations

import math
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from offer_rules import catalog_grids  # bench/offer_rules.py: the generated catalog offers

from myelectricaldata.database import catalog as catalog_store
from myelectricaldata.database import repository as repo
from myelectricaldata.database.migrate import upgrade
from myelectricaldata.database.session import make_engine
from myelectricaldata.energy.catalog import history_key
from myelectricaldata.energy.timeline import epoch, local_day_bounds
from myelectricaldata.gateway.parse import CurvePoint
from myelectricaldata.services import pricing, pricing_store, ranking
from myelectricaldata.services.price_cache import PriceCache

PDL, TODAY = "99000000000009", date(2025, 11, 5)
COLD_RUNS = 11  # the first cold price pays this process's first queries too: the median of more is printed beside it
START, END = date(2023, 11, 5), date(2025, 11, 4)


def seed(engine) -> int:
    points = []
    first, last = epoch(local_day_bounds(START)[0]), epoch(local_day_bounds(END)[1])
    for s in range(first, last, 1800):
        points.append(CurvePoint(s, 30, int(600 + 400 * math.sin(s / 7200)), None))
    with engine.begin() as conn:
        repo.save_usage_point(conn, PDL, name="Bench")
        repo.record_contract(conn, PDL, START, {"subscribed_kva": 9, "pricing_option": "TEMPO",
                                                "offpeak_hours": "HC (22H00-6H00)"})
        repo.store_load_curve(conn, PDL, "consumption", points)
        days = [START + timedelta(days=i) for i in range((END - START).days + 1)]
        repo.store_tempo(conn, [(d, ("BLUE", "WHITE", "RED")[i % 7 // 5 + (i % 11 == 0)]) for i, d in enumerate(days)])
        catalog_store.store_zen_flex_days(conn, {d: "SOBRIETE" if i % 17 == 0 else "ECO" for i, d in enumerate(days)
                                                 if d.day != 13})
        catalog_store.store_history(conn, {history_key(grids[0]): tuple(grids) for grids in catalog_grids(90)})
        for n in range(7):  # 3 regulated + 7 user + 90 catalog offers = 100
            kind = ("BASE", "HPHC", "CUSTOM")[n % 3]
            energy = {"BASE": {"BASE": "0,2"}, "HPHC": {"HP": "0,22", "HC": "0,16"},
                      "CUSTOM": {"HP": "0,21", "WE": "0,15"}}[kind]
            pricing_store.save_offer(conn, {
                "name": f"Offre {n}", "kind": kind, "offpeak": "23:00-07:00" if kind == "HPHC" else "",
                "rules": [{"weekdays": [5, 6], "hours": "0:00-24:00", "period": "WE"}] if kind == "CUSTOM" else [],
                "versions": [{"valid_from": "2024-01-01", "energy": energy, "subscription": "15"},
                             {"valid_from": "2025-02-01", "energy": energy, "subscription": "16"}]})
    return len(points)


def timed(fn) -> tuple[str, object]:
    """Wall and CPU milliseconds of ``fn()`` (the machine may be shared: CPU time is what the code costs)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return f"{(time.perf_counter() - wall) * 1000:8.1f} ms wall, {(time.process_time() - cpu) * 1000:8.1f} ms CPU", out


def cpu_ms(fn) -> float:
    cpu = time.process_time()
    fn()
    return (time.process_time() - cpu) * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        n = seed(engine)
        prices: PriceCache = PriceCache()  # as the app's, shared by its pages
        cold, days = timed(lambda: pricing.cost_by_day(engine, PDL, START, END, prices))
        cached, _ = timed(lambda: pricing.cost_by_day(engine, PDL, START, END, prices))
        ranked_cold, ranked = timed(lambda: ranking.rank(engine, PDL, TODAY, prices))
        ranked_cached, _ = timed(lambda: ranking.rank(engine, PDL, TODAY, prices))
        again = sorted(cpu_ms(lambda: pricing.cost_by_day(engine, PDL, START, END, PriceCache()))
                       for _ in range(COLD_RUNS))
        print(f"points: {n} (30-min, {START} .. {END}), days priced: {len(days)}")
        print(f"price 2 years, cold:                 {cold}   (target <= 50 ms)")
        print(f"   then {COLD_RUNS} more, each with an empty price cache (as a server's cache miss), CPU ms: "
              f"median {again[COLD_RUNS // 2]:.1f}, {again[0]:.1f} to {again[-1]:.1f}")
        print(f"price 2 years, cached:               {cached}")
        print(f"rank {len(ranked.results)} offers x 2 years, cold:   {ranked_cold}   (target <= 2000 ms)")
        print(f"rank {len(ranked.results)} offers x 2 years, cached: {ranked_cached}   (target <= 100 ms)")
        engine.dispose()


if __name__ == "__main__":
    main()
