"""French public holidays (jours fériés, metropolitan France), computed: fixed days and the Easter-based ones."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

FIXED = {(1, 1): "Jour de l'an", (5, 1): "Fête du Travail", (5, 8): "Victoire 1945", (7, 14): "Fête nationale",
         (8, 15): "Assomption", (11, 1): "Toussaint", (11, 11): "Armistice 1918", (12, 25): "Noël"}
AFTER_EASTER = {1: "Lundi de Pâques", 39: "Ascension", 50: "Lundi de Pentecôte"}  # days after Easter Sunday


def easter(year: int) -> date:
    """Easter Sunday of a Gregorian year (the anonymous algorithm of Meeus, Jones and Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


@cache
def public_holidays(year: int) -> dict[date, str]:
    """The eleven public holidays of ``year``, by date, with their French names, in date order."""
    sunday = easter(year)
    days = {date(year, m, d): name for (m, d), name in FIXED.items()}
    days |= {sunday + timedelta(days=n): name for n, name in AFTER_EASTER.items()}
    return dict(sorted(days.items()))


def is_public_holiday(day: date) -> bool:
    """True on a French public holiday."""
    return day in public_holidays(day.year)
