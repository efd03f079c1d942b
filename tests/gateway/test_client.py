"""GatewayClient against the simulated gateway over HTTP: auth, envelope, request counts, routes and parsing.

Error codes and fault knobs (retries, time-outs, malformed bodies) are in ``test_client_faults.py``.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, timedelta
from urllib.parse import parse_qs

import pytest
import requests

from myelectricaldata.energy.timeline import local_day_bounds
from myelectricaldata.gateway.errors import AuthError, ConsentError
from myelectricaldata.gateway.parse import (
    parse_address,
    parse_contract,
    parse_daily,
    parse_ecowatt,
    parse_load_curve,
    parse_max_power,
    parse_tempo,
    parse_usage_points,
)
from tests.support.simfront import BASE, HCHP, TEMPO, TODAY, make_client, plug_in, statuses

SECRET = "s3cr3t-XYZ"


@pytest.fixture
def sim(server):
    return plug_in(server)


@pytest.fixture
def client(sim):
    return make_client(sim.url)


@pytest.fixture
def tokenless(server):
    return plug_in(server, hide_token_route=True)


# -- authentication -------------------------------------------------------------------------------

def test_first_call_posts_form_credentials_then_sends_the_token_as_bearer(sim):
    sent: list[requests.PreparedRequest] = []
    session = requests.Session()
    session.hooks["response"].append(lambda resp, *args, **kwargs: sent.append(resp.request))
    client = make_client(sim.url, session=session)
    client.usage_points()
    client.usage_stats()
    client.contract(HCHP)

    token_request, *data_requests = sent
    assert (token_request.method, token_request.url) == ("POST", f"{sim.url}/accounts/token")
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(token_request.body) == {"grant_type": ["client_credentials"], "client_id": ["demo"],
                                            "client_secret": ["demo"]}
    assert "Authorization" not in token_request.headers
    assert len(data_requests) == 3
    bearers = {r.headers["Authorization"] for r in data_requests}
    assert len(bearers) == 1, "the token is cached and reused"
    scheme, token = bearers.pop().split(" ", 1)
    assert scheme == "Bearer" and token != "demo" and token in sim.state.tokens
    assert len(sim.state.calls("/accounts/token")) == 1 and client.counts["token"] == 1


def test_expired_token_gets_one_401_then_a_new_token_and_the_call_succeeds(sim, client):
    client.usage_points()
    old = set(sim.state.tokens)
    sim.state.expire_tokens()
    assert [p.usage_point_id for p in parse_usage_points(client.usage_points().data)] == [BASE, HCHP, TEMPO]
    assert statuses(sim, "/api/pdl") == [200, 401, 200]
    assert len(sim.state.calls("/accounts/token")) == 2
    assert sim.state.tokens and not set(sim.state.tokens) & old
    client.usage_points()
    assert len(sim.state.calls("/accounts/token")) == 2, "the renewed token is cached in turn"


def test_wrong_credentials_raise_auth_error_that_never_shows_the_secret(sim, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="urllib3")  # whatever another library set it to
    client = make_client(sim.url, secret=SECRET)
    with pytest.raises(AuthError) as info:
        client.daily("consumption", BASE, date(2025, 10, 1), date(2025, 10, 8))
    exc = info.value
    assert "CLIENT_ID/CLIENT_SECRET" in str(exc) and exc.code == "HTTP_401"
    assert [(r.method, r.path, r.status) for r in sim.state.requests] == [("POST", "/api/accounts/token", 401)]
    assert any(r.name.startswith("urllib3") for r in caplog.records), "DEBUG logs were captured"
    texts = [str(exc), repr(exc), exc.message, exc.request, *map(str, exc.args), caplog.text,
             *(r.getMessage() for r in caplog.records)]
    assert not [t for t in texts if SECRET in t]


def test_gateway_without_token_route_gets_the_client_secret_as_bearer(tokenless):
    client = make_client(tokenless.url)
    assert len(parse_usage_points(client.usage_points().data)) == 3
    assert parse_contract(client.contract(HCHP).data, HCHP).subscribed_kva == 9
    assert tokenless.front.seen == [
        ("POST", "/api/accounts/token", None),
        ("GET", "/api/pdl", "Bearer demo"),
        ("GET", f"/api/enedis/contract/{HCHP}", "Bearer demo"),
    ]
    assert client.counts["token"] == 1


def test_gateway_without_token_route_and_a_wrong_secret_raises_auth_error(tokenless, caplog):
    caplog.set_level(logging.DEBUG)
    client = make_client(tokenless.url, secret=SECRET)
    with pytest.raises(AuthError) as info:
        client.usage_points()
    assert "check CLIENT_ID and CLIENT_SECRET" in str(info.value)
    assert [s[:2] for s in tokenless.front.seen] == [("POST", "/api/accounts/token"), ("GET", "/api/pdl")]
    assert SECRET not in str(info.value) + repr(info.value) + caplog.text


# -- envelope -------------------------------------------------------------------------------------

def test_success_false_under_http_200_raises(sim, client):
    sim.state.revoke(HCHP)
    with pytest.raises(ConsentError) as info:
        client.contract(HCHP)
    assert info.value.code == "ACCESS_DENIED"
    assert statuses(sim, "/enedis/contract/") == [200]


def test_partial_data_returns_the_chunks_that_came_and_the_warning(sim, client, caplog):
    sim.state.inject("partial", path="/detail/batch/")
    reply = client.load_curve("consumption", BASE, date(2025, 10, 1), date(2025, 10, 14))
    assert "1 of 2 periods" in reply.partial
    points = parse_load_curve(reply.data)
    assert len(points) == 7 * 48
    assert {p.day for p in points} == {date(2025, 10, 1) + timedelta(days=n) for n in range(7)}
    assert any("partial data" in r.getMessage() for r in caplog.records)
    assert client.load_curve("consumption", BASE, date(2025, 10, 1), date(2025, 10, 7)).partial == ""


# -- request counts -------------------------------------------------------------------------------

def test_counts_tally_requests_per_label_including_retries(sim, client):
    sim.state.inject("server_error", 1, path="/consumption/daily/")
    client.usage_points()
    client.usage_points()
    client.daily("consumption", BASE, date(2025, 10, 1), date(2025, 10, 3))
    client.load_curve("consumption", BASE, date(2025, 10, 1), date(2025, 10, 1))
    client.tempo_days(date(2025, 10, 1), date(2025, 10, 2))
    assert client.counts == Counter({"token": 1, "pdl": 2, "consumption_daily": 2, "consumption_load_curve": 1,
                                     "tempo": 1})


# -- routes, round trip and parsing ---------------------------------------------------------------

def test_pdl_list_has_the_three_demo_usage_points(sim, client):
    sim.state.revoke(TEMPO)
    points = parse_usage_points(client.usage_points().data)
    assert [p.usage_point_id for p in points] == [BASE, HCHP, TEMPO]
    assert [p.pricing_option for p in points] == ["BASE", "HC_HP", "TEMPO"]
    assert [p.has_production for p in points] == [False, False, True]
    assert [p.is_active for p in points] == [True, True, False]
    assert points[1].activation_date == date(2014, 10, 6) and points[1].name == "Maison Tours"


def test_daily_end_is_exclusive_and_equals_the_load_curve_energy(client):
    days = parse_daily(client.daily("consumption", BASE, date(2025, 10, 1), date(2025, 10, 8)).data)
    assert [d.day for d in days] == [date(2025, 10, 1) + timedelta(days=n) for n in range(7)]
    assert all(d.value > 0 for d in days)
    curve = parse_load_curve(client.load_curve("consumption", BASE, date(2025, 10, 3), date(2025, 10, 3)).data)
    assert sum(p.watts * p.minutes for p in curve) == days[2].value * 60


def test_production_daily_of_the_solar_home(client):
    days = parse_daily(client.daily("production", TEMPO, date(2025, 7, 1), date(2025, 7, 4)).data)
    assert [d.day for d in days] == [date(2025, 7, 1), date(2025, 7, 2), date(2025, 7, 3)]
    assert all(d.value > 0 for d in days)
    assert client.counts["production_daily"] == 1


def test_max_power_is_within_the_subscription_and_stamped_inside_its_day(client):
    peaks = parse_max_power(client.max_power(BASE, date(2025, 10, 1), date(2025, 10, 8)).data)
    assert [p.day for p in peaks] == [date(2025, 10, 1) + timedelta(days=n) for n in range(7)]
    for peak in peaks:
        assert 0 < peak.va <= 6000
        start, end = local_day_bounds(peak.day)
        assert start.timestamp() <= peak.at < end.timestamp()


def test_load_curve_batch_end_is_inclusive_fall_back_day_has_50_points(sim, client):
    points = parse_load_curve(client.load_curve("consumption", BASE, date(2025, 10, 26), date(2025, 10, 26)).data)
    assert len(points) == 50
    assert {(p.minutes, p.day) for p in points} == {(30, date(2025, 10, 26))}
    start, _ = local_day_bounds(date(2025, 10, 26))
    assert [p.start for p in points] == [int(start.timestamp()) + 1800 * n for n in range(50)]
    assert sim.state.calls("/detail/batch/")[0].query == {"start": "2025-10-26", "end": "2025-10-26",
                                                           "use_cache": "true"}


def test_contract_of_the_offpeak_home(client):
    facts = parse_contract(client.contract(HCHP).data, HCHP)
    assert facts.subscribed_kva == 9
    assert facts.offpeak_hours == "01:30-08:00;12:30-14:00"
    assert facts.offpeak_raw == "HC (1H30-8H00;12H30-14H00)"
    assert (facts.distribution_tariff, facts.contract_status) == ("BTINFMUDT", "SERVC")
    assert facts.last_activation_date == date(2014, 10, 6)
    base = parse_contract(client.contract(BASE).data, BASE)
    assert (base.subscribed_kva, base.offpeak_hours, base.distribution_tariff) == (6, "", "BTINFCUST")


def test_address_of_the_offpeak_home(client):
    addr = parse_address(client.address(HCHP).data, HCHP)
    assert addr == ("27 allée des Tilleuls", "", "37000", "37261", "TOURS", "France", "47.3941", "0.6848")


def test_tempo_days_are_public_and_inclusive(sim, client):
    days = parse_tempo(client.tempo_days(date(2025, 11, 1), date(2025, 11, 6)).data)
    assert [d for d, _ in days] == [date(2025, 11, 1) + timedelta(days=n) for n in range(6)]
    assert {c for _, c in days} <= {"BLUE", "WHITE", "RED"}
    (record,) = sim.state.calls("/tempo/days")
    assert record.query == {"start_date": "2025-11-01", "end_date": "2025-11-06"} and record.status == 200
    assert client.counts["token"] == 0, "a public route needs no token"


def test_ecowatt_forecast_days_and_hours(sim, client):
    days = parse_ecowatt(client.ecowatt_forecast(days=3).data)
    assert [d.day for d in days] == [TODAY, TODAY + timedelta(days=1), TODAY + timedelta(days=2)]
    for day in days:
        assert len(day.hours) == 24 and day.hours[:6] == (0,) * 6
        assert 1 <= day.level <= 3 and day.level == max(1, *day.hours) and day.message
    assert sim.state.calls("/ecowatt/forecast")[0].query == {"days": "3"}


def test_usage_stats_counters_move_after_calls(client):
    before = client.usage_stats().data
    assert (before["cached_requests"], before["no_cache_requests"]) == (0, 0)
    assert (before["cached_limit"], before["no_cache_limit"]) == (1000, 50)
    client.daily("consumption", BASE, date(2025, 10, 1), date(2025, 10, 3))
    client.contract(HCHP)
    client.ecowatt_forecast()
    after = client.usage_stats().data
    assert (after["cached_requests"], after["no_cache_requests"]) == (2, 1)
    assert after["date"] == TODAY.isoformat()

