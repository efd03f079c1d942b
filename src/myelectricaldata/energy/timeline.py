"""Local days, DST and interval arithmetic for Europe/Paris meter data (pure, no I/O)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
_INTERVAL = re.compile(r"^PT(\d+)M$")


def interval_minutes(length: str) -> int:
    """Minutes of an ISO-8601 interval length such as ``PT30M``."""
    match = _INTERVAL.match(length.strip().upper())
    if not match or int(match.group(1)) <= 0 or 1440 % int(match.group(1)):
        raise ValueError(f"interval_length {length!r}: expected PT5M, PT10M, PT15M, PT30M or PT60M")
    return int(match.group(1))


def local_midnight_utc(day: date, tz: ZoneInfo = PARIS) -> datetime:
    """The UTC instant at which the local ``day`` begins."""
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def local_day_bounds(day: date, tz: ZoneInfo = PARIS) -> tuple[datetime, datetime]:
    """UTC start (inclusive) and end (exclusive) of the local ``day``."""
    return local_midnight_utc(day, tz), local_midnight_utc(day + timedelta(days=1), tz)


def day_minutes(day: date, tz: ZoneInfo = PARIS) -> int:
    """Length of the local day in minutes: 1380, 1440 or 1500 around DST changes."""
    start, end = local_day_bounds(day, tz)
    return int((end - start).total_seconds() // 60)


def expected_points(day: date, minutes: int, tz: ZoneInfo = PARIS) -> int:
    """How many load-curve points of ``minutes`` length a complete local day holds (46/48/50 at PT30M)."""
    return day_minutes(day, tz) // minutes


def interval_starts(day: date, minutes: int, tz: ZoneInfo = PARIS) -> list[datetime]:
    """Aware local start times of every interval of the local ``day``, in order (folds set on DST)."""
    start, end = local_day_bounds(day, tz)
    step = timedelta(minutes=minutes)
    out = []
    t = start
    while t < end:
        out.append(t.astimezone(tz))
        t += step
    return out


def resolve_local_times(stamps: Iterable[datetime], tz: ZoneInfo = PARIS) -> list[datetime | None]:
    """Turn naive local wall-clock times, in the order sent, into aware UTC instants.

    On the fall-back day the wall clock repeats an hour: the first occurrence of a repeated time
    is summer time (fold=0) and the second winter time (fold=1). Wall-clock times that do not exist
    (inside the spring-forward gap) come back as ``None``.
    """
    seen: set[datetime] = set()
    out: list[datetime | None] = []
    for naive in stamps:
        fold = 1 if naive in seen else 0
        seen.add(naive)
        local = naive.replace(tzinfo=tz, fold=fold)
        utc = local.astimezone(UTC)
        if utc.astimezone(tz).replace(tzinfo=None) != naive:
            out.append(None)
            continue
        out.append(utc)
    return out


def _distinct(instants: list[datetime | None]) -> bool:
    return None not in instants and len(set(instants)) == len(instants)


def resolve_interval_starts(stamps: list[datetime], minutes: list[int], tz: ZoneInfo = PARIS) -> list[datetime | None]:
    """UTC interval starts of load-curve points stamped with naive local wall-clock times, in order.

    The v2 gateway takes Enedis's interval-END stamps and moves them back by the interval length on
    the wall clock, so on DST days the labels repeat (01:30, 02:00 in autumn) or do not exist (02:30
    in spring). Resolving the end (label + length) by order and then going back in UTC gives the true
    starts. A payload stamped with true local starts instead is resolved as such. On ordinary days
    both readings agree; on a DST day only one gives distinct, existing instants, and that one is used.
    """
    steps = [timedelta(minutes=m) for m in minutes]
    ends = resolve_local_times([s + d for s, d in zip(stamps, steps, strict=True)], tz)
    from_ends = [e - d if e is not None else None for e, d in zip(ends, steps, strict=True)]
    if _distinct(from_ends):
        return from_ends
    from_starts = resolve_local_times(stamps, tz)
    return from_starts if _distinct(from_starts) else from_ends


def epoch(instant: datetime) -> int:
    """Whole seconds since 1970-01-01 UTC of an aware instant."""
    return int(instant.timestamp())


def date_range(start: date, end: date) -> Iterable[date]:
    """Days from ``start`` (inclusive) to ``end`` (exclusive)."""
    d = start
    while d < end:
        yield d
        d += timedelta(days=1)


def day_runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """The days as inclusive (first, last) runs of consecutive days, in order."""
    runs: list[tuple[date, date]] = []
    for d in sorted(set(days)):
        if runs and d == runs[-1][1] + timedelta(days=1):
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 Feb becomes 28 Feb)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def next_utc_midnight(now: datetime) -> datetime:
    """The next 00:00 UTC after ``now`` (when the gateway's daily counters reset)."""
    return datetime.combine(now.astimezone(UTC).date() + timedelta(days=1), datetime.min.time(), UTC)
