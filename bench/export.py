"""MQTT export timings: the three demo PDLs (2 years) synced from the in-process simulator into a fresh SQLite file,
then exported to the machine's Mosquitto (127.0.0.1:1883) under a unique topic prefix. Figures only."""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from myelectricaldata.database.migrate import upgrade
from myelectricaldata.database.session import make_engine
from myelectricaldata.energy.timeline import PARIS
from myelectricaldata.exporters import changes
from myelectricaldata.exporters.manager import ExporterManager
from myelectricaldata.gateway.client import GatewayClient, RetryPolicy
from myelectricaldata.gateway.simulator import start_simulator
from myelectricaldata.services.sync import SyncService

HOST, PORT = "127.0.0.1", 1883
TODAY = date(2025, 11, 5)
TARGET_S = 1.0


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=PARIS)


def clear_retained(prefix: str) -> int:
    """Publish an empty retained payload on every retained topic under ``prefix``."""
    topics: set[str] = set()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-clean-{uuid.uuid4().hex[:8]}")
    client.on_message = lambda c, u, msg: topics.add(msg.topic) if msg.retain else None
    client.connect(HOST, PORT)
    client.subscribe(f"{prefix}/#")
    client.loop_start()
    deadline = time.monotonic() + 5
    while not topics and time.monotonic() < deadline:  # the first retained message (status at least)
        time.sleep(0.02)
    quiet, seen = time.monotonic(), 0
    while time.monotonic() - quiet < 0.3:  # then until no new retained topic for 0.3 s
        if len(topics) != seen:
            seen, quiet = len(topics), time.monotonic()
        time.sleep(0.05)
    for topic in list(topics):
        client.publish(topic, b"", qos=1, retain=True).wait_for_publish(5)
    client.disconnect()
    client.loop_stop()
    return len(topics)


def export(manager: ExporterManager, now: datetime) -> tuple[float, int]:
    started = time.perf_counter()
    outcome = manager.run_exports(now)["mqtt"]
    elapsed = time.perf_counter() - started
    if not outcome.ok:
        raise SystemExit(f"export failed: {outcome.error}")
    return elapsed, outcome.items_sent


def main() -> None:
    prefix = f"medbench-{uuid.uuid4().hex[:10]}"
    with tempfile.TemporaryDirectory() as tmp, start_simulator(today=TODAY) as sim:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        client = GatewayClient(sim.url, "demo", "demo", retry=RetryPolicy(attempts=3, base=0.01, cap=0.05),
                               timeout=(2.0, 30.0))
        sync = SyncService(engine, client, Path(tmp) / "sync.lock", clock=sim.state.now)
        started = time.perf_counter()
        sync.run()
        print(f"seeded 3 demo PDLs (2 years, SQLite in a temp dir) in {time.perf_counter() - started:.1f} s")
        manager = ExporterManager(engine, Path(tmp), None, entry_points=False)
        config = {"host": HOST, "port": str(PORT), "topic_prefix": prefix, "retain": "on"}
        errors = manager.save_config("mqtt", config, enabled=True)
        if errors:
            raise SystemExit(f"config refused: {errors}")
        try:
            with engine.connect() as conn:
                started = time.perf_counter()
                changes.snapshot(conn, noon(TODAY))
                snap_s = time.perf_counter() - started
            print(f"MQTT {HOST}:{PORT}, prefix {prefix}")
            first_s, first_n = export(manager, noon(TODAY))
            print(f"first full export : {first_s * 1000:7.1f} ms, {first_n} messages "
                  f"(states for 3 PDLs; snapshot alone {snap_s * 1000:.1f} ms)")
            tomorrow = noon(TODAY + timedelta(days=1))
            sim.state.set_now(tomorrow)
            sync.run()
            inc_s, inc_n = export(manager, tomorrow)
            print(f"incremental export: {inc_s * 1000:7.1f} ms, {inc_n} messages (one more simulated day)")
            print(f"target: discovery plus states for 3 PDLs <= {TARGET_S:g} s; Home Assistant discovery is not "
                  "built yet, so the figures above are the states alone")
        finally:
            manager.close()
            engine.dispose()
            print(f"cleared {clear_retained(prefix)} retained topics under {prefix}/")


if __name__ == "__main__":
    sys.exit(main())
