"""MQTT discovery payloads for Home Assistant: devices, entity ids by HA version, valid classes, states."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal as D

from myelectricaldata.energy.costs import DayCost
from myelectricaldata.energy.timeline import PARIS
from myelectricaldata.exporters.batches import EcowattDay, MaxPower, PeriodTotals, Snapshot, UsagePointState
from myelectricaldata.exporters.homeassistant.discovery import Discovery

PDL = "12345678901234"
YESTERDAY = date(2025, 11, 4)
# HA core sensor/const.py DEVICE_CLASS_STATE_CLASSES, as quoted in reference/home-assistant.md §5
VALID = {"energy": {"total", "total_increasing"}, "monetary": {"total"}, "apparent_power": {"measurement"},
         "power": {"measurement"}}


def snapshot(**up) -> Snapshot:
    cost = DayCost(YESTERDAY, "regulated:HPHC", {"HP": 600_000, "HC": 300_000}, {"HP": D("2.146"), "HC": D("0.848")},
                   D("0.5921"), 9, date(2025, 8, 1))
    base = dict(usage_point_id=PDL, label="Maison", enabled=True, has_consumption=True, has_production=True,
                pricing_option="HC/HP", subscribed_kva=9, offpeak_hours="", last_sync_at=None,
                consumption=PeriodTotals(YESTERDAY, 15_000, 30_000, 60_000, 900_000),
                production=PeriodTotals(YESTERDAY, 4_321, 0, 0, 0), yesterday_cost=cost,
                max_power=MaxPower(PDL, YESTERDAY, 5_269, 1762258600))
    return Snapshot(datetime(2025, 11, 5, 12, tzinfo=PARIS), (UsagePointState(**{**base, **up}),),
                    tempo_today="BLUE", tempo_tomorrow=None, tempo_season=2025,
                    tempo_remaining={"BLUE": 233, "WHITE": 43, "RED": 22},
                    ecowatt=(EcowattDay(date(2025, 11, 5), 2, "Système électrique tendu", (1,) * 24),))


def devices(version=(2026, 11, 0), statistics=True, **up):
    return {d.ident: d for d in Discovery("homeassistant", "med/ha", version, statistics).devices(snapshot(**up))}


def test_one_device_per_pdl_plus_tempo_and_ecowatt():
    found = devices()
    assert sorted(found) == ["myelectricaldata_12345678901234", "myelectricaldata_ecowatt", "myelectricaldata_tempo"]
    meter = found[f"myelectricaldata_{PDL}"].config
    assert meter["dev"]["ids"] == [f"myelectricaldata_{PDL}"] and meter["dev"]["name"] == "Linky Maison"
    assert meter["o"]["name"] == "MyElectricalData" and meter["avty"] == [{"t": "med/ha/status"}]
    assert meter["stat_t"] == f"med/ha/myelectricaldata_{PDL}/state"


def test_a_disabled_pdl_has_no_device():
    assert f"myelectricaldata_{PDL}" not in devices(enabled=False)


def test_entity_ids_use_default_entity_id_from_2025_10_and_object_id_before():
    new = devices((2025, 10, 0))[f"myelectricaldata_{PDL}"].config["cmps"]["consumption_yesterday"]
    old = devices((2025, 4, 4))[f"myelectricaldata_{PDL}"].config["cmps"]["consumption_yesterday"]
    assert new["def_ent_id"] == f"sensor.linky_{PDL}_consumption_yesterday" and "obj_id" not in new
    assert old["obj_id"] == f"linky_{PDL}_consumption_yesterday" and "def_ent_id" not in old


def test_only_valid_class_pairs_and_no_total_increasing():
    for device in devices().values():
        for key, cmp in device.config["cmps"].items():
            assert cmp.get("stat_cla") != "total_increasing", key
            if "stat_cla" in cmp and cmp.get("dev_cla") in VALID:
                assert cmp["stat_cla"] in VALID[cmp["dev_cla"]], key


def test_yesterday_is_a_total_with_a_last_reset_at_its_midnight():
    device = devices()[f"myelectricaldata_{PDL}"]
    cmp = device.config["cmps"]["consumption_yesterday"]
    assert (cmp["dev_cla"], cmp["stat_cla"], cmp["unit_of_meas"]) == ("energy", "total", "kWh")
    assert cmp["lrst_val_tpl"] == "{{ value_json.yesterday_reset }}"
    assert device.state["consumption_yesterday"] == 15.0 and device.state["yesterday_reset"] == \
        "2025-11-04T00:00:00+01:00"
    assert device.state["month_reset"] == "2025-11-01T00:00:00+01:00" and device.state["consumption_month"] == 60.0


def test_slots_cost_power_and_production_states():
    state = devices()[f"myelectricaldata_{PDL}"].state
    # 600 000 watt-minutes = 10 kWh; cost 2.146 + 0.848 + 0.5921 = 3.5861 -> 3.59
    assert state["consumption_yesterday_hp"] == 10.0 and state["consumption_yesterday_hc"] == 5.0
    assert state["cost_yesterday"] == 3.59 and state["cost_details"]["subscription"] == 0.59
    assert state["max_power_yesterday"] == 5_269 and state["max_power_details"]["at"].startswith("2025-11-04T")
    assert state["production_yesterday"] == 4.321


def test_without_long_term_statistics_no_state_class_is_sent():
    for device in devices(statistics=False).values():
        assert all("stat_cla" not in c for c in device.config["cmps"].values())


def test_tempo_is_an_enum_in_french_and_tomorrow_unknown_is_null():
    tempo = devices()["myelectricaldata_tempo"]
    today = tempo.config["cmps"]["today"]
    assert today["dev_cla"] == "enum" and today["ops"] == ["bleu", "blanc", "rouge"]
    assert tempo.state["today"] == "bleu" and tempo.state["tomorrow"] is None
    assert tempo.state["remaining_red"] == 22


def test_ecowatt_levels_with_their_message():
    ecowatt = devices()["myelectricaldata_ecowatt"]
    assert ecowatt.state["today"] == 2 and ecowatt.state["tomorrow"] is None
    assert ecowatt.state["today_details"]["message"] == "Système électrique tendu"


def test_unique_ids_are_unique_and_stable():
    first, again = devices(), devices((2025, 4, 4))
    ids = [c["uniq_id"] for d in first.values() for c in d.config["cmps"].values()]
    assert len(ids) == len(set(ids))
    assert ids == [c["uniq_id"] for d in again.values() for c in d.config["cmps"].values()]
    assert f"myelectricaldata_{PDL}_consumption_yesterday" in ids


def test_a_production_only_pdl_has_no_consumption_cost_or_maximum_power():
    """A PDL that only injects: its production and last sync, nothing about consumption."""
    meter = devices(has_consumption=False, consumption=None)[f"myelectricaldata_{PDL}"]
    assert sorted(meter.config["cmps"]) == ["last_sync", "production_yesterday"]
    assert meter.state["production_yesterday"] == 4.321
    both = devices()[f"myelectricaldata_{PDL}"].config["cmps"]
    assert {"cost_yesterday", "max_power_yesterday", "consumption_yesterday_hp"} <= set(both)


def test_entity_names_in_french_and_their_ids_unchanged():
    tempo = DayCost(YESTERDAY, "regulated:TEMPO", {"BLUE_HP": 600_000, "BLUE_HC": 300_000},
                    {"BLUE_HP": D("1.9"), "BLUE_HC": D("0.7")}, D("0.5"), 9, date(2025, 8, 1))
    cmps = devices(yesterday_cost=tempo)[f"myelectricaldata_{PDL}"].config["cmps"]
    hp = cmps["consumption_yesterday_blue_hp"]
    assert hp["name"] == "Consommation hier — Bleu HP" and cmps["consumption_yesterday_blue_hc"]["name"] == \
        "Consommation hier — Bleu HC"
    assert hp["uniq_id"] == f"myelectricaldata_{PDL}_consumption_yesterday_blue_hp"  # users' entities survive
    assert hp["def_ent_id"] == f"sensor.linky_{PDL}_consumption_yesterday_blue_hp"
    names = {key: cmp["name"] for key, cmp in devices()[f"myelectricaldata_{PDL}"].config["cmps"].items()}
    assert names["consumption_yesterday_hp"] == "Consommation hier — Heures pleines"
    assert names["max_power_yesterday"] == "Puissance maximale hier"
    assert not [n for n in names.values() if re.search(r"\b(BLUE|WHITE|RED|HC_HP|[a-z]+_[a-z]+)\b", n)]
