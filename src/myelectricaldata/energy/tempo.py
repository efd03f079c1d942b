"""Tempo rules (pure): seasons, the 06:00 -> 06:00 Tempo day, off-peak hours and the colour quotas."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

COLOURS = ("BLUE", "WHITE", "RED")
RED_DAYS, WHITE_DAYS = 22, 43
DAY_STARTS = time(6, 0)
OFFPEAK = ((0, 360), (1320, 1440))  # minute spans: Tempo off-peak is 22:00 -> 06:00 whatever the contract says


def season_of(day: date) -> int:
    """The year a Tempo season starts in (seasons run 1 September -> 31 August)."""
    return day.year if day.month >= 9 else day.year - 1


def season_bounds(start_year: int) -> tuple[date, date]:
    """First and last day of the season starting on 1 September ``start_year``."""
    return date(start_year, 9, 1), date(start_year + 1, 8, 31)


def season_quotas(start_year: int) -> dict[str, int]:
    """Days of each colour in a season: 22 red, 43 white, the rest (300 or 301) blue."""
    first, last = season_bounds(start_year)
    days = (last - first).days + 1
    return {"BLUE": days - RED_DAYS - WHITE_DAYS, "WHITE": WHITE_DAYS, "RED": RED_DAYS}


def tempo_day_of(local: datetime) -> date:
    """The Tempo day a local wall-clock instant belongs to: the colour of day D runs D 06:00 -> D+1 06:00."""
    return (local - timedelta(days=1)).date() if local.time() < DAY_STARTS else local.date()


def season_summary(colours: Mapping[date, str], start_year: int, up_to: date) -> dict[str, dict[str, int]]:
    """Per colour, days used up to ``up_to`` (included) and days remaining in the season."""
    first, last = season_bounds(start_year)
    used = Counter(c for d, c in colours.items() if first <= d <= min(last, up_to))
    quotas = season_quotas(start_year)
    return {c: {"used": used.get(c, 0), "remaining": max(0, quotas[c] - used.get(c, 0)), "quota": quotas[c]}
            for c in COLOURS}


COUNT_RULE = ("jours utilisés = jours passés et aujourd'hui, demain compté dès que sa couleur est publiée ; "
              "jours restants = quota de la saison moins jours utilisés")


def counted_up_to(start_year: int, today: date) -> date:
    """The last day the season's count takes in (see ``COUNT_RULE``): tomorrow, whose colour counts only once it
    is published, capped at the season's last day."""
    return min(season_bounds(start_year)[1], today + timedelta(days=1))


def season_count(colours: Mapping[date, str], start_year: int, today: date) -> dict[str, dict[str, int]]:
    """Days used and remaining per colour, by the one rule every page, the API and the exporters follow
    (``COUNT_RULE``): every known colour of the season up to tomorrow included; a day without a colour yet counts
    in no colour."""
    return season_summary(colours, start_year, counted_up_to(start_year, today))

