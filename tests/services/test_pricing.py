"""Pricing a PDL: storage of offers and choices on every backend, cache, and a month checked independently."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.energy.costs import euros
from myelectricaldata.energy.offers import OfferError
from myelectricaldata.energy.timeline import epoch, local_day_bounds
from myelectricaldata.gateway.parse import CurvePoint
from myelectricaldata.services import pricing, pricing_store
from tests.support.pricing_reference import HCHP, TEMPO, hphc_month, tempo_month, to_cents
from tests.support.syncing import synced_sqlite

PDL = "12345678901234"
OFFER = {"name": "Fixe", "kind": "BASE",
         "versions": [{"valid_from": "2025-01-01", "energy": {"BASE": "0,20"}, "subscription": "10,00"}]}


def curve(day: date, watts: int) -> list[CurvePoint]:
    start, end = (epoch(t) for t in local_day_bounds(day))
    return [CurvePoint(s, 30, watts, day) for s in range(start, end, 1800)]


@pytest.fixture
def stored(engine):
    pricing.clear_cache()
    with engine.begin() as conn:
        repo.save_usage_point(conn, PDL, name="Maison")
        repo.record_contract(conn, PDL, date(2025, 11, 1), {"subscribed_kva": 6, "pricing_option": "BASE",
                                                            "last_tariff_change_date": date(2024, 1, 1)})
        repo.store_load_curve(conn, PDL, "consumption", curve(date(2025, 10, 1), 1000))
    return engine


def test_regulated_by_default_then_the_chosen_offer(stored):
    day = pricing.cost_by_day(stored, PDL, date(2025, 10, 1), date(2025, 10, 1))[0]
    assert day.offer_key == "regulated:BASE" and day.energy_cost == 24 * D("0.1952")
    with stored.begin() as conn:
        offer_id = pricing_store.save_offer(conn, OFFER)
        pricing_store.save_choice(conn, PDL, f"user:{offer_id}", {5: "0:00-24:00"}, "0,1", "9")
    day = pricing.cost_by_day(stored, PDL, date(2025, 10, 1), date(2025, 10, 1))[0]
    assert day.offer_key == f"user:{offer_id}" and day.energy_cost == 24 * D("0.20") and day.kva == 9
    with stored.connect() as conn:
        choice = pricing_store.get_choice(conn, PDL)
    assert choice.buyback == D("0.1") and choice.overrides == {5: ((0, 1440),)}


def test_bad_input_names_fields_and_saves_nothing(stored):
    bad = OFFER | {"kind": "NOPE"}
    with stored.begin() as conn, pytest.raises(OfferError) as err:
        pricing_store.save_offer(conn, bad)
    assert "kind" in err.value.errors
    with stored.begin() as conn, pytest.raises(OfferError) as err:
        pricing_store.save_choice(conn, PDL, "user:999", {0: "25H00-1H00"}, "-1", "7")
    assert set(err.value.errors) == {"offer_key", "offpeak_0", "buyback", "kva"}
    with stored.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(m.user_offers)) == 0
        assert conn.scalar(sa.select(sa.func.count()).select_from(m.pdl_pricing)) == 0


def test_cache_is_reused_and_invalidated(stored):
    first = pricing.cost_by_day(stored, PDL, date(2025, 10, 1), date(2025, 10, 1))
    assert pricing.cost_by_day(stored, PDL, date(2025, 10, 1), date(2025, 10, 1)) is first
    with stored.begin() as conn:
        repo.record_contract(conn, PDL, date(2025, 11, 2), {"subscribed_kva": 9, "pricing_option": "BASE"})
    again = pricing.cost_by_day(stored, PDL, date(2025, 10, 1), date(2025, 10, 1))
    assert again is not first
    with stored.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", curve(date(2025, 10, 1), 2000))
    assert pricing.cost_by_day(stored, PDL, date(2025, 10, 1), date(2025, 10, 1))[0].energy["BASE"] == 2_880_000


def test_simulation_and_power_advice(stored):
    with stored.begin() as conn:
        pricing_store.save_offer(conn, OFFER)
        repo.upsert(conn, m.max_power, [{"usage_point_id": PDL, "day": date(2025, 10, d), "va": 2500 + d * 10,
                                         "at_utc": 0} for d in range(1, 31)])
    results = pricing.simulate(stored, PDL, date(2025, 11, 5))
    assert {r.key for r in results} == {"regulated:BASE", "regulated:HPHC", "regulated:TEMPO", "user:1"}
    assert [r.last_12_months for r in results] == sorted(r.last_12_months for r in results)
    assert next(r for r in results if r.key == "regulated:BASE").savings == 0
    advice = pricing.max_power_advice(stored, PDL, date(2025, 11, 5))
    # 2510..2800 VA: days 20-30 reach 2700 VA, 90 % of 3 kVA
    assert advice.lower_kva == 3 and advice.peak_va == 2800 and advice.lower_close_days == 11
    assert advice.yearly_saving == (D("15.47") - D("11.73")) * 12


# -- one month of the simulator, priced independently ------------------------------------------
@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sim")
    with synced_sqlite(tmp, [HCHP, TEMPO], date(2025, 9, 28)) as engine:
        yield engine


def test_hphc_month_matches_an_independent_computation(synced):
    days = pricing.cost_by_day(synced, HCHP, date(2025, 10, 1), date(2025, 10, 31))
    assert len(days) == 31
    assert euros(sum((d.total for d in days), D(0))) == to_cents(hphc_month(synced))


def test_tempo_month_matches_an_independent_computation(synced):
    days = pricing.cost_by_day(synced, TEMPO, date(2025, 10, 1), date(2025, 10, 31))
    assert euros(sum((d.total for d in days), D(0))) == to_cents(tempo_month(synced))
