"""Reading the API's query parameters: dates, ranges, choices; every refusal names the parameter."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

DIRECTIONS = ("consumption", "production")
DAILY_STEPS = ("day", "week", "month", "year")
CURVE_STEPS = ("raw", "hour", "day")
DEFAULT_DAYS = 30  # default range: the 30 days before the default end, plus the end itself
MAX_DAYS = 1100  # about 3 years: longer ranges are cut to their last MAX_DAYS days
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)  # dates outside are moved to these bounds
FIRST_SEASON, LAST_SEASON = 2000, 2099
PDL = re.compile(r"[0-9]{14}")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
YEAR = re.compile(r"[0-9]{4}")


class ApiError(Exception):
    """A refusal answered as ``{"error": {"code", "message"}}`` with ``status``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date
    capped: bool = False

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def bad_request(parameter: str, message: str) -> ApiError:
    return ApiError(400, f"invalid_{parameter}", f"{parameter}: {message}")


def check_pdl(pdl: str) -> str:
    if not PDL.fullmatch(pdl):
        raise bad_request("usage_point_id", f"expected 14 digits, got {pdl[:40]!r}")
    return pdl


def _date(args: Mapping[str, str], name: str) -> date | None:
    raw = args.get(name)
    if raw is None:
        return None
    try:
        if not ISO_DATE.fullmatch(raw):
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        raise bad_request(name, f"expected a date as YYYY-MM-DD, got {raw[:40]!r}") from None


def _shift(day: date, days: int) -> date:
    """``day`` moved by ``days``, stopping at the first or last representable date."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.min if days < 0 else date.max


def _bounded(day: date) -> date:
    return min(max(day, FIRST_DAY), LAST_DAY)


def date_range(args: Mapping[str, str], default_end: date) -> DateRange:
    """``start`` and ``end`` (inclusive) from the query, with defaults and caps.

    The default end is ``default_end``, the default start 30 days before the end (or 30 days
    before the start for a missing end). A reversed range is refused; a range longer than
    MAX_DAYS keeps its last MAX_DAYS days; dates outside FIRST_DAY..LAST_DAY are moved inside.
    """
    start, end = _date(args, "start"), _date(args, "end")
    if start is not None and end is not None and start > end:
        raise bad_request("start", f"the range is reversed: start {start} is after end {end}")
    if end is None:
        end = default_end if start is None or start <= default_end else _shift(start, DEFAULT_DAYS)
    if start is None:
        start = _shift(end, -DEFAULT_DAYS)
    moved = (_bounded(start), _bounded(end)) != (start, end)
    start, end = _bounded(start), _bounded(end)
    if (end - start).days + 1 > MAX_DAYS:
        return DateRange(end - timedelta(days=MAX_DAYS - 1), end, capped=True)
    return DateRange(start, end, capped=moved)


def choice(args: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = args.get(name, default)
    if value not in allowed:
        raise bad_request(name, f"expected one of {', '.join(allowed)}, got {value[:40]!r}")
    return value


def season(args: Mapping[str, str], default: int) -> int:
    """The ``season`` year (a Tempo season starts on 1 September of that year)."""
    raw = args.get("season")
    if raw is None:
        return default
    if not YEAR.fullmatch(raw) or not FIRST_SEASON <= int(raw) <= LAST_SEASON:
        raise bad_request("season", f"expected a year between {FIRST_SEASON} and {LAST_SEASON}, got {raw[:40]!r}")
    return int(raw)
