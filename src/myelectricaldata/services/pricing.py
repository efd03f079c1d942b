"""Costs of a PDL for the pages (flask-free): which offer prices it, priced days cached, kVA advice."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Connection, Engine, func, select

from ..database import curve_days
from ..database import models as m
from ..database import repository as repo
from ..database.catalog import zen_flex_days
from ..energy.aggregate import LocalClock, Point, points_in_days
from ..energy.costs import ZERO, DayCost, DayFacts, HourCost, PeriodCost, by_period, price_days, price_hours
from ..energy.day_loads import DayLoad, loads_by_day
from ..energy.offers import Offer, option_of_contract, regulated_offer
from ..energy.offpeak import Spans, parse_windows
from ..energy.simulation import PowerAdvice, last_12_months
from ..energy.simulation import max_power_advice as advise
from ..energy.tariffs import version_on
from ..energy.tempo import COLOURS
from ..energy.timeline import date_range, epoch, local_day_bounds
from .calendars import read_tempo
from .price_cache import PriceCache
from .pricing_store import PricingChoice, get_choice, household_offer, pricing_fingerprints
from .usage_points import Contract, in_force, read_contracts

PricedDays = PriceCache[list[DayCost]]
DIRECTIONS = ("consumption", "production")  # named in range reads, so the key (PDL, direction, start) bounds them


@dataclass
class PricingInputs:
    """Everything one range is priced from, read once: choice, contracts, Tempo colours, Zen Flex days, curves."""

    choice: PricingChoice
    offer: Offer | None  # None: the regulated tariff of each day's contract option
    contracts: list[Contract]
    colours: dict[date, str]
    loads: dict[date, DayLoad]
    production: dict[date, int]
    points: list[Point] = field(default_factory=list)
    made: list[Point] = field(default_factory=list)
    zen_flex: dict[date, str] = field(default_factory=dict)
    source: str = "contract"  # where the offer comes from: choice, gateway, contract

    def facts(self, kva: int | None = None) -> Callable[[date], DayFacts]:
        """The contract facts of each day (the earliest version for days before it), the kVA chosen (or ``kva``)
        replacing the contract's."""
        starts = [c.valid_from for c in self.contracts]
        parsed = [DayFacts(kva or self.choice.kva or c.subscribed_kva, _spans(c)) for c in self.contracts]
        default = DayFacts(kva or self.choice.kva)
        return lambda day: parsed[max(bisect_right(starts, day) - 1, 0)] if parsed else default

    def option_on(self, day: date) -> str:
        """The regulated option of the contract in force on ``day``."""
        if not self.contracts:
            return "BASE"
        starts = [c.valid_from for c in self.contracts]
        return option_of_contract(self.contracts[max(bisect_right(starts, day) - 1, 0)].pricing_option)

    def offers(self) -> list[tuple[Offer, set[date] | None]]:
        """The chosen offer for every day (None), else each contract option's regulated tariff with its days."""
        if self.offer is not None:
            return [(self.offer, None)]
        groups: dict[str, set[date]] = {}
        for day in set(self.loads) | set(self.production):
            groups.setdefault(self.option_on(day), set()).add(day)
        return [(regulated_offer(option), days) for option, days in groups.items()]


def _spans(contract: Contract) -> Spans:
    try:
        return parse_windows(contract.offpeak_hours)
    except ValueError:
        return ()


Readings = tuple[tuple[int, int, int | None], ...]  # per direction: the load curve's (points, summed watts, last start)
NO_READINGS: Readings = ((0, 0, None),) * len(DIRECTIONS)


def curve_readings(conn: Connection, pdls: list[str], start: date, end: date) -> dict[str, Readings]:
    """Per PDL, what its load curves hold over the local days [start, end], per direction of ``DIRECTIONS``."""
    first, last = epoch(local_day_bounds(start)[0]), epoch(local_day_bounds(end)[1])
    curve = m.load_curve
    found: dict[tuple[str, str], tuple[int, int, int | None]] = {
        (pdl, direction): (int(n), int(watts or 0), None if latest is None else int(latest))
        for pdl, direction, n, watts, latest in conn.execute(
            select(curve.c.usage_point_id, curve.c.direction, func.count(), func.sum(curve.c.watts),
                   func.max(curve.c.start_utc)).where(
                curve.c.usage_point_id.in_(pdls), curve.c.direction.in_(DIRECTIONS), curve.c.start_utc >= first,
                curve.c.start_utc < last).group_by(curve.c.usage_point_id, curve.c.direction))}
    return {pdl: tuple(found.get((pdl, d), NO_READINGS[0]) for d in DIRECTIONS) for pdl in pdls}


def range_fingerprint(conn: Connection, pdl: str, start: date, end: date) -> tuple:
    """What pricing [start, end] depends on: the PDL's readings (first: ``curve_readings``), its choice, offers and
    contracts, the Tempo colours and the Zen Flex days."""
    return range_fingerprints(conn, [pdl], start, end)[pdl]


def range_fingerprints(conn: Connection, pdls: list[str], start: date, end: date) -> dict[str, tuple]:
    """``range_fingerprint`` of each of ``pdls``, in one query per table."""
    tempo, zen = m.tempo_days, m.zen_flex_days
    readings = curve_readings(conn, pdls, start, end)
    colours = conn.execute(select(func.count(), func.max(tempo.c.day)).where(
        tempo.c.day >= start - timedelta(days=1), tempo.c.day <= end)).one()
    zen_flex = conn.execute(select(zen.c.day_type, func.count(), func.max(zen.c.day)).where(
        zen.c.day >= start - timedelta(days=1), zen.c.day <= end).group_by(zen.c.day_type)
        .order_by(zen.c.day_type)).all()
    calendars = (tuple(colours), tuple(map(tuple, zen_flex)))
    return {pdl: (readings[pdl], *fingerprint, *calendars)
            for pdl, fingerprint in pricing_fingerprints(conn, pdls).items()}


def _curve_points(conn: Connection, pdl: str, direction: str, first: int, last: int) -> list[Point]:
    curve = m.load_curve
    return repo.driver_rows(conn, select(curve.c.start_utc, curve.c.minutes, curve.c.watts).where(
        curve.c.usage_point_id == pdl, curve.c.direction == direction, curve.c.start_utc >= first,
        curve.c.start_utc < last).order_by(curve.c.start_utc))


def _day_loads(conn: Connection, pdl: str, direction: str, start: date, end: date,
               held: tuple[int, int, int | None]) -> dict[date, DayLoad]:
    """The stored day profiles of [start, end]; when they were not made of what the load curve holds (``held``:
    points and summed watts), the raw points grouped, and the profiles of the range re-made from them."""
    profiles = curve_days.read(conn, pdl, direction, start, end)
    if (profiles.points, profiles.watts_sum) == held[:2]:
        return profiles.days
    first, last = epoch(local_day_bounds(start)[0]), epoch(local_day_bounds(end)[1])
    points = _curve_points(conn, pdl, direction, first, last)
    return curve_days.store(conn, pdl, direction, date_range(start, end + timedelta(days=1)), points)


def read_inputs(conn: Connection, pdl: str, start: date, end: date, readings: Readings | None = None,
                with_points: bool = False) -> PricingInputs:
    """Everything [start, end] is priced from, read in one connection: the days' loads from the stored day
    profiles (checked against ``readings``, read when not given), the raw points only ``with_points`` (hourly
    pricing). A profile found wrong is re-made in ``conn``: kept when the caller commits."""
    used: list[Point] = []
    made: list[Point] = []
    if with_points:
        first, last = epoch(local_day_bounds(start)[0]), epoch(local_day_bounds(end)[1])
        used, made = (_curve_points(conn, pdl, direction, first, last) for direction in DIRECTIONS)
        loads, produced = loads_by_day(used), loads_by_day(made)
    else:
        held = readings if readings is not None else curve_readings(conn, [pdl], start, end)[pdl]
        loads, produced = (_day_loads(conn, pdl, direction, start, end, counted)
                           for direction, counted in zip(DIRECTIONS, held, strict=True))
    colours = {d: c for d, c in read_tempo(conn, start - timedelta(days=1), end).items() if c in COLOURS}
    choice = get_choice(conn, pdl)
    offer, source = household_offer(conn, choice)
    production = {day: load.total for day, load in produced.items()}
    return PricingInputs(choice, offer, read_contracts(conn, pdl), colours, loads, production, used,
                         made, zen_flex_days(conn, start - timedelta(days=1), end), source)


def price_inputs(inputs: PricingInputs) -> list[DayCost]:
    """Days priced with the chosen offer, or each day with the regulated tariff of its contract's option."""
    facts, choice = inputs.facts(), inputs.choice
    out: list[DayCost] = []
    for offer, days in inputs.offers():
        loads = inputs.loads if days is None else {d: inputs.loads[d] for d in days if d in inputs.loads}
        made = inputs.production if days is None else {d: inputs.production[d] for d in days
                                                       if d in inputs.production}
        out += price_days(loads, offer, facts, inputs.colours, choice.overrides, made, choice.buyback,
                          zen_flex=inputs.zen_flex)
    return sorted(out, key=lambda d: d.day)


def price_inputs_by_hour(inputs: PricingInputs) -> list[HourCost]:
    """Each hour of the inputs' load curves priced like its day in ``price_inputs`` (subscription left out)."""
    facts, choice = inputs.facts(), inputs.choice
    clock = LocalClock()
    out: list[HourCost] = []
    groups = inputs.offers()
    for offer, days in groups:
        points, made = inputs.points, inputs.made
        if len(groups) > 1 and days is not None:
            points, made = points_in_days(points, days, clock), points_in_days(made, days, clock)
        out += price_hours(points, offer, facts, inputs.colours, choice.overrides, made, choice.buyback,
                           zen_flex=inputs.zen_flex)
    return sorted(out, key=lambda h: h.start_utc)


def read_costs(conn: Connection, pdl: str, start: date, end: date, prices: PricedDays | None = None
               ) -> list[DayCost]:
    """``cost_by_day`` inside a connection another service holds."""
    if prices is None:
        return price_inputs(read_inputs(conn, pdl, start, end))
    fingerprint = range_fingerprint(conn, pdl, start, end)
    return prices.get((pdl, start, end), fingerprint,
                      lambda: price_inputs(read_inputs(conn, pdl, start, end, fingerprint[0])))


def read_costs_of(conn: Connection, pdls: list[str], start: date, end: date, prices: PricedDays
                  ) -> dict[str, list[DayCost]]:
    """``read_costs`` of several PDLs over the same range: their fingerprints read together, so the PDLs kept in
    ``prices`` (made large enough to hold them all) cost a handful of queries in all."""
    def compute(pdl: str) -> Callable[[], list[DayCost]]:
        return lambda: price_inputs(read_inputs(conn, pdl, start, end, prints[pdl][0]))

    prices.reserve(len(pdls))
    prints = range_fingerprints(conn, pdls, start, end)
    return {pdl: prices.get((pdl, start, end), prints[pdl], compute(pdl)) for pdl in pdls}


def day_costs(conn: Connection, pdls: list[str], day: date, prices: PricedDays | None = None) -> dict[str, DayCost]:
    """PDL -> ``day`` priced, for each of ``pdls`` with load-curve readings that day; with ``prices``, their
    fingerprints read together (``read_costs_of``)."""
    priced = read_costs_of(conn, pdls, day, day, prices) if prices is not None else \
        {pdl: read_costs(conn, pdl, day, day) for pdl in pdls}
    return {pdl: c for pdl, costs in priced.items() for c in costs if c.day == day}


def cost_by_day(engine: Engine, pdl: str, start: date, end: date, prices: PricedDays | None = None) -> list[DayCost]:
    """Each day of [start, end] with readings, priced; kept in ``prices`` until readings, prices or choices change."""
    with engine.connect() as conn:
        costs = read_costs(conn, pdl, start, end, prices)
        conn.commit()  # keeps the day profiles re-made when found wrong
    return costs


def cost_by_hour(engine: Engine, pdl: str, start: date, end: date) -> list[HourCost]:
    """Each hour of [start, end] with load-curve readings, priced (not cached: exports read each range once)."""
    with engine.connect() as conn:
        inputs = read_inputs(conn, pdl, start, end, None, True)
    return price_inputs_by_hour(inputs)


def cost_by_period(engine: Engine, pdl: str, start: date, end: date, step: str,
                   prices: PricedDays | None = None) -> list[PeriodCost]:
    """Day costs of [start, end] summed per ``step`` (day, week, month, year)."""
    return by_period(cost_by_day(engine, pdl, start, end, prices), step)


@dataclass(frozen=True)
class OfferInForce:
    """The offer pricing a PDL on a day, the choice it comes from, and the contract in force that day."""

    offer: Offer
    choice: PricingChoice
    contract: Contract | None
    source: str = "contract"  # "choice" (chosen here), "gateway" (named on the gateway) or "contract" (regulated)

    @property
    def chosen(self) -> bool:
        """True when the user chose the offer here; False for the gateway's or the contract's."""
        return self.source == "choice"

    @property
    def kva(self) -> int | None:
        """The subscribed kVA pricing assumes: the one chosen, else the contract's."""
        return self.choice.kva or (self.contract.subscribed_kva if self.contract else None)


def slot_totals(engine: Engine, pdl: str, start: date, end: date,
                prices: PricedDays | None = None) -> dict[str, tuple[int, Decimal]]:
    """Energy (watt-minutes) and cost per slot (HP, HC, BLUE_HP...) summed over the priced days of [start, end]."""
    totals: dict[str, tuple[int, Decimal]] = {}
    for day in cost_by_day(engine, pdl, start, end, prices) if start <= end else []:
        for slot, wm in day.energy.items():
            energy, cost = totals.get(slot, (0, ZERO))
            totals[slot] = (energy + wm, cost + day.costs[slot])
    return totals


def offer_in_force(engine: Engine, pdl: str, day: date) -> OfferInForce:
    """The offer pricing the PDL on ``day``: the chosen one, else the regulated tariff of that day's contract."""
    with engine.connect() as conn:
        return read_offer_in_force(conn, pdl, day)


def read_offer_in_force(conn: Connection, pdl: str, day: date) -> OfferInForce:
    """``offer_in_force`` inside a connection another service holds."""
    choice = get_choice(conn, pdl)
    own, source = household_offer(conn, choice)
    contract = in_force(read_contracts(conn, pdl), day)
    offer = own or regulated_offer(option_of_contract(contract.pricing_option if contract else ""))
    return OfferInForce(offer, choice, contract, source)


def current_offer(engine: Engine, pdl: str, today: date) -> Offer:
    """The offer pricing the PDL today: the chosen one, else the regulated tariff of today's contract."""
    return offer_in_force(engine, pdl, today).offer


def max_power_advice(engine: Engine, pdl: str, today: date) -> PowerAdvice:
    """Daily max VA of the last 12 months against the subscribed kVA, priced with the current offer."""
    first, last = last_12_months(today)
    t = m.max_power
    with engine.connect() as conn:
        max_va: dict[date, int] = {day: int(va) for day, va in conn.execute(select(t.c.day, t.c.va).where(
            t.c.usage_point_id == pdl, t.c.day >= first, t.c.day <= last))}
    current = offer_in_force(engine, pdl, today)
    version = version_on(current.offer.versions, today)
    return advise(max_va, current.kva, today, version.monthly)


def buyback_price(engine: Engine, pdls: list[str]) -> Decimal | None:
    """The buy-back price chosen for the first of ``pdls`` that has one."""
    with engine.connect() as conn:
        for pdl in pdls:
            if pdl and (price := get_choice(conn, pdl).buyback) is not None:
                return price
    return None
