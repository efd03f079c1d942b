"""Aggregates of stored readings (pure): periods of days, load-curve buckets, HP/HC split, heatmap."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from .offpeak import Spans, overlap
from .timeline import PARIS, day_minutes

# A point's energy is watts x minutes watt-minutes (/ 60 = Wh): sums stay in integer watt-minutes, converted once.
Point = tuple[int, int, int]  # (start_utc epoch seconds, minutes, average watts)
PERIODS = ("day", "week", "month", "year")
CURVE_STEPS = ("raw", "hour", "day")
SLOTS = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 1440, 30))  # the 48 half-hours of a wall clock


def period_start(day: date, step: str) -> date:
    """First day of the period of ``step`` holding ``day`` (weeks are ISO weeks, starting on Monday)."""
    if step == "day":
        return day
    if step == "week":
        return day - timedelta(days=day.weekday())
    if step == "month":
        return day.replace(day=1)
    if step == "year":
        return day.replace(month=1, day=1)
    raise ValueError(f"step {step!r}: expected one of {', '.join(PERIODS)}")


def sum_by_period(rows: Iterable[tuple[date, int]], step: str) -> list[tuple[date, int]]:
    """Values per day summed per period, keyed by the period's first day, in order."""
    totals: dict[date, int] = defaultdict(int)
    period_start(date(2000, 1, 1), step)  # refuse an unknown step even when there are no rows
    for day, value in rows:
        totals[period_start(day, step)] += value
    return sorted(totals.items())


def wh_of(watt_minutes: int) -> int:
    """Whole Wh of an energy in watt-minutes, rounded half up."""
    return (watt_minutes + 30) // 60


def local_start(start_utc: int, tz: ZoneInfo = PARIS) -> datetime:
    """The aware local wall-clock start of a point (fold set on the repeated hour)."""
    return datetime.fromtimestamp(start_utc, tz)


NEVER = 1 << 62  # an instant no reading reaches: the offset of a day without a change never shifts


class DayBounds(NamedTuple):
    """A local day as UTC epoch bounds: [start, end), and where its wall clock jumps (DST). The wall-clock minute of
    an instant ``s`` of the day is ``(s - start) // 60``, plus ``shift`` minutes (+60 in spring, -60 in autumn) from
    ``shift_at`` on; ``shift_at`` is ``NEVER`` on a day without a change."""

    day: date
    start: int
    end: int
    shift_at: int
    shift: int

    def wall(self, instant: int) -> int:
        """The wall-clock minute of an instant of the day."""
        return (instant - self.start) // 60 + (self.shift if instant >= self.shift_at else 0)


class LocalClock:
    """Local day and wall-clock minute of UTC instants, fast: each local day's UTC bounds computed once (a few zone
    lookups per day, about a hundred on a DST day), then integer arithmetic per instant."""

    def __init__(self, tz: ZoneInfo = PARIS) -> None:
        self.tz = tz
        self._bounds: dict[date, DayBounds] = {}
        self._midnights: dict[date, int] = {}
        self._use(DayBounds(date(1970, 1, 1), 0, 0, NEVER, 0))  # the day asked last: empty until then

    def _use(self, bounds: DayBounds) -> None:
        """Keep the day asked last in plain attributes: the next instants are most often in it."""
        self._last = bounds
        self._day, self._start, self._end, self._shift_at, self._shift = bounds
        self._local_start = (bounds.day.toordinal() - 719163) * 86400  # its local midnight, seconds since 1970

    def _offset_at(self, instant: int) -> int:
        offset = datetime.fromtimestamp(instant, self.tz).utcoffset()
        assert offset is not None  # an aware datetime always has one
        return int(offset.total_seconds())

    def bounds(self, instant: int) -> DayBounds:
        """The bounds of the local day holding ``instant``."""
        if self._start <= instant < self._end:
            return self._last
        day = datetime.fromtimestamp(instant, self.tz).date()
        found = self._bounds.get(day)
        if found is None:
            start, end = self.midnight(day), self.midnight(day + timedelta(days=1))
            before, after = self._offset_at(start), self._offset_at(end - 1)
            shift_at, shift = NEVER, 0
            if before != after:  # the first quarter-hour on the new offset: zone changes fall on one
                shift_at = next(s for s in range(start, end, 900) if self._offset_at(s) != before)
                shift = (after - before) // 60
            found = self._bounds[day] = DayBounds(day, start, end, shift_at, shift)
        self._use(found)
        return found

    def local_seconds(self, start_utc: int) -> int:
        """Seconds since 1970-01-01 00:00 on the local wall clock."""
        if not self._start <= start_utc < self._end:
            self.bounds(start_utc)
        shift = self._shift * 60 if start_utc >= self._shift_at else 0
        return self._local_start + start_utc - self._start + shift

    def wall(self, start_utc: int) -> tuple[date, int]:
        """Local day and minute of the day (wall clock) of an instant."""
        if not self._start <= start_utc < self._end:
            self.bounds(start_utc)
        return self._day, (start_utc - self._start) // 60 + (self._shift if start_utc >= self._shift_at else 0)

    def midnight(self, day: date) -> int:
        """UTC epoch of the start of the local ``day``."""
        if day not in self._midnights:
            self._midnights[day] = int(datetime(day.year, day.month, day.day, tzinfo=self.tz).timestamp())
        return self._midnights[day]


def points_in_days(points: Iterable[Point], days: Container[date], clock: LocalClock) -> list[Point]:
    """The points whose local day is one of ``days``, in their order; the day looked up only when a point leaves
    the day of the one before."""
    out: list[Point] = []
    start_of, end_of, keep = 0, 0, False
    for point in points:
        if not start_of <= point[0] < end_of:
            bounds = clock.bounds(point[0])
            start_of, end_of, keep = bounds.start, bounds.end, bounds.day in days
        if keep:
            out.append(point)
    return out


def curve_energy(points: Iterable[Point], step: str, tz: ZoneInfo = PARIS) -> list[tuple[int, float]]:
    """``raw``: each point's average W; ``hour``/``day``: Wh per local hour/day keyed by its UTC start instant."""
    # keyed by UTC instant: the repeated local hour of the fall-back day stays two buckets, spring has 23 hours
    if step not in CURVE_STEPS:
        raise ValueError(f"step {step!r}: expected one of {', '.join(CURVE_STEPS)}")
    if step == "raw":
        return [(start, float(watts)) for start, _, watts in points]
    clock = LocalClock(tz)
    hourly = step == "hour"  # zone offsets change on the hour: the local hour began (local seconds % 3600) ago
    energy: dict[int, int] = defaultdict(int)
    start_of, end_of, shift_at, shift = 0, 0, NEVER, 0
    for start, minutes, watts in points:
        if not start_of <= start < end_of:  # a new local day: its bounds, then arithmetic
            bounds = clock.bounds(start)
            start_of, end_of, shift_at, shift = bounds.start, bounds.end, bounds.shift_at, bounds.shift * 60
        key = start - (start - start_of + (shift if start >= shift_at else 0)) % 3600 if hourly else start_of
        energy[key] += watts * minutes
    return [(key, wm / 60) for key, wm in sorted(energy.items())]


def offpeak_split(points: Iterable[Point], windows_of: Callable[[date], Spans],
                  tz: ZoneInfo = PARIS) -> list[tuple[date, int, int]]:
    """``(local day, off-peak, peak)`` watt-minutes, each point classified by its wall-clock start and day's windows."""
    clock = LocalClock(tz)
    split: dict[date, list[int]] = {}
    kinds: dict[tuple, int] = {}  # distinct sets of windows, numbered
    kind_of: dict[date, tuple[int, Spans]] = {}
    offpeak: dict[tuple[int, int, int], int] = {}  # (windows number, wall-clock minute, length) -> off-peak minutes
    for start, minutes, watts in points:
        day, wall = clock.wall(start)
        if day not in kind_of:
            windows = windows_of(day)
            kind_of[day] = (kinds.setdefault(tuple(windows), len(kinds)), windows)
        kind, windows = kind_of[day]
        key = (kind, wall, minutes)
        if key not in offpeak:
            offpeak[key] = overlap(wall, minutes, windows)
        off = watts * offpeak[key]
        parts = split.setdefault(day, [0, 0])
        parts[0] += off
        parts[1] += watts * minutes - off
    return [(day, off, peak) for day, (off, peak) in sorted(split.items())]


def _missing_slots(day: date, tz: ZoneInfo) -> set[int]:
    """Half-hours of the wall clock that do not exist on ``day`` (the spring-forward gap)."""
    if day_minutes(day, tz) >= 1440:
        return set()
    missing = set()
    for slot, label in enumerate(SLOTS):
        naive = datetime.combine(day, time.fromisoformat(label))
        if naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
            missing.add(slot)
    return missing


def heatmap(points: Sequence[Point], tz: ZoneInfo = PARIS) -> dict:
    """Average W per local day x half-hour: ``{"slots", "days": [{"day", "minutes", "cells"}], "max_watts"}``."""
    # A cell is {"watts": float | None, "repeated": bool, "exists": bool}: on the fall-back day the two passes of a
    # repeated half-hour are averaged and flagged; in spring the skipped half-hours do not exist. A point longer
    # than 30 minutes fills every half-hour it covers.
    clock = LocalClock(tz)
    sums: dict[date, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for start, minutes, watts in points:
        day, wall = clock.wall(start)
        end = min(wall + minutes, 1440)
        while wall < end:
            slot_end = min((wall // 30 + 1) * 30, end)
            cell = sums[day][wall // 30]
            cell[0] += watts * (slot_end - wall)
            cell[1] += slot_end - wall
            wall = slot_end
    days, peak = [], 0.0
    for day in sorted(sums):
        missing = _missing_slots(day, tz)
        cells = []
        for slot in range(len(SLOTS)):
            wm, covered = sums[day].get(slot, (0, 0))
            mean = wm / covered if covered else None
            cells.append({"watts": mean, "repeated": covered > 30, "exists": slot not in missing})
            peak = max(peak, mean or 0.0)
        days.append({"day": day, "minutes": day_minutes(day, tz), "cells": cells})
    return {"slots": list(SLOTS), "days": days, "max_watts": peak}
