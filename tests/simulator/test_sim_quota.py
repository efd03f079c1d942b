"""Daily quotas: which bucket counts what, refusals, cached fallbacks and the 00:00 UTC reset."""

from __future__ import annotations

from tests.support.simulator import CONVECTORS, FLAT, Gateway, paris

NO_CACHE_REFUSAL = "Daily rate limit exceeded (50/50). Use cache to increase limit."


def stats(gateway: Gateway) -> tuple[int, int]:
    data = gateway.json("/accounts/usage-stats")["data"]
    return data["no_cache_requests"], data["cached_requests"]


def test_usage_stats_shape():
    data = Gateway().json("/accounts/usage-stats")["data"]
    assert data == {
        "cached_requests": 0,
        "no_cache_requests": 0,
        "cached_limit": 1000,
        "no_cache_limit": 50,
        "date": "2026-11-27",
    }


def test_daily_power_contract_and_address_count_every_call():
    gateway = Gateway()
    period = {"start": "2026-11-01", "end": "2026-11-05"}
    gateway.readings(f"/enedis/consumption/daily/{FLAT}", **period)
    gateway.readings(f"/enedis/consumption/daily/{FLAT}", **period)
    gateway.readings(f"/enedis/power/{FLAT}", use_cache="true", **period)
    gateway.json(f"/enedis/contract/{FLAT}")
    gateway.json(f"/enedis/address/{FLAT}", use_cache="true")
    assert stats(gateway) == (3, 2)
    buckets = [r.bucket for r in gateway.state.requests if "/enedis/" in r.path]
    assert buckets == ["no_cache", "no_cache", "cache", "no_cache", "cache"]


def test_curves_count_only_when_a_day_is_new():
    gateway = Gateway()
    path = f"/enedis/consumption/detail/{CONVECTORS}"
    gateway.readings(path, start="2026-11-01", end="2026-11-04", use_cache="true")
    gateway.readings(path, start="2026-11-01", end="2026-11-04", use_cache="true")
    gateway.readings(path, start="2026-11-02", end="2026-11-03", use_cache="true")
    assert stats(gateway) == (0, 1)
    gateway.readings(path, start="2026-11-03", end="2026-11-05", use_cache="true")
    assert stats(gateway) == (0, 2)
    batch = f"/enedis/consumption/detail/batch/{CONVECTORS}"
    gateway.readings(batch, start="2026-11-01", end="2026-11-04")
    assert stats(gateway) == (0, 2)
    gateway.readings(batch, start="2026-11-01", end="2026-11-05")
    assert stats(gateway) == (0, 3)
    gateway.readings(path, start="2026-11-01", end="2026-11-02")
    assert stats(gateway) == (1, 3)


def test_no_cache_bucket_refuses_after_its_limit():
    gateway = Gateway(quota_no_cache=3)
    for _ in range(3):
        gateway.json(f"/enedis/contract/{FLAT}")
    error = gateway.error(f"/enedis/consumption/daily/{FLAT}", start="2026-11-01", end="2026-11-05")
    assert error == {
        "code": "RATE_LIMIT_EXCEEDED",
        "message": "Daily rate limit exceeded (3/3). Use cache to increase limit.",
        "field": None,
    }
    assert gateway.readings(f"/enedis/consumption/daily/{FLAT}", start="2026-11-01", end="2026-11-05", use_cache="true")


def test_exhausted_quota_messages_per_bucket():
    gateway = Gateway()
    gateway.state.exhaust_quota()
    period = {"start": "2026-11-01", "end": "2026-11-05"}
    assert gateway.error(f"/enedis/power/{FLAT}", **period)["message"] == NO_CACHE_REFUSAL
    cached = gateway.error(f"/enedis/power/{FLAT}", use_cache="true", **period)
    assert cached["message"] == "Daily rate limit exceeded (1000/1000). Try again tomorrow."
    assert gateway.error(f"/enedis/consumption/detail/batch/{FLAT}", **period)["code"] == "RATE_LIMIT_EXCEEDED"


def test_cached_curves_are_still_served_when_the_quota_is_gone():
    gateway = Gateway()
    batch = f"/enedis/consumption/detail/batch/{CONVECTORS}"
    gateway.readings(batch, start="2026-11-01", end="2026-11-03")
    gateway.state.exhaust_quota()
    assert len(gateway.readings(batch, start="2026-11-01", end="2026-11-03")) == 144
    body = gateway.json(batch, start="2026-11-01", end="2026-11-10")
    assert body["success"] is True
    assert body["error"] == {
        "code": "PARTIAL_DATA",
        "message": "Rate limit exceeded. Returning cached data only.",
        "field": None,
    }
    assert len(body["data"]["meter_reading"]["interval_reading"]) == 144


def test_ecowatt_uses_the_no_cache_bucket_and_answers_429():
    gateway = Gateway(quota_no_cache=2)
    assert len(gateway.json("/ecowatt/forecast")["data"]) == 4
    assert len(gateway.json("/ecowatt/forecast", days=2)["data"]) == 2
    refused = gateway.get("/ecowatt/forecast")
    assert refused.status_code == 429
    assert refused.get_json() == {"detail": "Rate limit exceeded: 2/2 requests today"}
    assert gateway.get("/tempo/days", headers={}).status_code == 200


def test_quota_resets_at_midnight_utc():
    gateway = Gateway(now=paris(2026, 11, 27, 0, 50))
    gateway.state.exhaust_quota()
    assert gateway.error(f"/enedis/contract/{FLAT}")["code"] == "RATE_LIMIT_EXCEEDED"
    assert gateway.json("/accounts/usage-stats")["data"]["date"] == "2026-11-26"
    gateway.state.set_now(paris(2026, 11, 27, 1, 10))
    assert gateway.json(f"/enedis/contract/{FLAT}")["success"] is True
    assert gateway.json("/accounts/usage-stats")["data"] | {"cached_limit": 0, "no_cache_limit": 0} == {
        "cached_requests": 0,
        "no_cache_requests": 1,
        "cached_limit": 0,
        "no_cache_limit": 0,
        "date": "2026-11-27",
    }


def test_reset_quota_also_forgets_cached_days():
    gateway = Gateway()
    batch = f"/enedis/consumption/detail/batch/{CONVECTORS}"
    gateway.readings(batch, start="2026-11-01", end="2026-11-03")
    gateway.state.reset_quota()
    gateway.readings(batch, start="2026-11-01", end="2026-11-03")
    assert stats(gateway) == (0, 1)
