"""The meter readings we store, whatever brought them: the gateway, an Enedis file, the legacy client's database."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import date
from typing import NamedTuple


class DailyValue(NamedTuple):
    day: date
    value: int  # Wh


class CurvePoint(NamedTuple):
    start: int  # UTC interval start, seconds since the epoch
    minutes: int  # interval length
    watts: int  # average power over the interval
    day: date  # local day the interval starts in


class MaxPower(NamedTuple):
    day: date
    va: int
    at: int  # UTC instant of the peak, seconds since the epoch


Span = tuple[int, int]  # [start, end) in seconds since the epoch


def overlaps(spans: Sequence[Span], start: int, end: int) -> bool:
    """Whether [start, end) meets one of ``spans`` (sorted by start, not overlapping one another)."""
    i = bisect_right(spans, (start, 2**62)) - 1  # the last span starting at or before ``start``
    return (i >= 0 and spans[i][1] > start) or (i + 1 < len(spans) and spans[i + 1][0] < end)
