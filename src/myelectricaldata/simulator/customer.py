"""Contract and address routes, in the raw Enedis customer shapes the gateway passes through."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from myelectricaldata.energy.timeline import PARIS

from .guards import account_household, charge
from .households import Household
from .quota import bucket_for
from .responses import Call, envelope, read_flag

DISTRIBUTION_TARIFFS = {"BASE": "BTINFCUST", "HC_HP": "BTINFMUDT", "TEMPO": "BTINFMUDT"}


def enedis_date(day: date) -> str:
    """A date with its Paris UTC offset, as Enedis writes them (``2015-03-12+01:00``)."""
    offset = datetime.combine(day, time(0), PARIS).strftime("%z")
    return f"{day.isoformat()}{offset[:3]}:{offset[3:]}"


def customer_id(household: Household) -> str:
    """Stable Enedis customer number of the household."""
    return str(-random.Random(f"{household.usage_point_id}:customer").randint(100_000_000, 2_000_000_000))


def _usage_point(household: Household) -> dict:
    return {"usage_point_id": household.usage_point_id, "usage_point_status": "com", "meter_type": "AMM"}


def _tariff_change(call: Call, household: Household) -> date:
    amended = call.state.contract_since(household.usage_point_id)
    if amended is not None:
        return amended
    offset = random.Random(f"{household.usage_point_id}:tariff-change").randint(180, 1500)
    return min(household.activation_date + timedelta(days=offset), call.state.today())


def contract_payload(call: Call, household: Household) -> dict:
    """``customers_upc/v5/usage_points/contracts`` answer for the household."""
    contracts = {
        "segment": "C5",
        "subscribed_power": f"{household.subscribed_kva} kVA",
        "last_activation_date": enedis_date(household.activation_date),
        "distribution_tariff": DISTRIBUTION_TARIFFS[household.pricing_option],
        "offpeak_hours": household.offpeak_hours,
        "contract_status": "SERVC",
        "last_distribution_tariff_change_date": enedis_date(_tariff_change(call, household)),
    }
    if not household.offpeak_hours:
        del contracts["offpeak_hours"]
    usage_points = [{"usage_point": _usage_point(household), "contracts": contracts}]
    return {"customer": {"customer_id": customer_id(household), "usage_points": usage_points}}


def address_payload(household: Household) -> dict:
    """``customers_upa/v5/usage_points/addresses`` answer for the household."""
    point = _usage_point(household) | {
        "usage_point_addresses": {
            "street": household.street,
            "locality": None,
            "postal_code": household.postal_code,
            "insee_code": household.insee_code,
            "city": household.city,
            "country": "France",
            "geo_points": {
                "latitude": f"{household.latitude:.4f}",
                "longitude": f"{household.longitude:.4f}",
                "altitude": str(household.altitude),
            },
        }
    }
    return {"customer": {"customer_id": customer_id(household), "usage_points": [{"usage_point": point}]}}


def contract(call: Call) -> tuple[int, dict]:
    """``GET /enedis/contract/{pdl}``."""
    use_cache = read_flag(call, "use_cache", False)
    household = account_household(call, call.args["usage_point_id"])
    charge(call, bucket_for(use_cache))
    return 200, envelope(call.state, contract_payload(call, household))


def address(call: Call) -> tuple[int, dict]:
    """``GET /enedis/address/{pdl}``."""
    use_cache = read_flag(call, "use_cache", False)
    household = account_household(call, call.args["usage_point_id"])
    charge(call, bucket_for(use_cache))
    return 200, envelope(call.state, address_payload(household))
