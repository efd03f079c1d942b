"""Meter readings in the Enedis ``interval_reading`` shape, limited to what has been published."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from .households import Household
from .meter import meter_day
from .state import SimulatorState

CONSUMPTION = "consumption"
PRODUCTION = "production"
DAILY_ENERGY = {"measurement_kind": "energy", "measuring_period": "P1D", "unit": "Wh", "aggregate": "sum"}
DAILY_MAX_POWER = {"measurement_kind": "power", "measuring_period": "P1D", "unit": "VA", "aggregate": "maximum"}
LOAD_CURVE = {"measurement_kind": "power", "unit": "W", "aggregate": "average"}


def has_reading(state: SimulatorState, household: Household, day: date) -> bool:
    """Whether the meter has a published record of ``day``."""
    return household.activation_date <= day and day not in household.gap_days and state.is_published(day)


def recorded_days(state: SimulatorState, usage_point_id: str, days: Iterable[date]) -> list[tuple[date, Household]]:
    """Days with a published record, each with the household in force that day."""
    out = []
    for day in days:
        household = state.household_on(usage_point_id, day)
        if has_reading(state, household, day):
            out.append((day, household))
    return out


@lru_cache(maxsize=16384)
def _curve_entries(household: Household, day: date, direction: str) -> tuple[dict, ...]:
    record = meter_day(household, day)
    values = record.consumption if direction == CONSUMPTION else record.production
    length = f"PT{record.minutes}M"
    return tuple(
        {"value": str(value), "date": label, "interval_length": length, "measure_type": "B"}
        for value, label in zip(values, record.labels, strict=True)
    )


def curve_readings(
    state: SimulatorState, usage_point_id: str, direction: str, days: Iterable[date]
) -> tuple[list[dict], list[date]]:
    """Load-curve items of the published days among ``days``, and which days they cover."""
    items: list[dict] = []
    covered = []
    for day, household in recorded_days(state, usage_point_id, days):
        items.extend(_curve_entries(household, day, direction))
        covered.append(day)
    return items, covered


def daily_readings(state: SimulatorState, usage_point_id: str, direction: str, days: Iterable[date]) -> list[dict]:
    """Daily energy items (Wh) of the published days among ``days``."""
    items = []
    for day, household in recorded_days(state, usage_point_id, days):
        record = meter_day(household, day)
        wh = record.consumption_wh if direction == CONSUMPTION else record.production_wh
        items.append({"value": str(wh), "date": day.isoformat()})
    return items


def max_power_readings(state: SimulatorState, usage_point_id: str, days: Iterable[date]) -> list[dict]:
    """Daily maximum apparent power items (VA, stamped with the time of the peak)."""
    items = []
    for day, household in recorded_days(state, usage_point_id, days):
        record = meter_day(household, day)
        items.append({"value": str(record.peak_va), "date": record.peak_at})
    return items


def meter_reading(items: list[dict], reading_type: dict) -> dict:
    """The ``data`` payload the gateway keeps from an Enedis metering answer."""
    return {"meter_reading": {"interval_reading": items, "reading_type": dict(reading_type)}}
