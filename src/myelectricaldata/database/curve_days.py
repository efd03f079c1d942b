"""Stored day profiles: each local day of a load curve grouped as ``energy.day_loads.loads_by_day`` groups it, kept in
step with ``load_curve`` by its writers (``repository.store_load_curve`` and ``delete_curve_points``)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import Connection, func, select

from ..energy.aggregate import LocalClock, Point
from ..energy.day_loads import DayLoad, loads_by_day, pack_intervals, unpack_intervals
from ..energy.timeline import date_range, day_runs
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


def profile_rows(pdl: str, direction: str, points: Sequence[Point], clock: LocalClock,
                 loads: Mapping[date, DayLoad] | None = None) -> list[tuple]:
    """The profile rows of the local days of ``points`` (all the points of those days, in start order; ``loads``:
    those points already grouped)."""
    starts, watts = [p[0] for p in points], [p[2] for p in points]
    rows = []
    for day, load in (loads if loads is not None else loads_by_day(points, clock=clock)).items():
        lo = bisect_left(starts, clock.midnight(day))
        hi = bisect_left(starts, clock.midnight(day + ONE_DAY), lo)
        rows.append((pdl, direction, day, hi - lo, sum(watts[lo:hi]), load.total, pack_intervals(load)))
    return rows


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
          clock: LocalClock | None = None) -> dict[date, DayLoad]:
    """Make the profiles of ``days`` those of ``points``, every stored point of those days in start order: upsert
    the days with points, delete the others. Returns the points grouped (``loads_by_day``)."""
    clock = clock or LocalClock()
    loads = loads_by_day(points, clock=clock)
    _write(conn, pdl, direction, days, profile_rows(pdl, direction, points, clock, loads))
    return loads


def _write(conn: Connection, pdl: str, direction: str, days: Iterable[date], rows: list[tuple],
           fresh: bool = False) -> None:
    repo.upsert_rows(conn, m.curve_days, COLUMNS, rows, fresh=fresh)
    kept = {row[2] for row in rows}
    empty = sorted(set(days) - kept)
    t = m.curve_days
    for i in range(0, len(empty), DAYS_PER_DELETE):
        conn.execute(t.delete().where(t.c.usage_point_id == pdl, t.c.direction == direction,
                                      t.c.day.in_(empty[i:i + DAYS_PER_DELETE])))


def refresh(conn: Connection, pdl: str, direction: str, days: Iterable[date]) -> None:
    """Re-make the profiles of ``days`` from the load curve: each run of consecutive days read as one UTC range."""
    clock = LocalClock()
    for first, last in day_runs(days):
        points = _range(conn, pdl, direction, clock.midnight(first), clock.midnight(last + ONE_DAY))
        store(conn, pdl, direction, _days(first, last), points, clock)


def refresh_stored(conn: Connection, pdl: str, direction: str, stored: Sequence[Point],
                   also: Iterable[date] = (), fresh: bool = False) -> None:
    """Re-make the profiles of the days of ``stored`` (points just upserted, in start order, one per start) and of
    ``also``: a run of days whose stored points are exactly those (same count, or ``fresh``: those days held no
    point before) is grouped from them, not read back."""
    clock = LocalClock()
    rows = profile_rows(pdl, direction, stored, clock)
    by_day = {row[2]: row for row in rows}
    also = set(also) - set(by_day)
    for first, last in day_runs([*by_day, *also]):
        lo, hi = clock.midnight(first), clock.midnight(last + ONE_DAY)
        days = _days(first, last)
        mine = [by_day[day] for day in days if day in by_day]
        new_days = fresh and len(mine) == len(days)  # none of them from ``also``
        if new_days or _count(conn, pdl, direction, lo, hi) == sum(row[3] for row in mine):
            _write(conn, pdl, direction, days, mine, new_days)
        else:
            store(conn, pdl, direction, days, _range(conn, pdl, direction, lo, hi), clock)


def _days(first: date, last: date) -> list[date]:
    return list(date_range(first, last + ONE_DAY))


def _stored(conn: Connection, pdl: str, direction: str, first_day: date, last_day: date, intervals: bool
            ) -> tuple[list[tuple[date, int, bytes]], int, int]:
    """The stored profiles of [first_day, last_day] as (day, watt-minutes, packed intervals or b"") in day order,
    and the raw points and summed watts they were made of."""
    t = m.curve_days
    columns = [t.c.day, t.c.points, t.c.watts_sum, t.c.total] + ([t.c.intervals] if intervals else [])
    found = []
    points = watts = 0
    for day, n, watts_sum, total, *packed in repo.driver_rows(conn, select(*columns).where(
            t.c.usage_point_id == pdl, t.c.direction == direction, t.c.day >= first_day, t.c.day <= last_day)
            .order_by(t.c.day)):
        found.append((date.fromisoformat(day) if isinstance(day, str) else day,  # SQLite's driver gives ISO text
                      int(total), bytes(packed[0]) if packed else b""))
        points += n
        watts += watts_sum
    return found, int(points), int(watts)


def read(conn: Connection, pdl: str, direction: str, first_day: date, last_day: date) -> Profiles:
    """The stored profiles of [first_day, last_day]."""
    found, points, watts = _stored(conn, pdl, direction, first_day, last_day, True)
    return Profiles({day: unpack_intervals(packed, total) for day, total, packed in found}, points, watts)


def totals(conn: Connection, pdl: str, direction: str, first_day: date, last_day: date
           ) -> tuple[dict[date, int], int, int]:
    """The watt-minutes of each stored day profile of [first_day, last_day] (no interval unpacked), and the raw
    points and summed watts they were made of."""
    found, points, watts = _stored(conn, pdl, direction, first_day, last_day, False)
    return {day: total for day, total, _ in found}, points, watts
