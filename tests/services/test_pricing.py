"""Pricing a PDL: storage of offers and choices on every backend, cache, and a month checked independently."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from myelectricaldata.database import curve_days
from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.energy.costs import euros
from myelectricaldata.energy.offers import OfferError
from myelectricaldata.energy.timeline import epoch, local_day_bounds
from myelectricaldata.gateway.parse import CurvePoint
from myelectricaldata.services import comparisons, pricing, pricing_settings, pricing_store, ranking
from myelectricaldata.services.errors import FieldError
from myelectricaldata.services.price_cache import PriceCache
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


def test_cache_is_reused_and_invalidated_by_what_another_process_stores(stored):
    prices = PriceCache()
    first = pricing.cost_by_day(stored, PDL, date(2025, 10, 1), date(2025, 10, 1), prices)
    assert pricing.cost_by_day(stored, PDL, date(2025, 10, 1), date(2025, 10, 1), prices) is first
    assert pricing.cost_by_day(stored, PDL, date(2025, 10, 1), date(2025, 10, 1)) is not first  # no cache given
    with stored.begin() as conn:  # as a `sync` command beside `serve` would: the cache is not told
        repo.record_contract(conn, PDL, date(2025, 11, 2), {"subscribed_kva": 9, "pricing_option": "BASE"})
    again = pricing.cost_by_day(stored, PDL, date(2025, 10, 1), date(2025, 10, 1), prices)
    assert again is not first
    with stored.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", curve(date(2025, 10, 1), 2000))
    assert pricing.cost_by_day(stored, PDL, date(2025, 10, 1), date(2025, 10, 1), prices)[0].energy["BASE"] == 2_880_000


def test_saving_a_choice_or_an_offer_forgets_the_priced_days(stored):
    prices = PriceCache()
    day = date(2025, 10, 1)
    regulated = pricing.cost_by_day(stored, PDL, day, day, prices)
    offer_id = pricing_settings.save_offer(stored, OFFER, prices=prices)
    assert len(prices) == 0
    assert pricing.cost_by_day(stored, PDL, day, day, prices) == regulated  # an offer nobody chose changes nothing
    pricing_settings.save_choice(stored, PDL, f"user:{offer_id}", prices=prices)
    assert len(prices) == 0
    (chosen,) = pricing.cost_by_day(stored, PDL, day, day, prices)
    assert chosen.offer_key == f"user:{offer_id}" and chosen.energy_cost == 24 * D("0.20")
    pricing_settings.delete_offer(stored, offer_id, prices=prices)
    assert len(prices) == 0
    assert pricing.cost_by_day(stored, PDL, day, day, prices) == regulated


def test_refusals_come_in_french_keyed_by_field(stored):
    with pytest.raises(FieldError) as err:
        pricing_settings.save_choice(stored, PDL, "user:999", {0: "25H00-1H00"}, "-1", "7")
    assert err.value.errors == {
        "offer_key": "Offre inconnue : choisissez-en une dans la liste.",
        "offpeak_0": f"Plages illisibles : {pricing_settings.WINDOWS_HINT}.",
        "buyback": "Prix de rachat invalide : écrivez par exemple 0,1276.",
        "kva": "Puissance inconnue : indiquez l'un des niveaux 3, 6, 9, 12, 15, 18, 24, 30, 36 kVA."}
    bad = OFFER | {"kind": "NOPE", "versions": [{"valid_from": "2025-01-01", "energy": {"BASE": "-1"}}]}
    with pytest.raises(FieldError) as err:
        pricing_settings.save_offer(stored, bad)
    assert err.value.errors == {"kind": "Option inconnue « NOPE »."}
    with pytest.raises(FieldError) as err:
        pricing_settings.save_offer(stored, OFFER | {"versions": [{"valid_from": "2025-01-01",
                                                                   "energy": {"BASE": "-1"}}]})
    assert err.value.errors == {"versions[0].energy.BASE": "Un prix ne peut pas être négatif."}
    with pytest.raises(FieldError) as err:
        pricing_settings.save_offer(stored, OFFER, 42)
    assert err.value.errors == {"offer_id": "Offre 42 inconnue."}
    assert pricing_settings.user_offers(stored) == []


def test_offer_in_force_says_which_offer_and_whether_it_was_chosen(stored):
    today = date(2025, 11, 5)
    regulated = pricing.offer_in_force(stored, PDL, today)
    assert (regulated.offer.key, regulated.chosen, regulated.kva) == ("regulated:BASE", False, 6)
    assert regulated.contract is not None and regulated.contract.valid_from == date(2024, 1, 1)
    offer_id = pricing_settings.save_offer(stored, OFFER)
    pricing_settings.save_choice(stored, PDL, f"user:{offer_id}", kva="9", buyback="0,1")
    chosen = pricing.offer_in_force(stored, PDL, today)
    assert (chosen.offer.name, chosen.chosen, chosen.kva) == ("Fixe", True, 9)
    assert pricing.buyback_price(stored, ["", "99999999999999", PDL]) == D("0.1")
    assert pricing.buyback_price(stored, ["99999999999999"]) is None


def test_simulation_and_power_advice(stored):
    with stored.begin() as conn:
        pricing_store.save_offer(conn, OFFER)
        repo.upsert(conn, m.max_power, [{"usage_point_id": PDL, "day": date(2025, 10, d), "va": 2500 + d * 10,
                                         "at_utc": 0} for d in range(1, 31)])
    results = ranking.rank(stored, PDL, date(2025, 11, 5)).results
    assert {r.key for r in results} == {"regulated:BASE", "regulated:HPHC", "regulated:TEMPO", "user:1"}
    assert [r.last_12_months for r in results] == sorted(r.last_12_months for r in results)
    assert next(r for r in results if r.key == "regulated:BASE").savings == 0
    advice = pricing.max_power_advice(stored, PDL, date(2025, 11, 5))
    # 2510..2800 VA: days 20-30 reach 2700 VA, 90 % of 3 kVA
    assert advice.lower_kva == 3 and advice.peak_va == 2800 and advice.lower_close_days == 11
    assert advice.yearly_saving == (D("15.47") - D("11.73")) * 12


# -- one month of the simulator, priced independently ------------------------------------------
def test_days_are_priced_from_the_stored_profiles_without_the_raw_points(stored, monkeypatch):
    monkeypatch.setattr(pricing, "_curve_points", lambda *args: pytest.fail("raw points read"))
    day = pricing.cost_by_day(stored, PDL, date(2025, 10, 1), date(2025, 10, 1), PriceCache())[0]
    assert day.energy == {"BASE": 24 * 60_000} and day.energy_cost == 24 * D("0.1952")


def test_a_writer_bypassing_the_profiles_is_priced_from_the_raw_points_and_the_profiles_remade(stored):
    day, t = date(2025, 10, 1), m.load_curve
    with stored.begin() as conn:  # 1000 W -> 2000 W on the first 12 half-hours: 24 kWh -> 30 kWh
        first = epoch(local_day_bounds(day)[0])
        conn.execute(t.update().where(t.c.start_utc < first + 6 * 3600).values(watts=2000))
    priced = pricing.cost_by_day(stored, PDL, day, day, PriceCache())[0]
    assert priced.energy == {"BASE": 30 * 60_000} and priced.energy_cost == 30 * D("0.1952")
    with stored.connect() as conn:
        kept = curve_days.read(conn, PDL, "consumption", day, day)
    assert (kept.points, kept.watts_sum, kept.days[day].total) == (48, 36 * 1000 + 12 * 2000, 30 * 60_000)
    with stored.begin() as conn:  # as tests/services/test_sync.py does
        conn.execute(t.delete())
    assert pricing.cost_by_day(stored, PDL, day, day, PriceCache()) == []
    with stored.connect() as conn:
        assert curve_days.read(conn, PDL, "consumption", day, day).days == {}


def test_a_profile_remade_in_a_connection_not_committed_leaves_the_stored_one(stored):
    day, t = date(2025, 10, 1), m.load_curve
    with stored.begin() as conn:
        conn.execute(t.update().values(watts=500))
    with stored.connect() as conn:  # the caller's connection, rolled back: prices right, nothing kept
        assert pricing.read_costs(conn, PDL, day, day)[0].energy == {"BASE": 12 * 60_000}
    with stored.connect() as conn:
        assert curve_days.read(conn, PDL, "consumption", day, day).watts_sum == 48 * 1000
    assert pricing.cost_by_day(stored, PDL, day, day)[0].energy == {"BASE": 12 * 60_000}
    with stored.connect() as conn:
        assert curve_days.read(conn, PDL, "consumption", day, day).watts_sum == 48 * 500


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


def test_prices_from_the_profiles_equal_prices_from_the_raw_points(synced):
    first, last = date(2025, 9, 28), date(2025, 11, 4)  # October 26th: 25 hours
    with synced.connect() as conn:
        for pdl in (HCHP, TEMPO):
            profiled, grouped = pricing.read_inputs(conn, pdl, first, last), pricing.read_inputs(
                conn, pdl, first, last, None, True)
            assert date(2025, 10, 26) in profiled.loads and profiled.loads == grouped.loads
            assert profiled.production == grouped.production
            assert pricing.price_inputs(profiled) == pricing.price_inputs(grouped)


def test_slot_totals_add_up_the_priced_days(synced):
    first, last = date(2025, 10, 1), date(2025, 10, 31)
    totals = pricing.slot_totals(synced, TEMPO, first, last)
    days = pricing.cost_by_day(synced, TEMPO, first, last)
    assert set(totals) <= {"BLUE_HP", "BLUE_HC", "WHITE_HP", "WHITE_HC", "RED_HP", "RED_HC"} and totals
    assert sum(wm for wm, _ in totals.values()) == sum(sum(d.energy.values()) for d in days)
    assert sum((cost for _, cost in totals.values()), D(0)) == sum((d.energy_cost for d in days), D(0))
    assert pricing.slot_totals(synced, TEMPO, last, first) == {}


def test_this_month_against_the_same_days_a_year_earlier(engine):
    with engine.begin() as conn:
        repo.save_usage_point(conn, PDL, name="Maison")
        repo.record_contract(conn, PDL, date(2023, 1, 1), {"subscribed_kva": 6, "pricing_option": "BASE"})
        offer_id = pricing_store.save_offer(conn, OFFER | {"versions": [
            {"valid_from": "2023-01-01", "energy": {"BASE": "0,20"}, "subscription": "10,00"}]})
        pricing_store.save_choice(conn, PDL, f"user:{offer_id}")
    assert comparisons.month_against_last_year(engine, PDL, date(2024, 3, 1)) is None  # nothing priced
    with engine.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", curve(date(2023, 2, 28), 500))  # 12 kWh
    only_before = comparisons.month_against_last_year(engine, PDL, date(2024, 3, 1))
    assert only_before is not None and only_before.difference is None  # nothing this month to compare
    with engine.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", curve(date(2024, 2, 29), 1000))  # 24 kWh
    compared = comparisons.month_against_last_year(engine, PDL, date(2024, 3, 1))  # yesterday: 29 February
    assert (compared.now.first, compared.now.last) == (date(2024, 2, 1), date(2024, 2, 29))
    assert (compared.before.first, compared.before.last) == (date(2023, 2, 1), date(2023, 2, 28))
    assert (compared.now.energy, compared.before.energy) == (24 * 60_000, 12 * 60_000)  # watt-minutes
    # 24 kWh x 0.20 + 10 x 12 / 366 (2024) against 12 kWh x 0.20 + 10 x 12 / 365 (2023)
    assert compared.now.total == D("4.80") + D(120) / 366 and compared.before.total == D("2.40") + D(120) / 365
    assert compared.difference == compared.now.total - compared.before.total > 0
