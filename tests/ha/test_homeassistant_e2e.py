"""The Home Assistant exporter against a real Home Assistant Core: discovered entities and imported statistics."""

from __future__ import annotations

import threading
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from myelectricaldata.energy.aggregate import LocalClock
from myelectricaldata.energy.timeline import local_day_bounds
from myelectricaldata.exporters.manager import ExporterManager
from myelectricaldata.services import pricing_store, series
from tests.support.ha_energy import clear_ours, split_by_hand
from tests.support.homeassistant import HomeAssistant
from tests.support.syncing import NOON, TODAY, synced_sqlite

pytestmark = pytest.mark.slow

PDL = "99000000000002"  # HP/HC household
SINCE = date(2025, 10, 20)  # includes the fall-back day 2025-10-26
DST_DAY = date(2025, 10, 26)
SID = f"myelectricaldata:{PDL}_consumption"
COST = f"myelectricaldata:{PDL}_consumption_cost"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    with synced_sqlite(tmp_path_factory.mktemp("ha-e2e"), [PDL], SINCE) as engine:
        yield engine


@pytest.fixture(scope="module")
def manager(engine, home_assistant: HomeAssistant, tmp_path_factory) -> Iterator[ExporterManager]:
    topics = f"medtest_{uuid.uuid4().hex[:8]}"
    clear_ours(home_assistant)
    manager = ExporterManager(engine, tmp_path_factory.mktemp("data"), entry_points=False)
    manager.save_config("homeassistant", {
        "discovery": True, "energy": True, "long_term_statistics": True,
        "host": "127.0.0.1", "port": 1883, "discovery_prefix": "homeassistant", "topic_prefix": topics,
        "ha_url": home_assistant.url, "ha_token": home_assistant.token}, enabled=True)
    yield manager
    manager.close()
    _clear_retained(["homeassistant/device/myelectricaldata_", f"{topics}/"])


def _clear_retained(prefixes: list[str]) -> None:
    """Empty every retained topic under the prefixes (a marker message tells when the broker sent them all)."""
    seen, marker = set(), f"medtest_marker/{uuid.uuid4().hex}"
    client = mqtt.Client(CallbackAPIVersion.VERSION2)
    done = []

    def on_message(client, userdata, message):
        if message.topic == marker:
            done.append(True)
        elif message.retain and message.payload and message.topic.startswith(tuple(prefixes)):
            seen.add(message.topic)

    client.on_message = on_message
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    client.subscribe([("#", 0), (marker, 0)])
    client.publish(marker, b"x").wait_for_publish(5)
    deadline = datetime.now(UTC) + timedelta(seconds=10)
    while not done and datetime.now(UTC) < deadline:
        threading.Event().wait(0.05)
    for topic in seen:
        client.publish(topic, b"", qos=1, retain=True).wait_for_publish(5)
    client.loop_stop()
    client.disconnect()


def hourly_kwh(engine, pdl: str, start: date, end: date) -> dict[int, float]:
    """The local database's load curve summed per UTC hour, in kWh."""
    clock = LocalClock()
    wm: dict[int, int] = defaultdict(int)
    for s, minutes, watts in series.load_curve(engine, pdl, "consumption", start, end):
        wm[s - clock.local_seconds(s) % 3600] += watts * minutes
    return {hour: value / 60_000 for hour, value in wm.items()}


def read_back(ha: HomeAssistant, sid: str) -> dict[int, tuple[float, float]]:
    """HA's hourly rows of a statistic since SINCE: {UTC start: (state, sum)}."""
    start = local_day_bounds(SINCE)[0] - timedelta(days=1)
    rows = ha.statistics(sid, start, types=("state", "sum")).get(sid, [])
    return {int(r["start"] // 1000): (r["state"], r["sum"]) for r in rows}


@pytest.fixture(scope="module")
def log_before_export(manager, home_assistant) -> int:
    """Where Home Assistant's log stood just before the first export."""
    return home_assistant.log_mark()


@pytest.fixture(scope="module")
def first_export(manager, home_assistant, log_before_export):
    outcome = manager.run_exports(NOON, force=True)["homeassistant"]
    assert outcome.ok, outcome.error
    return outcome


def test_home_assistant_takes_the_export_without_a_deprecation_warning(first_export, home_assistant,
                                                                      log_before_export):
    """The exporter reads HA's version and picks the discovery keys (``object_id`` or ``default_entity_id``) and the
    statistics metadata (``has_mean`` or ``mean_type``/``unit_class``) it understands without a warning."""
    ha = home_assistant
    ha.wait_for(lambda: ha.statistics(SID, local_day_bounds(SINCE)[0]).get(SID), what="the imported statistics")
    ha.wait_for(lambda: ha.entity_by_unique_id(f"myelectricaldata_{PDL}_consumption_yesterday"), what="the sensor")
    warnings = [line for line in ha.log_since(log_before_export).splitlines()
                if "deprecated" in line and ("recorder" in line or "mqtt" in line)]
    assert warnings == []


def test_discovered_entities_have_their_unit_classes_device_and_value(first_export, home_assistant, engine):
    ha = home_assistant
    entry = ha.wait_for(lambda: ha.entity_by_unique_id(f"myelectricaldata_{PDL}_consumption_yesterday"),
                        what="the yesterday sensor")
    assert entry["entity_id"] == f"sensor.linky_{PDL}_consumption_yesterday"  # object_id or default_entity_id
    device = next(d for d in ha.device_registry() if d["id"] == entry["device_id"])
    assert device["name"].startswith("Linky ") and device["model"] == "Linky"
    yesterday = TODAY - timedelta(days=1)
    wh = dict(series.daily(engine, PDL, "consumption", yesterday, yesterday))[yesterday]
    state = ha.wait_for(lambda: (s := ha.state(entry["entity_id"])) and s["state"] not in ("unknown", "unavailable")
                        and s, what="the yesterday state")
    assert float(state["state"]) == round(wh / 1000, 3)
    attributes = state["attributes"]
    assert (attributes["unit_of_measurement"], attributes["device_class"], attributes["state_class"]) == \
        ("kWh", "energy", "total")
    assert attributes["last_reset"].startswith(yesterday.isoformat())
    cost = ha.state(f"sensor.linky_{PDL}_cost_yesterday")
    assert cost["attributes"]["device_class"] == "monetary" and cost["attributes"]["unit_of_measurement"] == "EUR"
    tempo = ha.wait_for(lambda: ha.entity_by_unique_id("myelectricaldata_tempo_today"), what="Tempo today")
    tempo_state = ha.state(tempo["entity_id"])
    assert tempo_state["attributes"]["device_class"] == "enum"
    assert tempo_state["state"] in tempo_state["attributes"]["options"]


def test_statistics_read_back_equal_the_local_hourly_sums(first_export, home_assistant, engine):
    stored = read_back(home_assistant, SID)
    local = hourly_kwh(engine, PDL, SINCE, TODAY - timedelta(days=1))
    assert sorted(stored) == sorted(local)
    running = 0.0
    for hour in sorted(local):
        running += local[hour]
        state, total = stored[hour]
        assert state == pytest.approx(local[hour], abs=1e-9) and total == pytest.approx(running, abs=1e-6)
    first, last = (int(t.timestamp()) for t in local_day_bounds(DST_DAY))
    assert len([h for h in stored if first <= h < last]) == 25  # the fall-back day: 25 hours, none merged


def test_a_second_export_imports_nothing_new(first_export, manager, home_assistant):
    before = read_back(home_assistant, SID)
    outcome = manager.run_exports(NOON + timedelta(minutes=5), force=True)["homeassistant"]
    assert outcome.ok, outcome.error
    assert "0 lignes de statistiques importées" in outcome.message
    assert read_back(home_assistant, SID) == before


def test_a_price_change_updates_the_cost_and_leaves_energy_untouched(first_export, manager, home_assistant, engine):
    energy_before, cost_before = read_back(home_assistant, SID), read_back(home_assistant, COST)
    offer = {"name": "HP/HC maison", "kind": "HPHC", "versions": [
        {"valid_from": "2025-01-01", "energy": {"HP": "0.3000", "HC": "0.1000"}, "subscription": "20"}]}
    with engine.begin() as conn:
        key = f"user:{pricing_store.save_offer(conn, offer)}"
        pricing_store.save_choice(conn, PDL, key)
    try:
        outcome = manager.run_exports(NOON + timedelta(minutes=10), force=True)["homeassistant"]
        assert outcome.ok, outcome.error
        cost_after = read_back(home_assistant, COST)
        assert read_back(home_assistant, SID) == energy_before
        assert sorted(cost_after) == sorted(cost_before) and cost_after != cost_before
        # every hour now costs HP kWh x 0.30 + HC kWh x 0.10, HC being "HC (1H30-8H00;12H30-14H00)"
        split = split_by_hand(engine, PDL, SINCE, TODAY - timedelta(days=1), lambda day: [(90, 480), (750, 840)])
        for hour, (state, _) in cost_after.items():
            expected = split["HP"].get(hour, 0) * 0.3 + split["HC"].get(hour, 0) * 0.1
            assert state == pytest.approx(expected, abs=1e-9)
    finally:
        with engine.begin() as conn:
            pricing_store.save_choice(conn, PDL, "")


def test_availability_comes_back_when_home_assistant_says_online(first_export, manager, home_assistant):
    """The retained availability lost (an empty broker after a restart): HA's birth message ``online`` on
    ``homeassistant/status`` makes the exporter publish it again, and the sensors are available again."""
    ha = home_assistant
    entity = ha.wait_for(lambda: ha.entity_by_unique_id(f"myelectricaldata_{PDL}_consumption_yesterday"),
                         what="the yesterday sensor")["entity_id"]
    availability = f"{manager.settings('homeassistant').config['topic_prefix']}/status"
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"medtest-{uuid.uuid4().hex[:8]}")
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    try:
        client.publish(availability, "offline", qos=1, retain=True).wait_for_publish(10)
        ha.wait_for(lambda: ha.state(entity)["state"] == "unavailable", what="the sensor unavailable")
        client.publish("homeassistant/status", "online", qos=1).wait_for_publish(10)
        state = ha.wait_for(lambda: (s := ha.state(entity)) and s["state"] != "unavailable" and s,
                            what="the sensor available again")
        assert float(state["state"]) >= 0
    finally:
        client.loop_stop()
        client.disconnect()
