"""Web benchmark: ``myelectricaldata serve`` on 3 PDLs x 2 years seeded from the simulator; time from start to the
first 200, server time per page and API call, idle memory of the serve process tree, each figure next to its
target. Asserts nothing."""

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
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa

from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.database.migrate import upgrade
from myelectricaldata.database.session import make_engine
from myelectricaldata.energy.timeline import PARIS, years_before
from myelectricaldata.gateway.client import GatewayClient
from myelectricaldata.services.sync import SyncService
from myelectricaldata.simulator import start_simulator

TARGET_P95_MS, TARGET_PSS_MB, TARGET_START_S = 100, 80, 1.5
TABLES = (m.daily_energy, m.load_curve, m.max_power, m.tempo_days, m.ecowatt_days)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(url: str, tmp: Path, today: date, years: int) -> tuple[list[str], float, dict[str, int]]:
    """Sync the simulator's demo PDLs over ``years`` into a fresh database, today frozen, then Tempo and EcoWatt up to
    the real today; PDLs, seconds of the first sync, rows."""
    engine = make_engine(url)
    upgrade(engine)
    with start_simulator(today=today) as sim:
        sync = SyncService(engine, GatewayClient(sim.url, "demo", "demo"), tmp / "seed.lock", clock=sim.state.now)
        t0 = time.perf_counter()
        report = sync.run(since=years_before(today, years))
        elapsed = time.perf_counter() - t0
    if report.outcome != "ok":
        print(f"   seeding ended {report.outcome}: {report.message}")
    with start_simulator(today=datetime.now(PARIS).date()) as sim:  # Tempo and EcoWatt pages are about today
        sync = SyncService(engine, GatewayClient(sim.url, "demo", "demo"), tmp / "seed.lock", clock=sim.state.now)
        report = sync.run(include=("tempo", "ecowatt"))
    if report.outcome != "ok":
        print(f"   seeding Tempo and EcoWatt up to the real today ended {report.outcome}: {report.message}")
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2025, 11, 5), metavar="YYYY-MM-DD",
                        help="the simulated today of the seeding sync (default 2025-11-05, so runs are comparable)")
    parser.add_argument("--years", type=int, default=2, help="years of history to seed (default 2)")
    parser.add_argument("-n", type=int, default=30, help="timed requests per URL (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per URL first (default 3)")
    args = parser.parse_args()
    today, last = args.today, args.today - timedelta(days=1)

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        data_dir = tmp / "data"
        data_dir.mkdir()
        db_url = f"sqlite:///{data_dir / 'myelectricaldata.db'}"
        print(f"Web benchmark: SQLite in a temp dir; {args.years} years seeded from the simulator, today frozen at "
              f"{today}; N={args.n} sequential requests per URL after {args.warmup} warm-ups, over loopback")
        pdls, seconds, rows = seed(db_url, tmp, today, args.years)
        print(f"1. Seeded {len(pdls)} PDLs in {seconds:.1f} s, then Tempo and EcoWatt up to the real today: "
              + ", ".join(f"{k} {v:,}" for k, v in rows.items()))

        refuser = socket.socket()
        refuser.bind(("127.0.0.1", 0))  # bound, never listening: the server's syncs find the gateway unreachable
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k.upper() not in {"SUPERVISOR_TOKEN", "DEMO", "DIRECT_PORT"}}
        env.setdefault("MALLOC_ARENA_MAX", "2")  # as the image sets it
        env.update(DATA_DIR=str(data_dir), DATABASE_URL=db_url, CLIENT_ID="demo", CLIENT_SECRET="demo",
                   GATEWAY_URL=f"http://127.0.0.1:{refuser.getsockname()[1]}/api", LOG_LEVEL="WARNING")
        script = Path(sys.executable).with_name("myelectricaldata")
        argv = [str(script)] if script.is_file() else [sys.executable, "-m", "myelectricaldata.cli"]
        log = (tmp / "serve.log").open("wb")
        t0 = time.perf_counter()
        proc = subprocess.Popen([*argv, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        try:
            health = first_200(port, "/healthz", t0, proc)
            page = first_200(port, "/", t0, proc)
            if health is None or page is None:
                log.flush()
                print("   serve did not answer 200:\n" + (tmp / "serve.log").read_text(errors="replace")[-3000:])
                return 0
            print(f"2. Start to first 200 (`{' '.join(Path(a).name for a in argv)} serve`): /healthz {health:.2f} s, "
                  f"/ {page:.2f} s (target <= {TARGET_START_S} s to the first page: {mark(page, TARGET_START_S)})")
            pss, rss, count = memory_mb(proc.pid)
            print(f"   memory right after: PSS {pss:.1f} MB, RSS {rss:.1f} MB")
            client = Client(port)
            ended = wait_sync_end(client)
            print("   its start-up sync (gateway unreachable on purpose, nothing stored) "
                  + (f"ended {ended:.1f} s later" if ended is not None else "state unknown (no /sync/progress)"))

            pages = nav_paths(tmp)
            views = [v for p in pages for v in variants(client, p, last - timedelta(days=29), last)]
            pdl = pdls[0]
            year = urlencode({"start": (today - timedelta(days=365)).isoformat(), "end": last.isoformat()})
            week = urlencode({"start": (today - timedelta(days=7)).isoformat(), "end": last.isoformat()})
            api = ["/api/v1/usage_points", f"/api/v1/usage_points/{pdl}/daily?{year}",
                   f"/api/v1/usage_points/{pdl}/load_curve?{week}", "/api/v1/tempo", f"/api/v1/tempo?{year}",
                   "/api/v1/sync"]
            print(f"3. Server time, ms (client wall time over loopback, keep-alive); target p95 <= {TARGET_P95_MS} ms")
            width = max(len(u) for u in pages + views + api) + 2
            print(f"   {'URL':<{width}}{'p50':>8}{'p95':>8}{'bytes':>10}")
            missing = []
            for heading, urls in (("menu pages (the server's real today: no stored data in their default period)",
                                   pages),
                                  ("menu pages on stored data: the last 30 stored days where there is a period "
                                   "selector, and the views they link to", views),
                                  ("API", api)):
                print(f"   {heading}")
                for url in urls:
                    result = measure(client, url, args.n, args.warmup)
                    if len(result) == 1:
                        if url.startswith("/api/") and result[0] == 404:
                            missing.append(url)
                            print(f"   {url:<{width}}  404: skipped (this API call is not there yet)")
                        else:
                            print(f"   {url:<{width}}  HTTP {result[0]}: not measured")
                        continue
                    _, p50, p95, size = result
                    print(f"   {url:<{width}}{p50:>8.1f}{p95:>8.1f}{size:>10,}  {mark(p95, TARGET_P95_MS)}")
            if missing:
                print(f"   {len(missing)} API call(s) answered 404 and were skipped")
            pss, rss, count = memory_mb(proc.pid)
            print(f"4. Idle memory of the serve process tree after warm-up ({count} process"
                  f"{'es' if count > 1 else ''}): PSS {pss:.1f} MB (target <= {TARGET_PSS_MB} MB: "
                  f"{mark(pss, TARGET_PSS_MB)}), RSS {rss:.1f} MB")
            client.conn.close()
            t1 = time.perf_counter()
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
            print(f"5. SIGTERM to exit: {time.perf_counter() - t1:.2f} s, exit code {proc.returncode}")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            log.close()
            refuser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
