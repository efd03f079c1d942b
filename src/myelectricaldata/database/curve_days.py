"""Stored day profiles: each local day of a load curve grouped as ``energy.costs.loads_by_day`` groups it, kept in
step with ``load_curve`` by its writers (``repository.store_load_curve`` and ``delete_curve_points``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import Connection, func, select

from ..energy.aggregate import LocalClock, Point
from ..energy.costs import DayLoad, loads_by_day, pack_intervals, unpack_intervals
from . import models as m
from . import repository as repo

COLUMNS = ("usage_point_id", "direction", "day", "points", "watts_sum", "total", "intervals")
ONE_DAY = timedelta(days=1)
DAYS_PER_DELETE = 500


class Profiles(NamedTuple):
    """The stored profiles of a range: day -> its DayLoad, and the raw points and summed watts they were made of
    (what the load curve of the range holds when they are right)."""

    days: dict[date, DayLoad]
    points: int
    watts_sum: int


def days_of(starts: Iterable[int], clock: LocalClock) -> set[date]:
    """The local days of these instants (the day looked up only when an instant leaves the day before)."""
    out: set[date] = set()
    start_of, end_of = 0, 0
    for start in starts:
        if not start_of <= start < end_of:
            bounds = clock.bounds(start)
            start_of, end_of = bounds.start, bounds.end
            out.add(bounds.day)
    return out


def runs(days: Iterable[date]) -> Iterator[tuple[date, date]]:
    """Consecutive days as (first, last) runs, in order."""
    first = last = None
    for day in sorted(set(days)):
        if last is not None and day == last + ONE_DAY:
            last = day
            continue
        if first is not None and last is not None:
            yield first, last
        first = last = day
    if first is not None and last is not None:
        yield first, last


def profile_rows(pdl: str, direction: str, points: Sequence[Point], clock: LocalClock) -> list[tuple]:
    """The profile rows of the local days of ``points`` (all the points of those days, in start order)."""
    counted: dict[date, list[int]] = {}
    start_of, end_of = 0, 0
    sums: list[int] = [0, 0]
    for start, _, watts in points:
        if not start_of <= start < end_of:
            bounds = clock.bounds(start)
            start_of, end_of = bounds.start, bounds.end
            sums = counted.setdefault(bounds.day, [0, 0])
        sums[0] += 1
        sums[1] += watts
    loads = loads_by_day(points, clock=clock)
    return [(pdl, direction, day, n, total, loads[day].total, pack_intervals(loads[day]))
            for day, (n, total) in counted.items()]


def _range(conn: Connection, pdl: str, direction: str, first: int, end: int) -> list[Point]:
    t = m.load_curve
    return repo.driver_rows(conn, select(t.c.start_utc, t.c.minutes, t.c.watts).where(
        t.c.usage_point_id == pdl, t.c.direction == direction, t.c.start_utc >= first, t.c.start_utc < end)
        .order_by(t.c.start_utc))


def _count(conn: Connection, pdl: str, direction: str, first: int, end: int) -> int:
    t = m.load_curve
    return int(conn.scalar(select(func.count()).where(
        t.c.usage_point_id == pdl, t.c.direction == direction, t.c.start_utc >= first, t.c.start_utc < end)) or 0)


def store(conn: Connection, pdl: str, direction: str, days: Iterable[date], points: Sequence[Point],
          clock: LocalClock | None = None) -> None:
    """Make the profiles of ``days`` those of ``points``, every stored point of those days in start order: upsert
    the days with points, delete the others."""
    clock = clock or LocalClock()
    rows = profile_rows(pdl, direction, points, clock)
    repo.upsert_rows(conn, m.curve_days, COLUMNS, rows)
    kept = {row[2] for row in rows}
    empty = sorted(set(days) - kept)
    t = m.curve_days
    for i in range(0, len(empty), DAYS_PER_DELETE):
        conn.execute(t.delete().where(t.c.usage_point_id == pdl, t.c.direction == direction,
                                      t.c.day.in_(empty[i:i + DAYS_PER_DELETE])))


def refresh(conn: Connection, pdl: str, direction: str, days: Iterable[date],
            stored: Sequence[Point] | None = None) -> None:
    """Re-make the profiles of ``days`` from the load curve: each run of consecutive days read as one UTC range.

    ``stored``: points just upserted (in start order, one per start); a run whose stored points are exactly
    those (same count) is grouped from them without reading them back."""
    clock = LocalClock()
    at = 0
    for first, last in runs(days):
        lo, hi = clock.midnight(first), clock.midnight(last + ONE_DAY)
        points: Sequence[Point] | None = None
        if stored is not None:
            while at < len(stored) and stored[at][0] < lo:
                at += 1
            end = at
            while end < len(stored) and stored[end][0] < hi:
                end += 1
            if _count(conn, pdl, direction, lo, hi) == end - at:
                points = stored[at:end]
            at = end
        if points is None:
            points = _range(conn, pdl, direction, lo, hi)
        store(conn, pdl, direction, [first + timedelta(days=n) for n in range((last - first).days + 1)], points,
              clock)


def read(conn: Connection, pdl: str, direction: str, first_day: date, last_day: date) -> Profiles:
    """The stored profiles of [first_day, last_day]."""
    t = m.curve_days
    rows = repo.driver_rows(conn, select(t.c.day, t.c.points, t.c.watts_sum, t.c.total, t.c.intervals).where(
        t.c.usage_point_id == pdl, t.c.direction == direction, t.c.day >= first_day, t.c.day <= last_day)
        .order_by(t.c.day))
    days: dict[date, DayLoad] = {}
    points = watts = 0
    for day, n, watts_sum, total, intervals in rows:
        if isinstance(day, str):  # SQLite's driver gives the ISO text
            day = date.fromisoformat(day)
        days[day] = unpack_intervals(bytes(intervals), int(total))
        points += n
        watts += watts_sum
    return Profiles(days, int(points), int(watts))
