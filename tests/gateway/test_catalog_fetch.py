"""The catalog and Zen Flex calls against the simulated gateway over HTTP: public requests outside the quota,
the envelope checked, transient faults retried, and the answers parsed and grouped ready to store."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from myelectricaldata.energy.catalog import CATALOG_TYPES
from myelectricaldata.gateway.catalog import group_history, parse_offers, parse_providers
from myelectricaldata.gateway.catalog_fetch import fetch_catalog, fetch_offer_types, fetch_zen_flex_days
from myelectricaldata.gateway.errors import MalformedReply, TransientError
from myelectricaldata.simulator.state import SimulatorState
from tests.support.simfront import TODAY, Naps, make_client, plug_in, statuses


@pytest.fixture
def sim(server):
    return plug_in(server)


@pytest.fixture
def naps():
    return Naps()


@pytest.fixture
def client(sim, naps):
    return make_client(sim.url, naps=naps)


def test_the_catalog_is_two_public_requests_with_every_grid(sim, client):
    fetched = fetch_catalog(client)
    assert sim.front.seen == [
        ("GET", "/api/energy/providers", None), ("GET", "/api/energy/offers", None)]
    assert sim.state.calls("/energy/offers")[0].query == {"include_history": "true"}
    assert client.counts == {"catalog_providers": 1, "catalog_offers": 1}
    offers = client.energy_offers(include_history=True).data
    assert fetched.received == len(offers) and fetched.refused == []
    assert fetched.history == group_history(parse_offers(offers, parse_providers(
        client.energy_providers().data)).grids)
    assert {kind for _, _, kind, _ in fetched.history} == set(CATALOG_TYPES)
    assert len(fetched.providers) >= 12


def test_without_history_fewer_rows_and_no_flag_sent(sim, client):
    current = client.energy_offers(include_history=False).data
    assert sim.state.calls("/energy/offers")[-1].query == {}
    assert 0 < len(current) < len(client.energy_offers().data)


def test_public_calls_work_with_the_quota_used_up(sim, client):
    sim.state.exhaust_quota()
    assert fetch_catalog(client).history
    assert [t.code for t in fetch_offer_types(client)][:3] == ["BASE", "HC_HP", "TEMPO"]
    assert list(fetch_zen_flex_days(client, TODAY, TODAY)) == [TODAY]
    stats = sim.state.usage_stats()  # nothing counted on top of the exhausted buckets
    assert (stats["cached_requests"], stats["no_cache_requests"]) == (stats["cached_limit"], stats["no_cache_limit"])


def test_a_server_error_is_retried_with_back_off(sim, client, naps):
    sim.state.inject("server_error", 1, path="/energy/offers")
    assert fetch_catalog(client).history
    assert statuses(sim, "/energy/offers") == [500, 200] and len(naps) == 1


def test_a_reply_cut_short_every_time_ends_in_a_transient_error(sim, client, naps):
    sim.state.inject("malformed", 3, path="/energy/providers")
    with pytest.raises(MalformedReply) as info:
        fetch_catalog(client)
    assert isinstance(info.value, TransientError) and "/energy/providers" in info.value.request
    assert len(naps) == 2 and statuses(sim, "/energy/offers") == []


def test_zen_flex_days_by_range_and_the_whole_calendar(sim, client):
    week = fetch_zen_flex_days(client, TODAY - timedelta(days=6), TODAY)
    assert sorted(week) == [TODAY - timedelta(days=n) for n in range(6, -1, -1)]
    assert sim.state.calls("/zen-flex/days")[0].query == {"start": (TODAY - timedelta(days=6)).isoformat(),
                                                          "end": TODAY.isoformat()}
    whole = fetch_zen_flex_days(client)
    assert sim.state.calls("/zen-flex/days")[1].query == {}
    assert min(whole) == date(2023, 11, 1) and max(whole) == TODAY + timedelta(days=1)
    assert set(whole.values()) == {"ECO", "SOBRIETE", "BONUS"}
    assert {d: whole[d] for d in week} == week


def test_zen_flex_before_publication_leaves_tomorrow_unknown(server):
    sim = plug_in(server)
    sim.state.set_now(SimulatorState(today=TODAY).now().replace(hour=9))
    whole = fetch_zen_flex_days(make_client(sim.url), TODAY, TODAY + timedelta(days=1))
    assert list(whole) == [TODAY]
