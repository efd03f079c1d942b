"""The MQTT exporter against the machine's real Mosquitto (127.0.0.1:1883) and private ones for the LWT and auth."""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import paho.mqtt.client as mqtt
import pytest
import sqlalchemy as sa
from paho.mqtt.enums import CallbackAPIVersion

from myelectricaldata import supervisor
from myelectricaldata.database import models as m
from myelectricaldata.energy.timeline import PARIS
from myelectricaldata.exporters.batches import (
    DailyEnergy,
    EcowattDay,
    ExportBatch,
    MaxPower,
    PeriodTotals,
    Snapshot,
    UsagePointState,
)
from myelectricaldata.exporters.manager import ExporterManager
from myelectricaldata.exporters.mqtt import MqttExporter
from myelectricaldata.exporters.mqtt_link import broker_settings
from myelectricaldata.simulator import DEMO_HOUSEHOLDS, start_simulator
from tests.support.net import free_port
from tests.support.required import needs_broker
from tests.support.syncing import NOON, TODAY, make_sync

HOST, PORT = "127.0.0.1", 1883
PDL = "99000000000001"


class Listener:
    """A paho subscriber keeping the last payload of every topic under a prefix."""

    def __init__(self, prefix: str, port: int = PORT) -> None:
        self.prefix, self.got, self.seen = prefix, {}, threading.Condition()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"listener-{uuid.uuid4().hex[:8]}")
        self.client.on_message = self._on_message
        self.client.connect(HOST, port)
        result, _ = self.client.subscribe(f"{prefix}/#", qos=1)
        assert result == mqtt.MQTT_ERR_SUCCESS
        self.client.loop_start()

    def _on_message(self, client, userdata, msg) -> None:
        with self.seen:
            self.got[msg.topic[len(self.prefix) + 1:]] = msg.payload.decode()
            self.seen.notify_all()

    def wait_for(self, topic: str, value: str | None = None, timeout: float = 10) -> str:
        with self.seen:
            ok = self.seen.wait_for(lambda: topic in self.got and value in (None, self.got[topic]), timeout)
        assert ok, f"{topic} not received ({self.got.get(topic)!r}); topics: {sorted(self.got)[:20]}"
        return self.got[topic]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def prefix():
    name = f"medtest-{uuid.uuid4().hex[:10]}"
    yield name
    # clear the retained topics this test left on the shared broker
    cleaner = mqtt.Client(CallbackAPIVersion.VERSION2)
    topics: set[str] = set()
    cleaner.on_message = lambda c, u, msg: topics.add(msg.topic) if msg.retain else None
    try:
        cleaner.connect(HOST, PORT)
    except OSError:
        return
    cleaner.subscribe(f"{name}/#")
    cleaner.loop_start()
    time.sleep(0.3)
    for topic in topics:
        cleaner.publish(topic, b"", qos=1, retain=True).wait_for_publish(2)
    cleaner.disconnect()
    cleaner.loop_stop()


def small_batch() -> ExportBatch:
    now = datetime(2025, 11, 5, 12, tzinfo=PARIS)
    days = [date(2025, 11, d) for d in range(1, 5)]  # Sat 1 .. Tue 4: the whole week of the 4th (Mon 3, Tue 4)
    # totals as the snapshot would read them from the whole stored year (the batch holds 4 days only)
    totals = PeriodTotals(date(2025, 11, 4), 10_004, 20_007, 40_010, 3_456_789)
    state = UsagePointState(PDL, "Maison", True, True, False, "BASE", 6, "", datetime(2025, 11, 5, 6, 30), totals)
    return ExportBatch(
        Snapshot(now, (state,), datetime(2025, 11, 5, 6, 31), "BLUE", "RED", 2025,
                 {"BLUE": 280, "WHITE": 43, "RED": 22}),
        daily=[DailyEnergy(PDL, "consumption", d, 10_000 + d.day) for d in days],
        max_power=[MaxPower(PDL, date(2025, 11, 4), 5400,
                            int(datetime(2025, 11, 4, 19, 15, tzinfo=PARIS).timestamp()))],
        ecowatt=[EcowattDay(date(2025, 11, 5), 2, "orange", (1,) * 12 + (2,) * 12)])


@needs_broker
def test_export_publishes_topics_and_json_payloads(prefix):
    listener = Listener(prefix)
    exporter = MqttExporter({"host": HOST, "port": PORT, "topic_prefix": prefix})
    try:
        result = exporter.export(small_batch())
        assert listener.wait_for("status", "online") == "online"
        yesterday = json.loads(listener.wait_for(f"{PDL}/consumption/yesterday"))
        assert yesterday == {"value": 10_004, "unit": "Wh", "date": "2025-11-04", "pdl": PDL}
        assert json.loads(listener.wait_for(f"{PDL}/consumption/daily/2025-11-01"))["value"] == 10_001
        week = json.loads(listener.wait_for(f"{PDL}/consumption/week"))
        assert week == {"value": 20_007, "unit": "Wh", "date": "2025-11-04", "pdl": PDL, "start": "2025-11-03",
                        "end": "2025-11-04"}
        assert json.loads(listener.wait_for(f"{PDL}/consumption/month"))["value"] == 40_010
        year = json.loads(listener.wait_for(f"{PDL}/consumption/year"))
        assert (year["value"], year["start"]) == (3_456_789, "2025-01-01")  # from the snapshot, not the batch
        blue = json.loads(listener.wait_for("tempo/remaining/blue"))
        assert blue == {"value": 280, "unit": "days", "date": None, "pdl": None, "season": "2025-2026"}
        assert json.loads(listener.wait_for("tempo/remaining/red"))["value"] == 22
        power = json.loads(listener.wait_for(f"{PDL}/max_power/yesterday"))
        assert power["value"] == 5400 and power["at"].startswith("2025-11-04T19:15:00")
        assert json.loads(listener.wait_for("tempo/tomorrow"))["value"] == "RED"
        eco = json.loads(listener.wait_for("ecowatt/2025-11-05"))
        assert eco["value"] == 2 and eco["hours"][-1] == 2
        assert json.loads(listener.wait_for(f"{PDL}/last_sync"))["value"].startswith("2025-11-05T07:30")
        time.sleep(0.2)
        assert f"{PDL}/production/week" not in listener.got  # no production on this PDL
        assert result.items_sent == len([t for t in listener.got if t != "status"])
    finally:
        exporter.disconnect()
        listener.close()


@needs_broker
def test_plain_payloads_are_the_value_alone(prefix):
    listener = Listener(prefix)
    exporter = MqttExporter({"host": HOST, "port": PORT, "topic_prefix": prefix, "payload_format": "plain",
                             "qos": "2"})
    try:
        exporter.export(small_batch())
        assert listener.wait_for(f"{PDL}/consumption/yesterday") == "10004"
        assert listener.wait_for("tempo/today") == "BLUE"
        assert listener.wait_for(f"{PDL}/max_power/yesterday/time").startswith("2025-11-04T19:15")
    finally:
        exporter.disconnect()
        listener.close()
    assert listener.got["status"] == "offline"  # a clean disconnect says so too


def sql_totals(engine, pdl: str, direction: str, end: date) -> dict[str, int]:
    """Week, month and year-to-date Wh up to ``end``, summed by SQL over daily_energy."""
    t = m.daily_energy
    starts = {"week": end - timedelta(days=end.weekday()), "month": end.replace(day=1),
              "year": end.replace(month=1, day=1)}
    with engine.connect() as conn:
        return {period: conn.scalar(sa.select(sa.func.sum(t.c.wh)).where(
            t.c.usage_point_id == pdl, t.c.direction == direction, t.c.day >= start, t.c.day <= end))
            for period, start in starts.items()}


def sql_tempo_remaining(engine, up_to: date) -> dict[str, int]:
    """Season 2025-2026 (365 days): 22 red, 43 white, 300 blue, less the colours stored up to ``up_to``."""
    t = m.tempo_days
    with engine.connect() as conn:
        used = dict(conn.execute(sa.select(t.c.color, sa.func.count()).where(
            t.c.day >= date(2025, 9, 1), t.c.day <= up_to).group_by(t.c.color)).all())
    return {c.lower(): quota - used.get(c, 0) for c, quota in (("BLUE", 300), ("WHITE", 43), ("RED", 22))}


def check_totals(listener, engine, pdl: str, end: date) -> None:
    for direction in ("consumption", "production"):
        expected = sql_totals(engine, pdl, direction, end)
        assert expected["week"] and expected["month"] and expected["year"] > expected["month"]
        for period, wh in expected.items():
            got = json.loads(listener.wait_for(f"{pdl}/{direction}/{period}"))
            assert (got["value"], got["end"]) == (wh, end.isoformat()), (direction, period)
    for colour, left in sql_tempo_remaining(engine, end + timedelta(days=2)).items():
        assert json.loads(listener.wait_for(f"tempo/remaining/{colour}"))["value"] == left


@pytest.mark.slow
@needs_broker
def test_export_after_a_sync_matches_the_database(sqlite_engine, tmp_path, prefix):
    manager = ExporterManager(sqlite_engine, tmp_path, None, entry_points=False)
    manager.save_config("mqtt", {"host": HOST, "port": str(PORT), "topic_prefix": prefix}, enabled=True)
    listener = Listener(prefix)
    try:
        with start_simulator(households=DEMO_HOUSEHOLDS[2:], today=TODAY) as sim:  # Tempo with production
            sync = make_sync(sqlite_engine, sim, tmp_path)
            outcome = manager.after_sync(sync.run(), NOON)["mqtt"]
            assert outcome.ok, outcome
            with sqlite_engine.connect() as conn:
                pdl, day, wh = conn.execute(
                    sa.select(m.daily_energy.c.usage_point_id, m.daily_energy.c.day, m.daily_energy.c.wh)
                    .where(m.daily_energy.c.direction == "consumption")
                    .order_by(m.daily_energy.c.day.desc()).limit(1)).one()
            assert day == date(2025, 11, 4)
            got = json.loads(listener.wait_for(f"{pdl}/consumption/yesterday"))
            assert (got["value"], got["date"], got["pdl"]) == (wh, "2025-11-04", pdl)
            assert json.loads(listener.wait_for(f"{pdl}/consumption/daily/2025-11-04"))["value"] == wh
            check_totals(listener, sqlite_engine, pdl, day)
            assert json.loads(listener.wait_for(f"{pdl}/cost/yesterday"))["unit"] == "EUR"
            assert listener.wait_for("status") == "online"
            assert manager.status("mqtt").items_sent == outcome.items_sent > 30

            # one more day: the incremental batch holds one day, the totals still come on every export
            with listener.seen:
                listener.got.clear()
            next_noon = NOON + timedelta(days=1)
            sim.state.set_now(next_noon)
            again = manager.after_sync(sync.run(), next_noon)["mqtt"]
            assert again.ok and again.items_sent < outcome.items_sent
            assert json.loads(listener.wait_for(f"{pdl}/consumption/yesterday"))["date"] == "2025-11-05"
            check_totals(listener, sqlite_engine, pdl, date(2025, 11, 5))
    finally:
        manager.close()
        listener.close()


@pytest.mark.slow
def test_last_will_says_offline_when_the_client_vanishes(private_broker):
    port = private_broker()
    prefix = f"medtest-{uuid.uuid4().hex[:10]}"
    listener = Listener(prefix, port)
    exporter = MqttExporter({"host": HOST, "port": port, "topic_prefix": prefix, "keepalive": 5})
    try:
        exporter.connect()
        listener.wait_for("status", "online")
        exporter.link.client.reconnect_delay_set(60, 120)  # keep it from coming back during the test
        exporter.link.client.socket().close()  # the TCP connection drops without a DISCONNECT packet
        assert listener.wait_for("status", "offline", timeout=15) == "offline"
    finally:
        exporter.link.disconnect(clean=False)
        listener.close()


@pytest.mark.slow
def test_export_succeeds_again_after_a_broker_restart(private_broker):
    port = private_broker()
    prefix = f"medtest-{uuid.uuid4().hex[:10]}"
    listener = Listener(prefix, port)
    exporter = MqttExporter({"host": HOST, "port": port, "topic_prefix": prefix})
    try:
        assert exporter.export(small_batch()).items_sent > 10
        listener.wait_for("status", "online")
        listener.close()
        private_broker.stop(port)
        deadline = time.monotonic() + 5
        while exporter.link.connected:  # the client notices the broker went away
            assert time.monotonic() < deadline, "the client did not notice the broker stopping"
            time.sleep(0.02)
        private_broker(port=port)  # same port, empty broker (no persistence)
        listener = Listener(prefix, port)
        started = time.monotonic()
        result = exporter.export(small_batch())  # waits (bounded) for paho's automatic reconnect
        assert time.monotonic() - started < 10
        assert result.items_sent > 10
        assert listener.wait_for("status", "online") == "online"  # published again on reconnect
        assert json.loads(listener.wait_for(f"{PDL}/consumption/year"))["value"] == 3_456_789
    finally:
        exporter.disconnect()
        listener.close()


def test_broker_down_is_a_clear_failure():
    port = free_port()
    ok, message = MqttExporter({"host": HOST, "port": port, "password": "s3cret-pw"}).test_connection()
    assert not ok and f"{HOST}:{port}" in message and "refusée" in message and "s3cret" not in message


@pytest.mark.slow
def test_wrong_password_is_named_without_showing_it(private_broker):
    port = private_broker(password="right-pw")
    ok, message = MqttExporter({"host": HOST, "port": port, "username": "med",
                                "password": "wrong-pw"}).test_connection()
    assert not ok and f"{HOST}:{port}" in message and "mot de passe" in message and "wrong-pw" not in message
    ok, message = MqttExporter({"host": HOST, "port": port, "username": "med",
                                "password": "right-pw"}).test_connection()
    assert ok and f"{HOST}:{port}" in message


@pytest.fixture
def fake_supervisor(monkeypatch):
    """A fake Supervisor answering /services/mqtt with the documented envelope; ``answer`` is the data."""
    answer: dict = {}
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.headers.get("Authorization", ""))
            body = json.dumps({"result": "ok", "data": answer} if self.path == "/services/mqtt"
                              else {"result": "error", "message": "not found"}).encode()
            self.send_response(200 if self.path == "/services/mqtt" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((HOST, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(supervisor, "SUPERVISOR_URL", f"http://{HOST}:{server.server_port}")
    monkeypatch.setenv("SUPERVISOR_TOKEN", "sup-token")
    yield answer, seen
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_the_supervisor_broker_is_used_when_no_host_is_set(fake_supervisor, private_broker):
    answer, seen = fake_supervisor
    port = private_broker(password="addons-pw")
    answer.update({"addon": "core_mosquitto", "host": HOST, "port": port, "ssl": False, "protocol": "3.1.1",
                   "username": "med", "password": "addons-pw"})
    exporter = MqttExporter({})
    assert broker_settings(exporter.config) == {"host": HOST, "port": port, "username": "med", "password": "addons-pw",
                                 "tls": False}
    ok, message = exporter.test_connection()
    assert ok and f"{HOST}:{port}" in message and seen[0] == "Bearer sup-token"


def test_user_settings_win_over_the_supervisor(fake_supervisor):
    answer, seen = fake_supervisor
    answer.update({"host": "core-mosquitto", "port": 1883, "ssl": False, "username": "addons", "password": "x"})
    mine = broker_settings({"host": "broker.lan", "port": 1884, "username": "me", "password": "mine"})
    assert mine == {"host": "broker.lan", "port": 1884, "username": "me", "password": "mine", "tls": False}
    assert seen == []  # a host set by the user: the Supervisor is not even asked
    mixed = broker_settings({"username": "me", "password": "mine", "tls": True})
    assert mixed == {"host": "core-mosquitto", "port": 1883, "username": "me", "password": "mine", "tls": True}


def test_no_host_and_no_supervisor_is_a_clear_failure(monkeypatch):
    monkeypatch.delenv("SUPERVISOR_TOKEN", raising=False)
    ok, message = MqttExporter({}).test_connection()
    assert not ok and "Aucun broker MQTT" in message


def test_the_manager_discovers_the_mqtt_exporter(sqlite_engine, tmp_path):
    manager = ExporterManager(sqlite_engine, tmp_path, None, entry_points=False)
    try:
        assert manager.exporter_class("mqtt") is MqttExporter
        assert {f.name for f in manager.schema("mqtt")} >= {"host", "qos", "payload_format", "tls_insecure"}
        assert manager.public_config("mqtt")["password"] == ""
    finally:
        manager.close()

