"""Offer simulation and the max power advisor (pure): replay a load curve, rank offers, check the kVA."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .calendars import Calendars
from .costs import ZERO, DayCost, DayFacts, DayLoad, price_days
from .offers import Offer
from .offpeak import Spans
from .tariffs import KVA_LEVELS
from .timeline import years_before

CLOSE_RATIO = Decimal("0.9")  # a day "came close" when its max power reached 90 % of the level


@dataclass
class OfferResult:
    """One offer replayed: last 12 months and per calendar year, unrounded EUR."""

    key: str
    name: str
    kind: str
    last_12_months: Decimal = ZERO
    energy_12_months: Decimal = ZERO
    subscription_12_months: Decimal = ZERO
    by_year: dict[int, Decimal] = field(default_factory=dict)
    estimated_days: int = 0
    subscription_unknown_days: int = 0
    nearest_grid_days: int = 0  # days of the last 12 months no price grid covered
    unknown_calendar_days: int = 0  # days of the last 12 months priced with an assumed calendar day
    savings: Decimal = ZERO  # against the current offer over the last 12 months (positive: cheaper)

    @property
    def complete(self) -> bool:
        """True when every day of the last 12 months had a known subscription price."""
        return not self.subscription_unknown_days


def last_12_months(today: date) -> tuple[date, date]:
    """First and last day of the 12 months before ``today`` (today excluded)."""
    return years_before(today, 1), date.fromordinal(today.toordinal() - 1)


def summarise(offer: Offer, days: Sequence[DayCost], today: date) -> OfferResult:
    """Totals of an offer's priced days over the last 12 months and per year."""
    first, last = last_12_months(today)
    result = OfferResult(offer.key, offer.name, offer.kind)
    for d in days:
        result.by_year[d.day.year] = result.by_year.get(d.day.year, ZERO) + d.total
        if first <= d.day <= last:
            result.energy_12_months += d.energy_cost
            result.subscription_12_months += d.subscription
            result.estimated_days += d.estimated
            result.subscription_unknown_days += not d.subscription_known
            result.nearest_grid_days += not d.grid_in_force
            result.unknown_calendar_days += bool(d.unknown_days)
    result.last_12_months = result.energy_12_months + result.subscription_12_months
    return result


def simulate_offers(loads: Mapping[date, DayLoad], offers: Sequence[Offer], facts: Callable[[date], DayFacts],
                    colours: Mapping[date, str], today: date, current_key: str,
                    overrides: Mapping[int, Spans] | None = None,
                    zen_flex: Mapping[date, str] | None = None) -> list[OfferResult]:
    """Every offer replayed on the same load curve, ranked by last-12-months cost, with savings vs the current one."""
    table: dict = {}  # each interval's minutes per slot of each schedule, shared by every offer
    calendars = Calendars(facts, colours, zen_flex, overrides)
    results = [summarise(o, price_days(loads, o, facts, table=table, calendars=calendars), today) for o in offers]
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
