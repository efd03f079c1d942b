"""Shared weather model: daily mean temperature and sky clearness, deterministic per date."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from functools import lru_cache

MEAN_TEMPERATURE = 12.3
SEASONAL_SWING = 7.8
COLDEST_DAY_OF_YEAR = 18
NOISE_SPREAD = 2.6


def season_phase(day: date) -> float:
    """Position in the year as an angle, zero on the coldest day on average."""
    return 2 * math.pi * (day.timetuple().tm_yday - COLDEST_DAY_OF_YEAR) / 365.25


def winterness(day: date) -> float:
    """1 in mid-January, 0 in mid-July, smooth in between."""
    return (1 + math.cos(season_phase(day))) / 2


@lru_cache(maxsize=8192)
def _daily_noise(day: date) -> float:
    return random.Random(f"weather:{day.isoformat()}:noise").gauss(0.0, 1.0)


@lru_cache(maxsize=64)
def _cold_spells(winter: int) -> tuple[tuple[date, int, float], ...]:
    """Cold spells of the winter starting in December of ``winter``: (first day, length, depth °C)."""
    rng = random.Random(f"weather:{winter}:cold-spells")
    spells = []
    for _ in range(rng.randint(1, 3)):
        first = date(winter, 12, 1) + timedelta(days=rng.randint(0, 80))
        spells.append((first, rng.randint(4, 10), rng.uniform(4.5, 9.0)))
    return tuple(spells)


def _cold_spell_drop(day: date) -> float:
    winter = day.year if day.month >= 12 else day.year - 1
    drop = 0.0
    for first, length, depth in _cold_spells(winter):
        offset = (day - first).days
        if 0 <= offset < length:
            edge = min(offset + 1, length - offset)
            drop += depth * min(1.0, edge / 2)
    return drop


@lru_cache(maxsize=8192)
def temperature(day: date) -> float:
    """Daily mean outdoor temperature in °C."""
    seasonal = MEAN_TEMPERATURE - SEASONAL_SWING * math.cos(season_phase(day))
    weights = (0.5, 0.3, 0.2)
    noise = sum(w * _daily_noise(day - timedelta(days=k)) for k, w in enumerate(weights))
    noise *= NOISE_SPREAD / math.sqrt(sum(w * w for w in weights))
    return round(seasonal + noise - _cold_spell_drop(day), 2)


@lru_cache(maxsize=8192)
def clearness(day: date) -> float:
    """Share of clear-sky sunshine reaching the ground over the day, 0.1 to 1."""
    rng = random.Random(f"weather:{day.isoformat()}:sky")
    clear_chance = 0.3 + 0.45 * (1 - winterness(day))
    if rng.random() < clear_chance:
        return rng.uniform(0.85, 1.0)
    return rng.uniform(0.12, 0.8)


def heating_degrees(day: date, base: float = 16.0) -> float:
    """Degrees below the heating threshold on that day."""
    return max(0.0, base - temperature(day))
