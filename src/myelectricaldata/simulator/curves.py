"""Load-curve routes: one Enedis call of up to 7 days (detail) and the chunked batch variant."""

from __future__ import annotations

from datetime import date, timedelta

from myelectricaldata.energy.timeline import date_range, years_before

from .guards import account_household, blocked, charge, check_direction, rate_limited
from .households import Household
from .quota import bucket_for
from .readings import LOAD_CURVE, curve_readings, meter_reading
from .responses import Call, GatewayError, envelope, parse_day, read_period

HISTORY_YEARS = 2
DETAIL_MAX_DAYS = 7
BATCH_MAX_DAYS = 729
CHUNK_DAYS = 7
TOO_LONG = "ADAM-DC-0015: The requested period cannot exceed 7 days"
NO_DATA = "No data available for the requested period"
RATE_LIMITED_PARTIAL = "Rate limit exceeded. Returning cached data only."

Failure = tuple[str, str]


def _before_activation(start: date, end: date) -> Failure:
    return (
        "ADAM-ERR0123",
        f"The requested period ({start.isoformat()} - {end.isoformat()}) "
        "cannot be anterior to the meter's last activation date",
    )


def _curve_kind(direction: str) -> str:
    return f"{direction}_curve"


def _too_old(oldest: date) -> GatewayError:
    return GatewayError(
        "DATE_TOO_OLD",
        f"Start date is more than {HISTORY_YEARS} years in the past. Oldest allowed date: {oldest.isoformat()}",
    )


def _parsed_period(call: Call, use_cache_default: bool) -> tuple[Household, date, date, bool]:
    start_text, end_text, use_cache = read_period(call, use_cache_default)
    household = account_household(call, call.args["usage_point_id"])
    start, end = parse_day(start_text, "start"), parse_day(end_text, "end")
    if start > end:
        raise GatewayError("INVALID_DATE_RANGE", "Start date must be before end date")
    return household, start, end, use_cache


def _pending(call: Call, direction: str, days: list[date], use_cache: bool) -> list[date]:
    if not use_cache:
        return days
    return call.state.ledger().missing(call.args["usage_point_id"], _curve_kind(direction), days)


def _answer(call: Call, direction: str, items: list[dict], covered: list[date], error=None) -> tuple[int, dict]:
    call.state.ledger().remember(call.args["usage_point_id"], _curve_kind(direction), covered)
    return 200, envelope(call.state, meter_reading(items, LOAD_CURVE), error)


def detail(call: Call, direction: str) -> tuple[int, dict]:
    """``GET /enedis/{direction}/detail/{pdl}``: ``[start, end)``, at most 7 days."""
    household, start, end, use_cache = _parsed_period(call, use_cache_default=False)
    if start == end:
        end = start + timedelta(days=1)
    today = call.state.today()
    oldest = years_before(today, HISTORY_YEARS)
    if start < oldest:
        raise _too_old(oldest)
    days = list(date_range(start, min(end, today)))
    if _pending(call, direction, days, use_cache):
        charge(call, bucket_for(use_cache))
    if (end - start).days > DETAIL_MAX_DAYS:
        raise GatewayError("ENEDIS_ERROR", TOO_LONG)
    check_direction(household, direction)
    if start < household.activation_date:
        raise GatewayError(*_before_activation(start, end))
    if call.fault == "no_data":
        raise GatewayError("NO_DATA", NO_DATA)
    items, covered = curve_readings(call.state, call.args["usage_point_id"], direction, days)
    if not items:
        raise GatewayError("NO_DATA", NO_DATA)
    return _answer(call, direction, items, covered)


def _chunk(call: Call, household: Household, direction: str, days: list[date]) -> tuple[list[dict], list[date]]:
    check_direction(household, direction)
    if days[-1] < household.activation_date:
        raise GatewayError(*_before_activation(days[0], days[-1] + timedelta(days=1)))
    items, covered = curve_readings(call.state, call.args["usage_point_id"], direction, days)
    if not items:
        raise GatewayError("NO_DATA", NO_DATA)
    return items, covered


def batch(call: Call, direction: str) -> tuple[int, dict]:
    """``GET /enedis/{direction}/detail/batch/{pdl}``: ``[start, end]`` in 7-day chunks."""
    household, start, end, use_cache = _parsed_period(call, use_cache_default=True)
    today = call.state.today()
    start = max(start, years_before(today, HISTORY_YEARS))
    end = min(end, today - timedelta(days=1))
    if start > end:
        raise GatewayError("INVALID_DATE_RANGE", "Start date must be before end date")
    if (end - start).days + 1 > BATCH_MAX_DAYS:
        raise GatewayError("INVALID_DATE_RANGE", f"The requested period cannot exceed {BATCH_MAX_DAYS} days")
    days = list(date_range(start, end + timedelta(days=1)))
    pending = _pending(call, direction, days, use_cache)
    bucket = bucket_for(use_cache)
    if pending and blocked(call, bucket):
        waiting = set(pending)
        cached = [d for d in days if d not in waiting]
        items, covered = curve_readings(call.state, call.args["usage_point_id"], direction, cached)
        if not items:
            raise rate_limited(call, bucket)
        return _answer(call, direction, items, covered, ("PARTIAL_DATA", RATE_LIMITED_PARTIAL))
    if pending:
        charge(call, bucket)
    if call.fault == "no_data":
        raise GatewayError("NO_DATA", NO_DATA)
    chunks = [days[i : i + CHUNK_DAYS] for i in range(0, len(days), CHUNK_DAYS)]
    answered = max(1, len(chunks) // 2) if call.fault == "partial" else len(chunks)
    items: list[dict] = []
    covered: list[date] = []
    failures: list[Failure] = []
    for chunk in chunks[:answered]:
        try:
            chunk_items, chunk_days = _chunk(call, household, direction, chunk)
        except GatewayError as failure:
            failures.append((failure.code, failure.message))
            continue
        items.extend(chunk_items)
        covered.extend(chunk_days)
    failures.extend(("ENEDIS_ERROR", "ADAM-DC-0500: Internal server error") for _ in chunks[answered:])
    if not items:
        raise GatewayError(*failures[0])
    if not failures:
        return _answer(call, direction, items, covered)
    code, message = failures[0]
    summary = f"{len(failures)} of {len(chunks)} periods could not be retrieved (first: {code}: {message})"
    return _answer(call, direction, items, covered, ("PARTIAL_DATA", summary))
