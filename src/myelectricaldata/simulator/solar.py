"""Rooftop PV output: sun position, clear-sky irradiance on a south-facing roof, daily clearness."""

from __future__ import annotations

import math
import random
from datetime import date, datetime

from .households import Household
from .weather import clearness

ROOF_TILT = math.radians(32)
SYSTEM_YIELD = 0.89
SAMPLES_PER_INTERVAL = 3


def _sun_geometry(day: date) -> tuple[float, float]:
    """Declination (radians) and equation of time (minutes) for the day."""
    n = day.timetuple().tm_yday
    declination = math.radians(23.44) * math.sin(2 * math.pi * (284 + n) / 365)
    b = 2 * math.pi * (n - 81) / 364
    equation_of_time = 9.87 * math.sin(2 * b) - 7.53 * math.cos(b) - 1.5 * math.sin(b)
    return declination, equation_of_time


def _clear_sky(up: float, north: float) -> float:
    """Clear-sky W/m² on the roof plane for a sun at the given up and north direction cosines."""
    if up <= 0.01:
        return 0.0
    incidence = up * math.cos(ROOF_TILT) - north * math.sin(ROOF_TILT)
    direct = 1050 * 0.7 ** ((1 / up) ** 0.678)
    return direct * max(0.0, incidence) + 110 * up


def roof_irradiance(household: Household, day: date, instants: list[float]) -> list[float]:
    """Clear-sky W/m² on the roof at each UTC epoch second of ``day``."""
    declination, equation_of_time = _sun_geometry(day)
    lat = math.radians(household.latitude)
    up_fixed = math.sin(lat) * math.sin(declination)
    up_swing = math.cos(lat) * math.cos(declination)
    north_fixed = math.cos(lat) * math.sin(declination)
    north_swing = math.sin(lat) * math.cos(declination)
    offset_hours = household.longitude / 15 + equation_of_time / 60 - 12
    out = []
    for instant in instants:
        cos_hour = math.cos(math.radians(15 * ((instant % 86400) / 3600 + offset_hours)))
        out.append(_clear_sky(up_fixed + up_swing * cos_hour, north_fixed - north_swing * cos_hour))
    return out


def pv_output(household: Household, day: date, starts: list[datetime]) -> list[float]:
    """Average W produced by the roof over each interval (zero at night)."""
    if not household.has_production:
        return [0.0] * len(starts)
    rng = random.Random(f"{household.usage_point_id}:{day.isoformat()}:pv")
    sky = clearness(day)
    flicker = 0.6 * (1 - sky) if sky < 0.85 else 0.05
    step = household.interval_minutes * 60 / SAMPLES_PER_INTERVAL
    epochs = [start.timestamp() for start in starts]
    samples = [epoch + step * (k + 0.5) for epoch in epochs for k in range(SAMPLES_PER_INTERVAL)]
    irradiance = roof_irradiance(household, day, samples)
    peak_w = household.pv_kwc * SYSTEM_YIELD
    out = []
    for i in range(len(starts)):
        mean = sum(irradiance[i * SAMPLES_PER_INTERVAL : (i + 1) * SAMPLES_PER_INTERVAL]) / SAMPLES_PER_INTERVAL
        if mean <= 0:
            out.append(0.0)
            continue
        sky_here = min(1.0, max(0.05, sky * (1 + flicker * rng.uniform(-1, 1))))
        out.append(peak_w * mean * sky_here)
    return out
