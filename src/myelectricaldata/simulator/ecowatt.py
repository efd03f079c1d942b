"""EcoWatt signals: grid stress per hour, rising on the cold days of the shared weather model."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from myelectricaldata.energy.timeline import PARIS

from .weather import temperature

MESSAGES = {
    1: " Pas d’alerte ",
    2: " Système électrique tendu. Les écogestes sont les bienvenus. ",
    3: " Système électrique très tendu. Coupures inévitables si nous ne baissons pas notre consommation. ",
}
FIRST_SIGNAL = date(2022, 9, 1)
STRESS_HOURS = (8, 9, 10, 11, 18, 19, 20)


def hourly_levels(day: date) -> list[int]:
    """EcoWatt level of each of the 24 hours: 0 low-carbon night, 1 normal, 2 tense, 3 very tense."""
    cold = temperature(day)
    peak = 3 if cold < -6 else 2 if cold < -2 else 1
    return [0 if hour < 6 else peak if hour in STRESS_HOURS else 1 for hour in range(24)]


def ecowatt_signal(day: date, generated: datetime) -> dict:
    """One entry of ``/ecowatt/forecast`` for ``day``."""
    levels = hourly_levels(day)
    level = max(1, *levels)
    stamp = generated.isoformat()
    return {
        "periode": datetime.combine(day, time(0), PARIS).isoformat(),
        "dvalue": level,
        "message": MESSAGES[level],
        "values": [{"pas": hour, "hvalue": value} for hour, value in enumerate(levels)],
        "hdebut": 0,
        "hfin": 23,
        "id": (day - FIRST_SIGNAL).days + 1,
        "generation_datetime": stamp,
        "created_at": stamp,
        "updated_at": stamp,
    }


def ecowatt_forecast(today: date, days: int) -> list[dict]:
    """Signals for ``today`` and the following days, generated this morning."""
    generated = datetime.combine(today, time(6, 0), PARIS)
    return [ecowatt_signal(today + timedelta(days=n), generated) for n in range(days)]
