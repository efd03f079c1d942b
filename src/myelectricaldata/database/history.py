"""What an import compares its readings with: the stored rows of a range, with their source."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from sqlalchemy import Connection, select

from . import models as m


class Stored(NamedTuple):
    value: tuple[int, ...]  # (minutes, watts) | (wh,) | (va, at_utc)
    source: str


def curve_rows(conn: Connection, pdl: str, direction: str, first: int, last: int) -> dict[int, Stored]:
    """Start -> stored load-curve point, for the points starting in [first, last)."""
    t = m.load_curve
    rows = conn.execute(select(t.c.start_utc, t.c.minutes, t.c.watts, t.c.source).where(
        t.c.usage_point_id == pdl, t.c.direction == direction, t.c.start_utc >= first, t.c.start_utc < last))
    return {int(s): Stored((int(mins), int(w)), src) for s, mins, w, src in rows}


def daily_rows(conn: Connection, pdl: str, direction: str, first: date, last: date) -> dict[date, Stored]:
    """Day -> stored daily energy, for the days of [first, last]."""
    t = m.daily_energy
    rows = conn.execute(select(t.c.day, t.c.wh, t.c.source).where(
        t.c.usage_point_id == pdl, t.c.direction == direction, t.c.day >= first, t.c.day <= last))
    return {day: Stored((int(wh),), src) for day, wh, src in rows}


def max_power_rows(conn: Connection, pdl: str, first: date, last: date) -> dict[date, Stored]:
    """Day -> stored maximum power, for the days of [first, last]."""
    t = m.max_power
    rows = conn.execute(select(t.c.day, t.c.va, t.c.at_utc, t.c.source).where(
        t.c.usage_point_id == pdl, t.c.day >= first, t.c.day <= last))
    return {day: Stored((int(va), int(at)), src) for day, va, at, src in rows}

