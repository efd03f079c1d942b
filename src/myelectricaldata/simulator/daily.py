"""Daily routes: consumption and production energy per day, and daily maximum power."""

from __future__ import annotations

from datetime import date, timedelta

from myelectricaldata.energy.timeline import date_range, years_before

from .guards import NO_MEASURE, account_household, charge, check_direction
from .quota import bucket_for
from .readings import (
    CONSUMPTION,
    DAILY_ENERGY,
    DAILY_MAX_POWER,
    PRODUCTION,
    daily_readings,
    max_power_readings,
    meter_reading,
)
from .responses import Call, GatewayError, envelope, parse_day, read_period

MAX_DAYS = 365
HISTORY_YEARS = 3


def daily_period(call: Call) -> tuple[date, date, bool]:
    """Validated ``[start, end)`` of a daily request, end capped at today (or earlier with the state's
    ``daily_end_lag``: the real gateway may cap it at J-1, so that J-1 only comes the next day), and its
    cache flag."""
    start_text, end_text, use_cache = read_period(call, use_cache_default=False)
    account_household(call, call.args["usage_point_id"])
    start, end = parse_day(start_text, "start"), parse_day(end_text, "end")
    if start > end:
        raise GatewayError("INVALID_DATE_RANGE", "Start date must be before end date")
    today = call.state.today()
    end = min(end, today - timedelta(days=call.state.daily_end_lag))
    if start >= end:
        start = end - timedelta(days=1)
    if (end - start).days > MAX_DAYS:
        raise GatewayError("INVALID_DATE_RANGE", f"The requested period cannot exceed {MAX_DAYS} days")
    oldest = years_before(today, HISTORY_YEARS)
    if start < oldest:
        raise GatewayError(
            "DATE_TOO_OLD",
            f"Start date {start.isoformat()} is more than {HISTORY_YEARS} years in the past. "
            f"Oldest allowed date: {oldest.isoformat()}",
        )
    return start, end, use_cache


def _serve(call: Call, items_for, reading_type: dict, direction: str = CONSUMPTION) -> tuple[int, dict]:
    start, end, use_cache = daily_period(call)
    usage_point_id = call.args["usage_point_id"]
    charge(call, bucket_for(use_cache))
    check_direction(call.state.households[usage_point_id], direction)
    if call.fault == "no_data":
        raise GatewayError("ENEDIS_ERROR", NO_MEASURE)
    items = items_for(usage_point_id, list(date_range(start, end)))
    if not items:
        raise GatewayError("ENEDIS_ERROR", NO_MEASURE)
    return 200, envelope(call.state, meter_reading(items, reading_type))


def consumption_daily(call: Call) -> tuple[int, dict]:
    """``GET /enedis/consumption/daily/{pdl}``."""
    return _serve(call, lambda pdl, days: daily_readings(call.state, pdl, CONSUMPTION, days), DAILY_ENERGY)


def production_daily(call: Call) -> tuple[int, dict]:
    """``GET /enedis/production/daily/{pdl}``."""
    return _serve(call, lambda pdl, days: daily_readings(call.state, pdl, PRODUCTION, days), DAILY_ENERGY, PRODUCTION)


def max_power(call: Call) -> tuple[int, dict]:
    """``GET /enedis/power/{pdl}``."""
    return _serve(call, lambda pdl, days: max_power_readings(call.state, pdl, days), DAILY_MAX_POWER)
