"""Off-peak (heures creuses) windows as Enedis writes them in the contract (pure)."""

from __future__ import annotations

import re
from datetime import time

_WINDOW = re.compile(r"(\d{1,2})\s*[hH:]\s*(\d{2})?\s*-\s*(\d{1,2})\s*[hH:]\s*(\d{2})?")


def _clock(hours: str, minutes: str | None, text: str) -> time:
    h, m = int(hours), int(minutes or 0)
    if h == 24 and m == 0:
        return time(0, 0)
    if h > 23 or m > 59:
        raise ValueError(f"offpeak_hours {text!r}: {hours}h{minutes or '00'} is not a time of day")
    return time(h, m)


def parse_offpeak_hours(text: str | None) -> list[tuple[time, time]]:
    """Windows of ``"HC (22H00-6H00)"`` or ``"HC (1H30-8H00;12H30-14H00)"``; an end before its start wraps
    past midnight. Empty or missing text means no off-peak windows."""
    if not text or not text.strip():
        return []
    inner = text
    if "(" in text:
        inner = text[text.index("(") + 1:text.rindex(")") if ")" in text else len(text)]
    windows = []
    for part in re.split(r"[;,]", inner):
        if not part.strip():
            continue
        match = _WINDOW.search(part)
        if not match:
            raise ValueError(f"offpeak_hours {text!r}: expected windows like 22H00-6H00, got {part.strip()!r}")
        start = _clock(match.group(1), match.group(2), text)
        end = _clock(match.group(3), match.group(4), text)
        if start == end:
            raise ValueError(f"offpeak_hours {text!r}: window {part.strip()!r} is empty")
        windows.append((start, end))
    return windows


def format_offpeak_hours(windows: list[tuple[time, time]]) -> str:
    """Canonical ``HH:MM-HH:MM;HH:MM-HH:MM`` text of the windows."""
    return ";".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in windows)


def _spans(windows: list[tuple[time, time]]) -> list[tuple[int, int]]:
    """Windows as [start, end) minutes of the day, split where they wrap past midnight."""
    out = []
    for a, b in windows:
        start, end = a.hour * 60 + a.minute, b.hour * 60 + b.minute
        if end > start:
            out.append((start, end))
        else:
            out.extend([(start, 1440), (0, end)])
    return out


def offpeak_minutes(wall_start: time, minutes: int, windows: list[tuple[time, time]]) -> int:
    """Minutes of the interval starting at local wall-clock ``wall_start`` that fall in off-peak windows.

    Load-curve intervals are aligned on multiples of their length in UTC, so a DST change (on the
    hour) is always an interval boundary and the wall clock runs straight through an interval.
    """
    start = wall_start.hour * 60 + wall_start.minute
    total = 0
    for offset in (0, 1440):  # an interval may run past midnight into the next day's windows
        for a, b in _spans(windows):
            a, b = a + offset, b + offset
            total += max(0, min(b, start + minutes) - max(a, start))
    return total
