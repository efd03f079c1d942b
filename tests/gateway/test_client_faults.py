"""GatewayClient against the simulated gateway: every error code -> exception, retries and the fault knobs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import requests

from myelectricaldata.gateway.client import GatewayClient, RetryPolicy
from myelectricaldata.gateway.errors import (
    ConsentError,
    GatewayUnreachable,
    MalformedReply,
    NoData,
    QuotaExceeded,
    RequestRejected,
    TooOld,
    TransientError,
)
from myelectricaldata.gateway.parse import parse_daily, parse_load_curve, parse_usage_points
from myelectricaldata.simulator import DEMO_HOUSEHOLDS, Household
from tests.support.net import free_port
from tests.support.simfront import BASE, HCHP, Naps, make_client, plug_in, statuses

RECENT = Household(usage_point_id="99000000000011", name="Neuf", pricing_option="BASE", subscribed_kva=6,
                   activation_date=date(2025, 6, 1))
GAPPY = Household(usage_point_id="99000000000012", name="Trous", pricing_option="BASE", subscribed_kva=6,
                  gap_days=frozenset(date(2025, 10, d) for d in range(1, 11)))
HOUSEHOLDS = (*DEMO_HOUSEHOLDS, RECENT, GAPPY)
PDLS = [h.usage_point_id for h in HOUSEHOLDS]
OCT_1, OCT_8 = date(2025, 10, 1), date(2025, 10, 8)


@pytest.fixture
def sim(server):
    return plug_in(server, households=HOUSEHOLDS)


@pytest.fixture
def naps():
    return Naps()


@pytest.fixture
def client(sim, naps):
    return make_client(sim.url, naps=naps)


# -- error codes ----------------------------------------------------------------------------------

def test_exhausted_quota_raises_quota_exceeded_without_retry(sim, client, naps):
    sim.state.exhaust_quota()
    with pytest.raises(QuotaExceeded) as info:
        client.daily("consumption", BASE, OCT_1, OCT_8)
    assert info.value.code == "RATE_LIMIT_EXCEEDED" and "Daily rate limit exceeded" in info.value.message
    assert statuses(sim, "/consumption/daily/") == [200] and naps == []


def test_injected_rate_limit_raises_quota_exceeded_once(sim, client):
    sim.state.inject("rate_limit", 1, path="/consumption/daily/")
    with pytest.raises(QuotaExceeded):
        client.daily("consumption", BASE, OCT_1, OCT_8)
    assert len(parse_daily(client.daily("consumption", BASE, OCT_1, OCT_8).data)) == 7


def test_rate_limited_batch_raises_quota_exceeded_when_nothing_is_cached(sim, client):
    sim.state.inject("rate_limit", 1, path="/detail/batch/")
    with pytest.raises(QuotaExceeded):
        client.load_curve("consumption", BASE, OCT_1, OCT_8)


def test_rate_limited_batch_returns_cached_days_as_partial(sim, client):
    client.load_curve("consumption", BASE, OCT_1, date(2025, 10, 7))
    sim.state.inject("rate_limit", 1, path="/detail/batch/")
    reply = client.load_curve("consumption", BASE, OCT_1, date(2025, 10, 14))
    assert "Rate limit exceeded" in reply.partial
    assert {p.day for p in parse_load_curve(reply.data)} == {OCT_1 + timedelta(days=n) for n in range(7)}


@pytest.mark.parametrize("how", ["exhaust", "inject"])
def test_ecowatt_http_429_raises_quota_exceeded(sim, client, naps, how):
    if how == "exhaust":
        sim.state.exhaust_quota()
    else:
        sim.state.inject("rate_limit", 1, path="/ecowatt/")
    with pytest.raises(QuotaExceeded) as info:
        client.ecowatt_forecast()
    assert "Rate limit exceeded" in info.value.message
    assert statuses(sim, "/ecowatt/forecast") == [429] and naps == []


@pytest.mark.parametrize("pdl", [HCHP, "12345678901234"])
def test_revoked_or_unknown_usage_point_raises_consent_error(sim, client, pdl):
    sim.state.revoke(HCHP)
    with pytest.raises(ConsentError) as info:
        client.daily("consumption", pdl, OCT_1, OCT_8)
    assert info.value.code == "ACCESS_DENIED"
    assert statuses(sim, "/consumption/daily/") == [200]


def test_daily_before_three_years_raises_too_old_with_the_oldest_date(client):
    with pytest.raises(TooOld) as info:
        client.daily("consumption", BASE, date(2022, 11, 4), date(2022, 11, 20))
    assert info.value.code == "DATE_TOO_OLD" and info.value.oldest == date(2022, 11, 5)


def test_batch_wholly_before_activation_raises_too_old(sim, client):
    with pytest.raises(TooOld) as info:
        client.load_curve("consumption", RECENT.usage_point_id, date(2025, 5, 1), date(2025, 5, 20))
    assert info.value.code == "ADAM-ERR0123" and "activation date" in info.value.message
    assert statuses(sim, "/detail/batch/") == [200]


def test_batch_straddling_activation_returns_the_days_after_it_as_partial(client):
    reply = client.load_curve("consumption", RECENT.usage_point_id, date(2025, 5, 25), date(2025, 6, 7))
    assert "ADAM-ERR0123" in reply.partial
    assert {p.day for p in parse_load_curve(reply.data)} == {date(2025, 6, 1) + timedelta(days=n) for n in range(7)}


@pytest.mark.parametrize(("route", "code"), [("/detail/batch/", "NO_DATA"), ("/consumption/daily/", "ENEDIS_ERROR")])
def test_injected_no_data_raises_no_data(sim, client, naps, route, code):
    sim.state.inject("no_data", 1, path=route)
    with pytest.raises(NoData) as info:
        if "batch" in route:
            client.load_curve("consumption", BASE, OCT_1, OCT_8)
        else:
            client.daily("consumption", BASE, OCT_1, OCT_8)
    assert info.value.code == code and naps == []


def test_days_missing_from_the_meter_raise_no_data(client):
    pdl = GAPPY.usage_point_id
    with pytest.raises(NoData):
        client.daily("consumption", pdl, date(2025, 10, 2), date(2025, 10, 5))
    with pytest.raises(NoData):
        client.load_curve("consumption", pdl, date(2025, 10, 2), date(2025, 10, 5))
    days = parse_daily(client.daily("consumption", pdl, date(2025, 10, 9), date(2025, 10, 13)).data)
    assert [d.day for d in days] == [date(2025, 10, 11), date(2025, 10, 12)]


@pytest.mark.parametrize(("kind", "start", "end"), [
    ("daily", date(2025, 10, 8), date(2025, 10, 1)),
    ("daily", date(2024, 10, 1), date(2025, 10, 2)),  # 366 days
    ("batch", date(2025, 10, 8), date(2025, 10, 1)),
])
def test_invalid_date_range_is_rejected_and_never_retried(sim, client, naps, kind, start, end):
    with pytest.raises(RequestRejected) as info:
        if kind == "daily":
            client.daily("consumption", BASE, start, end)
        else:
            client.load_curve("consumption", BASE, start, end)
    assert info.value.code == "INVALID_DATE_RANGE"
    assert len(sim.state.calls("/api/enedis/")) == 1 and naps == []


def test_invalid_date_format_is_rejected(sim, client, naps):
    with pytest.raises(RequestRejected) as info:
        client.call(f"/enedis/consumption/daily/{BASE}", {"start": "2025/10/01", "end": "2025-10-08"}, label="x")
    assert info.value.code == "INVALID_DATE_FORMAT"
    assert len(sim.state.calls("/api/enedis/")) == 1 and naps == []


def test_eight_days_on_the_plain_detail_route_is_rejected(sim, client, naps):
    with pytest.raises(RequestRejected) as info:
        client.call(f"/enedis/consumption/detail/{BASE}", {"start": "2025-10-01", "end": "2025-10-09"}, label="x")
    assert info.value.code == "ENEDIS_ERROR" and info.value.message.startswith("ADAM-DC-0015")
    assert len(sim.state.calls("/api/enedis/")) == 1 and naps == []


def test_enedis_unavailable_is_retried_then_succeeds(sim, client, naps):
    sim.state.inject("enedis_unavailable", 2, path="/consumption/daily/")
    assert len(parse_daily(client.daily("consumption", BASE, OCT_1, OCT_8).data)) == 7
    assert len(sim.state.calls("/consumption/daily/")) == 3 and len(naps) == 2


def test_enedis_unavailable_raises_transient_error_after_the_attempts(sim, client, naps):
    sim.state.inject("enedis_unavailable", 3, path="/consumption/daily/")
    with pytest.raises(TransientError) as info:
        client.daily("consumption", BASE, OCT_1, OCT_8)
    assert type(info.value) is TransientError and info.value.code == "ENEDIS_UNAVAILABLE"
    assert len(sim.state.calls("/consumption/daily/")) == 3 and len(naps) == 2


# -- fault knobs ----------------------------------------------------------------------------------

@pytest.mark.parametrize("failures", [1, 2])
def test_server_error_is_retried_with_exponential_back_off_then_succeeds(sim, client, naps, failures):
    sim.state.inject("server_error", failures, path="/api/pdl")
    assert [p.usage_point_id for p in parse_usage_points(client.usage_points().data)] == PDLS
    assert statuses(sim, "/api/pdl") == [500] * failures + [200]
    assert naps == pytest.approx([0.01 * 2**n for n in range(failures)])


def test_persistent_server_error_raises_transient_error_and_back_off_is_capped(sim, naps):
    client = make_client(sim.url, attempts=5, base=0.01, cap=0.05, naps=naps)
    sim.state.inject("server_error", 6, path="/api/pdl")
    with pytest.raises(TransientError) as info:
        client.usage_points()
    assert info.value.code == "INTERNAL_ERROR" and "HTTP 500" in str(info.value)
    assert statuses(sim, "/api/pdl") == [500] * 5
    assert naps == pytest.approx([0.01, 0.02, 0.04, 0.05])


def test_back_off_is_scaled_by_the_jitter(sim, naps):
    client = make_client(sim.url, base=0.01, naps=naps, rng=lambda: 0.25)
    sim.state.inject("server_error", 2, path="/api/pdl")
    client.usage_points()
    assert naps == pytest.approx([0.0025, 0.005])


def test_timeout_is_retried_then_succeeds(sim, naps):
    client = make_client(sim.url, read_timeout=0.3, naps=naps)
    sim.state.timeout_seconds = 0.8
    sim.state.inject("timeout", 1, path="/api/pdl")
    assert [p.usage_point_id for p in parse_usage_points(client.usage_points().data)] == PDLS
    assert client.counts["pdl"] == 2 and naps == pytest.approx([0.01])


@pytest.mark.slow
def test_persistent_timeout_raises_gateway_unreachable(sim, naps):
    client = make_client(sim.url, attempts=2, read_timeout=1.0, naps=naps)
    sim.state.timeout_seconds = 1.6
    sim.state.inject("timeout", 2, path="/api/pdl")
    with pytest.raises(GatewayUnreachable) as info:
        client.usage_points()
    assert info.value.code == "TIMEOUT" and "no answer from the gateway within 1 s" in str(info.value)
    assert client.counts["pdl"] == 2 and len(naps) == 1


def test_malformed_body_is_retried_then_succeeds(sim, client, naps):
    sim.state.inject("malformed", 1, path="/api/pdl")
    assert [p.usage_point_id for p in parse_usage_points(client.usage_points().data)] == PDLS
    assert statuses(sim, "/api/pdl") == [200, 200] and len(naps) == 1


def test_persistent_malformed_body_raises_malformed_reply(sim, client):
    sim.state.inject("malformed", 3, path="/api/pdl")
    with pytest.raises(MalformedReply) as info:
        client.usage_points()
    assert info.value.code == "MALFORMED" and "not JSON" in info.value.message
    assert len(sim.state.calls("/api/pdl")) == 3


def test_closed_port_raises_gateway_unreachable(naps):
    port = free_port()
    client = make_client(f"http://127.0.0.1:{port}/api", attempts=2, naps=naps)
    with pytest.raises(GatewayUnreachable) as info:
        client.usage_points()
    assert info.value.code == "UNREACHABLE"
    assert f"cannot reach the gateway at 127.0.0.1:{port}" in info.value.message
    assert client.counts["token"] == 2 and len(naps) == 1


# -- token route errors and connect time-outs -------------------------------------------------------

def test_server_error_on_the_token_route_is_reported_as_a_server_error(sim, client):
    sim.state.inject("server_error", 3, path="/accounts/token")
    with pytest.raises(TransientError) as info:
        client.usage_points()
    assert statuses(sim, "/accounts/token") == [500] * 3
    assert not isinstance(info.value, MalformedReply)
    assert "HTTP 500" in str(info.value)


class ConnectTimeoutSession(requests.Session):
    """No TCP connection within the connect time-out (a black-holed address)."""

    def request(self, *args, **kwargs):
        raise requests.ConnectTimeout("connect timed out")


def test_connect_timeout_reports_the_connect_time_out():
    client = GatewayClient("http://gateway.invalid/api", "demo", "demo", retry=RetryPolicy(attempts=1),
                           timeout=(3.0, 90.0), session=ConnectTimeoutSession(), sleep=Naps())
    with pytest.raises(GatewayUnreachable) as info:
        client.usage_points()
    assert "90 s" not in str(info.value) and "3 s" in str(info.value)


class CutShortSession(requests.Session):
    """The connection drops in the middle of a reply body."""

    def request(self, *args, **kwargs):
        raise requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead")


def test_reply_cut_short_is_retried_then_reported():
    naps = Naps()
    client = GatewayClient("http://gateway.invalid/api", "demo", "demo", retry=RetryPolicy(attempts=2, base=0.01),
                           session=CutShortSession(), sleep=naps)
    with pytest.raises(TransientError, match="exchange with the gateway failed") as info:
        client.usage_points()
    assert info.value.code == "TRANSFER" and len(naps) == 1
