"""Checks shared by the Enedis routes: consent, quota, direction and injected data faults."""

from __future__ import annotations

from .households import Household
from .quota import CACHE
from .readings import PRODUCTION
from .responses import Call, GatewayError

ACCESS_DENIED = "Accès refusé : PDL introuvable ou non associé à votre compte"
NO_MEASURE = "no_data_found: no measure found for this usage point"
WRONG_DIRECTION = "ADAM-ERR0069: The requested measure type is not available for this usage point"


def account_household(call: Call, usage_point_id: str) -> Household:
    """The household behind a usage point of the account, as contracted today, or ACCESS_DENIED."""
    if not call.state.is_active(usage_point_id):
        raise GatewayError("ACCESS_DENIED", ACCESS_DENIED)
    return call.state.household_on(usage_point_id, call.state.today())


def rate_limited(call: Call, bucket: str) -> GatewayError:
    """The RATE_LIMIT_EXCEEDED error for an exhausted bucket."""
    limit = call.state.ledger().limit(bucket)
    advice = "Try again tomorrow." if bucket == CACHE else "Use cache to increase limit."
    return GatewayError("RATE_LIMIT_EXCEEDED", f"Daily rate limit exceeded ({limit}/{limit}). {advice}")


def blocked(call: Call, bucket: str) -> bool:
    """Whether the bucket refuses another request (exhausted, or a rate_limit fault)."""
    return call.fault == "rate_limit" or call.state.ledger().exhausted(bucket)


def charge(call: Call, bucket: str) -> None:
    """Count the request against its bucket, or refuse it with RATE_LIMIT_EXCEEDED."""
    if blocked(call, bucket):
        raise rate_limited(call, bucket)
    call.state.ledger().charge(bucket)
    call.bucket = bucket


def check_direction(household: Household, direction: str) -> None:
    """Production data exists only for homes that inject a surplus."""
    if direction == PRODUCTION and not household.has_production:
        raise GatewayError("ENEDIS_ERROR", WRONG_DIRECTION)
