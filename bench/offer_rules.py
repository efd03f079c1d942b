"""Offer rules benchmark: 100 catalog offers of every type priced over 2 years of 30-min points (pure code).

Synthetic curve, Tempo colours, Zen Flex days and price grids (two per offer, the second from mid-2025); no
database. Prints the time to group the points by day and to price every offer on them (cold: fresh caches,
a first ranking, then the same ranking again on the same loads); asserts nothing."""

from __future__ import annotations

import math
import time
from datetime import date, timedelta
from decimal import Decimal

from myelectricaldata.energy.calendars import DayFacts
from myelectricaldata.energy.catalog import CATALOG_TYPES, CatalogGrid, catalog_offer
from myelectricaldata.energy.day_loads import loads_by_day
from myelectricaldata.energy.offers import Offer
from myelectricaldata.energy.offpeak import parse_windows
from myelectricaldata.energy.simulation import simulate_offers
from myelectricaldata.energy.timeline import date_range, epoch, local_day_bounds

START, END, TODAY = date(2023, 11, 5), date(2025, 11, 4), date(2025, 11, 5)
FIELDS = {
    "BASE": ("base_price",), "BASE_WEEKEND": ("base_price", "base_price_weekend"),
    "HC_HP": ("hc_price", "hp_price"), "HC_WEEKEND": ("hc_price", "hp_price", "hc_price_weekend", "hp_price_weekend"),
    "HC_NUIT_WEEKEND": ("hc_price", "hp_price"), "WEEKEND": ("hc_price", "hp_price", "hc_price_weekend"),
    "SEASONAL": ("hc_price_winter", "hp_price_winter", "hc_price_summer", "hp_price_summer", "peak_day_price"),
    "ZEN_FLEX": ("hc_price_winter", "hp_price_winter", "hc_price_summer", "hp_price_summer"),
    "TEMPO": ("tempo_blue_hc", "tempo_blue_hp", "tempo_white_hc", "tempo_white_hp", "tempo_red_hc", "tempo_red_hp"),
    "EJP": ("ejp_normal", "ejp_peak"),
}


def catalog_grids(count: int) -> list[list[CatalogGrid]]:
    """The grids of ``count`` catalog offers at 9 kVA, ten of each type in turn, two grids each."""
    out = []
    for n in range(count):
        kind = CATALOG_TYPES[n % len(CATALOG_TYPES)]
        provider = "Enercoop" if n % 20 < 10 else "EDF"  # half the SEASONAL offers with Enercoop's own hours
        name = f"Offre {n}" + (" Flexi Watt" if kind == "SEASONAL" else "")
        prices = {f: Decimal("0.15") + Decimal(i) / 50 for i, f in enumerate(FIELDS[kind])}
        out.append([CatalogGrid(f"id-{n}-{g}", provider, name, kind, 9, Decimal("19.5") + g,
                                {f: p + Decimal(g) / 100 for f, p in prices.items()}, valid_from, valid_to)
                    for g, (valid_from, valid_to) in enumerate([(date(2023, 1, 1), date(2025, 6, 15)),
                                                                (date(2025, 6, 15), None)])])
    return out


def offers(count: int) -> list[Offer]:
    return [catalog_offer(grids) for grids in catalog_grids(count)]


def curve() -> list[tuple[int, int, int]]:
    first, last = epoch(local_day_bounds(START)[0]), epoch(local_day_bounds(END)[1])
    return [(s, 30, int(600 + 400 * math.sin(s / 7200))) for s in range(first, last, 1800)]


def main() -> None:
    points, catalog = curve(), offers(100)
    days = list(date_range(START - timedelta(days=1), END + timedelta(days=1)))
    colours = {d: ("BLUE", "WHITE", "RED")[i % 7 // 5 + (i % 11 == 0)] for i, d in enumerate(days)}
    zen_flex = {d: "SOBRIETE" if colours[d] == "RED" else "ECO" for d in days if d.day != 13}
    contract = DayFacts(9, parse_windows("HC (1H30-8H00;12H30-14H00)"))
    clocks = [(time.perf_counter(), time.process_time())]
    loads = loads_by_day(points)
    clocks.append((time.perf_counter(), time.process_time()))
    ranked = simulate_offers(loads, catalog, lambda day: contract, colours, TODAY, catalog[0].key, zen_flex=zen_flex)
    clocks.append((time.perf_counter(), time.process_time()))
    simulate_offers(loads, catalog, lambda day: contract, colours, TODAY, catalog[0].key, zen_flex=zen_flex)
    clocks.append((time.perf_counter(), time.process_time()))

    def ms(first: int, last: int) -> str:
        (wall0, cpu0), (wall1, cpu1) = clocks[first], clocks[last]
        return f"{(wall1 - wall0) * 1000:8.1f} ms wall, {(cpu1 - cpu0) * 1000:8.1f} ms CPU"

    print(f"points: {len(points)} (30-min, {START} .. {END}), days: {len(loads)}, offers: {len(ranked)} "
          f"({len(CATALOG_TYPES)} types, 2 grids each)")
    print(f"group points by day:             {ms(0, 1)}")
    print(f"rank 100 offers x 2 years, cold: {ms(1, 2)}   (issue target: ranking <= 2 s cold)")
    print(f"same ranking, loads reused:      {ms(2, 3)}")
    print(f"cold total (points to ranking):  {ms(0, 2)}")


if __name__ == "__main__":
    main()
