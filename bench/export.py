"""Export timings, figures only: the three demo PDLs (2 years) synced from the in-process simulator into a fresh
SQLite file (today frozen at 2025-11-05), then

- the MQTT exporter to the machine's Mosquitto (127.0.0.1:1883) under a unique topic prefix: first full export
  and one more simulated day;
1. the Home Assistant exporter's MQTT discovery plus states (``energy`` off) to the same broker under a unique
   discovery and topic prefix, from a fresh exporter; the batch build (collect) and the hourly costs timed apart;
2. with ``HA_PYTHON`` set: the Home Assistant exporter's hourly statistics of the HP/HC demo PDL alone (synced into
   a second database) imported into a real Home Assistant Core (``tests/ha/core.py``), in each Energy shape the
   exporter offers (total, slots): the rows sent per statistic and the seconds until HA has written them all;
3. one more simulated day, incremental;
4. with ``--loaded N``: the 3 PDLs' first full Energy import through ``myelectricaldata serve``, N CPU-bound
   processes running, the exporters page requested every second meanwhile.

Retained topics under the prefixes are cleared at the end."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import signal
import socket
import sqlite3
import subprocess
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
from myelectricaldata.exporters import changes, store
from myelectricaldata.exporters.batches import ExportBatch
from myelectricaldata.exporters.homeassistant import HomeAssistantExporter
from myelectricaldata.exporters.manager import ExporterManager
from myelectricaldata.gateway.client import GatewayClient, RetryPolicy
from myelectricaldata.services.sync import SyncService
from myelectricaldata.simulator import start_simulator

ROOT = Path(__file__).resolve().parent.parent
HOST, PORT = "127.0.0.1", 1883
TODAY = date(2025, 11, 5)
HPHC_PDL = "99000000000002"
TARGET_S = 1.0  # discovery plus states for 3 PDLs
TARGET_IMPORT_S = 15.0  # 2 years of hourly statistics of one PDL, until read back
TARGET_ROWS = 36_000
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
class Tally:
    """The websocket commands of an export call: rows imported per statistic, seconds per command, and when the last
    import message was answered (HA's recorder writes after that)."""

    def __init__(self) -> None:
        self.rows: dict[str, int] = defaultdict(int)
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.last_import = 0.0

    def instrument(self, exporter: HomeAssistantExporter) -> None:
        make_socket = exporter.socket

        def socket() -> Any:
            ws = make_socket()
            call = ws.call

            def counted(command: str, **payload: Any) -> Any:
                started = time.perf_counter()
                try:
                    return call(command, **payload)
                finally:
                    self.seconds[command] += time.perf_counter() - started
                    self.calls[command] += 1
                    if command == "recorder/import_statistics":
                        self.rows[payload["metadata"]["statistic_id"]] += len(payload["stats"])
                        self.last_import = time.perf_counter()

            ws.call = counted
            return ws

        exporter.socket = socket

    def per_series(self) -> str:
        return "\n".join(f"      {sid:<58} {n:>7,}" for sid, n in sorted(self.rows.items()))

    def summary(self) -> str:
        return "; ".join(f"{what} {self.seconds[what]:.2f} s ({self.calls[what]} calls)"
                         for what in sorted(self.seconds, key=lambda w: -self.seconds[w]))


def local_kwh(engine: sa.Engine, pdl: str, first: int, last: int) -> float:
    """The local database's consumption over the hours ``first`` to ``last`` (UTC starts, included), in kWh."""
    t = m.load_curve
    with engine.connect() as conn:
        wm = conn.scalar(sa.select(sa.func.sum(t.c.watts * t.c.minutes)).where(
            t.c.usage_point_id == pdl, t.c.direction == "consumption", t.c.start_utc >= first,
            t.c.start_utc < last + 3600))
    return (wm or 0) / WM_PER_KWH


def check_sum(ha: Any, engine: sa.Engine, pdl: str, ids: list[str]) -> None:
    """The energy statistics' last sums read back from HA, together, next to the local total over their hours."""
    found = ha.statistics(ids, datetime(TODAY.year - 3, 1, 1, tzinfo=UTC), types=("sum",))
    found = {sid: rows for sid, rows in found.items() if rows}
    if not found:
        print(f"   read back: no rows of {', '.join(ids)} in Home Assistant")
        return
    first = min(rows[0]["start"] for rows in found.values()) // 1000
    last = max(rows[-1]["start"] for rows in found.values()) // 1000
    total = sum(rows[-1]["sum"] for rows in found.values())
    local = local_kwh(engine, pdl, first, last)
    print(f"   read back {' + '.join(sorted(found))}: last sums {total:,.3f} kWh at "
          f"{datetime.fromtimestamp(last, UTC):%Y-%m-%d %H:%M} UTC; local database over the same hours "
          f"{local:,.3f} kWh (difference {total - local:+.6f})")


def ha_export(exporter: HomeAssistantExporter, batch: ExportBatch) -> tuple[float, Tally]:
    """Seconds of the export call (it returns once HA has written every row) and its websocket commands."""
    tally = Tally()
    tally.instrument(exporter)
    started = time.perf_counter()
    exporter.export(batch)
    seconds = time.perf_counter() - started
    tally.last_import -= started
    return seconds, tally


def shapes() -> list[str]:
    """The Energy shapes the exporter offers (none on a version that sends every series)."""
    field = next((f for f in HomeAssistantExporter.config_schema if f.name == "energy_series"), None)
    return list(field.choices) if field is not None else [""]


def full_import(engine: sa.Engine, ha: Any, shape: str, step: str) -> tuple[HomeAssistantExporter, dict[str, str]]:
    """The 2-year import of the HP/HC PDL in ``shape`` into ``ha``, timed until read back; the exporter and marks."""
    config = {"discovery": False, "energy": True, "ha_url": ha.url, "ha_token": ha.token}
    exporter = HomeAssistantExporter({**config, **({"energy_series": shape} if shape else {})})
    (batch, marks), collect_s = timed(lambda: changes.collect(engine, {}, noon(TODAY)))
    export_s, tally = ha_export(exporter, batch)
    rows = sum(tally.rows.values())
    label = f"shape '{shape}'" if shape else "every series"
    print(f"{step}. full 2-year import, {label}: {rows:,} rows in {len(tally.rows)} statistics, {export_s:.1f} s "
          f"until read back ({rows / export_s:,.0f} rows/s; target <= {TARGET_ROWS:,} rows: {mark(rows, TARGET_ROWS)}, "
          f"<= {TARGET_IMPORT_S:g} s: {mark(export_s, TARGET_IMPORT_S)}); collect {collect_s:.2f} s before it")
    print(f"   rows sent per statistic:\n{tally.per_series()}")
    print(f"   the last import message answered {tally.last_import:.1f} s into the call, the rest is the wait for "
          f"HA's recorder; commands: {tally.summary()}")
    check_sum(ha, engine, HPHC_PDL, [s for s in tally.rows if not s.endswith(("_cost", "_revenue"))])
    return exporter, marks


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
    ha = exporter = None
    with start_simulator(today=TODAY) as sim, contextlib.ExitStack() as stack:
        stack.callback(engine.dispose)
        stack.callback(lambda: exporter and exporter.disconnect())
        stack.callback(lambda: ha and ha.stop())
        sync = make_sync(engine, sim, folder)
        _, sync_s = timed(lambda: sync.run(pdls=[HPHC_PDL]))
        print(f"   seeded {HPHC_PDL} alone (2 years) in {sync_s:.1f} s")
        for index, shape in enumerate(shapes()):  # a fresh Home Assistant for each shape: the same start
            if ha is not None:
                exporter.disconnect()
                ha.stop()
            try:
                ha, start_s = timed(lambda: HomeAssistant.start(broker_host=None))
            except HomeAssistantUnavailable as exc:
                ha = None
                print(f"   skipped: {exc}")
                return
            print(f"   Home Assistant {ha.version} started in {start_s:.1f} s (fresh config dir, onboarding, token)")
            exporter, marks = full_import(engine, ha, shape, f"2{'abc'[index]}")

        tomorrow = noon(TODAY + timedelta(days=1))
        sim.state.set_now(tomorrow)
        _, sync_s = timed(lambda: sync.run(pdls=[HPHC_PDL]))
        (batch, marks), collect_s = timed(lambda: changes.collect(engine, marks, tomorrow))
        days = sorted({datetime.fromtimestamp(p.start_utc, PARIS).date() for p in batch.load_curve})
        span = f"{days[0]} to {days[-1]}" if days else "no day"
        export_s, tally = ha_export(exporter, batch)
        print(f"3. incremental export into the last one (one more simulated day, synced in {sync_s:.2f} s; batch: "
              f"{len(batch.load_curve)} load-curve points, {span}): {export_s:.2f} s for "
              f"{sum(tally.rows.values()):,} statistic rows (target <= {TARGET_DAY_S:g} s: "
              f"{mark(export_s, TARGET_DAY_S)}); collect {collect_s:.2f} s")
        check_sum(ha, engine, HPHC_PDL, [s for s in tally.rows if not s.endswith(("_cost", "_revenue"))])


# -- 4. A first full import of the three demo PDLs on a loaded machine, the exporters page polled ---------------------
def loaded_import(database: Path, tmp: Path, burners: int) -> None:
    """``myelectricaldata serve`` on the 3-PDL database with the Home Assistant exporter (Energy on) enabled: its
    start-up sync (gateway unreachable on purpose) runs the exports, so the first full import starts at once; the
    exporters page and its progress are requested every second meanwhile, ``burners`` CPU-bound processes running."""
    sys.path.insert(0, str(ROOT))
    from tests.support.homeassistant import HomeAssistant, HomeAssistantUnavailable

    from web import Client, first_200, free_port

    print(f"4. first full Energy import of the 3 demo PDLs through `serve`, {burners} CPU burners running")
    if not os.environ.get("HA_PYTHON"):
        print("   skipped: HA_PYTHON is not set")
        return
    try:
        ha = HomeAssistant.start(broker_host=None)
    except HomeAssistantUnavailable as exc:
        print(f"   skipped: {exc}")
        return
    data_dir = tmp / "loaded"
    data_dir.mkdir()
    url = f"sqlite:///{data_dir / 'myelectricaldata.db'}"
    with sqlite3.connect(database) as src, sqlite3.connect(data_dir / "myelectricaldata.db") as dst:
        src.backup(dst)
    engine = make_engine(url)
    manager = ExporterManager(engine, data_dir, None, entry_points=False)
    manager.save_config("homeassistant", {"discovery": False, "energy": True, "ha_url": ha.url,
                                          "ha_token": ha.token}, enabled=True)
    manager.close()
    refuser = socket.socket()
    refuser.bind(("127.0.0.1", 0))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k.upper() not in {"SUPERVISOR_TOKEN", "DEMO", "DIRECT_PORT"}}
    env.update(DATA_DIR=str(data_dir), DATABASE_URL=url, CLIENT_ID="demo", CLIENT_SECRET="demo",
               GATEWAY_URL=f"http://127.0.0.1:{refuser.getsockname()[1]}/api", LOG_LEVEL="INFO",
               MALLOC_ARENA_MAX="2")
    script = Path(sys.executable).with_name("myelectricaldata")
    argv = [str(script)] if script.is_file() else [sys.executable, "-m", "myelectricaldata.cli"]
    burning = [subprocess.Popen([sys.executable, "-c", "while 1: pass"]) for _ in range(burners)]
    log = (tmp / "serve.log").open("wb")
    started = time.perf_counter()
    proc = subprocess.Popen([*argv, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        if first_200(port, "/healthz", started, proc, timeout=120) is None:
            print("   serve did not start:\n" + (tmp / "serve.log").read_text(errors="replace")[-2000:])
            return
        client, pages, last_step = Client(port), [], ""
        while time.perf_counter() - started < 3600:
            status, _, page_s = client.get("/exporters?tab=homeassistant")
            pages.append(page_s)
            code, body, _ = client.get("/exporters/homeassistant/progress")  # 404 before progress existed
            progress = json.loads(body) if code == 200 else {"running": False, "message": ""}
            if progress["running"]:
                last_step = progress["message"]
            with engine.connect() as conn:
                run = store.get_status(conn, "homeassistant")
            if run.last_export_at or run.last_error:
                break
            time.sleep(1)
        took = time.perf_counter() - started
        pages.sort()
        p50, p95 = pages[len(pages) // 2], pages[min(len(pages) - 1, int(len(pages) * 0.95))]
        outcome = "SUCCESS" if run.last_export_at and not run.last_error else f"FAILED: {run.last_error}"
        print(f"   {outcome}: {run.items_sent:,} items sent, ended {took:.0f} s after serve started; last progress "
              f"seen: {last_step!r}")
        print(f"   the exporters page meanwhile ({len(pages)} requests, status {status}): p50 {p50 * 1000:.0f} ms, "
              f"p95 {p95 * 1000:.0f} ms, max {pages[-1] * 1000:.0f} ms")
        log.flush()
        lines = [line for line in (tmp / "serve.log").read_text(errors="replace").splitlines() if "export" in line]
        print("   serve's log about exports:\n" + "\n".join(f"      {line[:300]}" for line in lines[-6:]))
    finally:
        proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(30)
        for burner in burning:
            burner.kill()
            burner.wait()
        refuser.close()
        engine.dispose()
        ha.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loaded", type=int, default=0, metavar="N",
                        help="also run 4.: the 3 PDLs' first full Energy import through serve, N CPU burners running")
    parser.add_argument("--only-statistics", action="store_true", help="skip the MQTT and discovery parts")
    parser.add_argument("--only-loaded", action="store_true", help="with --loaded: run part 4 alone")
    args = parser.parse_args()
    prefix = f"medbench-{uuid.uuid4().hex[:10]}"
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        with start_simulator(today=TODAY) as sim:
            engine = fresh_engine(tmp / "bench.db")
            sync = make_sync(engine, sim, tmp)
            _, seed_s = timed(sync.run)
            print(f"seeded 3 demo PDLs (2 years, SQLite in a temp dir) in {seed_s:.1f} s")
            try:
                if not (args.only_statistics or args.only_loaded):
                    mqtt_states(engine, tmp, sim, sync, prefix)
                    ha_discovery(engine, noon(TODAY + timedelta(days=1)), prefix)
            finally:
                engine.dispose()
        print(f"peak RSS so far (3 PDLs synced, MQTT and discovery exports): {peak_rss_mb():.0f} MB")
        if not args.only_loaded:
            ha_statistics(tmp)
        if args.loaded:
            loaded_import(tmp / "bench.db", tmp, args.loaded)
    print(f"peak RSS of this process: {peak_rss_mb():.0f} MB (the in-process simulator counted; Home Assistant "
          "and Mosquitto not)")


if __name__ == "__main__":
    sys.exit(main())
