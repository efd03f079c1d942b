"""The simulated supplier catalog: public routes, the gateway's row shape and quirks, the quoted rows on their
day, dated grids with new ids, the include_history filter, and a catalog that is the same for a given today."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from myelectricaldata.energy.catalog import CATALOG_TYPES, name_without_kva, offer_kind
from myelectricaldata.energy.tariffs import KVA_LEVELS, regulated_tariffs, version_on
from myelectricaldata.gateway.catalog import group_history, parse_offers, parse_providers
from tests.support.fixtures import fixture_json
from tests.support.simulator import TODAY, Gateway

PUBLIC: dict = {}  # no Authorization header


def payload(name: str) -> dict:
    return fixture_json("gateway", "catalog", name)


def offers(gateway: Gateway, **params) -> list[dict]:
    response = gateway.get("/energy/offers", headers=PUBLIC, **params)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["success"] is True and body["error"] is None
    return body["data"]


def providers(gateway: Gateway) -> list[dict]:
    response = gateway.get("/energy/providers", headers=PUBLIC)
    assert response.status_code == 200
    return response.get_json()["data"]


def instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@pytest.fixture(scope="module")
def gateway():
    return Gateway()


@pytest.fixture(scope="module")
def history(gateway):
    return offers(gateway, include_history="true")


def test_catalog_routes_are_public_and_enveloped(gateway):
    for path in ("/energy/providers", "/energy/offers", "/energy/offer-types", "/energy/pricing-types"):
        response = gateway.get(path, headers=PUBLIC)
        assert response.status_code == 200, path
        body = response.get_json()
        assert set(body) == {"success", "data", "error", "timestamp"} and body["success"] is True
        assert body["timestamp"] == "2026-11-27T11:00:00"  # noon in Paris, naive UTC
    assert gateway.state.usage_stats()["cached_requests"] == gateway.state.usage_stats()["no_cache_requests"] == 0


def test_providers_have_the_gateway_fields_and_unique_names(gateway):
    quoted = payload("energy-providers.json")["data"]
    listed = providers(gateway)
    assert len(listed) >= 12
    assert all(list(p) == list(quoted[0]) for p in listed)
    assert len({p["name"] for p in listed}) == len({p["id"] for p in listed}) == len(listed)
    by_name = {p["name"]: p for p in listed}
    for q in quoted:  # EDF and Enercoop as the gateway's seed and scrapers describe them
        assert {k: by_name[q["name"]][k] for k in ("logo_url", "website", "scraper_urls")} == \
            {k: q[k] for k in ("logo_url", "website", "scraper_urls")}


def test_offer_types_are_the_quoted_payload(gateway):
    assert gateway.get("/energy/offer-types", headers=PUBLIC).get_json()["data"] == \
        payload("energy-offer-types.json")["data"]


def test_rows_have_the_gateway_fields_in_order_and_prices_as_strings(history):
    fields = list(payload("energy-offers.json")["data"][0])
    assert all(list(row) == fields for row in history)
    prices = [v for row in history for k, v in row.items()
              if k.endswith(("_price", "_hc", "_hp", "_weekend", "_winter", "_summer")) or k.startswith("ejp_")
              if v is not None]
    assert prices and all(isinstance(v, str) and len(v.split(".")[1]) == 5 for v in prices)
    assert all(isinstance(r["power_kva"], int | None) and isinstance(r["is_active"], bool) for r in history)


def test_every_type_every_kva_and_the_naming_quirks(gateway, history):
    current = offers(gateway)
    assert {r["offer_type"] for r in current} == set(CATALOG_TYPES)
    assert {r["power_kva"] for r in current} == {*KVA_LEVELS, None}
    names = {r["name"] for r in current}
    assert "Tarif Bleu" in names  # seed rows: no kVA in the name
    assert any(n.endswith(" 6 kVA") and not n.endswith("- 6 kVA") for n in names)  # scrapers
    assert any(n.endswith(" - 6 kVA") for n in names)  # contributions
    no_kva = [r for r in current if r["power_kva"] is None]
    assert any(" kVA" in r["name"] for r in no_kva) and any(" kVA" not in r["name"] for r in no_kva)
    zen_flex = {r["offer_type"] for r in current if offer_kind(r["offer_type"], r["name"]) == "ZEN_FLEX"}
    assert zen_flex == {"SEASONAL", "ZEN_FLEX"}  # typed as the production row and as the scraper does
    assert any(r["hc_schedules"] for r in current) and any(r["peak_day_price"] for r in current)


def test_without_history_only_active_unexpired_rows(gateway, history):
    now = gateway.state.now()
    current = offers(gateway)
    expected = [r for r in history if r["is_active"] and (r["valid_to"] is None or instant(r["valid_to"]) >= now)]
    assert current == expected and len(history) > len(current)
    assert any(not r["is_active"] for r in history)
    assert any(r["is_active"] and instant(r["valid_to"]) and instant(r["valid_to"]) < now for r in history), \
        "a closed contributed grid keeps is_active"
    assert offers(gateway, include_history="false") == current


def test_bad_flag_is_a_validation_error_and_provider_filter(gateway):
    response = gateway.get("/energy/offers", headers=PUBLIC, include_history="maybe")
    assert response.status_code == 422 and response.get_json()["detail"][0]["loc"] == ["query", "include_history"]
    enercoop = next(p["id"] for p in providers(gateway) if p["name"] == "Enercoop")
    rows = offers(gateway, provider_id=enercoop, include_history="true")
    assert rows and {r["provider_id"] for r in rows} == {enercoop}


def test_rows_are_sorted_newest_first_with_undated_rows_first(history):
    starts = [r["valid_from"] for r in history]
    undated = starts.count(None)
    assert undated and starts[:undated] == [None] * undated
    assert starts[undated:] == sorted(starts[undated:], reverse=True)


def _row_on(gateway: Gateway, history: list[dict], provider: str, quoted: dict, day: date) -> dict:
    """The row of the quoted offer (same supplier, name, type, kVA) whose grid is in force on ``day``."""
    supplier = next(p["id"] for p in providers(gateway) if p["name"] == provider)
    rows = [r for r in history if r["provider_id"] == supplier and r["name"] == quoted["name"]
            and r["offer_type"] == quoted["offer_type"] and r["power_kva"] == quoted["power_kva"]]
    assert len(rows) >= 3, "several grids"
    grids = sorted(parse_offers(rows, parse_providers(providers(gateway))).grids, key=lambda g: g.valid_from)
    in_force = [g for g in grids if g.valid_from <= day][-1]
    return next(r for r in rows if r["id"] == in_force.offer_id)


@pytest.mark.parametrize("quoted", payload("energy-offers.json")["data"], ids=lambda r: r["name"] + r["offer_type"])
def test_the_quoted_rows_are_the_grid_in_force_on_their_day(gateway, history, quoted):
    provider = "EDF" if quoted["provider_id"].endswith("8000-000000000001") else "Enercoop"
    row = _row_on(gateway, history, provider, quoted, date(2025, 8, 1))
    priced = {k: v for k, v in quoted.items() if k.endswith(("_price", "_hc", "_hp", "_winter", "_summer"))}
    assert {k: row[k] for k in priced} == priced


def test_prices_change_with_new_ids_and_two_grids_in_the_last_18_months():
    for today in (TODAY, date(2025, 11, 5), date(2027, 6, 30)):
        rows = offers(Gateway(today=today), include_history="true")
        by_offer = defaultdict(list)
        for r in rows:
            by_offer[r["provider_id"], r["name"], r["offer_type"], r["power_kva"]].append(r)
        recent = today - timedelta(days=548)
        changed = [k for k, grids in by_offer.items()
                   if len({g["id"] for g in grids}) == len(grids) >= 2
                   and sum(1 for g in grids if g["valid_from"] and recent <= instant(g["valid_from"]).date() <= today)
                   >= 2 and len({g["subscription_price"] for g in grids}) >= 2]
        assert len(changed) >= 100, today


def test_the_catalog_is_the_same_for_a_given_today_and_keeps_its_past():
    assert offers(Gateway(), include_history="true") == offers(Gateway(), include_history="true")
    earlier = {r["id"] for r in offers(Gateway(today=TODAY - timedelta(days=200)), include_history="true")}
    later = {r["id"] for r in offers(Gateway(), include_history="true")}
    assert earlier < later


def test_every_row_is_read_by_the_client_and_each_demo_power_has_40_offers(gateway, history):
    parsed = parse_offers(history, parse_providers(providers(gateway)))
    assert parsed.refused == [] and len(parsed.grids) == len(history)
    groups = group_history(parsed.grids)
    for kva in (6, 9):
        current = [k for k, g in groups.items() if k[3] in (kva, None) and (g[-1].valid_to is None
                                                                           or g[-1].valid_to > TODAY)]
        assert len(current) >= 40, kva
    assert {kind for _, _, kind, _ in groups} == set(CATALOG_TYPES)


def test_prices_are_close_to_the_regulated_ones_and_subscriptions_grow_with_power(gateway):
    current = offers(gateway)
    regulated = version_on(regulated_tariffs()["BASE"], TODAY).energy_for(6)["BASE"]
    bases = [Decimal(r["base_price"]) for r in current if r["offer_type"] == "BASE" and r["power_kva"] == 6]
    assert len(bases) >= 15 and all(abs(b / regulated - 1) < Decimal("0.35") for b in bases)
    by_offer = defaultdict(dict)
    for r in current:
        if r["power_kva"]:
            key = (r["provider_id"], name_without_kva(r["name"]), r["offer_type"], r["valid_from"])
            by_offer[key][r["power_kva"]] = Decimal(r["subscription_price"])
    for monthly in by_offer.values():
        levels = [monthly[k] for k in sorted(monthly)]
        assert levels == sorted(levels) and len(set(levels)) == len(levels)
    assert Counter(len(m) >= 8 for m in by_offer.values())[True] >= 30


def test_a_fault_injected_on_the_catalog_is_served(gateway):
    gateway.state.inject("server_error", 1, path="/energy/offers")
    assert gateway.get("/energy/offers", headers=PUBLIC).status_code == 500
    assert gateway.get("/energy/offers", headers=PUBLIC).status_code == 200


def test_instants_are_utc_with_an_offset(history):
    stamps = [instant(r[k]) for r in history for k in ("valid_from", "valid_to", "price_updated_at", "created_at")
              if r[k]]
    assert all(s.utcoffset() == timedelta(0) and s.tzinfo is not None for s in stamps)
    assert all(s.astimezone(UTC) <= datetime(2026, 11, 27, 11, tzinfo=UTC) for s in
               (instant(r["created_at"]) for r in history))
