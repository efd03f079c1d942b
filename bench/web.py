"""Web benchmark: ``myelectricaldata serve`` on N PDLs (3 by default) x 2 years seeded from the simulator; time from
start to the first 200, server time per page and API call, idle memory and CPU of the serve process tree, each figure
next to its target, and a summary line per N. Asserts nothing."""

from __future__ import annotations

import argparse
import contextlib
import http.client
import math
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlencode, urlsplit

import fleet  # bench/ is on sys.path when this script runs
import sqlalchemy as sa

from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.database.session import make_engine
from myelectricaldata.energy.timeline import PARIS, years_before
from myelectricaldata.exporters.manager import ExporterManager
from myelectricaldata.gateway.client import GatewayClient
from myelectricaldata.services.sync import SyncService
from myelectricaldata.simulator import start_simulator

TARGET_P95_MS, TARGET_PSS_MB, TARGET_START_S = 100, 80, 1.5
SCALE_TARGETS = {"dashboard": 40, "metrics": 20, "pss": 90}  # at 50 PDLs
WINDOW_S = 30  # seconds of CPU watched after the start and after the requests
TABLES = (m.daily_energy, m.load_curve, m.max_power, m.tempo_days, m.ecowatt_days)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(url: str, tmp: Path, today: date, years: int, count: int,
         first_export: bool = True) -> tuple[list[str], float, dict[str, int]]:
    """Sync ``count`` PDLs over ``years`` into a fresh database, today frozen, then Tempo and EcoWatt up to the real
    today, and enable the Prometheus exporter (its ``/metrics`` is measured) and, with ``first_export``, run its first
    export here (printing what it took), so the server starts as it restarts once an exporter has exported; PDLs,
    seconds of the first sync, rows."""
    elapsed, outcome = fleet.seed(url, tmp, today, years, count)
    if outcome != "ok":
        print(f"   seeding ended {outcome}")
    engine = make_engine(url)
    with start_simulator(today=datetime.now(PARIS).date()) as sim:  # Tempo and EcoWatt pages are about today
        sync = SyncService(engine, GatewayClient(sim.url, "demo", "demo"), tmp / "seed.lock", clock=sim.state.now)
        report = sync.run(include=("tempo", "ecowatt"))
    if report.outcome != "ok":
        print(f"   seeding Tempo and EcoWatt up to the real today ended {report.outcome}: {report.message}")
    manager = ExporterManager(engine, tmp, user_folder=tmp / "no-plugins", entry_points=False)
    errors = manager.save_config("prometheus", {}, True)
    if errors:
        print(f"   enabling the Prometheus exporter failed: {errors}")
    if first_export:
        t0, cpu0 = time.perf_counter(), time.process_time()
        outcome = manager.run_exports()["prometheus"]
        print(f"   first export of the Prometheus exporter (no marks yet: every PDL's whole history collected): "
              f"{time.perf_counter() - t0:.1f} s, {time.process_time() - cpu0:.1f} s CPU, "
              f"{'ok' if outcome.ok else outcome.error}")
    manager.close()
    with engine.connect() as conn:
        pdls = [up["usage_point_id"] for up in repo.usage_point_rows(conn)]
        rows = {t.name: conn.scalar(sa.select(sa.func.count()).select_from(t)) for t in TABLES}
    engine.dispose()
    return pdls, elapsed, rows


def nav_paths(tmp: Path) -> list[str]:
    """The menu pages' paths, from ``NAV`` and the app's URL map."""
    from flask import url_for

    from myelectricaldata.app import AppServices
    from myelectricaldata.config import Settings
    from myelectricaldata.web.app import NAV, create_app

    engine = make_engine(f"sqlite:///{tmp / 'urlmap.db'}")
    app = create_app(Settings(data_dir=tmp), AppServices(engine))
    with app.test_request_context():
        paths = [url_for(endpoint) for endpoint, _ in NAV]
    engine.dispose()
    return paths


class Client:
    """One keep-alive HTTP/1.1 connection to the server on loopback."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(self, path: str) -> tuple[int, bytes, float]:
        """Status, body and wall time in seconds of one GET (reconnects once if the server closed the connection)."""
        for attempt in (1, 2):
            t0 = time.perf_counter()
            try:
                self.conn.request("GET", path)
                resp = self.conn.getresponse()
                body = resp.read()
                return resp.status, body, time.perf_counter() - t0
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def first_200(port: int, path: str, t0: float, proc: subprocess.Popen, timeout: float = 30) -> float | None:
    """Seconds from ``t0`` to the first 200 on ``path``, polling every 5 ms; None if the server exited or timed out."""
    while time.perf_counter() - t0 < timeout and proc.poll() is None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return time.perf_counter() - t0
        except OSError:
            pass
        time.sleep(0.005)
    return None


def tree(pid: int) -> list[int]:
    """The process and its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in (task / "children").read_text().split()]
    return out


def memory_mb(pid: int) -> tuple[float, float, int]:
    """Summed PSS and RSS (MB) of the process tree, from /proc/<pid>/smaps_rollup, and its process count."""
    pss = rss = 0
    pids = tree(pid)
    for p in pids:
        text = Path(f"/proc/{p}/smaps_rollup").read_text()
        pss += int(re.search(r"^Pss:\s+(\d+) kB", text, re.M).group(1))
        rss += int(re.search(r"^Rss:\s+(\d+) kB", text, re.M).group(1))
    return pss / 1024, rss / 1024, len(pids)


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by the process tree, from /proc/<pid>/stat."""
    ticks = 0
    for p in tree(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def nearest_rank(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def measure(client: Client, path: str, n: int, warmup: int) -> tuple[int, float, float, int] | tuple[int]:
    """(status, p50 ms, p95 ms, body bytes) over ``n`` timed requests after ``warmup`` ones; (status,) when the
    first answer is not 200."""
    status, body, _ = client.get(path)
    if status != 200:
        return (status,)
    for _ in range(warmup - 1):
        client.get(path)
    times = []
    for _ in range(n):
        status, body, elapsed = client.get(path)
        times.append(elapsed * 1000)
    return status, nearest_rank(times, 0.5), nearest_rank(times, 0.95), len(body)


def mark(value: float, target: float) -> str:
    return "ok" if value <= target else "OVER"


def wait_sync_end(client: Client, timeout: float = 60) -> float | None:
    """Seconds until the dashboard's progress endpoint says no sync is running; None if it never does."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        status, body, _ = client.get("/sync/progress")
        if status != 200:
            return None
        if b'"running":false' in body.replace(b" ", b""):
            return time.perf_counter() - t0
        time.sleep(0.1)
    return None


def variants(client: Client, path: str, start: date, end: date) -> list[str]:
    """Views of a menu page on stored data: with a period selector, the page on [start, end] and its links to
    itself (its views); without, its links to itself with a query (e.g. Tempo's previous season)."""
    status, body, _ = client.get(path)
    html = body.decode("utf-8", "replace")
    if status != 200:
        return []
    out = []
    if 'name="start"' in html and 'name="end"' in html:
        out.append(f"{path}?{urlencode({'start': start.isoformat(), 'end': end.isoformat()})}")
        status, body, _ = client.get(out[0])
        html = body.decode("utf-8", "replace")
    for href in re.findall(r'href="([^"]+)"', html):
        href = href.replace("&amp;", "&")
        parts = urlsplit(href)
        if parts.path == path and parts.query and href not in out:
            out.append(href)
    return out


@dataclass
class Figures:
    """What one run at N PDLs gives the summary (None: not measured)."""

    pdls: int
    seed_s: float = math.nan
    first_page_s: float | None = None
    dashboard_p95: float | None = None
    metrics_p95: float | None = None
    pss: float | None = None
    cpu_start: float | None = None
    cpu_requests: float | None = None
    requests: int = 0
    cpu_after: float | None = None
    pss_after: float | None = None


def start_serve(log: BinaryIO, data_dir: Path, db_url: str, gateway_port: int) -> tuple[subprocess.Popen, int,
                                                                                        list[str], float]:
    """``myelectricaldata serve`` on a free loopback port, its output to ``log``; the process, its port, its argv and
    its start time."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k.upper() not in {"SUPERVISOR_TOKEN", "DEMO", "DIRECT_PORT"}}
    env.setdefault("MALLOC_ARENA_MAX", "2")  # as the image sets it
    env.update(DATA_DIR=str(data_dir), DATABASE_URL=db_url, CLIENT_ID="demo", CLIENT_SECRET="demo",
               GATEWAY_URL=f"http://127.0.0.1:{gateway_port}/api", LOG_LEVEL="WARNING")
    script = Path(sys.executable).with_name("myelectricaldata")
    argv = [str(script)] if script.is_file() else [sys.executable, "-m", "myelectricaldata.cli"]
    t0 = time.perf_counter()
    proc = subprocess.Popen([*argv, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    return proc, port, argv, t0


def measure_urls(client: Client, args: argparse.Namespace, pdls: list[str], tmp: Path, figures: Figures) -> None:
    """Section 3: p50 and p95 of every URL; the dashboard's and /metrics' p95 go to ``figures``."""
    today, last = args.today, args.today - timedelta(days=1)
    pages = nav_paths(tmp)
    views = [v for p in pages for v in variants(client, p, last - timedelta(days=29), last)]
    pdl = pdls[0]
    two_years = {"pdl": pdl, "start": years_before(today, 2).isoformat(), "end": last.isoformat(), "view": "curve"}
    views.append(f"/consumption_kwh?{urlencode(two_years)}")  # the curve view of 2 years: energy per day
    year = urlencode({"start": (today - timedelta(days=365)).isoformat(), "end": last.isoformat()})
    week = urlencode({"start": (today - timedelta(days=7)).isoformat(), "end": last.isoformat()})
    api = ["/api/v1/usage_points", f"/api/v1/usage_points/{pdl}/daily?{year}",
           f"/api/v1/usage_points/{pdl}/load_curve?{week}", "/api/v1/tempo", f"/api/v1/tempo?{year}",
           "/api/v1/sync", "/metrics"]
    print(f"3. Server time, ms (client wall time over loopback, keep-alive); target p95 <= {TARGET_P95_MS} ms")
    width = max(len(u) for u in pages + views + api) + 2
    print(f"   {'URL':<{width}}{'p50':>8}{'p95':>8}{'bytes':>10}")
    missing = []
    for heading, urls in (("menu pages (the server's real today: no stored data in their default period)", pages),
                          ("menu pages on stored data: the last 30 stored days where there is a period selector, "
                           "and the views they link to", views),
                          ("API and the Prometheus exporter's /metrics", api)):
        print(f"   {heading}")
        for url in urls:
            result = measure(client, url, args.n, args.warmup)
            figures.requests += 1 if len(result) == 1 else args.n + args.warmup
            if len(result) == 1:
                if url.startswith("/api/") and result[0] == 404:
                    missing.append(url)
                    print(f"   {url:<{width}}  404: skipped (this API call is not there yet)")
                else:
                    print(f"   {url:<{width}}  HTTP {result[0]}: not measured")
                continue
            _, p50, p95, size = result
            print(f"   {url:<{width}}{p50:>8.1f}{p95:>8.1f}{size:>10,}  {mark(p95, TARGET_P95_MS)}")
            if url == "/":
                figures.dashboard_p95 = p95
            elif url == "/metrics":
                figures.metrics_p95 = p95
    if missing:
        print(f"   {len(missing)} API call(s) answered 404 and were skipped")


def run(args: argparse.Namespace, count: int) -> Figures:
    """Seed ``count`` PDLs, serve them, print sections 1 to 6; the figures of the summary."""
    figures = Figures(count)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        data_dir = tmp / "data"
        data_dir.mkdir()
        db_url = f"sqlite:///{data_dir / 'myelectricaldata.db'}"
        print(f"Web benchmark, {count} PDL{'s' if count > 1 else ''}: SQLite in a temp dir; {args.years} years seeded "
              f"from the simulator, today frozen at {args.today}; N={args.n} sequential requests per URL after "
              f"{args.warmup} warm-ups, over loopback; the Prometheus exporter enabled"
              + (", its first export left to the server" if args.fresh_exporter else ""))
        pdls, figures.seed_s, rows = seed(db_url, tmp, args.today, args.years, count, not args.fresh_exporter)
        print(f"1. Seeded {len(pdls)} PDLs in {figures.seed_s:.1f} s, then Tempo and EcoWatt up to the real today: "
              + ", ".join(f"{k} {v:,}" for k, v in rows.items()))

        refuser = socket.socket()
        refuser.bind(("127.0.0.1", 0))  # bound, never listening: the server's syncs find the gateway unreachable
        log = (tmp / "serve.log").open("wb")
        proc, port, argv, t0 = start_serve(log, data_dir, db_url, refuser.getsockname()[1])
        window = threading.Timer(WINDOW_S, lambda: setattr(figures, "cpu_start", cpu_seconds(proc.pid)))
        window.start()
        try:
            health = first_200(port, "/healthz", t0, proc)
            page = first_200(port, "/", t0, proc)
            if health is None or page is None:
                log.flush()
                print("   serve did not answer 200:\n" + (tmp / "serve.log").read_text(errors="replace")[-3000:])
                return figures
            figures.first_page_s = page
            print(f"2. Start to first 200 (`{' '.join(Path(a).name for a in argv)} serve`): /healthz {health:.2f} s, "
                  f"/ {page:.2f} s (target <= {TARGET_START_S} s to the first page: {mark(page, TARGET_START_S)})")
            pss, rss, count_procs = memory_mb(proc.pid)
            print(f"   memory right after: PSS {pss:.1f} MB, RSS {rss:.1f} MB")
            client = Client(port)
            ended = wait_sync_end(client)
            print("   its start-up sync (gateway unreachable on purpose, nothing stored) "
                  + (f"ended {ended:.1f} s later" if ended is not None else "state unknown (no /sync/progress)"))
            window.join()
            print(f"   CPU used by the server in the {WINDOW_S} s after its start: {figures.cpu_start:.2f} s "
                  f"(no request but the start checks above)")

            before = cpu_seconds(proc.pid)
            measure_urls(client, args, pdls, tmp, figures)
            figures.cpu_requests = cpu_seconds(proc.pid) - before
            pss, rss, count_procs = memory_mb(proc.pid)
            figures.pss = pss
            print(f"4. Idle memory of the serve process tree after warm-up ({count_procs} process"
                  f"{'es' if count_procs > 1 else ''}): PSS {pss:.1f} MB (target <= {TARGET_PSS_MB} MB: "
                  f"{mark(pss, TARGET_PSS_MB)}), RSS {rss:.1f} MB")
            print(f"   CPU used by the server during the {figures.requests:,} requests: {figures.cpu_requests:.2f} s")
            client.conn.close()
            before = cpu_seconds(proc.pid)
            time.sleep(WINDOW_S)
            figures.cpu_after = cpu_seconds(proc.pid) - before
            figures.pss_after = memory_mb(proc.pid)[0]
            print(f"5. The {WINDOW_S} s after the last request, no traffic: CPU {figures.cpu_after:.2f} s, "
                  f"PSS then {figures.pss_after:.1f} MB")
            t1 = time.perf_counter()
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
            print(f"6. SIGTERM to exit: {time.perf_counter() - t1:.2f} s, exit code {proc.returncode}")
        finally:
            window.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            log.close()
            refuser.close()
    return figures


def summary(results: list[Figures]) -> None:
    """One line per N: the figures the targets at 50 PDLs speak of."""
    def cell(value: float | None, fmt: str) -> str:
        return "-" if value is None or math.isnan(value) else format(value, fmt)

    print(f"Summary (targets at 50 PDLs: dashboard p95 <= {SCALE_TARGETS['dashboard']} ms, /metrics p95 <= "
          f"{SCALE_TARGETS['metrics']} ms, idle PSS <= {SCALE_TARGETS['pss']} MB, no CPU burst after start)")
    head = ("PDLs", "seed s", "first / s", "dashboard p95 ms", "/metrics p95 ms", "idle PSS MB",
            f"CPU s {WINDOW_S} s after start", "CPU s requests", f"CPU s {WINDOW_S} s after", "PSS MB then")
    print("   " + " | ".join(head))
    for f in results:
        print("   " + " | ".join((str(f.pdls), cell(f.seed_s, ".1f"), cell(f.first_page_s, ".2f"),
                                  cell(f.dashboard_p95, ".1f"), cell(f.metrics_p95, ".1f"), cell(f.pss, ".1f"),
                                  cell(f.cpu_start, ".2f"), cell(f.cpu_requests, ".2f"), cell(f.cpu_after, ".2f"),
                                  cell(f.pss_after, ".1f"))))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2025, 11, 5), metavar="YYYY-MM-DD",
                        help="the simulated today of the seeding sync (default 2025-11-05, so runs are comparable)")
    parser.add_argument("--years", type=int, default=2, help="years of history to seed (default 2)")
    parser.add_argument("--pdls", type=int, nargs="+", default=[3], metavar="N",
                        help="PDLs to seed, one run per value (default 3, the demo ones), e.g. --pdls 1 10 50")
    parser.add_argument("--fresh-exporter", action="store_true",
                        help="leave the Prometheus exporter's first export (the whole history of every PDL collected) "
                             "to the server's start-up sync, as right after enabling it")
    parser.add_argument("-n", type=int, default=30, help="timed requests per URL (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per URL first (default 3)")
    args = parser.parse_args()
    results = [run(args, count) for count in args.pdls]
    summary(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
