"""What each dataset is, which days a sync asks for, and when a day counts as complete."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from ..database.sync_ledger import COMPLETE, GIVEN_UP, MISSING, PARTIAL, LedgerDay
from ..energy.timeline import date_range, day_minutes, years_before


@dataclass(frozen=True)
class Dataset:
    name: str
    direction: str  # consumption | production
    kind: str  # daily | load_curve | max_power
    window_days: int  # most days one request may cover
    history_years: int  # how far back the gateway serves

    def horizon(self, today: date) -> date:
        """Oldest day the gateway serves for this dataset, counted from ``today``."""
        return years_before(today, self.history_years)


DATASETS = (
    Dataset("consumption_daily", "consumption", "daily", 365, 3),
    Dataset("consumption_load_curve", "consumption", "load_curve", 729, 2),
    Dataset("consumption_max_power", "consumption", "max_power", 365, 3),
    Dataset("production_daily", "production", "daily", 365, 3),
    Dataset("production_load_curve", "production", "load_curve", 729, 2),
)
BY_NAME = {d.name: d for d in DATASETS}


def datasets_for(has_consumption: bool, has_production: bool) -> list[Dataset]:
    return [d for d in DATASETS
            if (d.direction == "consumption" and has_consumption)
            or (d.direction == "production" and has_production)]


def first_wanted(ds: Dataset, today: date, *bounds: date | None) -> date:
    """The first day a sync asks for: the dataset's horizon, or a later bound (the oldest day the gateway serves,
    the PDL's activation, a ``since``) when one is known."""
    return max(d for d in (ds.horizon(today), *bounds) if d)


def wanted_days(first: date, last: date, ledger: Mapping[date, LedgerDay]) -> list[date]:
    """Days of [first, last] not yet complete nor given up, oldest first."""
    return [d for d in date_range(first, last + timedelta(days=1))
            if (d not in ledger or ledger[d].status not in (COMPLETE, GIVEN_UP))]


def plan_windows(days: Iterable[date], window_days: int) -> list[tuple[date, date]]:
    """Fewest inclusive [start, last] ranges of at most ``window_days`` days covering ``days``."""
    windows: list[tuple[date, date]] = []
    for d in sorted(days):
        if windows and d <= windows[-1][0] + timedelta(days=window_days - 1):
            windows[-1] = (windows[-1][0], d)
        else:
            windows.append((d, d))
    return windows


def curve_coverage(points: Iterable) -> dict[date, tuple[int, int]]:
    """Local day -> (points, minutes covered) of load-curve points."""
    cover: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for p in points:
        c = cover[p.day]
        c[0] += 1
        c[1] += p.minutes
    return {d: (n, minutes) for d, (n, minutes) in cover.items()}


def curve_status(day: date, covered_minutes: int) -> str:
    """A load-curve day is complete when its points cover the whole local day (23, 24 or 25 h)."""
    if covered_minutes >= day_minutes(day):
        return COMPLETE
    return PARTIAL if covered_minutes else MISSING


def next_status(day: date, status: str, attempts: int, today: date, max_attempts: int) -> str:
    """A day still not complete after ``max_attempts`` tries is given up, unless it is recent:
    Enedis publishes late and revises recent days, so the last week keeps being polled."""
    if status == COMPLETE:
        return COMPLETE
    if attempts >= max_attempts and day < today - timedelta(days=7):
        return GIVEN_UP
    return status


def ledger_entries(start: date, end: date, fetched: Mapping[date, tuple[str, int]],
                   ledger: Mapping[date, LedgerDay], today: date, max_attempts: int,
                   error: str, counted: bool = True) -> list[tuple[date, str, int, int, str]]:
    """Ledger rows (day, status, attempts, readings, last error) after asking for [start, end].

    ``fetched`` holds each day's status and reading count in the reply. A day counts one attempt per
    local day however many syncs ask for it, and none when the reply was cut short by the quota
    (``counted`` false). A day already complete stays complete even if this reply lacked it.
    """
    entries = []
    for d in date_range(start, end + timedelta(days=1)):
        status, count = fetched.get(d, (MISSING, 0))
        before = ledger.get(d, LedgerDay(MISSING, 0, None))
        attempts = before.attempts + (1 if counted and before.tried_on != today else 0)
        if status == COMPLETE:
            entries.append((d, COMPLETE, attempts, count, ""))
        elif before.status != COMPLETE:
            status = next_status(d, status, attempts, today, max_attempts)
            entries.append((d, status, attempts, count, error or "no data yet"))
    return entries
