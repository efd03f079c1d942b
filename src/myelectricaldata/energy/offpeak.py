"""Off-peak (heures creuses) windows: parsed from the contract or typed by the user, as minute spans (pure)."""

from __future__ import annotations

import re

Spans = tuple[tuple[int, int], ...]  # [start, end) minutes of the local day, wraps already split
WHOLE_DAY: Spans = ((0, 1440),)
_WINDOW = re.compile(r"^(\d{1,2})\s*[hH:]\s*(\d{2})?\s*-\s*(\d{1,2})\s*[hH:]\s*(\d{2})?$")


def _minute(hours: str, minutes: str | None) -> int:
    h, m = int(hours), int(minutes or 0)
    if h > 24 or m > 59 or (h == 24 and m):
        raise ValueError(f"{hours}h{minutes or '00'} is not a time of day")
    return h * 60 + m


def parse_windows(text: str | None, field_name: str = "offpeak_hours") -> Spans:
    """Spans of ``"HC (22H00-6H00;12h00-14h00)"`` or ``"22:00-06:00"``; 0H00-24H00 (or 0H00-0H00) is the whole day."""
    if not text or not text.strip():
        return ()
    inner = re.sub(r"^HC\s*", "", text.strip(), flags=re.IGNORECASE)
    if "(" in inner:
        inner = inner[inner.index("(") + 1:inner.rindex(")") if ")" in inner else len(inner)]
    spans: list[tuple[int, int]] = []
    for part in filter(None, (p.strip() for p in re.split(r"[;,]", inner))):
        match = _WINDOW.match(part)
        try:
            if not match:
                raise ValueError(f"expected windows like 22H00-6H00, got {part!r}")
            start, end = _minute(match.group(1), match.group(2)) % 1440, _minute(match.group(3), match.group(4)) % 1440
        except ValueError as exc:
            raise ValueError(f"{field_name}: {exc}") from None
        if start == end:
            return WHOLE_DAY
        spans.extend([(start, end)] if end > start else [(start, 1440), (0, end)] if end else [(start, 1440)])
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):  # overlapping windows count once
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return tuple(merged)


def format_windows(spans: Spans) -> str:
    """``HH:MM-HH:MM;...`` text of spans (midnight wraps joined again)."""
    parts = list(spans)
    if len(parts) > 1 and parts[0][0] == 0 and parts[-1][1] == 1440:
        parts = [(parts[-1][0], parts[0][1]), *parts[1:-1]]
    return ";".join(f"{a // 60:02d}:{a % 60:02d}-{b // 60 % 24:02d}:{b % 60:02d}" for a, b in parts)


def overlap(start: int, minutes: int, spans: Spans) -> int:
    """Minutes of [start, start + minutes) inside the spans (an interval may run past midnight).

    Load-curve intervals are aligned on multiples of their length in UTC, so a DST change (on the
    hour) is always an interval boundary and the wall clock runs straight through an interval.
    """
    end = start + minutes
    return sum(max(0, min(b + shift, end) - max(a + shift, start)) for shift in (0, 1440) for a, b in spans)
