"""The legacy client's statistics found in HA's listing, their ids for our roles, and the Energy start hour."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from myelectricaldata.exporters.homeassistant.energy import OURS, start_hour
from myelectricaldata.exporters.homeassistant.legacy import find_legacy, fits, legacy_naming, plan_words
from myelectricaldata.exporters.homeassistant.statistics import Role, ours

PDL = "12345678901234"


def item(sid: str, name: str, unit: str = "kWh", source: str = "myelectricaldata") -> dict:
    """A ``recorder/list_statistic_ids`` item as HA 2025.4 lists an external statistic."""
    return {"statistic_id": sid, "display_unit_of_measurement": unit, "has_mean": False, "mean_type": 0,
            "has_sum": True, "name": name, "source": source, "statistics_unit_of_measurement": unit,
            "unit_class": "energy" if unit == "kWh" else None}


LEGACY_HCHP = [item(f"myelectricaldata:{PDL}_hc_consumption", f"MyElectricalData - {PDL} HC consumption"),
               item(f"myelectricaldata:{PDL}_hp_consumption", f"MyElectricalData - {PDL} HP consumption"),
               item(f"myelectricaldata:{PDL}_hc_consumption_cost", f"MyElectricalData - {PDL} HC consumption Cost",
                    "EURO"),
               item(f"myelectricaldata:{PDL}_hp_consumption_cost", f"MyElectricalData - {PDL} HP consumption Cost",
                    "EURO")]


def test_the_legacy_shapes_are_found_and_ours_are_not():
    listed = [*LEGACY_HCHP,
              item(f"myelectricaldata:{PDL}_consumption", "Linky Maison consommation"),
              item(f"myelectricaldata:{PDL}_consumption_hp_cost", "Linky Maison coût consommation HP", "EUR"),
              item(f"myelectricaldata:{PDL}_injection", "Linky Maison production injectée"),
              item("linky:12345678901234", "someone else's", source="linky"),
              item("myelectricaldata:98765432109876_production", "MyElectricalData - 98765432109876 production"),
              item("myelectricaldata:98765432109876_production_revenue", "… revenue", "EURO")]
    found = find_legacy(listed)
    assert sorted(found) == [PDL, "98765432109876"]
    assert sorted(found[PDL].statistics) == sorted(i["statistic_id"] for i in LEGACY_HCHP)
    assert found[PDL].plan == "HC/HP" and found["98765432109876"].plan == ""
    assert found[PDL].energy_ids == [f"myelectricaldata:{PDL}_hc_consumption", f"myelectricaldata:{PDL}_hp_consumption"]
    assert plan_words(found[PDL]) == "consommation HC, HP"
    assert plan_words(found["98765432109876"]) == "production"
    # and none of ours looks like theirs, nor theirs like ours
    assert all(OURS.match(i["statistic_id"]) for i in listed[4:7])
    assert not any(OURS.match(i["statistic_id"]) for i in [*LEGACY_HCHP, *listed[8:]])


def test_continuing_maps_our_roles_to_their_ids_names_and_units():
    legacy = find_legacy(LEGACY_HCHP)[PDL]
    naming = legacy_naming(legacy, "EUR")
    assert naming(Role("consumption", "hc")) == (f"myelectricaldata:{PDL}_hc_consumption",
                                                 f"MyElectricalData - {PDL} HC consumption", "kWh")
    assert naming(Role("consumption", "hp", money=True)).unit == "EURO"  # their unit kept
    # an id they never wrote is spelt their way
    assert naming(Role("injection", money=True)) == (f"myelectricaldata:{PDL}_production_revenue",
                                                     f"MyElectricalData - {PDL} production revenue", "EURO")
    tempo = find_legacy([item(f"myelectricaldata:{PDL}_bluehc_consumption", "x")])[PDL]
    assert tempo.plan == "TEMPO"
    assert legacy_naming(tempo, "EUR")(Role("consumption", "red_hp")).statistic_id == \
        f"myelectricaldata:{PDL}_redhp_consumption"
    assert plan_words(tempo) == "consommation Bleu HC"


def test_continuing_needs_the_same_slots_except_from_base():
    hchp = find_legacy(LEGACY_HCHP)[PDL]
    assert fits(hchp, {"HP", "HC"}) and not fits(hchp, {"BASE"}) and not fits(hchp, {"BLUE_HC", "BLUE_HP"})
    base = find_legacy([item(f"myelectricaldata:{PDL}_base_consumption", "x")])[PDL]
    assert base.plan == "BASE" and fits(base, {"HP", "HC"}) and fits(base, {"BLUE_HC"})


def test_our_names_for_each_role():
    naming = ours(PDL, "Maison", "EUR")
    assert naming(Role("consumption")) == (f"myelectricaldata:{PDL}_consumption", "Linky Maison — Consommation", "kWh")
    assert naming(Role("consumption", "white_hp", money=True)) == (
        f"myelectricaldata:{PDL}_consumption_white_hp_cost", "Linky Maison — Coût de la consommation Blanc HP", "EUR")
    assert naming(Role("injection", money=True)) == (f"myelectricaldata:{PDL}_injection_revenue",
                                                     "Linky Maison — Revenu de la production", "EUR")


@pytest.mark.parametrize(("text", "expected"), [
    ("", None),
    ("2024-01-01", datetime(2023, 12, 31, 23, tzinfo=UTC)),  # Paris midnight in winter: 23:00 UTC the day before
    ("2024-07-01 06:00", datetime(2024, 7, 1, 4, tzinfo=UTC)),  # summer: UTC+2
    (" 2025-10-26 ", datetime(2025, 10, 25, 22, tzinfo=UTC)),
])
def test_the_start_hour_is_a_paris_hour(text, expected):
    assert start_hour(text) == (None if expected is None else int(expected.timestamp()))


@pytest.mark.parametrize(("text", "words"), [("2024-01-01 06:30", "une heure pleine"),
                                             ("01/01/2024", "AAAA-MM-JJ"), ("demain", "AAAA-MM-JJ")])
def test_a_bad_start_hour_says_what_is_expected(text, words):
    with pytest.raises(ValueError, match=words) as caught:
        start_hour(text)
    assert text in str(caught.value)
