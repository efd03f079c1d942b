"""Export timings, figures only: the three demo PDLs (2 years) synced from the in-process simulator into a fresh
SQLite file (today frozen at 2025-11-05), then

- the MQTT exporter to the machine's Mosquitto (127.0.0.1:1883) under a unique topic prefix: first full export
  and one more simulated day;
1. the Home Assistant exporter's MQTT discovery plus states (``energy`` off) to the same broker under a unique
   discovery and topic prefix, from a fresh exporter; the batch build (collect) and the hourly costs timed apart;
2. and 3., with ``HA_PYTHON`` set: the Home Assistant exporter's hourly statistics of the HP/HC demo PDL alone
   (synced into a second database) imported into a real Home Assistant Core (``tests/ha/core.py``): the full
   2 years, then one more simulated day.

Retained topics under the prefixes are cleared at the end."""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import sqlalchemy as sa
from paho.mqtt.enums import CallbackAPIVersion

from myelectricaldata.database import models as m
from myelectricaldata.database.migrate import upgrade
from myelectricaldata.database.session import make_engine
from myelectricaldata.energy.costs import WM_PER_KWH
from myelectricaldata.energy.timeline import PARIS
from myelectricaldata.exporters import changes
from myelectricaldata.exporters.batches import ExportBatch
from myelectricaldata.exporters.homeassistant import HomeAssistantExporter
from myelectricaldata.exporters.homeassistant.statistics import statistic_id
from myelectricaldata.exporters.manager import ExporterManager
from myelectricaldata.gateway.client import GatewayClient, RetryPolicy
from myelectricaldata.services.sync import SyncService
from myelectricaldata.simulator import start_simulator

ROOT = Path(__file__).resolve().parent.parent
HOST, PORT = "127.0.0.1", 1883
TODAY = date(2025, 11, 5)
HPHC_PDL = "99000000000002"
TARGET_S = 1.0  # discovery plus states for 3 PDLs
TARGET_IMPORT_S = 60.0  # 2 years of hourly statistics of one PDL
TARGET_DAY_S = 2.0  # one more day of statistics


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=PARIS)


def mark(value: float, target: float) -> str:
    return "met" if value <= target else "MISSED"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_sync(engine: sa.Engine, sim: Any, folder: Path) -> SyncService:
    client = GatewayClient(sim.url, "demo", "demo", retry=RetryPolicy(attempts=3, base=0.01, cap=0.05),
                           timeout=(2.0, 30.0))
    return SyncService(engine, client, folder / "sync.lock", clock=sim.state.now)


def fresh_engine(path: Path) -> sa.Engine:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    return engine


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


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


# -- MQTT exporter ----------------------------------------------------------------------------------------------------
def export(manager: ExporterManager, now: datetime) -> tuple[float, int]:
    started = time.perf_counter()
    outcome = manager.run_exports(now)["mqtt"]
    elapsed = time.perf_counter() - started
    if not outcome.ok:
        raise SystemExit(f"export failed: {outcome.error}")
    return elapsed, outcome.items_sent


def mqtt_states(engine: sa.Engine, tmp: Path, sim: Any, sync: SyncService, prefix: str) -> None:
    manager = ExporterManager(engine, tmp, None, entry_points=False)
    config = {"host": HOST, "port": str(PORT), "topic_prefix": prefix, "retain": "on"}
    manager.save_config("mqtt", config, enabled=True)  # FieldError if refused
    try:
        with engine.connect() as conn:
            started = time.perf_counter()
            changes.snapshot(conn, noon(TODAY))
            snap_s = time.perf_counter() - started
        print(f"MQTT exporter, {HOST}:{PORT}, prefix {prefix}")
        first_s, first_n = export(manager, noon(TODAY))
        print(f"first full export : {first_s * 1000:7.1f} ms, {first_n} messages "
              f"(states for 3 PDLs; snapshot alone {snap_s * 1000:.1f} ms)")
        tomorrow = noon(TODAY + timedelta(days=1))
        sim.state.set_now(tomorrow)
        sync.run()
        inc_s, inc_n = export(manager, tomorrow)
        print(f"incremental export: {inc_s * 1000:7.1f} ms, {inc_n} messages (one more simulated day)")
    finally:
        manager.close()
        print(f"cleared {clear_retained(prefix)} retained topics under {prefix}/")


# -- 1. Home Assistant discovery --------------------------------------------------------------------------------------
def ha_discovery(engine: sa.Engine, now: datetime, prefix: str) -> None:
    """Discovery plus states of every device from a fresh exporter (energy off), the batch built first."""
    discovery_prefix, topic_prefix = f"{prefix}-discovery", f"{prefix}-ha"
    print(f"1. Home Assistant exporter, MQTT discovery, {HOST}:{PORT}, discovery prefix {discovery_prefix}, "
          f"topic prefix {topic_prefix}, energy off")
    (batch, _), collect_s = timed(lambda: changes.collect(engine, {}, now))
    exporter = HomeAssistantExporter({"discovery": True, "energy": False, "discovery_prefix": discovery_prefix,
                                      "topic_prefix": topic_prefix, "host": HOST, "port": PORT})
    sent: dict[str, int] = defaultdict(int)
    publish = exporter.link.publish

    def counting(messages: list[tuple[str, str, bool]], qos: int) -> int:
        for topic, _payload, _retain in messages:
            kind = "config" if topic.startswith(f"{discovery_prefix}/") else \
                "echo" if topic == f"{topic_prefix}/echo" else "state"
            sent[kind] += 1
        return publish(messages, qos)

    exporter.link.publish = counting
    try:
        result, export_s = timed(lambda: exporter.export(batch))
    finally:
        exporter.disconnect()
        cleared = clear_retained(discovery_prefix), clear_retained(topic_prefix)
    peak_before = peak_rss_mb()
    hours, hourly_s = timed(lambda: batch.hourly_costs)
    messages = sent["config"] + sent["state"]
    print(f"batch build (collect, full, 3 PDLs): {collect_s * 1000:7.1f} ms ({batch.size:,} rows changed)")
    print(f"export call, fresh exporter       : {export_s * 1000:7.1f} ms, {messages} messages ({sent['config']} "
          f"configs + {sent['state']} states for {result.items_sent} devices; plus the availability and "
          f"{sent['echo']} echo), connect included")
    total = collect_s + export_s
    print(f"collect + export                  : {total * 1000:7.1f} ms (target <= {TARGET_S:g} s: "
          f"{mark(total, TARGET_S)}; the export call alone: {mark(export_s, TARGET_S)})")
    print(f"batch.hourly_costs (not read with energy off): {hourly_s * 1000:7.1f} ms, {len(hours):,} priced hours "
          f"(peak RSS {peak_before:.0f} MB before, {peak_rss_mb():.0f} MB after)")
    print(f"cleared {cleared[0]} retained topics under {discovery_prefix}/ and {cleared[1]} under {topic_prefix}/")


# -- 2. and 3. Home Assistant statistics -------------------------------------------------------------------------------
class Breakdown:
    """Where an export call spends its time: the hourly costs, each websocket command, and the wait until the
    last rows read back (its polls counted apart from the other commands)."""

    READ_BACK = "read-back wait"

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.reading_back = False

    def wrap(self, what: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            key = f"{what} (read-back polls)" if self.reading_back and what != self.READ_BACK else what
            self.reading_back |= what == self.READ_BACK
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[key] += time.perf_counter() - started
                self.calls[key] += 1
                if what == self.READ_BACK:
                    self.reading_back = False
        return wrapped

    def instrument(self, exporter: HomeAssistantExporter, batch: ExportBatch) -> None:
        if batch.hourly_reader is not None:
            batch.hourly_reader = self.wrap("hourly costs", batch.hourly_reader)
        exporter._read_back = self.wrap(self.READ_BACK, exporter._read_back)
        make_socket = exporter.socket

        def socket() -> Any:
            ws = make_socket()
            call = ws.call
            ws.call = lambda command, **payload: self.wrap(command, call)(command, **payload)
            return ws

        exporter.socket = socket

    def summary(self, total: float) -> str:
        """The parts, longest first; the read-back polls are inside the read-back wait."""
        parts = [f"{what} {self.seconds[what]:.2f} s" + (f" ({self.calls[what]} calls)" if "/" in what else "")
                 for what in sorted(self.seconds, key=lambda w: -self.seconds[w])]
        rest = total - sum(v for k, v in self.seconds.items() if "read-back polls" not in k)
        return "; ".join(parts) + f"; the rest (series and rows built, sockets) {rest:.2f} s"


def local_kwh(engine: sa.Engine, pdl: str, first: int, last: int) -> float:
    """The local database's consumption over the hours ``first`` to ``last`` (UTC starts, included), in kWh."""
    t = m.load_curve
    with engine.connect() as conn:
        wm = conn.scalar(sa.select(sa.func.sum(t.c.watts * t.c.minutes)).where(
            t.c.usage_point_id == pdl, t.c.direction == "consumption", t.c.start_utc >= first,
            t.c.start_utc < last + 3600))
    return (wm or 0) / WM_PER_KWH


def check_sum(ha: Any, engine: sa.Engine, pdl: str) -> None:
    sid = statistic_id(pdl, "consumption")
    rows = ha.statistics(sid, datetime(TODAY.year - 3, 1, 1, tzinfo=UTC), types=("sum",)).get(sid, [])
    if not rows:
        print(f"   read back: {sid} has no rows in Home Assistant")
        return
    first, last = rows[0]["start"] // 1000, rows[-1]["start"] // 1000
    local = local_kwh(engine, pdl, first, last)
    print(f"   read back {sid}: {len(rows):,} hourly rows, last sum {rows[-1]['sum']:,.3f} kWh at "
          f"{datetime.fromtimestamp(last, UTC):%Y-%m-%d %H:%M} UTC; local database over the same hours "
          f"{local:,.3f} kWh (difference {rows[-1]['sum'] - local:+.6f})")


def ha_export(exporter: HomeAssistantExporter, batch: ExportBatch) -> tuple[int, float, Breakdown]:
    breakdown = Breakdown()
    breakdown.instrument(exporter, batch)
    result, seconds = timed(lambda: exporter.export(batch))
    return result.items_sent, seconds, breakdown


def ha_statistics(tmp: Path) -> None:
    print(f"Home Assistant exporter, hourly statistics of {HPHC_PDL} (HP/HC) into a real Home Assistant Core")
    if not os.environ.get("HA_PYTHON"):
        print("   skipped: HA_PYTHON is not set (point it at the Home Assistant venv, e.g. "
              "HA_PYTHON=.venv-ha/bin/python)")
        return
    sys.path.insert(0, str(ROOT))
    from tests.support.homeassistant import HomeAssistant, HomeAssistantUnavailable

    folder = tmp / "statistics"
    folder.mkdir()
    engine = fresh_engine(folder / "bench.db")
    with start_simulator(today=TODAY) as sim:
        sync = make_sync(engine, sim, folder)
        _, sync_s = timed(lambda: sync.run(pdls=[HPHC_PDL]))
        print(f"   seeded {HPHC_PDL} alone (2 years) in {sync_s:.1f} s")
        try:
            ha, start_s = timed(lambda: HomeAssistant.start(broker_host=None))
        except HomeAssistantUnavailable as exc:
            print(f"   skipped: {exc}")
            engine.dispose()
            return
        try:
            print(f"   Home Assistant {ha.version} started in {start_s:.1f} s (fresh config dir, onboarding, token)")
            exporter = HomeAssistantExporter({"discovery": False, "energy": True, "ha_url": ha.url,
                                              "ha_token": ha.token})
            (batch, marks), collect_s = timed(lambda: changes.collect(engine, {}, noon(TODAY)))
            pdls = sorted({p.usage_point_id for p in batch.load_curve})
            print(f"   batch build (collect): {collect_s:.2f} s, {len(batch.load_curve):,} load-curve points of "
                  f"{', '.join(pdls)}")
            rows, export_s, breakdown = ha_export(exporter, batch)
            print(f"2. full 2-year import: {export_s:.1f} s for {rows:,} statistic rows, {rows / export_s:,.0f} "
                  f"rows/s (target <= {TARGET_IMPORT_S:g} s: {mark(export_s, TARGET_IMPORT_S)}); "
                  f"collect + export {collect_s + export_s:.1f} s")
            print(f"   inside the export call: {breakdown.summary(export_s)}")
            check_sum(ha, engine, HPHC_PDL)

            tomorrow = noon(TODAY + timedelta(days=1))
            sim.state.set_now(tomorrow)
            _, sync_s = timed(lambda: sync.run(pdls=[HPHC_PDL]))
            (batch, marks), collect_s = timed(lambda: changes.collect(engine, marks, tomorrow))
            days = sorted({datetime.fromtimestamp(p.start_utc, PARIS).date() for p in batch.load_curve})
            span = f"{days[0]} to {days[-1]}" if days else "no day"
            rows, export_s, breakdown = ha_export(exporter, batch)
            print(f"3. incremental export (one more simulated day, synced in {sync_s:.2f} s; batch: "
                  f"{len(batch.load_curve)} load-curve points, {span}): {export_s:.2f} s for {rows:,} statistic "
                  f"rows (target <= {TARGET_DAY_S:g} s: {mark(export_s, TARGET_DAY_S)}); collect "
                  f"{collect_s:.2f} s, collect + export {collect_s + export_s:.2f} s")
            print(f"   inside the export call: {breakdown.summary(export_s)}")
            check_sum(ha, engine, HPHC_PDL)
        finally:
            ha.stop()
            engine.dispose()


def main() -> None:
    prefix = f"medbench-{uuid.uuid4().hex[:10]}"
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        with start_simulator(today=TODAY) as sim:
            engine = fresh_engine(tmp / "bench.db")
            sync = make_sync(engine, sim, tmp)
            _, seed_s = timed(sync.run)
            print(f"seeded 3 demo PDLs (2 years, SQLite in a temp dir) in {seed_s:.1f} s")
            try:
                mqtt_states(engine, tmp, sim, sync, prefix)
                ha_discovery(engine, noon(TODAY + timedelta(days=1)), prefix)
            finally:
                engine.dispose()
        print(f"peak RSS so far (3 PDLs synced, MQTT and discovery exports): {peak_rss_mb():.0f} MB")
        ha_statistics(tmp)
    print(f"peak RSS of this process: {peak_rss_mb():.0f} MB (the in-process simulator counted; Home Assistant "
          "and Mosquitto not)")


if __name__ == "__main__":
    sys.exit(main())
