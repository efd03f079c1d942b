"""Account routes: health, token, authentication, usage points, quota counters, Tempo and EcoWatt."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from myelectricaldata.energy.timeline import PARIS, date_range, years_before

from .catalog import row_in_force
from .ecowatt import ecowatt_forecast
from .quota import NO_CACHE
from .responses import Call, DetailError, GatewayError, envelope, timestamp
from .state import CLIENT_ID, CLIENT_SECRET
from .tempo import season_start, tempo_day

GATEWAY_VERSION = "1.5.15"
TOMORROW_COLOUR_HOUR = 11
MISSING_CREDENTIALS = "client_id and client_secret are required (provide in form data or Basic Auth header)"
BEARER = {"WWW-Authenticate": "Bearer"}


def ping(call: Call) -> tuple[int, dict]:
    """``GET /ping``: no envelope, no authentication."""
    return 200, {"status": "ok", "version": GATEWAY_VERSION, "timestamp": timestamp(call.state)}


def issue_token(call: Call) -> tuple[int, dict]:
    """``POST /accounts/token``: client credentials in the form or in HTTP Basic."""
    form = call.request.form
    client_id, client_secret = form.get("client_id"), form.get("client_secret")
    basic = call.request.authorization
    if (not client_id or not client_secret) and basic is not None and basic.type == "basic":
        client_id, client_secret = basic.username, basic.password
    if not client_id or not client_secret:
        raise DetailError(422, MISSING_CREDENTIALS)
    if (client_id, client_secret) != (CLIENT_ID, CLIENT_SECRET):
        raise DetailError(401, "Invalid client credentials")
    return 200, {"access_token": call.state.issue_token(), "token_type": "bearer"}


def authenticate(call: Call) -> None:
    """Let the request through only with a valid Bearer token or the ``access_token`` cookie."""
    token = call.request.cookies.get("access_token")
    if not token:
        scheme, _, credentials = call.request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            raise DetailError(401, "Not authenticated", BEARER)
        token = credentials.strip()
    if not call.state.accepts_token(token):
        raise DetailError(401, "Invalid authentication credentials", BEARER)


def _pdl_entry(call: Call, position: int, usage_point_id: str) -> dict:
    household = call.state.household_on(usage_point_id, call.state.today())
    created = datetime.combine(household.activation_date + timedelta(days=30), time(9, 0), PARIS)
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"myelectricaldata:pdl:{usage_point_id}")),
        "usage_point_id": usage_point_id,
        "name": household.name,
        "created_at": created.isoformat(),
        "display_order": position,
        "subscribed_power": household.subscribed_kva,
        "offpeak_hours": household.offpeak_hours,
        "pricing_option": household.pricing_option,
        "has_consumption": True,
        "has_production": household.has_production,
        "is_active": call.state.is_active(usage_point_id),
        "oldest_available_data_date": None,
        "activation_date": household.activation_date.isoformat(),
        "linked_production_pdl_id": None,
        "selected_offer_id": row_in_force(*household.selected_offer, household.subscribed_kva, call.state.today())
        if household.selected_offer else None,
    }


def list_usage_points(call: Call) -> tuple[int, dict]:
    """``GET /pdl``: the usage points attached to the account."""
    entries = [_pdl_entry(call, i, pdl) for i, pdl in enumerate(call.state.households)]
    return 200, envelope(call.state, entries)


def usage_stats(call: Call) -> tuple[int, dict]:
    """``GET /accounts/usage-stats``."""
    return 200, envelope(call.state, call.state.usage_stats())


def optional_day(call: Call, name: str) -> date | None:
    """A ``YYYY-MM-DD`` query parameter, None when absent, INVALID_DATE when malformed."""
    text = call.query(name)
    if text is None or text == "":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise GatewayError("INVALID_DATE", f"Invalid {name} '{text}'. Expected format: YYYY-MM-DD") from None


def tempo_days(call: Call) -> tuple[int, dict]:
    """``GET /tempo/days``: stored colours up to today, tomorrow's once RTE has published it."""
    now = call.state.now()
    first = season_start(years_before(now.date(), 3))
    last = now.date() + timedelta(days=1 if now.hour >= TOMORROW_COLOUR_HOUR else 0)
    start = max(first, optional_day(call, "start_date") or first)
    end = min(last, optional_day(call, "end_date") or last)
    days = [tempo_day(d) for d in date_range(start, end + timedelta(days=1))]
    return 200, envelope(call.state, days)


def _forecast_days(call: Call) -> int:
    raw = call.query("days")
    if raw is None:
        return 4
    problem = {"loc": ["query", "days"], "input": raw}
    if not raw.strip().lstrip("-").isdigit():
        detail = problem | {
            "type": "int_parsing",
            "msg": "Input should be a valid integer, unable to parse string as an integer",
        }
        raise DetailError(422, [detail])
    days = int(raw)
    if not 1 <= days <= 7:
        bound = "greater_than_equal" if days < 1 else "less_than_equal"
        message = (
            "Input should be greater than or equal to 1" if days < 1 else "Input should be less than or equal to 7"
        )
        raise DetailError(422, [problem | {"type": bound, "msg": message}])
    return days


def ecowatt(call: Call) -> tuple[int, dict]:
    """``GET /ecowatt/forecast``: counts against the no-cache bucket, HTTP 429 once it is empty."""
    days = _forecast_days(call)
    ledger = call.state.ledger()
    if call.fault == "rate_limit" or ledger.exhausted(NO_CACHE):
        used = max(ledger.used[NO_CACHE], ledger.no_cache_limit)
        raise DetailError(429, f"Rate limit exceeded: {used}/{ledger.no_cache_limit} requests today")
    ledger.charge(NO_CACHE)
    call.bucket = NO_CACHE
    return 200, envelope(call.state, ecowatt_forecast(call.state.today(), days))
