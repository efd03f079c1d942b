"""The harness itself: a real Home Assistant Core takes our token, discovers MQTT sensors and keeps statistics."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests

from myelectricaldata.exporters.homeassistant.statistics import Series
from myelectricaldata.exporters.homeassistant.websocket import version_of
from tests.support.homeassistant import CommandError, installed_version

pytestmark = pytest.mark.slow


def test_long_lived_token_reads_the_core_config(home_assistant):
    config = home_assistant.get("/api/config")
    assert config["time_zone"] == "Europe/Paris"
    assert config["currency"] == "EUR"
    assert config["country"] == "FR"
    assert config["unit_system"]["temperature"] == "°C"
    assert config["state"] == "RUNNING"
    assert home_assistant.version == config["version"] == installed_version(home_assistant.python) != ""
    refused = requests.get(home_assistant.url + "/api/config", headers={"Authorization": "Bearer nope"}, timeout=10)
    assert refused.status_code == 401


def test_websocket_session_matches_replies_and_reports_errors(home_assistant):
    with home_assistant.ws() as ws:
        assert ws.ha_version == home_assistant.version
        assert ws.call("get_config")["time_zone"] == "Europe/Paris"
        with pytest.raises(CommandError) as failed:
            ws.call("no_such/command")
        assert failed.value.code == "unknown_command"
        assert ws.call("ping") is None


def test_entity_discovery_over_mqtt(home_assistant, mqtt_publish):
    ha = home_assistant
    uid = f"harness_{uuid.uuid4().hex[:12]}"
    config_topic, state_topic = f"homeassistant/sensor/{uid}/config", f"harness/{uid}/state"
    config = {"name": "Harness energy", "unique_id": uid, "state_topic": state_topic, "unit_of_measurement": "kWh",
              "device_class": "energy", "state_class": "total_increasing",
              "device": {"identifiers": [uid], "name": f"Harness {uid}", "manufacturer": "Harness"}}
    mqtt_publish(config_topic, json.dumps(config), retain=True)
    mqtt_publish(state_topic, "12.5", retain=True)

    entry = ha.wait_for(lambda: ha.entity_by_unique_id(uid), what=f"entity {uid}")
    assert entry["entity_id"].startswith("sensor.")
    state = ha.wait_for(lambda: (s := ha.state(entry["entity_id"])) and s["state"] == "12.5" and s, what="state 12.5")
    assert state["attributes"]["unit_of_measurement"] == "kWh"
    assert state["attributes"]["device_class"] == "energy"
    assert state["attributes"]["state_class"] == "total_increasing"
    device = next(d for d in ha.device_registry() if d["id"] == entry["device_id"])
    assert ["mqtt", uid] in device["identifiers"]

    mqtt_publish(state_topic, "None", retain=True)
    ha.wait_for(lambda: ha.state(entry["entity_id"])["state"] == "unknown", what='"None" read as unknown')

    mqtt_publish(config_topic, "", retain=True)
    ha.wait_for(lambda: ha.entity_by_unique_id(uid) is None, what=f"removal of {uid}")
    ha.wait_for(lambda: all(d["id"] != entry["device_id"] for d in ha.device_registry()), what="removal of the device")


def test_device_based_discovery_over_mqtt(home_assistant, mqtt_publish):
    ha = home_assistant
    dev = f"harness_dev_{uuid.uuid4().hex[:12]}"
    topic, state_topic = f"homeassistant/device/{dev}/config", f"harness/{dev}/state"
    config = {
        "dev": {"ids": [dev], "name": f"Meter {dev}", "mf": "Harness", "mdl": "Probe", "sw": "1.0"},
        "o": {"name": "ha-harness", "sw": "1.0"},
        "stat_t": state_topic,
        "cmps": {
            "energy": {"p": "sensor", "uniq_id": f"{dev}_energy", "name": "Energy", "dev_cla": "energy",
                       "unit_of_meas": "kWh", "stat_cla": "total", "val_tpl": "{{ value_json.energy }}"},
            "power": {"p": "sensor", "uniq_id": f"{dev}_power", "name": "Power", "dev_cla": "power",
                      "unit_of_meas": "W", "stat_cla": "measurement", "val_tpl": "{{ value_json.power }}"},
        },
    }
    mqtt_publish(topic, json.dumps(config), retain=True)
    mqtt_publish(state_topic, json.dumps({"energy": 3.25, "power": 420}), retain=True)

    energy = ha.wait_for(lambda: ha.entity_by_unique_id(f"{dev}_energy"), what="the energy component")
    power = ha.wait_for(lambda: ha.entity_by_unique_id(f"{dev}_power"), what="the power component")
    device = next(d for d in ha.device_registry() if ["mqtt", dev] in d["identifiers"])
    assert (device["manufacturer"], device["model"], device["sw_version"]) == ("Harness", "Probe", "1.0")
    assert energy["device_id"] == power["device_id"] == device["id"]
    ha.wait_for(lambda: ha.state(energy["entity_id"])["state"] == "3.25", what="energy state 3.25")
    ha.wait_for(lambda: ha.state(power["entity_id"])["state"] == "420", what="power state 420")
    assert ha.state(energy["entity_id"])["attributes"]["unit_of_measurement"] == "kWh"
    assert ha.state(power["entity_id"])["attributes"]["device_class"] == "power"

    mqtt_publish(topic, "", retain=True)
    ha.wait_for(lambda: not ha.entity_by_unique_id(f"{dev}_energy") and not ha.entity_by_unique_id(f"{dev}_power"),
                what="removal of both components")
    ha.wait_for(lambda: all(d["id"] != device["id"] for d in ha.device_registry()), what="removal of the device")


def test_external_statistics_import_read_back_and_clear(home_assistant):
    """The metadata come from the exporter's own code for the version HA announces; HA takes them without a word,
    while the other form is refused (before 2025.11) or logged as deprecated (from 2025.11)."""
    ha = home_assistant
    statistic_id = f"myelectricaldata:harness_probe_{uuid.uuid4().hex[:12]}"
    metadata = Series(statistic_id, "Harness probe", "kWh", energy=True).metadata(version_of(ha.version))
    first = datetime(2025, 3, 1, 22, tzinfo=UTC)
    starts = [first + timedelta(hours=i) for i in range(3)]
    values = [1.5, 0.75, 2.25]
    sums = [1.5, 2.25, 4.5]
    rows = [{"start": t.isoformat(), "state": v, "sum": s} for t, v, s in zip(starts, values, sums, strict=True)]
    try:
        mark = ha.log_mark()
        assert ha.call("recorder/import_statistics", metadata=metadata, stats=rows) is None
        read = ha.wait_for(lambda: len(got := ha.statistics(statistic_id, first).get(statistic_id, [])) == 3 and got,
                           what="three imported rows")
        assert "deprecated" not in ha.log_since(mark)
        assert [row["sum"] for row in read] == sums
        assert [row["state"] for row in read] == values
        assert [row["start"] for row in read] == [int(t.timestamp() * 1000) for t in starts]
        (meta,) = ha.call("recorder/get_statistics_metadata", statistic_ids=[statistic_id])
        assert meta["source"] == "myelectricaldata"
        assert (meta["name"], meta["statistics_unit_of_measurement"]) == ("Harness probe", "kWh")

        new_keys = {"mean_type": 0, "unit_class": "energy"}
        other = ({k: v for k, v in metadata.items() if k not in new_keys} | {"has_mean": False}
                 if "mean_type" in metadata else {k: v for k, v in metadata.items() if k != "has_mean"} | new_keys)
        mark = ha.log_mark()
        try:
            ha.call("recorder/import_statistics", metadata=other, stats=rows)
        except CommandError as refused:
            assert refused.code == "invalid_format"
            assert "extra keys not allowed @ data['metadata']['mean_type']" in refused.message
        else:
            ha.wait_for(lambda: "without specifying mean_type in metadata, this is deprecated" in ha.log_since(mark),
                        what="the deprecation warning for the other metadata form")
    finally:
        ha.call("recorder/clear_statistics", statistic_ids=[statistic_id])
    ha.wait_for(lambda: not ha.statistics(statistic_id, first), what="cleared statistics")
    assert ha.call("recorder/get_statistics_metadata", statistic_ids=[statistic_id]) == []
