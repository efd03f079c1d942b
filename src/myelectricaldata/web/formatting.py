"""French formatting of numbers, amounts and dates, for the pages; ``register`` makes each a Jinja filter."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from flask import Flask

from ..energy.aggregate import local_start
from ..energy.costs import euros
from ..energy.timeline import day_minutes
from ..energy.words import (
    COLOUR_WORDS,
    KWH_DECIMALS,
    ZEN_FLEX_WORDS,
    dataset_word,
    kwh_text,
    of_name,
    option_word,
    paris_clock,
    yes_no,
)

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
ASSUMED_WORDS = {  # (calendar, value assumed) -> what was assumed, for "... supposé le 05/11/2025"
    ("EJP", "NORMAL"): "jour EJP normal (pas de pointe)", ("PEAK_DAY", "NORMAL"): "jour sans pointe",
    **{("TEMPO", c): w.lower() for c, w in COLOUR_WORDS.items()},
    **{("ZEN_FLEX", t): f"jour Zen Flex {w}" for t, w in ZEN_FLEX_WORDS.items()},
}


def num(value: float, decimals: int = 0) -> str:
    """A number the French way: comma decimals, no-break space between thousands."""
    return f"{value:,.{decimals}f}".replace(",", "\xa0").replace(".", ",")


def kwh_number(kwh: float) -> str:
    """kWh as every page shows them, tables and cards alike: ``KWH_DECIMALS`` (one) decimal, ``1 234,5``."""
    step = Decimal(1).scaleb(-KWH_DECIMALS)
    return num(float(Decimal(repr(kwh)).quantize(step, ROUND_HALF_UP)), KWH_DECIMALS)  # 8,25 -> 8,3 as by hand


def amount(value: Decimal) -> str:
    """Euros rounded to the cent, French style, without the sign: ``1 234,57``."""
    return num(float(euros(value)), 2)


def money(value: Decimal) -> str:
    """Euros rounded to the cent with their sign: ``1 234,57 €``."""
    return f"{amount(value)}\xa0€"


def decimal_text(value: Decimal | None) -> str:
    """A price or amount as typed in a form: decimal comma, no trailing zeros ("" for None)."""
    return "" if value is None else format(value.normalize(), "f").replace(".", ",")


def french_day(day: date) -> str:
    """``jeudi 5 novembre 2025``."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def month_title(day: date) -> str:
    """``novembre 2025``."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def period_label(first: date, step: str) -> str:
    """How a period (day, week, month, year) starting on ``first`` is named in tables."""
    if step == "week":
        year, week, _ = first.isocalendar()
        return f"sem. {week} {year} (du {first:%d/%m/%Y})"
    if step == "month":
        return month_title(first)
    if step == "year":
        return str(first.year)
    return f"{first:%d/%m/%Y}"


@lru_cache(maxsize=4096)
def _dst_day(day: date) -> bool:
    return day_minutes(day) != 1440


def local_label(start_utc: int, with_date: bool = True) -> str:
    """Local wall-clock time of an instant; in the hour that repeats when clocks go back, with its UTC offset, so
    the two stay distinct."""
    local = local_start(start_utc)
    pattern = "%d/%m/%Y %H:%M" if with_date else "%H:%M"
    if not _dst_day(local.date()):
        return local.strftime(pattern)
    return paris_clock(local, pattern)


def assumed_day(day: date, calendar: str, value: str) -> str:
    """An unknown calendar day and what it was priced as: ``bleu supposé le 15/10/2025``."""
    return f"{ASSUMED_WORDS.get((calendar, value), value.lower())} supposé le {day:%d/%m/%Y}"


def paris_time(moment: datetime | None, pattern: str = "%d/%m/%Y %H:%M") -> str:
    """A stored time (naive: UTC) as Paris time, ``05/11/2025 14:30`` ("" for None); the UTC offset only in the
    hour that repeats when clocks go back."""
    return "" if moment is None else paris_clock(moment, pattern)


def kwh_value(wh: float | None) -> str:
    """Watt-hours as kWh with the one rule of decimals, ``1 234,5 kWh`` ("—" for None)."""
    return "—" if wh is None else kwh_text(wh / 1000)


FILTERS = {"num": num, "amount": amount, "money": money, "french_day": french_day, "month_title": month_title,
           "period_label": period_label, "paris_time": paris_time, "dataset_word": dataset_word,
           "option_word": option_word, "yes_no": yes_no, "kwh": kwh_value, "of_name": of_name}


def register(app: Flask) -> None:
    """Make each formatting function a Jinja filter: ``{{ day | french_day }}``."""
    app.jinja_env.filters.update(FILTERS)
