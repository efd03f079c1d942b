"""Each offer kind's rule (pure): for one local day and its calendar facts, the day's schedule as wall-clock
minute spans -> priced slot, the calendar days it had to assume, and the Tempo colours it used.

The tables under "Choices" are the rules where a supplier's own definition is uncertain; each choice and its
source are written in docs/offer-rules.md. Change a choice there and here, nowhere else."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from itertools import pairwise
from typing import TYPE_CHECKING, NamedTuple

from .calendars import EJP_DAY_COLOUR, DayCalendar, red_possible
from .offpeak import WHOLE_DAY, Spans
from .tempo import DAY_STARTS
from .tempo import OFFPEAK as TEMPO_OFFPEAK

if TYPE_CHECKING:
    from .offers import HourRule, Offer

Schedule = tuple[tuple[int, int, str], ...]  # [start, end) wall-clock minutes -> slot, covering 0..1440 in order
Unknown = tuple[date, str, str, int | None]  # (day, calendar, value assumed, counts only with energy before minute)

# -- Fixed hours (regulated or published by the supplier) ------------------------------------------------
TEMPO_DAY_START = DAY_STARTS.hour * 60  # a Tempo day runs 06:00 -> 06:00, off-peak 22:00 -> 06:00 (TEMPO_OFFPEAK)
EJP_DAY_START, EJP_PEAK_END = 420, 60  # an EJP day's 18 peak hours run 07:00 -> 01:00 the next morning
NIGHT_OFFPEAK: Spans = ((0, 360), (1380, 1440))  # Nuit & Week-end: 23:00 -> 06:00 on working days

# -- Choices where the supplier's rule is uncertain -----------------------------------------------------
# Public holidays billed like a Sunday, per offer kind (absent: no).
HOLIDAYS_AS_WEEKEND: Mapping[str, bool] = {
    "BASE_WEEKEND": False, "HC_WEEKEND": False, "HC_HP": False, "BASE": False,  # EDF Zen Week-End: Sat and Sun
    "HC_NUIT_WEEKEND": True, "WEEKEND": True, "SEASONAL": True,  # Enercoop: "week-end/jours fériés"
}
# What an unknown calendar day is priced as (the day is flagged).
ASSUMED_WHEN_UNKNOWN: Mapping[str, str] = {
    "TEMPO": "BLUE",  # the colour of 300 days a season and of every Sunday
    "ZEN_FLEX": "SOBRIETE",  # never Éco: an unknown day must not make the offer look cheaper than it may be
    "EJP": "NORMAL",  # as for Tempo, the unknown day is assumed not red
    "PEAK_DAY": "NORMAL",
}
ZEN_FLEX_OFFPEAK: Spans = ((0, 480), (780, 1080), (1200, 1440))  # 20:00 -> 08:00 and 13:00 -> 18:00
ZEN_FLEX_DAY_START = 0  # the Zen Flex day is the calendar day (00:00 -> 00:00)
PEAK_DAY_COLOUR = "RED"  # SEASONAL peak days ("jours de pointe") follow the Tempo red days, whole calendar day
# Supplier hour rules for SEASONAL offers, by key (Offer.hours): off-peak spans per season and on weekends.
SUPPLIER_HOURS: Mapping[str, Mapping[str, Spans]] = {
    "enercoop-flexi-watt": {"WINTER": ((0, 420), (780, 960)), "SUMMER": ((660, 1020),), "WEEKEND": WHOLE_DAY},
}


class DaySchedule(NamedTuple):
    """A day's schedule under an offer, the calendar days it assumed, and the Tempo colours it used."""

    spans: Schedule
    unknown: tuple[Unknown, ...] = ()
    colours: tuple[str, ...] = ()


Rule = Callable[["Offer", DayCalendar, Mapping[str, Decimal]], DaySchedule]


@cache
def two_slots(spans: Spans, inside: str, outside: str) -> Schedule:
    """The schedule of sorted, disjoint spans billed ``inside`` and the rest of the day ``outside``."""
    out: list[tuple[int, int, str]] = []
    t = 0
    for a, b in spans:
        if a > t:
            out.append((t, a, outside))
        if b > a:
            out.append((a, b, inside))
        t = max(t, b)
    if t < 1440:
        out.append((t, 1440, outside))
    return tuple(out)


@cache
def join_days(before: Schedule, after: Schedule, boundary: int) -> Schedule:
    """``before`` until the wall-clock ``boundary``, then ``after``: a day shared by two calendar days."""
    head = [(a, min(b, boundary), s) for a, b, s in before if a < boundary]
    tail = [(max(a, boundary), b, s) for a, b, s in after if b > boundary]
    return tuple(head + tail)


def is_weekend(kind: str, cal: DayCalendar) -> bool:
    """Saturday, Sunday, or a public holiday where the kind's table says holidays count."""
    return cal.weekend or (cal.holiday and HOLIDAYS_AS_WEEKEND.get(kind, False))


def offpeak_of(offer: Offer, cal: DayCalendar) -> Spans:
    """Off-peak windows of an HP/HC offer that day: the user's override, the offer's own, else the contract's."""
    if cal.override is not None:
        return cal.override
    own = offer.offpeak_by_weekday[cal.weekday] if offer.offpeak_by_weekday else None
    if own is not None:
        return own
    return offer.offpeak if offer.offpeak is not None else cal.offpeak


def base(offer: Offer, cal: DayCalendar, prices: Mapping[str, Decimal]) -> DaySchedule:
    """Base: one price all day; with a weekend price, Saturday and Sunday use it."""
    weekend = "BASE_WE" in prices and is_weekend(offer.kind, cal)
    return DaySchedule(two_slots(WHOLE_DAY, "BASE_WE" if weekend else "BASE", ""))


def hp_hc(offer: Offer, cal: DayCalendar, prices: Mapping[str, Decimal]) -> DaySchedule:
    """HP/HC on the day's off-peak windows; with weekend prices, Saturday and Sunday use the weekend pair (an
    HC_WEEKEND offer without them bills its whole weekend off-peak)."""
    spans = offpeak_of(offer, cal)
    if is_weekend(offer.kind, cal):
        if "HC_WE" in prices:
            return DaySchedule(two_slots(spans, "HC_WE", "HP_WE"))
        if offer.kind == "HC_WEEKEND":
            return DaySchedule(two_slots(WHOLE_DAY, "HC", "HP"))
    return DaySchedule(two_slots(spans, "HC", "HP"))


def night_and_weekend(offer: Offer, cal: DayCalendar, prices: Mapping[str, Decimal]) -> DaySchedule:
    """Off-peak 23:00 -> 06:00 on working days and all of Saturday, Sunday (and holidays, by the table)."""
    if is_weekend(offer.kind, cal):
        return DaySchedule(two_slots(WHOLE_DAY, "HC_WE" if "HC_WE" in prices else "HC", "HP"))
    return DaySchedule(two_slots(NIGHT_OFFPEAK, "HC", "HP"))


def seasonal(offer: Offer, cal: DayCalendar, prices: Mapping[str, Decimal]) -> DaySchedule:
    """Winter (November-March) and summer HP/HC pairs; a peak day billed whole at the peak price when the offer
    has one. Off-peak hours: the supplier's own (SUPPLIER_HOURS) or the day's windows."""
    unknown: tuple[Unknown, ...] = ()
    if "PEAK_DAY" in prices:
        peak = _calendar_day(cal.tempo[1], PEAK_DAY_COLOUR, cal.day, "PEAK_DAY")
        unknown = peak.unknown
        if peak.value:
            return DaySchedule(two_slots(WHOLE_DAY, "PEAK_DAY", ""), unknown)
    season = "WINTER" if cal.winter else "SUMMER"
    hours = SUPPLIER_HOURS.get(offer.hours)
    if hours is not None:
        spans = hours["WEEKEND"] if is_weekend(offer.kind, cal) else hours[season]
    else:
        spans = offpeak_of(offer, cal)
    return DaySchedule(two_slots(spans, f"HC_{season}", f"HP_{season}"), unknown)


def _typed_days(pair: tuple[str | None, str | None], calendar: str, offpeak: Spans, start: int,
                day: date) -> DaySchedule:
    """A day whose slots are named by the type of the calendar day in force: the previous day's until the wall
    clock reaches ``start``, then this day's; off-peak on ``offpeak``. Unknown types take the table's value."""
    assumed = ASSUMED_WHEN_UNKNOWN[calendar]
    before, today = pair
    unknown: list[Unknown] = []
    if start and before is None:
        unknown.append((day - timedelta(days=1), calendar, assumed, start))
    if today is None:
        unknown.append((day, calendar, assumed, None))
    first, second = before or assumed, today or assumed
    spans = join_days(two_slots(offpeak, f"{first}_HC", f"{first}_HP"),
                      two_slots(offpeak, f"{second}_HC", f"{second}_HP"), start)
    return DaySchedule(spans, tuple(unknown), (first, second))


def zen_flex(offer: Offer, cal: DayCalendar, prices: Mapping[str, Decimal]) -> DaySchedule:
    """Zen Flex: the day type's HP/HC pair, off-peak 20:00 -> 08:00 and 13:00 -> 18:00 every day."""
    return _typed_days(cal.zen_flex, "ZEN_FLEX", ZEN_FLEX_OFFPEAK, ZEN_FLEX_DAY_START, cal.day)._replace(colours=())


def tempo(offer: Offer, cal: DayCalendar, prices: Mapping[str, Decimal]) -> DaySchedule:
    """Tempo: before 06:00 the previous Tempo day's off-peak, then this day's colour, off-peak from 22:00."""
    return _typed_days(cal.tempo, "TEMPO", TEMPO_OFFPEAK, TEMPO_DAY_START, cal.day)


def ejp(offer: Offer, cal: DayCalendar, prices: Mapping[str, Decimal]) -> DaySchedule:
    """EJP: the normal price, except the 18 peak hours 07:00 -> 01:00 of an EJP day (a Tempo red day)."""
    yesterday = _calendar_day(cal.tempo[0], EJP_DAY_COLOUR, cal.day - timedelta(days=1), "EJP", EJP_PEAK_END)
    today = _calendar_day(cal.tempo[1], EJP_DAY_COLOUR, cal.day, "EJP")
    spans = (((0, EJP_PEAK_END),) if yesterday.value else ()) + (((EJP_DAY_START, 1440),) if today.value else ())
    return DaySchedule(two_slots(spans, "EJP_PEAK", "EJP_NORMAL"), yesterday.unknown + today.unknown)


class _Special(NamedTuple):
    value: bool
    unknown: tuple[Unknown, ...] = ()


def _calendar_day(colour: str | None, special: str, day: date, calendar: str, before: int | None = None) -> _Special:
    """Whether ``day`` is a special (red) day; an unknown colour where red is possible takes the table's assumption
    and is reported, elsewhere it is certainly not special."""
    if colour is not None:
        return _Special(colour == special)
    if not red_possible(day):
        return _Special(False)
    assumed = ASSUMED_WHEN_UNKNOWN[calendar]
    return _Special(assumed != "NORMAL", ((day, calendar, assumed, before),))


@cache
def _custom(rules: tuple[HourRule, ...], default: str, weekday: int) -> Schedule:
    edges = sorted({0, 1440} | {m for r in rules if weekday in r.weekdays for span in r.spans for m in span})
    out: list[tuple[int, int, str]] = []
    for a, b in pairwise(edges):
        rule = next((r for r in rules if weekday in r.weekdays and any(x <= a < y for x, y in r.spans)), None)
        period = rule.period if rule else default
        if out and out[-1][2] == period:
            out[-1] = (out[-1][0], b, period)
        else:
            out.append((a, b, period))
    return tuple(out)


def custom(offer: Offer, cal: DayCalendar, prices: Mapping[str, Decimal]) -> DaySchedule:
    """A user's hour rules for the weekday: the first rule covering a minute gives its period, else the default."""
    return DaySchedule(_custom(offer.rules, offer.default_period, cal.weekday))


RULES: Mapping[str, Rule] = {
    "BASE": base, "BASE_WEEKEND": base, "HPHC": hp_hc, "HC_HP": hp_hc, "HC_WEEKEND": hp_hc,
    "HC_NUIT_WEEKEND": night_and_weekend, "WEEKEND": night_and_weekend, "SEASONAL": seasonal,
    "ZEN_FLEX": zen_flex, "TEMPO": tempo, "EJP": ejp, "CUSTOM": custom,
}
