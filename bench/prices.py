"""Pricing benchmark: 2 years of 30-min points for one PDL priced cold then cached, and 10 offers simulated.

Synthetic data in a temporary SQLite file (a Tempo PDL with Tempo colours, so every slot kind is exercised).
Prints figures next to their targets; asserts nothing."""

from __future__ import annotations

import math
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from myelectricaldata.database import repository as repo
from myelectricaldata.database.migrate import upgrade
from myelectricaldata.database.session import make_engine
from myelectricaldata.energy.timeline import epoch, local_day_bounds
from myelectricaldata.gateway.parse import CurvePoint
from myelectricaldata.services import pricing, pricing_store
from myelectricaldata.services.price_cache import PriceCache

PDL, TODAY = "99000000000009", date(2025, 11, 5)
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
        repo.store_tempo(conn, [(START + timedelta(days=i), ("BLUE", "WHITE", "RED")[i % 7 // 5 + (i % 11 == 0)])
                                for i in range((END - START).days + 1)])
        for n in range(7):  # 3 regulated + 7 user offers = 10
            kind = ("BASE", "HPHC", "CUSTOM")[n % 3]
            energy = {"BASE": {"BASE": "0,2"}, "HPHC": {"HP": "0,22", "HC": "0,16"},
                      "CUSTOM": {"HP": "0,21", "WE": "0,15"}}[kind]
            pricing_store.save_offer(conn, {
                "name": f"Offre {n}", "kind": kind, "offpeak": "23:00-07:00" if kind == "HPHC" else "",
                "rules": [{"weekdays": [5, 6], "hours": "0:00-24:00", "period": "WE"}] if kind == "CUSTOM" else [],
                "versions": [{"valid_from": "2024-01-01", "energy": energy, "subscription": "15"},
                             {"valid_from": "2025-02-01", "energy": energy, "subscription": "16"}]})
    return len(points)


def timed(fn) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t) * 1000, out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        n = seed(engine)
        prices: PriceCache = PriceCache()  # as the app's, shared by its pages
        cold, days = timed(lambda: pricing.cost_by_day(engine, PDL, START, END, prices))
        cached, _ = timed(lambda: pricing.cost_by_day(engine, PDL, START, END, prices))
        sim, results = timed(lambda: pricing.simulate(engine, PDL, TODAY))
        print(f"points: {n} (30-min, {START} .. {END}), days priced: {len(days)}")
        print(f"price 2 years, cold:   {cold:8.1f} ms   (target <= 200 ms)")
        print(f"price 2 years, cached: {cached:8.1f} ms")
        print(f"simulate {len(results)} offers x 2 years: {sim:8.1f} ms   (target <= 1000 ms)")
        engine.dispose()


if __name__ == "__main__":
    main()
