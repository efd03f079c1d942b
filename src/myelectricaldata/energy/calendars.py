"""What is known of each local day for pricing (pure): contract facts, weekday, public holiday, season, Tempo
colours, Zen Flex day types and EJP days. An unknown calendar day stays ``None``, never a guess."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from .holidays import is_public_holiday
from .offpeak import Spans

WINTER_MONTHS = frozenset({11, 12, 1, 2, 3})  # the catalog's "hiver (nov-mars)"; summer is April to October
EJP_DAY_COLOUR = "RED"  # EJP's 22 days are the Tempo red days (synchronised since 2025)
ZEN_FLEX_TYPES = ("ECO", "SOBRIETE", "BONUS")


@dataclass(frozen=True)
class DayFacts:
    """What the contract in force says about a day: subscribed kVA and off-peak spans."""

    kva: int | None
    offpeak: Spans = ()


@dataclass(frozen=True)
class DayCalendar:
    """One local day's calendar facts; pairs hold (previous day, this day), None when unknown."""

    day: date
    weekday: int  # Monday 0
    holiday: bool
    winter: bool
    tempo: tuple[str | None, str | None]  # colours of the Tempo days running into and from this day
    zen_flex: tuple[str | None, str | None]  # ECO, SOBRIETE or BONUS
    offpeak: Spans  # the contract's off-peak windows in force that day
    override: Spans | None = None  # the user's off-peak windows for this weekday, replacing the contract's

    @property
    def weekend(self) -> bool:
        """Saturday or Sunday."""
        return self.weekday >= 5

    @property
    def contract_offpeak(self) -> Spans:
        """The off-peak windows of the PDL that day: the user's override, else the contract's."""
        return self.override if self.override is not None else self.offpeak


def red_possible(day: date) -> bool:
    """Whether a Tempo red (hence EJP or peak) day can fall on ``day``: November to March, Monday to Friday,
    not a public holiday."""
    return day.month in WINTER_MONTHS and day.weekday() < 5 and not is_public_holiday(day)


class Calendars:
    """Day calendars built from contract facts, user overrides, Tempo colours and Zen Flex days, each day once."""

    def __init__(self, facts: Callable[[date], DayFacts], colours: Mapping[date, str] | None = None,
                 zen_flex: Mapping[date, str] | None = None, overrides: Mapping[int, Spans] | None = None) -> None:
        self.facts = facts
        self.colours = colours or {}
        self.zen_flex = zen_flex or {}
        self.overrides = overrides or {}
        self._days: dict[date, tuple[DayCalendar, DayFacts]] = {}

    def day(self, day: date) -> tuple[DayCalendar, DayFacts]:
        """The calendar facts and the contract facts of ``day``."""
        known = self._days.get(day)
        if known is None:
            before = day - timedelta(days=1)
            fact = self.facts(day)
            weekday = day.weekday()
            known = self._days[day] = (DayCalendar(
                day, weekday, is_public_holiday(day), day.month in WINTER_MONTHS,
                (self.colours.get(before), self.colours.get(day)),
                (self.zen_flex.get(before), self.zen_flex.get(day)),
                fact.offpeak, self.overrides.get(weekday)), fact)
        return known
