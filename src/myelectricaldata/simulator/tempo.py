"""Tempo calendar: 22 red and 43 white days per season, placed on the coldest eligible days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

from myelectricaldata.energy.tempo import RED_DAYS, WHITE_DAYS, season_of
from myelectricaldata.energy.timeline import PARIS, date_range

from .weather import temperature

MAX_REDS_IN_A_ROW = 5


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return date(year, month, day)


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[date]:
    """French public holidays of the year (metropolitan France)."""
    easter = easter_sunday(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    movable = [easter + timedelta(days=n) for n in (1, 39, 50)]
    return frozenset([date(year, m, d) for m, d in fixed] + movable)


def is_public_holiday(day: date) -> bool:
    """Whether ``day`` is a French public holiday."""
    return day in public_holidays(day.year)


def season_start(day: date) -> date:
    """1 September opening the Tempo season that contains ``day``."""
    return date(season_of(day), 9, 1)


def _red_eligible(day: date, first_year: int) -> bool:
    in_window = date(first_year, 11, 1) <= day <= date(first_year + 1, 3, 31)
    return in_window and day.weekday() < 5 and not is_public_holiday(day)


def _coldest_first(days: list[date]) -> list[date]:
    return sorted(days, key=lambda d: (temperature(d), d))


def _pick_reds(eligible: list[date]) -> set[date]:
    """The coldest eligible days, never more than five consecutive eligible days in a row."""
    position = {d: i for i, d in enumerate(eligible)}
    chosen: set[int] = set()
    for day in _coldest_first(eligible):
        if len(chosen) == RED_DAYS:
            break
        i = position[day]
        before = next(k for k in range(i + 1) if i - k - 1 < 0 or i - k - 1 not in chosen)
        after = next(k for k in range(len(eligible) - i) if i + k + 1 not in chosen)
        if before + after + 1 <= MAX_REDS_IN_A_ROW:
            chosen.add(i)
    return {eligible[i] for i in chosen}


@lru_cache(maxsize=16)
def season_colours(first_year: int) -> dict[date, str]:
    """Colour of every day of the season running from 1 Sep ``first_year`` to 31 Aug the next year."""
    days = list(date_range(date(first_year, 9, 1), date(first_year + 1, 9, 1)))
    reds = _pick_reds([d for d in days if _red_eligible(d, first_year)])
    white_pool = [d for d in days if d not in reds and d.weekday() != 6]
    whites = set(_coldest_first(white_pool)[:WHITE_DAYS])
    return {d: "RED" if d in reds else "WHITE" if d in whites else "BLUE" for d in days}


def colour_of(day: date) -> str:
    """BLUE, WHITE or RED."""
    return season_colours(season_start(day).year)[day]


def tempo_day(day: date) -> dict:
    """One entry of ``/tempo/days``: the colour as RTE published it the day before."""
    published = datetime.combine(day - timedelta(days=1), time(10, 40), PARIS)
    return {
        "date": day.isoformat(),
        "color": colour_of(day),
        "updated_at": (published + timedelta(minutes=20)).isoformat(),
        "rte_updated_date": published.isoformat(),
    }
