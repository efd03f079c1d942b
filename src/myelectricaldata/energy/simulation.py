"""Offer simulation and the max power advisor (pure): replay a load curve, rank offers, check the kVA."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .calendars import Calendars
from .costs import WM_PER_KWH, ZERO, DayFacts, DayPlan, plan_days, subscription_share
from .day_loads import DayLoad
from .offers import Offer
from .offpeak import Spans
from .tariffs import KVA_LEVELS, PriceVersion
from .timeline import years_before

CLOSE_RATIO = Decimal("0.9")  # a day "came close" when its max power reached 90 % of the level


@dataclass
class Totals:
    """Unrounded EUR of some days under an offer: energy and subscription share, and how many days."""

    energy: Decimal = ZERO
    subscription: Decimal = ZERO
    days: int = 0
    subscription_unknown_days: int = 0  # days without a subscription price at the power priced

    @property
    def total(self) -> Decimal:
        return self.energy + self.subscription

    @property
    def complete(self) -> bool:
        return not self.subscription_unknown_days


@dataclass(frozen=True)
class SlotLine:
    """The energy of one slot billed at one price (one grid at one kVA) over the last 12 months."""

    slot: str
    prices_from: date  # the first day of the grid
    price: Decimal  # EUR/kWh
    energy: int  # watt-minutes
    cost: Decimal  # unrounded EUR: price x kWh


@dataclass(frozen=True)
class SubscriptionLine:
    """The subscription of one grid over the days of the last 12 months it priced."""

    prices_from: date
    monthly: Decimal | None  # None: no price at the subscribed kVA
    days: int
    cost: Decimal


@dataclass
class OfferResult:
    """One offer replayed: last 12 months (with the breakdown) and per calendar year, unrounded EUR."""

    key: str
    name: str
    kind: str
    provider: str = ""
    kva: int | None = None  # the power a catalog offer is published for
    last_12_months: Decimal = ZERO
    energy_12_months: Decimal = ZERO
    subscription_12_months: Decimal = ZERO
    years: dict[int, Totals] = field(default_factory=dict)
    estimated_days: int = 0
    subscription_unknown_days: int = 0
    nearest_grid_days: int = 0  # days of the last 12 months no price grid covered
    unknown_calendar_days: int = 0  # days of the last 12 months priced with an assumed calendar day
    savings: Decimal = ZERO  # against the current offer over the last 12 months (positive: cheaper)
    slots: list[SlotLine] = field(default_factory=list)
    subscriptions: list[SubscriptionLine] = field(default_factory=list)
    nearest_grid: list[date] = field(default_factory=list)  # those days
    unknown: list[tuple[date, str, str]] = field(default_factory=list)  # (day, calendar, value assumed)

    @property
    def complete(self) -> bool:
        """True when every day of the last 12 months had a known subscription price."""
        return not self.subscription_unknown_days

    @property
    def by_year(self) -> dict[int, Decimal]:
        """Total per calendar year."""
        return {year: totals.total for year, totals in self.years.items()}


def last_12_months(today: date) -> tuple[date, date]:
    """First and last day of the 12 months before ``today`` (today excluded)."""
    return years_before(today, 1), date.fromordinal(today.toordinal() - 1)


@dataclass
class _Group:
    """Days of one year, inside or outside the last 12 months, priced by one grid at one kVA."""

    version: PriceVersion
    prices: Mapping[str, Decimal]
    energy: dict[str, int] = field(default_factory=dict)
    days: int = 0


def replay(offer: Offer, plans: Iterable[DayPlan], today: date) -> OfferResult:
    """Totals of an offer's planned days over the last 12 months (with the kWh x price breakdown) and per year:
    the energy of each grid and slot is summed before it is priced."""
    first, last = last_12_months(today)
    result = OfferResult(offer.key, offer.name, offer.kind, offer.provider, offer.power_kva)
    groups: dict[tuple[int, bool, date, int | None], _Group] = {}
    for plan in plans:
        day = plan.day
        inside = first <= day <= last
        key = (day.year, inside, plan.version.valid_from, plan.kva)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(plan.version, plan.prices)
        group.days += 1
        energy = group.energy
        for slot, wm in plan.energy.items():
            energy[slot] = energy.get(slot, 0) + wm
        if inside and (plan.unknown or not plan.in_force):
            result.estimated_days += 1
            if plan.unknown:
                result.unknown_calendar_days += 1
                result.unknown += plan.unknown
            if not plan.in_force:
                result.nearest_grid_days += 1
                result.nearest_grid.append(day)
    slots: dict[tuple[str, date, Decimal], int] = {}
    subscriptions: dict[tuple[date, Decimal | None], list] = {}
    for (year, inside, _, kva), group in sorted(groups.items(), key=lambda item: (item[0][0], item[0][2])):
        totals = result.years.get(year) or result.years.setdefault(year, Totals())
        monthly = group.version.monthly(kva)
        share = subscription_share(monthly, date(year, 1, 1)) * group.days if monthly is not None else ZERO
        totals.subscription += share
        totals.days += group.days
        totals.subscription_unknown_days += group.days if monthly is None else 0
        for slot, wm in group.energy.items():
            if wm:
                totals.energy += group.prices[slot] * wm / WM_PER_KWH
                if inside:
                    line = (slot, group.version.valid_from, group.prices[slot])
                    slots[line] = slots.get(line, 0) + wm
        if inside:
            held = subscriptions.setdefault((group.version.valid_from, monthly), [0, ZERO])
            held[0] += group.days
            held[1] += share
            result.subscription_12_months += share
            result.subscription_unknown_days += group.days if monthly is None else 0
    order = {slot: i for i, slot in enumerate(offer.slots)}
    result.slots = [SlotLine(slot, since, price, wm, price * wm / WM_PER_KWH) for (slot, since, price), wm
                    in sorted(slots.items(), key=lambda item: (item[0][1], order.get(item[0][0], len(order))))]
    result.subscriptions = [SubscriptionLine(since, monthly, days, cost)
                            for (since, monthly), (days, cost) in subscriptions.items()]
    result.energy_12_months = sum((line.cost for line in result.slots), ZERO)
    result.last_12_months = result.energy_12_months + result.subscription_12_months
    return result


def simulate_offers(loads: Mapping[date, DayLoad], offers: Sequence[Offer], facts: Callable[[date], DayFacts],
                    colours: Mapping[date, str], today: date, current_key: str,
                    overrides: Mapping[int, Spans] | None = None,
                    zen_flex: Mapping[date, str] | None = None) -> list[OfferResult]:
    """Every offer replayed on the same load curve, ranked by last-12-months cost, with savings vs the current one.
    Each day's load is grouped once; each interval's share of each schedule is computed once for every offer."""
    table: dict = {}
    calendars = Calendars(facts, colours, zen_flex, overrides)
    days = sorted(loads)
    results = [replay(o, plan_days(loads, o, calendars, days, table), today) for o in offers]
    current = next((r for r in results if r.key == current_key), None)
    for r in results:
        r.savings = (current.last_12_months - r.last_12_months) if current else ZERO
    return sorted(results, key=lambda r: (not r.complete, r.last_12_months))


@dataclass
class PowerAdvice:
    """Daily max power against the subscribed kVA, and whether a lower level would have done."""

    subscribed_kva: int | None
    days: int
    peak_va: int
    distribution: dict[int, int]  # kVA level -> days whose max fell in (previous level, level]
    close_days: int  # days at >= 90 % of the subscribed level
    over_days: int  # days above the subscribed level
    lower_kva: int | None = None  # the lowest level that covered every day
    lower_close_days: int = 0
    yearly_saving: Decimal | None = None
    message: str = ""


def max_power_advice(max_va: Mapping[date, int], subscribed_kva: int | None, today: date,
                     monthly: Callable[[int], Decimal | None]) -> PowerAdvice:
    """Advice from the daily max VA of the last 12 months; ``monthly(kva)`` gives a subscription or None."""
    first, last = last_12_months(today)
    values = [va for d, va in max_va.items() if first <= d <= last]
    distribution: Counter[int] = Counter()
    for va in values:
        distribution[next((k for k in KVA_LEVELS if va <= k * 1000), KVA_LEVELS[-1])] += 1
    peak = max(values, default=0)
    kva = subscribed_kva
    limit = (kva or 0) * 1000
    advice = PowerAdvice(kva, len(values), peak, dict(sorted(distribution.items())),
                         sum(va >= limit * CLOSE_RATIO for va in values) if kva else 0,
                         sum(va > limit for va in values) if kva else 0)
    if not values or not kva:
        advice.message = "no max power data for the last 12 months" if not values else "subscribed kVA unknown"
        return advice
    lower = next((k for k in KVA_LEVELS if k < kva and peak <= k * 1000), None)
    if lower is None:
        advice.message = f"{kva} kVA is the lowest level that covered the last 12 months"
        return advice
    advice.lower_kva = lower
    advice.lower_close_days = sum(va >= lower * 1000 * CLOSE_RATIO for va in values)
    now, then = monthly(kva), monthly(lower)
    if now is None or then is None:
        missing = kva if now is None else lower
        advice.message = f"{lower} kVA would have covered the last 12 months; no subscription price is known " \
                         f"for {missing} kVA, so the saving is not computed"
        return advice
    advice.yearly_saving = (now - then) * 12
    advice.message = f"{lower} kVA would have covered the last 12 months"
    return advice
