"""How much of a period (day, ISO week, month, year) the stored data covers, so a partial period is never shown as
a whole one: "2024 (partiel : 25 j / 366)"."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .aggregate import period_start


def period_end(first: date, step: str) -> date:
    """Last day of the period of ``step`` starting on ``first``."""
    if step == "day":
        return first
    if step == "week":
        return first + timedelta(days=6)
    if step == "month":
        return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    if step == "year":
        return first.replace(month=12, day=31)
    raise ValueError(f"step {step!r}: expected day, week, month or year")


@dataclass(frozen=True)
class Coverage:
    """``covered`` days with data out of the ``length`` days of the period starting on ``first``."""

    first: date
    step: str
    covered: int
    length: int

    @property
    def partial(self) -> bool:
        return self.covered < self.length

    @property
    def mark(self) -> str:
        """What follows a partial period's name: "partiel : 25 j / 366" ("" for a whole period)."""
        return f"partiel : {self.covered} j / {self.length}" if self.partial else ""


def coverage(first: date, step: str, covered: int) -> Coverage:
    """The coverage of the period starting on ``first`` with ``covered`` days of data."""
    return Coverage(first, step, covered, (period_end(first, step) - first).days + 1)


def coverage_by_period(days: Iterable[date], step: str) -> dict[date, Coverage]:
    """For each period holding one of ``days`` (the days with data, each once), its coverage, keyed by its first
    day."""
    counts = Counter(period_start(day, step) for day in set(days))
    return {first: coverage(first, step, n) for first, n in sorted(counts.items())}


def marked(label: str, cover: Coverage | None) -> str:
    """``label`` with its partial mark: "2024 (partiel : 25 j / 366)"; unchanged for a whole period."""
    return f"{label} ({cover.mark})" if cover is not None and cover.partial else label


def short_mark(label: str, cover: Coverage | None) -> str:
    """A chart category: "2024 (partiel)"; unchanged for a whole period."""
    return f"{label} (partiel)" if cover is not None and cover.partial else label


def data_span(days: Iterable[date]) -> tuple[date, date] | None:
    """The first and last day with data (None without any)."""
    ordered = sorted(days)
    return (ordered[0], ordered[-1]) if ordered else None
