"""Load-curve points built by hand for the pricing tests."""

from __future__ import annotations

from datetime import date, datetime

from myelectricaldata.energy.timeline import PARIS, epoch, local_day_bounds


def points(day: date, watts: int, start: str = "00:00", end: str = "24:00", minutes: int = 30) -> list:
    """Points of ``minutes`` of the local ``day`` whose wall-clock start is in [start, end)."""
    first, last = (epoch(t) for t in local_day_bounds(day))
    lo, hi = (int(t[:2]) * 60 + int(t[3:]) for t in (start, end))
    out = []
    for s in range(first, last, minutes * 60):
        wall = datetime.fromtimestamp(s, PARIS)
        if lo <= wall.hour * 60 + wall.minute < hi:
            out.append((s, minutes, watts))
    return out
