"""A catalog offer pricing a PDL on every backend: chosen here (a key longer than the old column), or named on the
gateway; the Zen Flex days reach the € pricing (an unknown day priced Sobriété and flagged); the cached results
follow the offer's grids; and the 0007 migration matches the models."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from myelectricaldata.database import catalog as store
from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.energy.catalog import CatalogGrid, history_key, offer_key
from myelectricaldata.energy.timeline import epoch, local_day_bounds
from myelectricaldata.gateway.parse import CurvePoint
from myelectricaldata.services import pricing, pricing_settings, pricing_store, ranking
from myelectricaldata.services.errors import FieldError
from myelectricaldata.services.price_cache import PriceCache

PDL = "12345678901234"
JANUARY = [date(2025, 1, d) for d in (13, 14, 15)]  # Monday to Wednesday
ZEN = CatalogGrid("zen-1", "EDF", "Zen Week-End - Option Flex - 9 kVA", "SEASONAL", 9, D("15.74"), {
    "hc_price_winter": D("0.2091"), "hp_price_winter": D("0.7253"), "hc_price_summer": D("0.1519"),
    "hp_price_summer": D("0.2091")}, date(2024, 9, 1))
LONG = CatalogGrid("long-1", "F" * 100, "O" * 200, "BASE", 9, D("12"), {"base_price": D("0.2")}, date(2024, 1, 1))


def curve(day: date, watts: int) -> list[CurvePoint]:
    start, end = (epoch(t) for t in local_day_bounds(day))
    return [CurvePoint(s, 30, watts, day) for s in range(start, end, 1800)]


@pytest.fixture
def stored(engine):
    """A 9 kVA BASE PDL with three days of 1 kW, the gateway naming the Zen Flex row as its offer; two catalog
    offers; the Zen Flex types of the 13th (Éco) and 14th (Sobriété), the 15th unknown."""
    with engine.begin() as conn:
        repo.save_usage_point(conn, PDL, name="Maison", selected_offer_id="zen-1")
        repo.record_contract(conn, PDL, date(2025, 1, 1), {"subscribed_kva": 9, "pricing_option": "BASE",
                                                           "last_tariff_change_date": date(2024, 1, 1)})
        for day in JANUARY:
            repo.store_load_curve(conn, PDL, "consumption", curve(day, 1000))
        store.store_history(conn, {history_key(g): (g,) for g in (ZEN, LONG)})
        store.store_zen_flex_days(conn, {JANUARY[0]: "ECO", JANUARY[1]: "SOBRIETE"})
    return engine


def test_the_gateway_s_offer_prices_the_pdl_with_the_zen_flex_days(stored):
    in_force = pricing.offer_in_force(stored, PDL, date(2025, 1, 16))
    assert (in_force.source, in_force.offer.key, in_force.chosen) == (
        "gateway", "catalog:EDF|Zen Week-End - Option Flex|ZEN_FLEX|9", False)
    eco, sobriete, unknown = pricing.cost_by_day(stored, PDL, JANUARY[0], JANUARY[2])
    # 24 kWh a day: 17 h off-peak (20-08, 13-18), 7 h peak
    assert eco.energy_cost == 17 * D("0.1519") + 7 * D("0.2091") and not eco.estimated
    assert sobriete.energy_cost == 17 * D("0.2091") + 7 * D("0.7253") and not sobriete.estimated
    assert unknown.energy_cost == sobriete.energy_cost and unknown.estimated  # unknown: Sobriété, flagged
    assert unknown.unknown_days == ((JANUARY[2], "ZEN_FLEX", "SOBRIETE"),)
    assert eco.subscription == D("15.74") * 12 / 365


def test_a_catalog_offer_chosen_here_wins_and_its_long_key_is_kept(stored):
    key = offer_key(history_key(LONG))
    assert len(key) > 300
    pricing_settings.save_choice(stored, PDL, "", {2: "22:00-06:00"}, "0,1", 9)
    choice = pricing_settings.choose_offer(stored, PDL, key)
    assert (choice.offer_key, choice.kva, choice.buyback, choice.overrides) == (key, 9, D("0.1"), {2: ((0, 360),
                                                                                                        (1320, 1440))})
    in_force = pricing.offer_in_force(stored, PDL, date(2025, 1, 16))
    assert in_force.source == "choice" and in_force.offer.key == key
    assert [d.energy_cost for d in pricing.cost_by_day(stored, PDL, JANUARY[0], JANUARY[0])] == [24 * D("0.2")]
    with pytest.raises(FieldError) as error:
        pricing_settings.choose_offer(stored, PDL, "catalog:nobody|nothing|BASE|9")
    assert "offer_key" in error.value.errors
    with stored.connect() as conn:
        assert pricing_store.get_choice(conn, PDL).offer_key == key  # the refused choice stored nothing


def test_the_cache_follows_the_chosen_offer_s_grids(stored):
    prices: PriceCache = PriceCache()
    before = pricing.cost_by_day(stored, PDL, JANUARY[0], JANUARY[0], prices)
    newer = CatalogGrid("zen-2", ZEN.provider, ZEN.name, ZEN.offer_type, 9, D("16"), {
        **ZEN.prices, "hp_price_summer": D("0.2500")}, date(2025, 1, 1))
    with stored.begin() as conn:  # a new grid stored by another process: the fingerprint sees it
        store.store_history(conn, {history_key(ZEN): (replace(ZEN, valid_to=newer.valid_from), newer)})
    after = pricing.cost_by_day(stored, PDL, JANUARY[0], JANUARY[0], prices)
    assert before[0].energy_cost == 17 * D("0.1519") + 7 * D("0.2091")
    assert after[0].energy_cost == 17 * D("0.1519") + 7 * D("0.25") and after[0].prices_from == date(2025, 1, 1)


def test_the_ranking_marks_the_gateway_s_offer_and_keeps_it_when_no_longer_sold(stored):
    with stored.begin() as conn:
        store.store_history(conn, {history_key(ZEN): (replace(ZEN, valid_to=date(2025, 1, 10)),)})
    ranked = ranking.rank(stored, PDL, date(2025, 1, 16))
    keys = [r.key for r in ranked.results]
    assert ranked.current.key in keys and ranked.source == "gateway"
    assert not ranked.still_offered(ranked.current.key, date(2025, 1, 16))
    assert offer_key(history_key(LONG)) in keys and {"regulated:BASE", "regulated:HPHC"} <= set(keys)
    zen = ranked.current_result
    assert zen.nearest_grid_days == 3 and zen.unknown_calendar_days == 1  # after its last grid; the 15th unknown


def test_the_migration_matches_the_models(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), m.metadata)
    ours = [d for d in diff if any(name in repr(d) for name in ("pdl_pricing", "usage_points"))]
    assert ours == []
    columns = {c["name"]: c for c in sa.inspect(engine).get_columns("pdl_pricing")}
    assert columns["offer_key"]["type"].length == 400
    assert "selected_offer_id" in {c["name"] for c in sa.inspect(engine).get_columns("usage_points")}


def test_days_before_any_zen_flex_day_are_unknown_not_eco(stored):
    day = JANUARY[0] - timedelta(days=1)
    with stored.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", curve(day, 1000))
    (cost,) = pricing.cost_by_day(stored, PDL, day, day)
    assert cost.unknown_days == ((day, "ZEN_FLEX", "SOBRIETE"),) and cost.estimated
