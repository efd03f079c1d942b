"""Stored readings over a range, for pages and the API: one query per call, only the range asked for."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine, select

from ..database import curve_days
from ..database import models as m
from ..database import repository as repo
from ..energy.aggregate import LocalClock, Point, curve_energy, heatmap, offpeak_split, wh_of
from ..energy.aggregate import sum_by_period as by_period
from ..energy.offpeak import Spans, parse_windows
from ..energy.tempo import OFFPEAK as TEMPO_OFFPEAK
from ..energy.timeline import epoch, local_day_bounds
from .pricing import DIRECTIONS, curve_readings
from .usage_points import Contract, contracts

__all__ = ["by_period", "contracts_by_day", "curve_energy", "daily", "day_energy", "heatmap", "hphc_by_day",
           "load_curve", "max_power", "offpeak_windows"]


def daily(engine: Engine, pdl: str, direction: str, start: date, end: date) -> list[tuple[date, int]]:
    """Wh per local day for the stored days in [start, end]."""
    t = m.daily_energy
    query = select(t.c.day, t.c.wh).where(
        t.c.usage_point_id == pdl, t.c.direction == direction, t.c.day >= start, t.c.day <= end).order_by(t.c.day)
    with engine.connect() as conn:
        return [(day, int(wh)) for day, wh in conn.execute(query)]


def load_curve(engine: Engine, pdl: str, direction: str, start: date, end: date) -> list[Point]:
    """``(start_utc, minutes, watts)`` of the points whose local day is in [start, end], in time order."""
    first, last = epoch(local_day_bounds(start)[0]), epoch(local_day_bounds(end)[1])
    t = m.load_curve
    query = select(t.c.start_utc, t.c.minutes, t.c.watts).where(
        t.c.usage_point_id == pdl, t.c.direction == direction, t.c.start_utc >= first, t.c.start_utc < last,
    ).order_by(t.c.start_utc)
    with engine.connect() as conn:
        return repo.driver_rows(conn, query)  # integers only: the driver's tuples as they come


def day_energy(engine: Engine, pdl: str, direction: str, start: date, end: date) -> list[tuple[int, float]]:
    """Wh per local day of [start, end] keyed by the day's UTC start, as ``curve_energy(points, "day")`` gives
    them: from the stored day profiles when they hold what the load curve holds, else from the points."""
    with engine.connect() as conn:
        days, points, watts = curve_days.totals(conn, pdl, direction, start, end)
        held = curve_readings(conn, [pdl], start, end)[pdl][DIRECTIONS.index(direction)]
    if (points, watts) != held[:2]:
        return curve_energy(load_curve(engine, pdl, direction, start, end), "day")
    clock = LocalClock()
    return [(clock.midnight(day), total / 60) for day, total in days.items()]


def max_power(engine: Engine, pdl: str, start: date, end: date) -> list[tuple[date, int, int]]:
    """``(day, VA, peak epoch)`` of the daily maximum power for the stored days in [start, end]."""
    t = m.max_power
    query = select(t.c.day, t.c.va, t.c.at_utc).where(
        t.c.usage_point_id == pdl, t.c.day >= start, t.c.day <= end).order_by(t.c.day)
    with engine.connect() as conn:
        return [(day, int(va), int(at)) for day, va, at in conn.execute(query)]


def contracts_by_day(engine: Engine, pdl: str, start: date, end: date) -> dict[date, Contract | None]:
    """The contract version in force on each day of [start, end] (the earliest one for days before it)."""
    history = contracts(engine, pdl)
    out: dict[date, Contract | None] = {}
    chosen, later = (history[0] if history else None), history[1:]
    day = start
    while day <= end:
        while later and later[0].valid_from <= day:
            chosen, later = later[0], later[1:]
        out[day] = chosen
        day += timedelta(days=1)
    return out


def offpeak_windows(contract: Contract | None) -> Spans:
    """Off-peak windows of a contract version: Tempo's 22:00-06:00, else its off-peak hours."""
    if not contract:
        return ()
    if contract.pricing_option == "TEMPO":
        return TEMPO_OFFPEAK
    return parse_windows(contract.offpeak_hours)


def hphc_by_day(engine: Engine, pdl: str, start: date, end: date) -> list[tuple[date, int, int]]:
    """``(day, off-peak Wh, peak Wh)`` of consumption from the load curve, with the windows in force each day."""
    # empty when no version in force over the range has off-peak hours; off-peak + peak is the rounded exact total
    parsed: dict[int, Spans] = {}  # per contract version, parsed once
    windows: dict[date, Spans] = {}
    for day, contract in contracts_by_day(engine, pdl, start, end).items():
        if id(contract) not in parsed:
            parsed[id(contract)] = offpeak_windows(contract)
        windows[day] = parsed[id(contract)]
    if not any(windows.values()):
        return []
    points = load_curve(engine, pdl, "consumption", start, end)
    out = []
    for day, off, peak in offpeak_split(points, windows.__getitem__):
        off_wh = wh_of(off)
        out.append((day, off_wh, wh_of(off + peak) - off_wh))
    return out
