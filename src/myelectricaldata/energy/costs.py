"""Costs of consumption under an offer (pure): each point's slot from its local wall-clock time, dated prices.

Energy is kept in integer watt-minutes (W x min; 60 000 make a kWh) and amounts in Decimal euros, unrounded;
``euros`` rounds once, for display. The subscription is pro-rated per day as monthly price x 12 / days of
that calendar year (365 or 366). A missing Tempo colour is assumed BLUE (the colour of 300 days a season and
of every Sunday); the day is then marked estimated with the assumed colour.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from .aggregate import LocalClock, Point, period_start
from .offers import Offer
from .offpeak import Spans, overlap
from .tariffs import version_on
from .timeline import PARIS

WM_PER_KWH = 60_000
ZERO = Decimal(0)
CENT = Decimal("0.01")
MISSING_COLOUR = "BLUE"
TEMPO_MORNING, TEMPO_EVENING = 360, 1320  # Tempo day starts 06:00; off-peak 22:00 -> 06:00
_MORNING, _EVENING = ((0, TEMPO_MORNING),), ((TEMPO_EVENING, 1440),)
_TEMPO_PARTS: dict[tuple[int, int], tuple[int, int]] = {}  # (wall minute, length) -> minutes before 06:00, from 22:00


@dataclass
class DayLoad:
    """One local day of a load curve: summed W per (wall-clock minute, length), and watt-minutes totals."""

    watts: dict[tuple[int, int], int] = field(default_factory=dict)
    total: int = 0
    early: int = 0  # before 06:00 (billed with the previous Tempo day)
    late: int = 0  # from 22:00


@dataclass(frozen=True)
class DayFacts:
    """What the contract in force says about a day: subscribed kVA and off-peak spans."""

    kva: int | None
    offpeak: Spans = ()


@dataclass
class DayCost:
    """A day priced under an offer: energy and cost per slot, subscription share, production revenue."""

    day: date
    offer_key: str
    energy: dict[str, int]
    costs: dict[str, Decimal]
    subscription: Decimal
    kva: int | None
    prices_from: date
    subscription_known: bool = True
    estimated: bool = False
    assumed_colours: tuple[tuple[date, str], ...] = ()
    colours: tuple[str, ...] = ()
    production: int = 0
    revenue: Decimal = ZERO

    @property
    def energy_cost(self) -> Decimal:
        """Unrounded EUR of the energy."""
        return sum(self.costs.values(), ZERO)

    @property
    def total(self) -> Decimal:
        """Unrounded EUR of energy plus subscription share."""
        return self.energy_cost + self.subscription


def loads_by_day(points: Iterable[Point], tz: ZoneInfo = PARIS, clock: LocalClock | None = None) -> dict[date, DayLoad]:
    """Group load-curve points by local day and wall-clock start (the repeated autumn hour is summed)."""
    clock = clock or LocalClock(tz)
    days: dict[date, DayLoad] = {}
    parts = _TEMPO_PARTS
    for start, minutes, watts in points:
        day, wall = clock.wall(start)
        load = days.get(day)
        if load is None:
            load = days[day] = DayLoad()
        key = (wall, minutes)
        load.watts[key] = load.watts.get(key, 0) + watts
        load.total += watts * minutes
        if key not in parts:
            parts[key] = (overlap(wall, minutes, _MORNING), overlap(wall, minutes, _EVENING))
        early, late = parts[key]
        load.early += watts * early
        load.late += watts * late
    return days


def energy_by_day(points: Iterable[Point], tz: ZoneInfo = PARIS, clock: LocalClock | None = None) -> dict[date, int]:
    """Watt-minutes per local day (for production)."""
    return {day: load.total for day, load in loads_by_day(points, tz, clock).items()}


def offpeak_energy(load: DayLoad, spans: Spans, table: dict) -> int:
    """Watt-minutes of the day inside the off-peak spans (``table`` caches minutes per interval)."""
    if not spans:
        return 0
    off = 0
    for key, watts in load.watts.items():
        entry = (spans, key)
        minutes = table.get(entry)
        if minutes is None:
            minutes = table[entry] = overlap(key[0], key[1], spans)
        off += watts * minutes
    return off


def _custom_split(load: DayLoad, offer: Offer, weekday: int, table: dict) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for (wall, minutes), watts in load.watts.items():
        entry = (offer.key, weekday, wall, minutes)
        shares = table.get(entry)
        if shares is None:
            counted: dict[str, int] = defaultdict(int)
            for m in range(wall, wall + minutes):
                day_shift, minute = (weekday + m // 1440) % 7, m % 1440
                rule = next((r for r in offer.rules if day_shift in r.weekdays
                             and any(a <= minute < b for a, b in r.spans)), None)
                counted[rule.period if rule else offer.default_period] += 1
            shares = table[entry] = tuple(counted.items())
        for period, minutes_in in shares:
            out[period] += watts * minutes_in
    return dict(out)


def subscription_share(monthly: Decimal, day: date) -> Decimal:
    """One day's share of a monthly subscription: monthly x 12 / days of that year."""
    days = (date(day.year + 1, 1, 1) - date(day.year, 1, 1)).days
    return monthly * 12 / days


def price_days(loads: Mapping[date, DayLoad], offer: Offer, facts: Callable[[date], DayFacts],
               colours: Mapping[date, str] | None = None, overrides: Mapping[int, Spans] | None = None,
               production: Mapping[date, int] | None = None, buyback: Decimal | None = None,
               table: dict | None = None) -> list[DayCost]:
    """Each day of ``loads`` (and of ``production``) priced with the prices and contract facts in force that day."""
    colours, production, table = colours or {}, production or {}, table if table is not None else {}
    buyback = buyback if buyback is not None else offer.buyback
    out = []
    for day in sorted(set(loads) | set(production)):
        load = loads.get(day) or DayLoad()
        fact = facts(day)
        version = version_on(offer.versions, day)
        assumed: list[tuple[date, str]] = []
        used: tuple[str, ...] = ()
        if offer.kind == "BASE":
            energy = {"BASE": load.total}
        elif offer.kind == "HPHC":
            spans = offer.offpeak if offer.offpeak is not None else fact.offpeak
            if overrides and day.weekday() in overrides:
                spans = overrides[day.weekday()]
            off = offpeak_energy(load, spans, table)
            energy = {"HP": load.total - off, "HC": off}
        elif offer.kind == "TEMPO":
            before, today = day - timedelta(days=1), day
            for d in (before, today):
                if d not in colours:
                    assumed.append((d, MISSING_COLOUR))
            c_before, c_today = colours.get(before, MISSING_COLOUR), colours.get(today, MISSING_COLOUR)
            used = (c_before, c_today)
            energy = dict.fromkeys(offer.slots, 0)
            energy[f"{c_before}_HC"] += load.early
            energy[f"{c_today}_HC"] += load.late
            energy[f"{c_today}_HP"] += load.total - load.early - load.late
            if not load.early:
                assumed = [a for a in assumed if a[0] != before]
        else:
            energy = _custom_split(load, offer, day.weekday(), table)
        prices = version.energy_for(fact.kva)
        costs = {slot: prices[slot] * wm / WM_PER_KWH for slot, wm in energy.items()}
        monthly = version.monthly(fact.kva)
        made = production.get(day, 0)
        out.append(DayCost(
            day, offer.key, energy, costs, subscription_share(monthly, day) if monthly is not None else ZERO,
            fact.kva, version.valid_from, monthly is not None, bool(assumed) or day < version.valid_from,
            tuple(assumed), used, made, buyback * made / WM_PER_KWH if buyback is not None and made else ZERO))
    return out


@dataclass(frozen=True)
class HourCost:
    """One hour (by its UTC start) priced under an offer: energy and EUR per slot, production and its revenue."""

    start_utc: int
    day: date
    energy: dict[str, int]
    costs: dict[str, Decimal]
    production: int = 0
    revenue: Decimal = ZERO

    @property
    def consumed(self) -> int:
        """Watt-minutes consumed in the hour, all slots."""
        return sum(self.energy.values())

    energy_cost = DayCost.energy_cost  # unrounded EUR of the hour's energy


def hours_of(points: Iterable[Point], clock: LocalClock) -> dict[int, dict[date, tuple[int, list[Point]]]]:
    """Points grouped by the rank of their hour in its local day, then by day, with the hour's UTC start; ranks
    count UTC hours, so the repeated autumn hour is two ranks and the spring day has 23."""
    by_hour: dict[int, list[Point]] = defaultdict(list)
    for point in points:
        by_hour[point[0] - clock.local_seconds(point[0]) % 3600].append(point)
    out: dict[int, dict[date, tuple[int, list[Point]]]] = defaultdict(dict)
    previous, rank = None, 0
    for hour in sorted(by_hour):
        day = clock.wall(hour)[0]
        rank = rank + 1 if day == previous else 0
        previous = day
        out[rank][day] = (hour, by_hour[hour])
    return out


def price_hours(points: Iterable[Point], offer: Offer, facts: Callable[[date], DayFacts],
                colours: Mapping[date, str] | None = None, overrides: Mapping[int, Spans] | None = None,
                production: Iterable[Point] = (), buyback: Decimal | None = None, tz: ZoneInfo = PARIS,
                table: dict | None = None) -> list[HourCost]:
    """Each hour of the points priced as ``price_days`` prices its day, the subscription left out: the hours of
    one rank are priced together, one per day."""
    clock = LocalClock(tz)
    used, made = hours_of(points, clock), hours_of(production, clock)
    table = table if table is not None else {}
    out = []
    for rank in sorted(set(used) | set(made)):
        hours, produced_hours = used.get(rank, {}), made.get(rank, {})
        starts = {day: hour for day, (hour, _) in (*hours.items(), *produced_hours.items())}
        loads = {day: load for _, group in hours.values() for day, load in loads_by_day(group, tz, clock).items()}
        produced = {day: wm for _, group in produced_hours.values()
                    for day, wm in energy_by_day(group, tz, clock).items()}
        for cost in price_days(loads, offer, facts, colours, overrides, produced, buyback, table):
            out.append(HourCost(starts[cost.day], cost.day, cost.energy, cost.costs, cost.production,
                                cost.revenue))
    return sorted(out, key=lambda h: h.start_utc)


@dataclass
class PeriodCost:
    """Days summed over a period (day, week, month or year), still unrounded."""

    start: date
    energy: dict[str, int] = field(default_factory=dict)
    costs: dict[str, Decimal] = field(default_factory=dict)
    subscription: Decimal = ZERO
    production: int = 0
    revenue: Decimal = ZERO
    days: int = 0
    estimated_days: int = 0
    subscription_unknown_days: int = 0

    energy_cost = DayCost.energy_cost
    total = DayCost.total


def by_period(days: Iterable[DayCost], step: str) -> list[PeriodCost]:
    """Day costs summed per period of ``step`` (day, week, month, year), in order."""
    periods: dict[date, PeriodCost] = {}
    for d in days:
        start = period_start(d.day, step)
        p = periods.get(start) or periods.setdefault(start, PeriodCost(start))
        for slot, wm in d.energy.items():
            p.energy[slot] = p.energy.get(slot, 0) + wm
            p.costs[slot] = p.costs.get(slot, ZERO) + d.costs[slot]
        p.subscription += d.subscription
        p.production += d.production
        p.revenue += d.revenue
        p.days += 1
        p.estimated_days += d.estimated
        p.subscription_unknown_days += not d.subscription_known
    return [periods[k] for k in sorted(periods)]


def euros(amount: Decimal) -> Decimal:
    """An amount rounded to the cent (half up), for display only."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def euros_to_the_cent(amount: Decimal) -> float:
    """``euros`` as a float (JSON payloads)."""
    return float(euros(amount))


def kwh(watt_minutes: int) -> Decimal:
    """Exact kWh of an energy in watt-minutes."""
    return Decimal(watt_minutes) / WM_PER_KWH


def kwh_rounded(watt_minutes: int) -> Decimal:
    """kWh of an energy in watt-minutes rounded to the Wh (three decimals, half up), for display and export."""
    return kwh(watt_minutes).quantize(Decimal("0.001"), ROUND_HALF_UP)


def kwh_to_the_wh(watt_minutes: int) -> float:
    """``kwh_rounded`` as a float (JSON payloads)."""
    return float(kwh_rounded(watt_minutes))
