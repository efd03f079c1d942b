"""The Home Assistant exporter end to end: discovery on the machine's Mosquitto, statistics into a fake HA Core."""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from myelectricaldata.energy.timeline import local_day_bounds
from myelectricaldata.exporters import changes
from myelectricaldata.exporters.homeassistant import HomeAssistantExporter
from myelectricaldata.exporters.homeassistant.statistics import CHUNK, series_of
from myelectricaldata.exporters.homeassistant.websocket import HomeAssistantSocket
from myelectricaldata.exporters.manager import ExporterManager
from myelectricaldata.exporters.mqtt_link import MqttError
from myelectricaldata.services import pricing_store
from myelectricaldata.services.preferences import PdlPreferences, save_preferences
from myelectricaldata.simulator import start_simulator
from tests.support.fakes.ha_websocket import FakeHomeAssistant
from tests.support.fakes.supervisor import FakeSupervisor
from tests.support.ha_exporter import (
    BASE,
    EXPORTER,
    HPHC,
    PDLS,
    SINCE,
    TEMPO,
    assert_continuous,
    copy_of,
    stored,
    synced_template,
)
from tests.support.net import free_port
from tests.support.required import needs_broker
from tests.support.syncing import NOON, TODAY, make_sync

HOST, PORT = "127.0.0.1", 1883
LONG_SINCE = date(2025, 7, 25)  # more than CHUNK hours before TODAY
DST_DAY = date(2025, 10, 26)
IDENTS = [f"myelectricaldata_{pdl}" for pdl in PDLS] + ["myelectricaldata_tempo", "myelectricaldata_ecowatt"]

# -- databases ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The three demo PDLs synced from SINCE (shared, never written to: each test works on a copy)."""
    return synced_template(tmp_path_factory.mktemp("ha-synced"), PDLS, SINCE)


@pytest.fixture(scope="module")
def long_template(tmp_path_factory) -> Path:
    """The Base PDL synced from LONG_SINCE: more hours than one import message holds."""
    return synced_template(tmp_path_factory.mktemp("ha-long"), [BASE], LONG_SINCE)


@pytest.fixture
def db(template, tmp_path):
    engine = copy_of(template, tmp_path / "copy.db")
    yield engine
    engine.dispose()


@pytest.fixture
def long_db(long_template, tmp_path):
    engine = copy_of(long_template, tmp_path / "long.db")
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def outside_the_addon(monkeypatch):
    """No Supervisor unless a test sets one."""
    monkeypatch.delenv("SUPERVISOR_TOKEN", raising=False)
    monkeypatch.delenv("SUPERVISOR_URL", raising=False)


# -- the broker -----------------------------------------------------------------------------------------------------
class Listener:
    """A subscriber to everything under a prefix, keeping every message in arrival order with its retain flag."""

    def __init__(self, prefix: str, port: int = PORT, username: str = "", password: str = "") -> None:
        self.prefix = prefix
        self.messages: list[tuple[str, str, bool]] = []
        self._markers: set[str] = set()
        self._cond = threading.Condition()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"medtest-listener-{uuid.uuid4().hex[:8]}")
        if username:
            self.client.username_pw_set(username, password)
        self.client.on_message = self._on_message
        self.client.connect(HOST, port)
        result, _ = self.client.subscribe(f"{prefix}/#", qos=1)
        assert result == mqtt.MQTT_ERR_SUCCESS
        self.client.loop_start()
        self.sync()

    def _on_message(self, client, userdata, message) -> None:
        with self._cond:
            if message.topic.startswith(f"{self.prefix}/marker/"):
                self._markers.add(message.topic)
            else:
                self.messages.append((message.topic, message.payload.decode(), bool(message.retain)))
            self._cond.notify_all()

    def sync(self, timeout: float = 10) -> None:
        """Round-trip a marker: every message the broker acknowledged before has then arrived."""
        marker = f"{self.prefix}/marker/{uuid.uuid4().hex}"
        self.client.publish(marker, b"x", qos=1)
        self.wait(lambda: marker in self._markers, f"marker {marker}", timeout)

    def wait(self, condition, what: str, timeout: float = 10) -> None:
        with self._cond:
            assert self._cond.wait_for(condition, timeout), f"{what} not received; got {len(self.messages)} messages"

    def count(self) -> int:
        with self._cond:
            return len(self.messages)

    def after(self, index: int) -> list[tuple[str, str, bool]]:
        with self._cond:
            return list(self.messages[index:])

    def latest(self) -> dict[str, str]:
        """The last payload of each topic."""
        with self._cond:
            return {topic: payload for topic, payload, _ in self.messages}

    def publish(self, topic: str, payload: str, retain: bool = False) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def retained(prefix: str, port: int = PORT, **auth: str) -> dict[str, str]:
    """The retained, non-empty payloads under a prefix, as a newcomer gets them."""
    listener = Listener(prefix, port, **auth)
    listener.close()
    return {topic: payload for topic, payload, kept in listener.messages if kept and payload}


def clear_retained(prefix: str, port: int = PORT) -> None:
    listener = Listener(prefix, port)
    try:
        for topic, payload, kept in list(listener.messages):
            if kept and payload:
                listener.publish(topic, "", retain=True)
    finally:
        listener.close()


class Topics:
    """A discovery prefix and a topic prefix of this test's own on the shared broker."""

    def __init__(self) -> None:
        self.prefix = f"medtest_{uuid.uuid4().hex[:10]}"
        self.base = f"{self.prefix}/state"
        self.held: list[Any] = []

    def config_topic(self, ident: str) -> str:
        return f"{self.prefix}/device/{ident}/config"

    def state_topic(self, ident: str) -> str:
        return f"{self.base}/{ident}/state"

    def config(self, **extra: Any) -> dict[str, Any]:
        """Discovery on the shared broker, the Energy dashboard off, every flag given (a form's absent box is off)."""
        return {"host": HOST, "port": PORT, "discovery": True, "discovery_prefix": self.prefix,
                "topic_prefix": self.base, "long_term_statistics": True, "energy": False, **extra}

    def hold(self, thing):
        """Keep an exporter, manager or listener to close before the retained topics are cleared."""
        self.held.append(thing)
        return thing

    def configs(self, port: int = PORT, **auth: str) -> dict[str, dict]:
        """The retained device configs by device id."""
        marker = f"{self.prefix}/device/"
        return {topic[len(marker):-len("/config")]: json.loads(payload)
                for topic, payload in retained(self.prefix, port, **auth).items()
                if topic.startswith(marker) and topic.endswith("/config")}


@pytest.fixture
def topics() -> Iterator[Topics]:
    made = Topics()
    yield made
    for thing in reversed(made.held):
        for method in ("close", "disconnect"):
            if hasattr(thing, method):
                getattr(thing, method)()
                break
    with contextlib.suppress(OSError):
        clear_retained(made.prefix)


def manager_with(db, tmp_path: Path, topics: Topics, **config: Any) -> ExporterManager:
    manager = topics.hold(ExporterManager(db, tmp_path, None, entry_points=False))
    manager.save_config(EXPORTER, config, enabled=True)
    return manager


def ha_settings(ha: FakeHomeAssistant, **extra: Any) -> dict[str, Any]:
    return {"energy": True, "ha_url": ha.url, "ha_token": ha.token, **extra}


def components(config: dict) -> dict[str, dict]:
    return config["cmps"]


def every_component(configs: dict[str, dict]) -> list[dict]:
    return [c for config in configs.values() for c in components(config).values()]


# -- statistics helpers ---------------------------------------------------------------------------------------------
def imported_ids(ha: FakeHomeAssistant, since: int = 0) -> set[str]:
    return {m["metadata"]["statistic_id"] for m in ha.imports[since:]}


def batch_hours(batch) -> dict[str, set[int]]:
    return {s.statistic_id: set(s.values) for s in series_of(batch, "EUR")}


# -- 1. discovery ---------------------------------------------------------------------------------------------------
@needs_broker
def test_discovery_publishes_retained_configs_then_states_and_online(db, topics):
    """Every device gets a retained config (origin, availability, unique ids), then a retained state."""
    batch, _ = changes.collect(db, {}, NOON)
    live = topics.hold(Listener(topics.prefix))
    exporter = topics.hold(HomeAssistantExporter(topics.config()))
    result = exporter.export(batch)
    assert result.items_sent == len(IDENTS)
    live.sync()

    configs = topics.configs()
    assert sorted(configs) == sorted(IDENTS)
    kept = retained(topics.prefix)
    for ident, config in configs.items():
        assert config["o"]["name"] == "MyElectricalData"
        assert config["avty"] == [{"t": f"{topics.base}/status"}]
        assert config["dev"]["ids"] == [ident] and config["stat_t"] == topics.state_topic(ident)
        state = json.loads(kept[topics.state_topic(ident)])
        for key, component in components(config).items():
            assert component["p"] == "sensor" and component["uniq_id"] == f"{ident}_{key}"
            assert key in state  # every template reads a key the state holds
    assert kept[f"{topics.base}/status"] == "online"
    linky = configs[f"myelectricaldata_{HPHC}"]
    assert linky["dev"]["sn"] == HPHC and {"consumption_yesterday_hp", "consumption_yesterday_hc"} <= set(
        components(linky))
    assert "production_yesterday" in components(configs[f"myelectricaldata_{TEMPO}"])

    order = [topic for topic, payload, _ in live.messages if payload and topic.endswith(("/config", "/state"))]
    last_config = max(i for i, t in enumerate(order) if t.endswith("/config"))
    first_state = min(i for i, t in enumerate(order) if t.endswith("/state"))
    assert last_config < first_state


# -- 2. version gating ----------------------------------------------------------------------------------------------
@needs_broker
def test_ha_2026_11_gets_default_entity_ids_and_mean_type(db, topics):
    """The newest HA: ``def_ent_id`` on components, ``mean_type``/``unit_class`` and no ``has_mean`` on imports."""
    batch, _ = changes.collect(db, {}, NOON)
    with FakeHomeAssistant(version="2026.11.0") as ha:
        exporter = topics.hold(HomeAssistantExporter(topics.config(**ha_settings(ha))))
        exporter.export(batch)
    assert ha.rejected == [] and ha.imports
    for message in ha.imports:
        meta = message["metadata"]
        assert "has_mean" not in meta and meta["mean_type"] == 0
        assert meta["unit_class"] == ("energy" if meta["unit_of_measurement"] == "kWh" else None)
    configs = topics.configs()
    consumption = components(configs[f"myelectricaldata_{BASE}"])["consumption_yesterday"]
    assert consumption["def_ent_id"] == f"sensor.linky_{BASE}_consumption_yesterday" and "obj_id" not in consumption
    assert all("def_ent_id" in c and "obj_id" not in c for c in every_component(configs))


@needs_broker
def test_ha_2025_4_gets_object_ids_and_has_mean(db, topics):
    """An older HA: ``obj_id`` on components and ``has_mean`` without ``mean_type`` on imports."""
    batch, _ = changes.collect(db, {}, NOON)
    with FakeHomeAssistant(version="2025.4.4") as ha:
        exporter = topics.hold(HomeAssistantExporter(topics.config(**ha_settings(ha))))
        exporter.export(batch)
    assert ha.rejected == [] and ha.imports
    for message in ha.imports:
        meta = message["metadata"]
        assert meta["has_mean"] is False and "mean_type" not in meta and "unit_class" not in meta
    configs = topics.configs()
    consumption = components(configs[f"myelectricaldata_{BASE}"])["consumption_yesterday"]
    assert consumption["obj_id"] == f"linky_{BASE}_consumption_yesterday" and "def_ent_id" not in consumption


@needs_broker
def test_without_home_assistant_discovery_takes_the_newest_form(db, topics):
    """Energy off and no Supervisor: the version is unknown, so components get ``def_ent_id``."""
    batch, _ = changes.collect(db, {}, NOON)
    exporter = topics.hold(HomeAssistantExporter(topics.config()))
    exporter.export(batch)
    configs = topics.configs()
    assert sorted(configs) == sorted(IDENTS)
    assert all("def_ent_id" in c and "obj_id" not in c for c in every_component(configs))


# -- 3. under the Supervisor ----------------------------------------------------------------------------------------
@pytest.mark.slow
def test_under_the_supervisor_the_broker_and_websocket_come_from_it(db, topics, monkeypatch, private_broker):
    """No host and no URL: the broker of /services/mqtt (with its credentials), statistics through /core/websocket."""
    port = private_broker(password="addons-pw")
    batch, _ = changes.collect(db, {}, NOON)
    with FakeHomeAssistant() as ha, FakeSupervisor(
            mqtt={"host": HOST, "port": port, "username": "med", "password": "addons-pw"},
            upstream_ws=ha.ws_url, upstream_token=ha.token) as sup:
        monkeypatch.setenv("SUPERVISOR_URL", sup.url)
        monkeypatch.setenv("SUPERVISOR_TOKEN", sup.token)
        exporter = HomeAssistantExporter({"discovery_prefix": topics.prefix, "topic_prefix": topics.base})
        try:
            result = exporter.export(batch)
        finally:
            exporter.disconnect()
    assert "/services/mqtt" in [r.route for r in sup.requests]
    assert sup.ws_connections == 1 and ha.connections == 1
    proxied = [m for m in sup.ws_messages if isinstance(m, dict) and m.get("type") == "recorder/import_statistics"]
    assert len(proxied) == len(ha.imports) > 0 and ha.rejected == []
    assert imported_ids(ha) == set(batch_hours(batch))
    assert sorted(topics.configs(port, username="med", password="addons-pw")) == sorted(IDENTS)
    assert f"{len(IDENTS)} appareils publiés" in result.message


@needs_broker
def test_a_broker_host_entered_by_the_user_wins_over_the_supervisor(db, topics, monkeypatch):
    """The user's host is used as is: the Supervisor's MQTT service is not even asked."""
    closed = free_port()
    batch, _ = changes.collect(db, {}, NOON)
    with FakeSupervisor(mqtt={"host": HOST, "port": closed}) as sup:
        monkeypatch.setenv("SUPERVISOR_URL", sup.url)
        monkeypatch.setenv("SUPERVISOR_TOKEN", sup.token)
        exporter = topics.hold(HomeAssistantExporter(topics.config()))
        exporter.export(batch)
        assert exporter.link.where == f"{HOST}:{PORT}"
    assert "/services/mqtt" not in [r.route for r in sup.requests]
    assert sorted(topics.configs()) == sorted(IDENTS)


@needs_broker
def test_with_energy_off_the_version_comes_from_core_info(db, topics, monkeypatch):
    """Under the Supervisor without statistics, HA 2025.4 from /core/info gives ``obj_id``."""
    batch, _ = changes.collect(db, {}, NOON)
    with FakeSupervisor(mqtt={"host": HOST, "port": PORT}, core_version="2025.4.4") as sup:
        monkeypatch.setenv("SUPERVISOR_URL", sup.url)
        monkeypatch.setenv("SUPERVISOR_TOKEN", sup.token)
        config = {k: v for k, v in topics.config().items() if k not in ("host", "port")}
        exporter = topics.hold(HomeAssistantExporter(config))
        exporter.export(batch)
        routes = [r.route for r in sup.requests]
    assert "/core/info" in routes and "/services/mqtt" in routes and sup.ws_connections == 0
    configs = topics.configs()
    assert sorted(configs) == sorted(IDENTS)
    assert all("obj_id" in c and "def_ent_id" not in c for c in every_component(configs))


# -- 4. statistics --------------------------------------------------------------------------------------------------
def test_every_hour_is_imported_in_chunks_with_continuous_sums(long_db):
    """More hours than one message holds: chunked imports, every hour stored, sums continuous, 25 on 2025-10-26."""
    batch, _ = changes.collect(long_db, {}, NOON)
    expected = batch_hours(batch)
    assert max(len(hours) for hours in expected.values()) > CHUNK
    with FakeHomeAssistant() as ha:
        result = HomeAssistantExporter({"discovery": False, **ha_settings(ha)}).export(batch)
    assert ha.rejected == []
    assert max(len(m["stats"]) for m in ha.imports) <= CHUNK and len(ha.imports) > len(expected)
    assert result.items_sent == sum(len(hours) for hours in expected.values())
    first, last = (int(t.timestamp()) for t in local_day_bounds(DST_DAY))
    for sid, hours in expected.items():
        rows = stored(ha, sid)
        assert [start for start, _, _ in rows] == sorted(hours), sid
        assert_continuous(rows)
        assert len({start for start, _, _ in rows if first <= start < last}) == 25, sid
    consumption = stored(ha, f"myelectricaldata:{BASE}_consumption")
    wm = sum(p.watts * p.minutes for p in batch.load_curve)
    assert consumption[-1][2] == pytest.approx(wm / 60_000, abs=1e-6)


@needs_broker
def test_a_second_export_imports_nothing_new(db, topics, tmp_path):
    """Through the manager, then again with a fresh exporter and the whole batch: no new import message."""
    with FakeHomeAssistant() as ha:
        manager = manager_with(db, tmp_path, topics, **topics.config(**ha_settings(ha)))
        first = manager.run_exports(NOON)[EXPORTER]
        assert first.ok, first.error
        count = len(ha.imports)
        assert imported_ids(ha) == set(batch_hours(changes.collect(db, {}, NOON)[0]))
        second = manager.run_exports(NOON + timedelta(hours=1), force=True)[EXPORTER]
        assert second.ok, second.error
        assert len(ha.imports) == count and "0 lignes de statistiques importées" in second.message
        whole, _ = changes.collect(db, {}, NOON)
        again = topics.hold(HomeAssistantExporter(topics.config(**ha_settings(ha))))
        assert "0 lignes de statistiques importées" in again.export(whole).message
        assert len(ha.imports) == count and ha.rejected == []


def test_a_later_sync_continues_the_sums_from_what_home_assistant_holds(db, topics, tmp_path):
    """One more day synced: only its hours are imported, summed on from HA's last sum."""
    sid = f"myelectricaldata:{BASE}_consumption"
    with FakeHomeAssistant() as ha:
        manager = manager_with(db, tmp_path, topics, discovery=False, **ha_settings(ha))
        assert manager.run_exports(NOON)[EXPORTER].ok
        before, count = stored(ha, sid), len(ha.imports)
        next_noon = NOON + timedelta(days=1)
        with start_simulator(today=TODAY) as sim:
            sim.state.set_now(next_noon)
            assert make_sync(db, sim, tmp_path).run(pdls=[BASE], since=TODAY).ok
        outcome = manager.run_exports(next_noon)[EXPORTER]
        assert outcome.ok, outcome.error
    first, last = (int(t.timestamp()) for t in local_day_bounds(TODAY))
    sent = [m for m in ha.imports[count:] if m["metadata"]["statistic_id"] == sid]
    assert [datetime.fromisoformat(r["start"]).timestamp() for m in sent for r in m["stats"]] == list(
        range(first, last, 3600))
    after = stored(ha, sid)
    assert after[:len(before)] == before and len(after) == len(before) + 24
    assert_continuous(after)


def test_days_filled_in_before_the_first_import_keep_the_sums_continuous(db, topics, tmp_path):
    """An earlier week synced late: its hours come first and every later sum moves up by their total."""
    sid = f"myelectricaldata:{BASE}_consumption"
    with FakeHomeAssistant() as ha:
        manager = manager_with(db, tmp_path, topics, discovery=False, **ha_settings(ha))
        assert manager.run_exports(NOON)[EXPORTER].ok
        before = stored(ha, sid)
        later = NOON + timedelta(hours=1)
        with start_simulator(today=TODAY) as sim:
            sim.state.set_now(later)
            assert make_sync(db, sim, tmp_path).run(pdls=[BASE], since=SINCE - timedelta(days=7)).ok
        outcome = manager.run_exports(later)[EXPORTER]
        assert outcome.ok, outcome.error
    after = stored(ha, sid)
    assert len(after) == len(before) + 7 * 24 and after[-len(before):][0][0] == before[0][0]
    added = after[7 * 24 - 1][2]
    assert added > 0
    for (hour, state, total), (hour_after, state_after, total_after) in zip(before, after[7 * 24:], strict=True):
        assert (hour_after, state_after) == (hour, state) and total_after == pytest.approx(total + added, abs=1e-6)
    assert_continuous(after)


# -- 5. price change ------------------------------------------------------------------------------------------------
def test_a_price_change_reimports_the_costs_and_leaves_the_energy_alone(db, topics, tmp_path):
    """Another offer for the Base PDL: its cost statistic is re-imported at the new price, its energy is not."""
    energy, cost = f"myelectricaldata:{BASE}_consumption", f"myelectricaldata:{BASE}_consumption_cost"
    with FakeHomeAssistant() as ha:
        manager = manager_with(db, tmp_path, topics, discovery=False, **ha_settings(ha))
        assert manager.run_exports(NOON)[EXPORTER].ok
        energy_before, cost_before = stored(ha, energy), stored(ha, cost)
        others = {sid: stored(ha, sid) for sid in imported_ids(ha) if BASE not in sid}
        offer = {"name": "Base à 30 c", "kind": "BASE",
                 "versions": [{"valid_from": "2025-01-01", "energy": {"BASE": "0.3000"}, "subscription": "12"}]}
        with db.begin() as conn:
            pricing_store.save_choice(conn, BASE, f"user:{pricing_store.save_offer(conn, offer)}")
        count = len(ha.imports)
        outcome = manager.run_exports(NOON + timedelta(hours=1))[EXPORTER]
        assert outcome.ok, outcome.error
    assert ha.rejected == []
    assert imported_ids(ha, count) == {cost}
    assert stored(ha, energy) == energy_before
    cost_after = stored(ha, cost)
    assert [h for h, _, _ in cost_after] == [h for h, _, _ in cost_before] and cost_after != cost_before
    for (hour, kwh, _), (_, eur, _) in zip(energy_before, cost_after, strict=True):
        assert eur == pytest.approx(kwh * 0.3, abs=1e-6), datetime.fromtimestamp(hour, UTC)
    assert_continuous(cost_after)
    assert {sid: stored(ha, sid) for sid in others} == others


# -- 6. ghost devices -----------------------------------------------------------------------------------------------
def _disable(db, pdl: str) -> None:
    with db.begin() as conn:
        save_preferences(conn, PdlPreferences(pdl, enabled=False))


@needs_broker
def test_a_disabled_pdl_loses_its_retained_device(db, topics, tmp_path):
    """Disabling a PDL empties its retained config and state; the other devices stay."""
    manager = manager_with(db, tmp_path, topics, **topics.config())
    assert manager.run_exports(NOON)[EXPORTER].ok
    assert sorted(topics.configs()) == sorted(IDENTS)
    _disable(db, HPHC)
    outcome = manager.run_exports(NOON + timedelta(hours=1))[EXPORTER]
    assert outcome.ok, outcome.error
    gone = f"myelectricaldata_{HPHC}"
    assert sorted(topics.configs()) == sorted(i for i in IDENTS if i != gone)
    kept = retained(topics.prefix)
    assert topics.state_topic(gone) not in kept and topics.state_topic(f"myelectricaldata_{BASE}") in kept


@needs_broker
def test_a_restart_removes_a_device_left_by_the_previous_run(db, topics):
    """A fresh exporter reads the retained configs at connection and removes ours that are no longer wanted."""
    foreign = topics.config_topic("someone_else")
    publisher = topics.hold(Listener(topics.prefix))
    publisher.publish(foreign, json.dumps({"dev": {"ids": ["someone_else"]}, "cmps": {}}), retain=True)
    before = HomeAssistantExporter(topics.config())
    try:
        before.export(changes.collect(db, {}, NOON)[0])
    finally:
        before.disconnect()
    _disable(db, TEMPO)
    after = topics.hold(HomeAssistantExporter(topics.config()))
    after.export(changes.collect(db, {}, NOON)[0])
    configs = topics.configs()
    assert f"myelectricaldata_{TEMPO}" not in configs
    assert sorted(configs) == sorted([*(i for i in IDENTS if i != f"myelectricaldata_{TEMPO}"), "someone_else"])


# -- 7. HA's birth message ------------------------------------------------------------------------------------------
@needs_broker
def test_home_assistant_online_gets_every_config_the_availability_then_every_state_again(db, topics):
    """``online`` on ``<prefix>/status`` republishes the configs, the availability, then the states, as last
    exported: entities come back even when the broker lost its retained topics."""
    exporter = topics.hold(HomeAssistantExporter(topics.config()))
    exporter.export(changes.collect(db, {}, NOON)[0])
    live = topics.hold(Listener(topics.prefix))
    exported = live.latest()
    availability = f"{topics.base}/status"
    live.publish(availability, "", retain=True)  # the retained availability is gone (a broker without persistence)
    live.sync()
    start = live.count()
    live.publish(f"{topics.prefix}/status", "online")

    def republished() -> list[tuple[str, str, bool]]:
        return [m for m in live.after(start) if m[0].endswith(("/config", "/state")) or m[0] == availability]

    live.wait(lambda: len(republished()) >= 2 * len(IDENTS) + 1, "the configs, availability and states again")
    live.sync()
    again = republished()
    topics_again = [t for t, _, _ in again]
    assert sorted(topics_again[:len(IDENTS)]) == sorted(topics.config_topic(i) for i in IDENTS)
    assert again[len(IDENTS)] == (availability, "online", False)
    assert sorted(topics_again[len(IDENTS) + 1:]) == sorted(topics.state_topic(i) for i in IDENTS)
    assert all(payload == exported[topic] for topic, payload, _ in again if topic != availability)
    assert retained(topics.prefix)[availability] == "online"


# -- 8. failures ----------------------------------------------------------------------------------------------------
@needs_broker
def test_home_assistant_refusing_the_token_fails_clearly_after_discovery(db, topics, tmp_path):
    """The error names HA's address, never the token; the sensors are published all the same."""
    secret = "my-very-secret-token"
    with FakeHomeAssistant(token=secret) as ha:
        ha.refuse_auth = True
        manager = manager_with(db, tmp_path, topics, **topics.config(**ha_settings(ha)))
        outcome = manager.run_exports(NOON)[EXPORTER]
    assert not outcome.ok
    assert f"127.0.0.1:{ha.port}" in outcome.error and "refuse le jeton d'accès" in outcome.error
    assert secret not in outcome.error and secret not in manager.status(EXPORTER).last_error
    assert sorted(topics.configs()) == sorted(IDENTS) and ha.imports == []


@needs_broker
def test_no_home_assistant_address_still_publishes_the_sensors(db, topics, tmp_path, monkeypatch):
    """Standalone without an HA URL: the Energy part fails with what to enter, discovery is done all the same."""
    monkeypatch.delenv("SUPERVISOR_TOKEN", raising=False)
    manager = manager_with(db, tmp_path, topics, **topics.config(energy=True, ha_url="", ha_token=""))
    outcome = manager.run_exports(NOON)[EXPORTER]
    assert not outcome.ok and "Aucune URL de Home Assistant" in outcome.error
    assert sorted(topics.configs()) == sorted(IDENTS)


@needs_broker
def test_the_sensors_stay_available_while_home_assistant_refuses_the_token(db, topics, tmp_path):
    """A statistics failure must not mark the freshly published sensors unavailable."""
    with FakeHomeAssistant() as ha:
        ha.refuse_auth = True
        manager = manager_with(db, tmp_path, topics, **topics.config(**ha_settings(ha)))
        assert not manager.run_exports(NOON)[EXPORTER].ok
    assert sorted(topics.configs()) == sorted(IDENTS)
    assert retained(topics.prefix)[f"{topics.base}/status"] == "online"


def test_a_rejected_statistic_fails_the_export_and_the_retry_loses_nothing(db, topics, tmp_path):
    """HA refusing an import: error stored, retry planned, and the next forced export imports every hour."""
    with FakeHomeAssistant() as ha:
        manager = manager_with(db, tmp_path, topics, discovery=False, **ha_settings(ha))
        ha.fail_next_imports(message="Statistics import refused")
        failed = manager.run_exports(NOON)[EXPORTER]
        assert not failed.ok and "Statistics import refused" in failed.error
        status = manager.status(EXPORTER)
        assert "Statistics import refused" in status.last_error
        assert status.retry_at is not None and status.retry_at > NOON.astimezone(UTC).replace(tzinfo=None)
        assert failed.retry_at == status.retry_at
        assert manager.run_exports(NOON)[EXPORTER].skipped
        retried = manager.run_exports(NOON, force=True)[EXPORTER]
        assert retried.ok, retried.error
    assert len(ha.rejected) == 1
    assert manager.status(EXPORTER).last_error == "" and manager.status(EXPORTER).retry_at is None
    for sid, hours in batch_hours(changes.collect(db, {}, NOON)[0]).items():
        rows = stored(ha, sid)
        assert {start for start, _, _ in rows} == hours, sid
        assert_continuous(rows)


def test_a_broker_down_is_a_clear_failure(db, topics, tmp_path):
    """Nothing listening: the error names host:port and not the password."""
    closed = free_port()
    config = topics.config(port=closed, username="me", password="s3cret-pw")
    with pytest.raises(MqttError, match=f"{HOST}:{closed}") as caught:
        HomeAssistantExporter(config).export(changes.collect(db, {}, NOON)[0])
    assert "s3cret" not in str(caught.value)
    outcome = manager_with(db, tmp_path, topics, **config).run_exports(NOON)[EXPORTER]
    assert not outcome.ok and f"{HOST}:{closed}" in outcome.error and "refusée" in outcome.error
    assert "s3cret" not in outcome.error


# -- 9. reset -------------------------------------------------------------------------------------------------------
def test_reset_clears_our_statistics_and_imports_them_again(db, topics, tmp_path):
    """Only our statistics are cleared (not another source's, nor the legacy client's), and the re-import gives the
    same rows."""
    legacy = "myelectricaldata:12345678901234_hc_consumption"
    with FakeHomeAssistant() as ha:
        manager = manager_with(db, tmp_path, topics, discovery=False, **ha_settings(ha))
        assert manager.can_reset(EXPORTER)
        assert manager.run_exports(NOON)[EXPORTER].ok
        ours = imported_ids(ha)
        before = {sid: stored(ha, sid) for sid in ours}
        with HomeAssistantSocket(ha.ws_url, ha.token) as ws:
            for sid, source in (("other:meter", "other"), (legacy, "myelectricaldata")):
                ws.call("recorder/import_statistics", metadata={
                    "has_sum": True, "name": "Other meter", "source": source, "statistic_id": sid,
                    "unit_of_measurement": "kWh", "mean_type": 0, "unit_class": "energy"},
                    stats=[{"start": "2025-11-01T00:00:00+00:00", "state": 1.0, "sum": 1.0}])
        count = len(ha.imports)
        outcome = manager.reset(EXPORTER, NOON + timedelta(hours=1))
        assert outcome.ok, outcome.error
    clears = [m for m in ha.received if m.get("type") == "recorder/clear_statistics"]
    assert len(clears) == 1 and set(clears[0]["statistic_ids"]) == ours
    assert all(sid.startswith("myelectricaldata:") for sid in clears[0]["statistic_ids"])
    assert stored(ha, "other:meter") and stored(ha, legacy) and imported_ids(ha, count) == ours
    assert {sid: stored(ha, sid) for sid in ours} == before


# -- 10. connection test --------------------------------------------------------------------------------------------
@needs_broker
def test_the_connection_test_reports_the_broker_and_home_assistant(db, topics, tmp_path):
    """Both reached: one message names the broker, HA's version and its address."""
    with FakeHomeAssistant(version="2026.11.0") as ha:
        manager = manager_with(db, tmp_path, topics, **topics.config())
        ok, message = manager.test_connection(EXPORTER, {**topics.config(**ha_settings(ha)), "port": str(PORT)})
    assert ok, message
    assert f"broker MQTT {HOST}:{PORT}" in message
    assert "Home Assistant 2026.11.0" in message and f"127.0.0.1:{ha.port}" in message and "EUR" in message


@needs_broker
@pytest.mark.parametrize("broken", ["broker", "home_assistant", "both"])
def test_the_connection_test_names_what_failed(db, topics, tmp_path, broken):
    """A closed broker port and a refused token are each reported with their address; the token is never shown."""
    closed = free_port()
    with FakeHomeAssistant(token="hidden-token-123") as ha:
        ha.refuse_auth = broken in ("home_assistant", "both")
        port = closed if broken in ("broker", "both") else PORT
        ok, message = HomeAssistantExporter(topics.config(port=port, **ha_settings(ha))).test_connection()
    assert not ok
    broker_down = f"Broker MQTT {HOST}:{closed} injoignable"
    refused = f"Home Assistant à ws://127.0.0.1:{ha.port}/api/websocket refuse le jeton d'accès"
    assert (broker_down in message) == (broken != "home_assistant")
    assert (refused in message) == (broken != "broker")
    if broken == "broker":
        assert "Connecté à Home Assistant 2026.11.0" in message
    if broken == "home_assistant":
        assert f"Connecté au broker MQTT {HOST}:{PORT}" in message
    assert "hidden-token-123" not in message


@needs_broker
def test_a_connection_test_leaves_the_running_exporter_available(db, topics, tmp_path):
    """Testing the saved settings from the UI must not make the running exporter's sensors unavailable."""
    manager = manager_with(db, tmp_path, topics, **topics.config())
    assert manager.run_exports(NOON)[EXPORTER].ok
    assert retained(topics.prefix)[f"{topics.base}/status"] == "online"
    assert manager.test_connection(EXPORTER, topics.config())[0]
    assert manager.run_exports(NOON + timedelta(hours=1))[EXPORTER].ok
    assert retained(topics.prefix)[f"{topics.base}/status"] == "online"
