"""Catalog payloads: the reference fixtures parsed, prices as strings or numbers, units sanity-checked, rows
refused with a message naming the offer and field, and the price history grouped across the gateway's ids."""

from __future__ import annotations

import copy
import re
from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest

from myelectricaldata.energy.calendars import DayFacts
from myelectricaldata.energy.catalog import kva_in_name, name_without_kva, offer_kind
from myelectricaldata.energy.costs import price_days
from myelectricaldata.energy.day_loads import loads_by_day
from myelectricaldata.gateway.catalog import (
    catalog_offers,
    group_history,
    parse_offer_types,
    parse_offers,
    parse_providers,
    parse_zen_flex_days,
)
from myelectricaldata.gateway.errors import UnexpectedPayload
from tests.support.curves import points
from tests.support.fixtures import fixture_json


def payload(name: str):
    return copy.deepcopy(fixture_json("gateway", "catalog", name))


PROVIDERS = parse_providers(payload("energy-providers.json")["data"])
ROWS = payload("energy-offers.json")["data"]
BASE_ROW, HCHP_ROW, TEMPO_ROW, ZEN_FLEX_ROW, SEASONAL_ROW, NIGHT_ROW = ROWS


def test_providers_and_offer_types_of_the_fixtures():
    assert [(p.name, p.website) for p in PROVIDERS] == [("EDF", "https://www.edf.fr"), ("Enercoop", "")]
    assert len(PROVIDERS[0].scraper_urls) == 2
    types = parse_offer_types(payload("energy-offer-types.json")["data"])
    assert [t.code for t in types] == ["BASE", "HC_HP", "TEMPO", "EJP", "SEASONAL", "HC_NUIT_WEEKEND", "WEEKEND"]
    assert types[2].required_price_fields[0] == "tempo_blue_hc" and types[1].optional_price_fields[0] == "hc_schedules"


def test_offers_of_the_fixture_become_grids_with_decimal_prices_and_paris_dates():
    rows = parse_offers(ROWS, PROVIDERS)
    assert rows.refused == []
    base, _, tempo, zen_flex, seasonal, _ = rows.grids
    assert base.prices == {"base_price": D("0.19520")} and base.subscription == D("15.47") and base.kva == 6
    assert base.valid_from == date(2025, 8, 1)  # no valid_from: price_updated_at, 2025-08-01 00:00 UTC
    assert tempo.prices["tempo_red_hp"] == D("0.6468") and len(tempo.prices) == 6
    assert zen_flex.valid_from == date(2026, 1, 1)  # neither valid_from nor price_updated_at: created_at
    assert seasonal.valid_from == date(2026, 2, 1) and seasonal.valid_to is None and seasonal.active


def test_prices_as_numbers_read_like_strings():
    row = copy.deepcopy(BASE_ROW) | {"base_price": 0.1952, "subscription_price": 15.47}
    (grid,) = parse_offers([row], PROVIDERS).grids
    assert grid.prices["base_price"] == D("0.1952") and grid.subscription == D("15.47")


@pytest.mark.parametrize(("change", "words"), [
    ({"tempo_red_hp": "65.86"}, ["tempo_red_hp", "65.86", "c€/kWh"]),  # a grid typed in centimes
    ({"tempo_blue_hc": "-0.1"}, ["tempo_blue_hc", "negative"]),
    ({"subscription_price": "186.46"}, ["subscription_price", "186.46", "60", "6 kVA"]),  # a yearly figure
    ({"subscription_price": None}, ["subscription_price", "missing"]),
    ({"tempo_white_hp": None}, ["tempo_white_hp missing", "TEMPO"]),
    ({"offer_type": "DYNAMIC"}, ["offer_type", "DYNAMIC", "expected one of"]),
    ({"power_kva": 7}, ["power_kva", "7", "expected one of"]),
    ({"provider_id": "nope"}, ["provider_id", "nope"]),
    ({"hc_schedules": {"lundi": "25H00-6H00"}}, ["hc_schedules.lundi", "25h00"]),
    ({"hc_schedules": {"noday": "22:00-06:00"}}, ["hc_schedules", "noday", "weekday"]),
    ({"valid_from": "first of May"}, ["valid_from", "first of May"]),
    ({"tempo_red_hc": "abc"}, ["tempo_red_hc", "abc", "number"]),
])
def test_a_bad_row_is_refused_naming_offer_and_field_and_the_others_are_kept(change, words):
    rows = parse_offers([BASE_ROW, copy.deepcopy(TEMPO_ROW) | change], PROVIDERS)
    assert [g.offer_type for g in rows.grids] == ["BASE"]
    (message,) = rows.refused
    assert re.search(r"« Tarif Bleu » \d kVA", message) and "00000000-0000-4000-9000-000000000003" in message, message
    assert all(w in message for w in words), message


def test_payloads_that_are_not_lists_are_errors():
    with pytest.raises(UnexpectedPayload, match="energy offers"):
        parse_offers({"offers": []}, PROVIDERS)
    with pytest.raises(UnexpectedPayload, match="energy provider"):
        parse_providers([{"id": "x"}])


def test_validity_dates_cover_whole_paris_days():
    rows = parse_offers([
        copy.deepcopy(TEMPO_ROW) | {"valid_from": "2025-02-01T00:00:00+00:00", "valid_to": "2025-07-31T00:00:00+00:00"},
        copy.deepcopy(BASE_ROW) | {"valid_from": "2025-01-31T23:00:00Z", "valid_to": "2025-08-01T00:00:00+02:00"},
        copy.deepcopy(HCHP_ROW) | {"valid_from": "2025-02-01", "valid_to": "2025-07-31"},
        copy.deepcopy(NIGHT_ROW) | {"valid_from": "2025-02-01T10:00:00", "valid_to": None},
    ], PROVIDERS).grids
    # 2025-07-31 00:00 UTC is 02:00 in Paris: 31 July is still covered, 1 August is the first day not covered
    assert (rows[0].valid_from, rows[0].valid_to) == (date(2025, 2, 1), date(2025, 8, 1))
    # 2025-01-31 23:00 UTC is Paris midnight of 1 February; Paris midnight of 1 August ends the grid on 31 July
    assert (rows[1].valid_from, rows[1].valid_to) == (date(2025, 2, 1), date(2025, 8, 1))
    assert (rows[2].valid_from, rows[2].valid_to) == (date(2025, 2, 1), date(2025, 8, 1))  # dates: the days named
    assert rows[3].valid_from == date(2025, 2, 1) and rows[3].created_at == datetime(2026, 2, 1, tzinfo=UTC)


def test_zen_flex_days_a_missing_or_undetermined_day_is_unknown():
    days = payload("zen-flex-days.json")["days_response"]["data"]
    assert parse_zen_flex_days(days) == {date(2025, 12, 15): "ECO", date(2025, 12, 16): "SOBRIETE"}
    extra = [*days, {"date": "2025-12-17", "day_type": None}, {"date": "2025-12-18", "day_type": "NON_DETERMINE"}]
    assert date(2025, 12, 17) not in parse_zen_flex_days(extra) and len(parse_zen_flex_days(extra)) == 2


def test_history_is_keyed_on_provider_name_without_kva_type_and_kva_across_new_ids():
    old = copy.deepcopy(ZEN_FLEX_ROW) | {"id": "old", "name": "Zen Week-End - Option Flex 6 kVA",
                                         "valid_from": "2025-02-01T00:00:00+00:00",
                                         "valid_to": "2025-08-01T00:00:00+00:00", "is_active": False}
    new = copy.deepcopy(ZEN_FLEX_ROW) | {"id": "new", "offer_type": "ZEN_FLEX", "power_kva": None,
                                         "valid_from": "2025-08-01T00:00:00+00:00", "hp_price_winter": "0.75"}
    again = copy.deepcopy(new) | {"id": "again", "created_at": "2026-01-02T00:00:00+00:00", "hp_price_winter": "0.76"}
    nine = copy.deepcopy(new) | {"id": "nine", "name": "Zen Week-End - Option Flex - 9 kVA"}
    groups = group_history(parse_offers([new, old, again, nine], PROVIDERS).grids)
    assert set(groups) == {("EDF", "Zen Week-End - Option Flex", "ZEN_FLEX", 6),
                           ("EDF", "Zen Week-End - Option Flex", "ZEN_FLEX", 9)}
    six = groups["EDF", "Zen Week-End - Option Flex", "ZEN_FLEX", 6]
    # oldest first; of two grids from the same day the most recently created one is kept
    assert [g.offer_id for g in six] == ["old", "again"]


def test_catalog_offers_of_the_fixture():
    offers = {o.key: o for o in catalog_offers(parse_offers(ROWS, PROVIDERS).grids)}
    assert {o.kind for o in offers.values()} == {"BASE", "HC_HP", "TEMPO", "ZEN_FLEX", "SEASONAL",
                                                 "HC_NUIT_WEEKEND"}
    seasonal = offers["catalog:Enercoop|Flexi Watt - 2 saisons|SEASONAL|6"]
    assert seasonal.hours == "enercoop-flexi-watt" and seasonal.provider == "Enercoop" and seasonal.power_kva == 6
    zen = offers["catalog:EDF|Zen Week-End - Option Flex|ZEN_FLEX|6"]
    assert zen.versions[0].energy["SOBRIETE_HP"] == D("0.7253") and zen.notes


def test_a_fixture_offer_priced_in_force_and_before_its_grid():
    base = next(o for o in catalog_offers(parse_offers(ROWS, PROVIDERS).grids) if o.kind == "BASE")
    july, august = date(2025, 7, 31), date(2025, 8, 1)
    before, after = price_days(loads_by_day(points(july, 1000) + points(august, 1000)), base,
                               lambda day: DayFacts(6))
    # 24 kWh x 0.1952 = 4.6848 both days; subscription 15.47 x 12 / 365 a day
    assert before.energy_cost == after.energy_cost == D("4.6848")
    assert after.subscription == D("15.47") * 12 / 365 and after.grid_in_force and not after.estimated
    assert not before.grid_in_force and before.estimated  # the grid applies from 1 August: nearest grid, flagged
    (nine_kva,) = price_days(loads_by_day(points(august, 1000)), base, lambda day: DayFacts(9))
    assert not nine_kva.subscription_known  # a 6 kVA offer has no 9 kVA subscription


@pytest.mark.parametrize(("name", "base", "kva"), [
    ("Tarif Bleu", "Tarif Bleu", None), ("Zen Fixe 6 kVA", "Zen Fixe", 6), ("Zen Fixe - 9 kVA", "Zen Fixe", 9),
    ("Online (12kVA)", "Online", 12), ("Flexi Watt - 2 saisons - 36 KVA", "Flexi Watt - 2 saisons", 36),
])
def test_offer_names_lose_their_kva(name, base, kva):
    assert (name_without_kva(name), kva_in_name(name)) == (base, kva)


@pytest.mark.parametrize(("offer_type", "name", "kind"), [
    ("SEASONAL", "Zen Week-End - Option Flex - 6 kVA", "ZEN_FLEX"), ("ZEN_FLEX", "Option Flex", "ZEN_FLEX"),
    ("seasonal", "Zen Flex", "ZEN_FLEX"), ("SEASONAL", "Flexi Watt - 2 saisons", "SEASONAL"),
    ("HC_HP", "Zen Fixe Heures Creuses", "HC_HP"),
])
def test_zen_flex_is_recognised_by_type_or_name(offer_type, name, kind):
    assert offer_kind(offer_type, name) == kind
