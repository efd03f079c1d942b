"""Costs of consumption under an offer (pure): each day's schedule from the offer's rule, dated prices.

Energy is kept in integer watt-minutes (W x min; 60 000 make a kWh) and amounts in Decimal euros, unrounded;
``euros`` rounds once, for display. The subscription is pro-rated per day as monthly price x 12 / days of
that calendar year (365 or 366). A calendar day the rule needs but nobody knows (a Tempo colour, a Zen Flex
day type) is priced with the assumption of ``offer_rules.ASSUMED_WHEN_UNKNOWN`` and the day is marked
estimated; so is a day no price grid covers, priced with the nearest grid.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from operator import mul
from typing import NamedTuple
from zoneinfo import ZoneInfo

from .aggregate import LocalClock, Point, period_start
from .calendars import Calendars, DayFacts
from .day_loads import DayLoad, energy_by_day, loads_by_day
from .offer_rules import RULES, Schedule
from .offers import Offer
from .offpeak import Spans
from .tariffs import PriceVersion, grid_on
from .timeline import PARIS

WM_PER_KWH = 60_000
ZERO = Decimal(0)
CENT = Decimal("0.01")
Shares = tuple[tuple[str, int], ...]  # minutes of one interval in each slot of a schedule
Weights = tuple[tuple[str, tuple[int, ...]], ...]  # per slot, the minutes of each interval of a day's shape in it
@dataclass
class DayCost:
    """A day priced under an offer: energy and cost per slot, subscription share, production revenue.

    ``grid_in_force`` is False when no price grid covered the day (the nearest one priced it); ``unknown_days``
    lists each calendar day the rule needed but nobody knew, as (day, calendar, value assumed)."""

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
    grid_in_force: bool = True
    unknown_days: tuple[tuple[date, str, str], ...] = ()

    @property
    def energy_cost(self) -> Decimal:
        """Unrounded EUR of the energy."""
        return sum(self.costs.values(), ZERO)

    @property
    def total(self) -> Decimal:
        """Unrounded EUR of energy plus subscription share."""
        return self.energy_cost + self.subscription


def _shares(schedule: Schedule, wall: int, minutes: int) -> Shares:
    """Minutes of [wall, wall + minutes) in each slot (an interval running past midnight wraps onto the day)."""
    end = wall + minutes
    counted: dict[str, int] = {}
    for a, b, slot in schedule:
        inside = max(0, min(b, end) - max(a, wall)) + max(0, min(b + 1440, end) - max(a + 1440, wall))
        if inside:
            counted[slot] = counted.get(slot, 0) + inside
    return tuple(counted.items())


def _weights(schedule: Schedule, keys: Iterable[tuple[int, int]]) -> Weights:
    """Per slot met, the minutes each interval of a day shape spends in it."""
    keys = list(keys)
    minutes: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        for slot, inside in _shares(schedule, *key):
            minutes.setdefault(slot, [0] * len(keys))[i] = inside
    return tuple((slot, tuple(row)) for slot, row in minutes.items())


def split_energy(load: DayLoad, schedule: Schedule, table: dict) -> dict[str, int]:
    """Watt-minutes of the day in each slot of ``schedule``, a point straddling a span edge split pro rata by
    minutes. ``table`` caches the slot weights per schedule and day shape; the result is kept on the load (read
    only)."""
    known = load.by_schedule.get(schedule)
    if known is not None:
        return known
    if len(schedule) == 1:  # one slot all day: every minute of every interval
        whole = load.by_schedule[schedule] = {schedule[0][2]: load.total} if load.watts else {}
        return whole
    number, values = load.shape()
    by_shape: dict[int, Weights] | None = table.get(schedule)
    if by_shape is None:
        by_shape = table[schedule] = {}
    weights = by_shape.get(number)
    if weights is None:
        weights = by_shape[number] = _weights(schedule, load.watts)
    out = load.by_schedule[schedule] = {slot: sum(map(mul, values, row)) for slot, row in weights}
    return out


def subscription_share(monthly: Decimal, day: date) -> Decimal:
    """One day's share of a monthly subscription: monthly x 12 / days of that year."""
    days = (date(day.year + 1, 1, 1) - date(day.year, 1, 1)).days
    return monthly * 12 / days


def _energy_before(load: DayLoad, minute: int, table: dict) -> int:
    return split_energy(load, ((0, minute, "before"), (minute, 1440, "after")), table).get("before", 0)


class DayPlan(NamedTuple):
    """A day of a load under an offer before any amount: the grid in force, its prices at the day's kVA, the
    energy per slot (a cached dict: read only; slots without energy may be missing) and what was assumed."""

    day: date
    version: PriceVersion
    in_force: bool  # False: no grid covered the day, the nearest one priced it
    prices: Mapping[str, Decimal]
    energy: Mapping[str, int]
    kva: int | None
    unknown: tuple[tuple[date, str, str], ...]  # calendar days assumed, as (day, calendar, value assumed)
    colours: tuple[str, ...]


def plan_days(loads: Mapping[date, DayLoad], offer: Offer, calendars: Calendars, days: Iterable[date],
              table: dict) -> Iterator[DayPlan]:
    """Each of ``days`` under the offer's rule, with the grid in force that day and the day's calendar."""
    rule = RULES[offer.kind]
    versions = offer.versions
    starts = [v.valid_from for v in versions]
    for day in days:
        load = loads.get(day) or DayLoad()
        cal, fact = calendars.day(day)
        version, in_force = grid_on(versions, day, starts)
        prices = version.energy_for(fact.kva)
        plan = rule(offer, cal, prices)
        unknown: tuple[tuple[date, str, str], ...] = ()
        if plan.unknown:
            unknown = tuple((d, calendar, value) for d, calendar, value, before in plan.unknown
                            if before is None or _energy_before(load, before, table))
        yield DayPlan(day, version, in_force, prices, split_energy(load, plan.spans, table), fact.kva, unknown,
                      plan.colours)


def price_days(loads: Mapping[date, DayLoad], offer: Offer, facts: Callable[[date], DayFacts],
               colours: Mapping[date, str] | None = None, overrides: Mapping[int, Spans] | None = None,
               production: Mapping[date, int] | None = None, buyback: Decimal | None = None,
               table: dict | None = None, zen_flex: Mapping[date, str] | None = None,
               calendars: Calendars | None = None) -> list[DayCost]:
    """Each day of ``loads`` (and of ``production``) priced with the offer's rule, the prices in force that day
    and the day's calendar (``calendars``, else one built from facts, colours, Zen Flex days and overrides)."""
    calendars = calendars or Calendars(facts, colours, zen_flex, overrides)
    production, table = production or {}, table if table is not None else {}
    buyback = buyback if buyback is not None else offer.buyback
    zeros = {} if offer.kind == "CUSTOM" else dict.fromkeys(offer.slots, 0)  # custom: the slots met only
    shares: dict[tuple[Decimal, int], Decimal] = {}  # subscription share per (monthly price, year)
    out = []
    for plan in plan_days(loads, offer, calendars, sorted(set(loads) | set(production)), table):
        day, version, prices = plan.day, plan.version, plan.prices
        energy = zeros.copy()
        energy.update(plan.energy)
        costs = {slot: prices[slot] * wm / WM_PER_KWH if wm else ZERO for slot, wm in energy.items()}
        monthly = version.monthly(plan.kva)
        share = ZERO
        if monthly is not None:
            share = shares.get((monthly, day.year)) or shares.setdefault(
                (monthly, day.year), subscription_share(monthly, day))
        made = production.get(day, 0)
        assumed = tuple((d, value) for d, calendar, value in plan.unknown if calendar == "TEMPO")
        out.append(DayCost(
            day, offer.key, energy, costs, share, plan.kva, version.valid_from, monthly is not None,
            bool(plan.unknown) or not plan.in_force, assumed, plan.colours, made,
            buyback * made / WM_PER_KWH if buyback is not None and made else ZERO, plan.in_force, plan.unknown))
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
                table: dict | None = None, zen_flex: Mapping[date, str] | None = None) -> list[HourCost]:
    """Each hour of the points priced as ``price_days`` prices its day, the subscription left out: the hours of
    one rank are priced together, one per day."""
    clock = LocalClock(tz)
    used, made = hours_of(points, clock), hours_of(production, clock)
    table = table if table is not None else {}
    calendars = Calendars(facts, colours, zen_flex, overrides)
    out = []
    for rank in sorted(set(used) | set(made)):
        hours, produced_hours = used.get(rank, {}), made.get(rank, {})
        starts = {day: hour for day, (hour, _) in (*hours.items(), *produced_hours.items())}
        loads = {day: load for _, group in hours.values() for day, load in loads_by_day(group, tz, clock).items()}
        produced = {day: wm for _, group in produced_hours.values()
                    for day, wm in energy_by_day(group, tz, clock).items()}
        for cost in price_days(loads, offer, facts, production=produced, buyback=buyback, table=table,
                               calendars=calendars):
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
    nearest_grid_days: int = 0  # days no price grid covered
    unknown_calendar_days: int = 0  # days priced with an assumed Tempo colour, Zen Flex or EJP day
    offer_keys: set[str] = field(default_factory=set)  # the offers its days were priced with

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
        p.nearest_grid_days += not d.grid_in_force
        p.unknown_calendar_days += bool(d.unknown_days)
        p.offer_keys.add(d.offer_key)
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
