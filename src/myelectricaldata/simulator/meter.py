"""What the Linky meter records for one local day: import and surplus curves, daily totals, peak power."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from functools import lru_cache

from myelectricaldata.energy.timeline import PARIS, interval_starts

from .households import Household
from .load import demand
from .solar import pv_output

APPLIANCE_SURGE_VA = (300.0, 1500.0)


@dataclass(frozen=True)
class MeterDay:
    """Curves in average W per interval, with the day's apparent power peak."""

    day: date
    minutes: int
    labels: tuple[str, ...]
    consumption: tuple[int, ...]
    production: tuple[int, ...]
    peak_va: int
    peak_at: str

    @property
    def consumption_wh(self) -> int:
        """Energy drawn from the grid over the day, exactly the sum of the curve."""
        return sum(self.consumption) * self.minutes // 60

    @property
    def production_wh(self) -> int:
        """Energy injected into the grid over the day, exactly the sum of the curve."""
        return sum(self.production) * self.minutes // 60


def watt_step(minutes: int) -> int:
    """Smallest W step for which W × minutes / 60 is a whole number of Wh."""
    return 60 // math.gcd(minutes, 60)


def _round_to(value: float, step: int) -> int:
    return round(value / step) * step


@lru_cache(maxsize=512)
def interval_labels(day: date, minutes: int) -> tuple[str, ...]:
    """Point stamps as the gateway prints them: Enedis stamps each interval at its END on the local wall
    clock, and the gateway moves that stamp back by the interval length on the wall clock. On the
    fall-back day that repeats 01:30 and 02:00; on the spring-forward day it prints 02:30 for the
    interval that starts at 01:30."""
    step = timedelta(minutes=minutes)
    labels = []
    for start in interval_starts(day, minutes):
        end_wall = (start.astimezone(UTC) + step).astimezone(PARIS).replace(tzinfo=None)
        labels.append(f"{end_wall - step:%Y-%m-%d %H:%M:%S}")
    return tuple(labels)


@lru_cache(maxsize=16384)
def meter_day(household: Household, day: date) -> MeterDay:
    """The meter's record of ``day`` for ``household`` (deterministic, memoised)."""
    minutes = household.interval_minutes
    starts = interval_starts(day, minutes)
    wall = [t.hour * 60 + t.minute for t in starts]
    load = demand(household, day, wall)
    pv = pv_output(household, day, starts)
    step = watt_step(minutes)
    consumption = tuple(_round_to(max(0.0, used - made), step) for used, made in zip(load, pv, strict=True))
    production = tuple(_round_to(max(0.0, made - used), step) for used, made in zip(load, pv, strict=True))
    rng = random.Random(f"{household.usage_point_id}:{day.isoformat()}:peak")
    peak_index = max(range(len(consumption)), key=consumption.__getitem__)
    ceiling = household.subscribed_kva * 1000
    surge = rng.uniform(*APPLIANCE_SURGE_VA)
    peak_va = min(ceiling, round(consumption[peak_index] * rng.uniform(1.1, 1.3) + surge))
    instant = starts[peak_index].astimezone(UTC) + timedelta(seconds=rng.randrange(minutes * 60))
    peak_at = instant.astimezone(PARIS).strftime("%Y-%m-%d %H:%M:%S")
    return MeterDay(
        day=day,
        minutes=minutes,
        labels=interval_labels(day, minutes),
        consumption=consumption,
        production=production,
        peak_va=peak_va,
        peak_at=peak_at,
    )
