"""Metrics benchmark: N PDLs (3 by default) x 2 years in SQLite, then ``/metrics`` scrape times and peak RSS; asserts
nothing."""

from __future__ import annotations

import argparse
import http.client
import logging
import math
import multiprocessing
import resource
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

from myelectricaldata.database import models as m
from myelectricaldata.energy.timeline import PARIS

TODAY = date(2025, 11, 5)
NOON = datetime(2025, 11, 5, 12, tzinfo=PARIS)
TARGET_SCRAPE_MS = 20


def seed(url: str, folder: str, years: int, count: int) -> None:
    """Sync ``count`` PDLs over ``years`` up to yesterday (today frozen on TODAY) into ``url``."""
    import fleet  # bench/ is on sys.path when this script runs (and in the spawned child)

    _, outcome = fleet.seed(url, Path(folder), TODAY, years, count)
    if outcome != "ok":
        print(f"   seeding ended {outcome}")


def seed_apart(url: str, folder: Path, years: int, count: int) -> float:
    """``seed`` in a child process (its memory stays out of this process's peak RSS); seconds taken."""
    t0 = time.perf_counter()
    child = multiprocessing.get_context("spawn").Process(target=seed, args=(url, str(folder), years, count))
    child.start()
    child.join()
    return time.perf_counter() - t0


def nearest_rank(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timings(get: Callable[[], bytes], n: int, warmup: int) -> tuple[float, float, float]:
    """p50, p95 and max in ms of ``n`` calls of ``get`` after ``warmup`` ones."""
    for _ in range(warmup):
        get()
    took = []
    for _ in range(n):
        t0 = time.perf_counter()
        get()
        took.append((time.perf_counter() - t0) * 1000)
    return nearest_rank(took, 0.5), nearest_rank(took, 0.95), max(took)


def line(label: str, p50: float, p95: float, worst: float) -> None:
    state = "ok" if p95 <= TARGET_SCRAPE_MS else "OVER"
    print(f"   {label:<28} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   max {worst:6.1f} ms   "
          f"(target <= {TARGET_SCRAPE_MS} ms: {state})")


def prometheus_app(engine: sa.Engine, folder: Path):
    """The app with the Prometheus exporter enabled (label ``site=bench``) and the clock frozen at NOON."""
    from myelectricaldata.app import AppServices
    from myelectricaldata.config import load_settings
    from myelectricaldata.exporters.manager import ExporterManager
    from myelectricaldata.web.app import create_app

    manager = ExporterManager(engine, folder, user_folder=folder / "exporters", entry_points=False)
    manager.save_config("prometheus", {"extra_labels": "site=bench"}, True)  # FieldError if refused
    settings = load_settings(environ={"DATA_DIR": str(folder)}, options_file=Path("/nonexistent"))
    return create_app(settings, AppServices(engine, exporters=manager, clock=lambda: NOON)), manager


def stop_waitress(server, thread: threading.Thread) -> None:
    """Let the last request end, then close the sockets from the server's own loop (no select on a closed one)."""
    from waitress import wasyncore
    from waitress.trigger import trigger

    sockets = server._map
    server.task_dispatcher.shutdown()
    next(d for d in sockets.values() if isinstance(d, trigger)).pull_trigger(lambda: wasyncore.close_all(sockets))
    thread.join(5)


def over_http(app, n: int, warmup: int) -> tuple[float, float, float]:
    """The same scrapes from waitress on a free loopback port, over one keep-alive connection."""
    from waitress import create_server

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # back-to-back requests may queue for a moment
    server = create_server(app, listen=f"127.0.0.1:{port}", threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def get() -> bytes:
        conn.request("GET", "/metrics")
        return conn.getresponse().read()

    try:
        for _ in range(100):
            try:
                get()
                break
            except OSError:
                time.sleep(0.05)
                conn.close()
        return timings(get, n, warmup)
    finally:
        conn.close()
        stop_waitress(server, thread)


def prometheus_part(engine: sa.Engine, folder: Path, n: int, warmup: int) -> dict[str, float]:
    """Scrape times of /metrics for Prometheus, cold and warm, in-process and over HTTP; the figures of the summary."""
    print("Prometheus /metrics")
    app, manager = prometheus_app(engine, folder)
    client = app.test_client()
    t0 = time.perf_counter()
    first = client.get("/metrics")
    cold = (time.perf_counter() - t0) * 1000
    body = first.get_data(as_text=True)
    samples = [row for row in body.splitlines() if row and not row.startswith("#")]
    families = {row.split("{")[0] for row in samples}
    print(f"   first scrape (prometheus_client imported, yesterday priced): {cold:.1f} ms, status "
          f"{first.status_code}, {len(samples)} samples of {len(families)} metrics, {len(body.encode()):,} bytes")
    flask = timings(lambda: client.get("/metrics").get_data(), n, warmup)
    line(f"Flask test client, n={n}", *flask)
    http = over_http(app, n, warmup)
    line(f"waitress over HTTP, n={n}", *http)
    manager.close()
    return {"first": cold, "samples": len(samples), "flask_p95": flask[1], "http_p50": http[0], "http_p95": http[1]}


def run(count: int, args: argparse.Namespace) -> dict[str, float]:
    """Seed ``count`` PDLs in a fresh SQLite file and scrape them; the figures of the summary."""
    from myelectricaldata.database.session import make_engine

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'metrics.db'}"
        took = seed_apart(url, folder, args.years, count)
        engine = make_engine(url)
        with engine.connect() as conn:
            rows = {t.name: conn.scalar(sa.select(sa.func.count()).select_from(t))
                    for t in (m.daily_energy, m.load_curve, m.max_power, m.tempo_days)}
        print(f"Seeding: {count} PDL{'s' if count > 1 else ''} over {args.years} years in {took:.1f} s (child "
              "process); rows " + ", ".join(f"{k} {v:,}" for k, v in rows.items()))
        print(f"Peak RSS before scraping: {peak_rss_mb():.0f} MB")
        figures = {"pdls": count, **prometheus_part(engine, folder, args.n, args.warmup), "peak_rss": peak_rss_mb()}
        print(f"Peak RSS of this process: {figures['peak_rss']:.0f} MB")
        engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50, help="timed scrapes per measure (default 50)")
    parser.add_argument("--warmup", type=int, default=3, help="scrapes before timing (default 3)")
    parser.add_argument("--years", type=int, default=2, help="years of history synced (default 2)")
    parser.add_argument("--pdls", type=int, nargs="+", default=[3], metavar="N",
                        help="PDLs to seed, one run per value (default 3, the demo ones), e.g. --pdls 1 10 50")
    parser.add_argument("--no-victoriametrics", dest="victoriametrics", action="store_false",
                        help="leave out the VictoriaMetrics back-fill (3 demo PDLs)")
    args = parser.parse_args()
    results = [run(count, args) for count in args.pdls]
    print(f"Summary of /metrics, ms (target p95 <= {TARGET_SCRAPE_MS} ms; the peak RSS is this process's, cumulative)")
    print("   PDLs | samples | first scrape | Flask p95 | HTTP p50 | HTTP p95 | peak RSS MB")
    for f in results:
        print(f"   {f['pdls']} | {f['samples']} | {f['first']:.1f} | {f['flask_p95']:.1f} | {f['http_p50']:.1f} | "
              f"{f['http_p95']:.1f} | {f['peak_rss']:.0f}")
    if args.victoriametrics:
        from vm_backfill import vm_backfill  # bench/ is on sys.path when this script runs

        vm_backfill(args.years)


if __name__ == "__main__":
    main()
