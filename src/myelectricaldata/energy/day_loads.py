"""Load-curve points grouped per local day (``DayLoad``: summed watts per wall-clock interval), and the packed form
the stored day profiles keep (``pack_intervals``); days of one shape (the same intervals) share a number, so the
slot weights of a schedule are made once per shape (``costs.split_energy``)."""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import count
from operator import lt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from .aggregate import NEVER, DayBounds, LocalClock, Point
from .timeline import PARIS

if TYPE_CHECKING:
    from .offer_rules import Schedule

_SHAPE_IDS: dict[tuple[tuple[int, int], ...], int] = {}  # a number per distinct day shape, never given twice
_NEXT_SHAPE = count()
_UNPACKED: dict[bytes, tuple[tuple[tuple[int, int], ...], int]] = {}  # packed keys -> the keys and their shape number
_EVEN: dict[tuple[int, int, int], tuple[tuple[tuple[int, int], ...], int]] = {}  # (first wall, length, count) -> same
_TEMPLATES: dict[int, array] = {}  # shape number -> its packed keys with zero watts


@dataclass
class DayLoad:
    """One local day of a load curve: summed W per (wall-clock start minute, length), and its watt-minutes.

    A DayLoad is not changed once priced: ``by_schedule`` keeps its energy per slot of each schedule met."""

    watts: dict[tuple[int, int], int] = field(default_factory=dict)
    total: int = 0
    by_schedule: dict[Schedule, dict[str, int]] = field(default_factory=dict, repr=False, compare=False)
    _shape: tuple[int, tuple[int, ...]] | None = field(default=None, repr=False, compare=False)

    def shape(self) -> tuple[int, tuple[int, ...]]:
        """The number of the day's (wall minute, length) intervals in order, and their watts in that order: days
        of one shape (most days of a curve) share the slot weights of each schedule."""
        if self._shape is None:
            self._shape = (_shape_number(tuple(self.watts)), tuple(self.watts.values()))
        return self._shape


def _shape_number(keys: tuple[tuple[int, int], ...]) -> int:
    number = _SHAPE_IDS.get(keys)
    if number is None:
        if len(_SHAPE_IDS) > 4096:  # a curve full of gaps: forget the shapes, numbers stay unique
            _SHAPE_IDS.clear()
        number = _SHAPE_IDS[keys] = next(_NEXT_SHAPE)
    return number


def loads_by_day(points: Iterable[Point], tz: ZoneInfo = PARIS, clock: LocalClock | None = None) -> dict[date, DayLoad]:
    """Group load-curve points by local day and wall-clock start (the repeated autumn hour is summed). Points in
    start order are taken a day at a time: a day of evenly spaced points of one length (most days) gets the keys
    of its shape at once; other days, and points out of order, point by point with the day's UTC bounds."""
    clock = clock or LocalClock(tz)
    points = points if isinstance(points, list | tuple) else list(points)
    starts = [p[0] for p in points]
    if not all(map(lt, starts, starts[1:])):
        return _loads_point_by_point(points, clock, {})
    minutes, watts = [p[1] for p in points], [p[2] for p in points]
    days: dict[date, DayLoad] = {}
    i, n = 0, len(points)
    while i < n:
        bounds = clock.bounds(starts[i])
        j = bisect_left(starts, bounds.end, i)
        step = minutes[i]
        keys = _even_keys(bounds, starts, minutes, i, j)
        if keys is None:
            _loads_point_by_point(points[i:j], clock, days)
        else:
            values = tuple(watts[i:j])
            days[bounds.day] = DayLoad(dict(zip(keys[0], values, strict=True)), step * sum(values),
                                       _shape=(keys[1], values))
        i = j
    return days


def _even_keys(bounds: DayBounds, starts: list[int], minutes: list[int], i: int, j: int
               ) -> tuple[tuple[tuple[int, int], ...], int] | None:
    """The (wall minute, length) keys of points i..j-1 of one day and their shape number, when the points are
    evenly spaced by their one length on a day without a clock change; else None."""
    step = minutes[i]
    first, last = starts[i], starts[j - 1]
    if bounds.shift_at != NEVER or step <= 0 or last - first != 60 * step * (j - i - 1) \
            or minutes[i:j].count(step) != j - i or starts[i:j] != list(range(first, last + 1, 60 * step)):
        return None
    wall = (first - bounds.start) // 60
    found = _EVEN.get((wall, step, j - i))
    if found is None:
        keys = tuple((wall + k * step, step) for k in range(j - i))
        found = _EVEN[(wall, step, j - i)] = (keys, _shape_number(keys))
    return found


def _loads_point_by_point(points: Iterable[Point], clock: LocalClock, days: dict[date, DayLoad]
                          ) -> dict[date, DayLoad]:
    """``loads_by_day`` in one pass over points in any order, added to ``days``: the local day's UTC bounds are
    looked up when a point leaves the current day, the wall clock is arithmetic."""
    start_of, end_of, shift_at, shift = 0, 0, NEVER, 0
    load: DayLoad | None = None
    watts_of: dict[tuple[int, int], int] = {}
    total = 0
    for start, minutes, watts in points:
        if not start_of <= start < end_of:
            if load is not None:
                load.total += total
            bounds = clock.bounds(start)
            start_of, end_of, shift_at, shift = bounds.start, bounds.end, bounds.shift_at, bounds.shift
            load = days.get(bounds.day)
            if load is None:
                load = days[bounds.day] = DayLoad()
            watts_of, total = load.watts, 0
        key = ((start - start_of) // 60 + (shift if start >= shift_at else 0), minutes)
        watts_of[key] = watts_of.get(key, 0) + watts
        total += watts * minutes
    if load is not None:
        load.total += total
    return days


def pack_intervals(load: DayLoad) -> bytes:
    """A day's intervals as stored: (wall minute, minutes, watts) triples in the dict's order, signed 64-bit
    little-endian whatever the machine (the keys' part made once per day shape)."""
    number, values = load.shape()
    template = _TEMPLATES.get(number)
    if template is None:
        if len(_TEMPLATES) > 4096:  # as _SHAPE_IDS
            _TEMPLATES.clear()
        template = _TEMPLATES[number] = array("q", [n for wall, minutes in load.watts for n in (wall, minutes, 0)])
    flat = array("q", template)
    flat[2::3] = array("q", values)
    if sys.byteorder == "big":
        flat.byteswap()
    return flat.tobytes()


def unpack_intervals(blob: bytes, total: int) -> DayLoad:
    """The DayLoad of ``pack_intervals`` output and the day's watt-minutes, its shape known: the keys of the days
    of one shape are made once."""
    flat = array("q")
    flat.frombytes(blob)
    if sys.byteorder == "big":
        flat.byteswap()
    walls, minutes = flat[0::3], flat[1::3]
    signature = walls.tobytes() + minutes.tobytes()
    known = _UNPACKED.get(signature)
    if known is None:
        if len(_UNPACKED) > 4096:  # as _SHAPE_IDS
            _UNPACKED.clear()
        keys = tuple(zip(walls, minutes, strict=True))
        known = _UNPACKED[signature] = (keys, _shape_number(keys))
    values = tuple(flat[2::3])
    return DayLoad(dict(zip(known[0], values, strict=True)), total, _shape=(known[1], values))


def energy_by_day(points: Iterable[Point], tz: ZoneInfo = PARIS, clock: LocalClock | None = None) -> dict[date, int]:
    """Watt-minutes per local day (for production)."""
    return {day: load.total for day, load in loads_by_day(points, tz, clock).items()}
