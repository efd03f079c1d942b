"""Household electricity demand over a local day, in average W per interval (before rounding)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from .households import Household, offpeak_windows, window_length
from .weather import heating_degrees, temperature, winterness

Run = tuple[float, float, float]
MIN_BASE_W = 150.0


@dataclass(frozen=True)
class HomeTraits:
    """Stable characteristics of a home, derived once from its household description."""

    night_base_w: float
    morning_w: float
    evening_w: float
    heater_w: float
    hot_water_kwh: float
    heat_loss_kw_per_k: float


@lru_cache(maxsize=256)
def home_traits(household: Household) -> HomeTraits:
    """Appliance sizes and insulation of the home, seeded by its usage point."""
    rng = random.Random(f"{household.usage_point_id}:traits")
    people = household.occupants
    is_house = household.heating != "gas" or people >= 3
    base = rng.uniform(250, 310) if is_house else rng.uniform(155, 162)
    loss = {"electric": 0.135, "heat_pump": 0.17, "gas": 0.0}[household.heating]
    return HomeTraits(
        night_base_w=base,
        morning_w=130.0 * people,
        evening_w=130.0 * people,
        heater_w=rng.choice((2000.0, 2200.0, 2400.0)) if is_house else 2000.0,
        hot_water_kwh=(1.1 + 1.05 * people) if is_house else 0.35 * people,
        heat_loss_kw_per_k=loss * rng.uniform(0.95, 1.05),
    )


def _bump(hour: float, centre: float, width: float) -> float:
    return math.exp(-0.5 * ((hour - centre) / width) ** 2)


def _overlap(start: float, end: float, runs: list[Run]) -> float:
    """Average W of the given runs over the wall-clock minutes [start, end)."""
    total = 0.0
    for run_start, run_end, watts in runs:
        covered = min(end, run_end) - max(start, run_start)
        if covered > 0:
            total += watts * covered
    return total / (end - start)


@lru_cache(maxsize=4096)
def water_heater_runs(household: Household, day: date) -> tuple[Run, ...]:
    """Heating runs of the water heater that start on ``day``: (start, end, W) in wall-clock minutes."""
    if not household.water_heater:
        return ()
    traits = home_traits(household)
    rng = random.Random(f"{household.usage_point_id}:{day.isoformat()}:water-heater")
    need_kwh = traits.hot_water_kwh * (0.85 + 0.3 * winterness(day)) * rng.uniform(0.85, 1.15)
    power = traits.heater_w
    windows = offpeak_windows(household.offpeak_hours)
    if not windows:
        morning = rng.uniform(7.5, 8.25) * 60
        evening = rng.uniform(21.0, 22.0) * 60
        return (
            (morning, morning + 0.4 * need_kwh / power * 60_000, power),
            (evening, evening + 0.6 * need_kwh / power * 60_000, power),
        )
    main = max(windows, key=window_length)
    hours = min(4.0, max(2.0, need_kwh * 1000 / power))
    runs = [(float(main[0]), main[0] + hours * 60, power)]
    for window in windows:
        if window != main and rng.random() < 0.5:
            runs.append((float(window[0]), window[0] + rng.uniform(20, 60), power))
    return tuple(runs)


def _heater_runs_over(household: Household, day: date) -> list[Run]:
    previous = [(s - 1440, e - 1440, w) for s, e, w in water_heater_runs(household, day - timedelta(days=1))]
    return previous + list(water_heater_runs(household, day))


def _appliance_runs(rng: random.Random, people: int, weekend: bool) -> list[Run]:
    runs: list[Run] = []
    if rng.random() < 0.09 * people * (1.3 if weekend else 1.0):
        start = rng.uniform(9.5, 16.0) if weekend else rng.uniform(18.5, 21.0)
        runs.append((start * 60, start * 60 + rng.uniform(25, 35), 2000.0))
    if rng.random() < 0.11 * people:
        start = rng.uniform(20.5, 22.0)
        runs.append((start * 60, start * 60 + rng.uniform(30, 40), 1800.0))
    if rng.random() < 0.06 * people * (1.5 if weekend else 1.0):
        start = rng.uniform(11.5, 12.25) if weekend and rng.random() < 0.5 else rng.uniform(18.5, 19.5)
        runs.append((start * 60, start * 60 + rng.uniform(30, 50), 2200.0))
    return runs


def _heating_weight(hour: float, weekend: bool, heat_pump: bool) -> float:
    if hour < 6 or hour >= 22:
        weight = 0.75
    elif hour < 9:
        weight = 1.3 if weekend and hour < 7 else 1.4
    elif hour < 17:
        weight = 1.05 if weekend else 0.85
    else:
        weight = 1.35
    return 1 + (weight - 1) * 0.5 if heat_pump else weight


def _heating_kw(household: Household, day: date) -> float:
    traits = home_traits(household)
    degrees = heating_degrees(day)
    if household.heating == "electric":
        return traits.heat_loss_kw_per_k * degrees
    if household.heating == "heat_pump":
        cop = min(4.2, max(1.8, 2.6 + 0.08 * temperature(day)))
        return traits.heat_loss_kw_per_k * degrees / cop + (0.03 if degrees else 0.0)
    return 0.03 if degrees > 1 else 0.0


def demand(household: Household, day: date, wall_minutes: list[int]) -> list[float]:
    """Average W drawn by the home over each interval starting at the given wall-clock minutes."""
    traits = home_traits(household)
    rng = random.Random(f"{household.usage_point_id}:{day.isoformat()}:load")
    minutes = household.interval_minutes
    weekend = day.weekday() >= 5
    base = traits.night_base_w * rng.uniform(0.97, 1.03)
    shift = rng.uniform(-0.4, 0.4)
    morning = traits.morning_w * rng.uniform(0.7, 1.3)
    evening = traits.evening_w * rng.uniform(0.75, 1.25) * (1 + 0.3 * winterness(day))
    runs = _heater_runs_over(household, day) + _appliance_runs(rng, household.occupants, weekend)
    heating_kw = _heating_kw(household, day)
    heat_pump = household.heating == "heat_pump"
    hours = [(m + minutes / 2) / 60 for m in wall_minutes]
    weights = [_heating_weight(h, weekend, heat_pump) for h in hours]
    weight_scale = len(weights) / sum(weights)
    swing = 0.15 if heat_pump else 0.3
    ceiling = household.subscribed_kva * 920.0
    out = []
    for m, hour, weight in zip(wall_minutes, hours, weights, strict=True):
        if weekend:
            activity = (
                0.8 * morning * _bump(hour, 9.3 + shift, 0.9)
                + 0.6 * evening * _bump(hour, 12.9, 0.9)
                + 45.0 * household.occupants * _bump(hour, 15.0, 2.5)
                + evening * _bump(hour, 19.8 + shift, 1.2)
            )
        else:
            activity = (
                morning * _bump(hour, 7.6 + shift, 0.55)
                + 0.15 * evening * _bump(hour, 12.8, 0.8)
                + evening * _bump(hour, 19.6 + shift, 1.15)
            )
        watts = max(MIN_BASE_W, base + rng.uniform(-10, 10)) + activity * rng.uniform(0.8, 1.2)
        watts += _overlap(m, m + minutes, runs)
        if heating_kw:
            watts += heating_kw * 1000 * weight * weight_scale * rng.uniform(1 - swing, 1 + swing)
        out.append(min(watts, ceiling))
    return out
