"""EDF Zen Flex calendar: 20 Sobriété days a calendar year on the coldest working days between 15 October and
15 April, a few Bonus days on the brightest summer weekends, Éco the rest; tomorrow's type known from noon."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from myelectricaldata.energy.holidays import is_public_holiday
from myelectricaldata.energy.timeline import PARIS, date_range

from .account import optional_day
from .responses import Call, envelope
from .weather import clearness, temperature

OFFER_START = date(2023, 11, 1)  # the gateway's first day (its OFFER_START)
FIRST_SOBRIETE = date(2023, 11, 29)  # "premier jour Sobriété le 29/11/2023"
SOBRIETE_DAYS = 20  # a calendar year (prorated in the offer's first year)
BONUS_DAYS = 3  # a calendar year, from the offer's first full year
PUBLICATION_HOUR = 12  # EDF publishes tomorrow's type during the day; the gateway has it from then


def sobriete_possible(day: date) -> bool:
    """Monday to Friday, not a public holiday, from 15 October to 15 April."""
    in_season = (day.month, day.day) >= (10, 15) or (day.month, day.day) <= (4, 15)
    return in_season and day.weekday() < 5 and not is_public_holiday(day)


@lru_cache(maxsize=16)
def year_types(year: int) -> dict[date, str]:
    """ECO, SOBRIETE or BONUS for every day of ``year`` the offer exists."""
    days = [d for d in date_range(date(year, 1, 1), date(year + 1, 1, 1)) if d >= OFFER_START]
    if not days:
        return {}
    eligible = [d for d in days if sobriete_possible(d) and d >= FIRST_SOBRIETE]
    whole_year = sum(1 for d in date_range(date(year, 1, 1), date(year + 1, 1, 1)) if sobriete_possible(d))
    quota = round(SOBRIETE_DAYS * len(eligible) / whole_year)
    sobriete = set(sorted(eligible, key=lambda d: (d != FIRST_SOBRIETE, temperature(d), d))[:quota])
    bonus_pool = [d for d in days if d.weekday() >= 5 and 5 <= d.month <= 8]
    bonus = set(sorted(bonus_pool, key=lambda d: (-clearness(d), d))[:BONUS_DAYS]) if days[0].month == 1 else set()
    return {d: "SOBRIETE" if d in sobriete else "BONUS" if d in bonus else "ECO" for d in days}


def day_type(day: date) -> str | None:
    """The type EDF gives ``day`` (None before the offer existed)."""
    return year_types(day.year).get(day)


def last_published(now: datetime) -> date:
    """The last day whose type is known at ``now``: tomorrow from noon, Paris time, else today."""
    local = now.astimezone(PARIS)
    return local.date() + timedelta(days=1 if local.hour >= PUBLICATION_HOUR else 0)


def _entry(day: date) -> dict:
    published = datetime.combine(day - timedelta(days=1), time(PUBLICATION_HOUR, 10), PARIS)
    return {"date": day.isoformat(), "day_type": day_type(day), "updated_at": published.astimezone(UTC).isoformat()}


def zen_flex_days(call: Call) -> tuple[int, dict]:
    """``GET /zen-flex/days``: the known days of [start, end], both included (default: the offer's first day to
    tomorrow), by date."""
    last = last_published(call.state.now())
    start = max(OFFER_START, optional_day(call, "start") or OFFER_START)
    end = min(last, optional_day(call, "end") or call.state.today() + timedelta(days=1))
    return 200, envelope(call.state, [_entry(d) for d in date_range(start, end + timedelta(days=1))])


def zen_flex_today(call: Call) -> tuple[int, dict]:
    """``GET /zen-flex/today``: today's and tomorrow's types (null while unknown)."""
    today, last = call.state.today(), last_published(call.state.now())
    data = {name: {"date": d.isoformat(), "day_type": day_type(d) if d <= last else None}
            for name, d in (("today", today), ("tomorrow", today + timedelta(days=1)))}
    return 200, envelope(call.state, data)
