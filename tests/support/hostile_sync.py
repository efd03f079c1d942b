"""One sync of the demo PDLs against a gateway whose load curves are 1 GiB answers, in a process of its own
so its peak memory is its own: ``python -m tests.support.hostile_sync {clean|chunked|declared|gzip}``
prints a JSON line with the peak RSS, the sync's outcome and message, and what it stored."""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from myelectricaldata.database import models as m
from myelectricaldata.database.migrate import upgrade
from myelectricaldata.database.session import make_engine
from myelectricaldata.gateway.client import GatewayClient, RetryPolicy
from myelectricaldata.services.sync import SyncService
from tests.support import hostile
from tests.support.simfront import TODAY, plug_in, serving_front

ANSWERS = {"clean": None, "chunked": hostile.huge(hostile.GIB), "declared": hostile.huge(hostile.GIB, declared=True),
           "gzip": hostile.gzip_bomb(hostile.GIB)}
DAYS = 30
SAFETY_LIMIT = 4 * hostile.GIB  # address space: a regression fails here instead of taking the machine's memory


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: getrusage's ru_maxrss would count the parent's resident
    memory at fork time, which Linux carries over the exec)."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def run(kind: str) -> dict:
    """Sync the last DAYS days of the demo PDLs with ``kind`` served on every load-curve request."""
    with tempfile.TemporaryDirectory() as folder, serving_front() as server:
        engine = make_engine(f"sqlite:///{Path(folder) / 'sync.db'}")
        upgrade(engine)
        sim = plug_in(server)
        if ANSWERS[kind] is not None:
            sim.front.app = hostile.Hostile(sim.front.app, {"/detail/batch/": ANSWERS[kind]})
        client = GatewayClient(sim.url, "demo", "demo", retry=RetryPolicy(attempts=2, base=0.01, cap=0.05))
        sync = SyncService(engine, client, Path(folder) / "sync.lock", clock=sim.state.now)
        before = peak_rss_mb()
        started = time.monotonic()
        report = sync.run(since=TODAY - timedelta(days=DAYS))
        seconds = time.monotonic() - started
        with engine.connect() as conn:
            stored = {t.name: conn.scalar(sa.select(sa.func.count()).select_from(t))
                      for t in (m.usage_points, m.daily_energy, m.load_curve)}
        engine.dispose()
    return {"answer": kind, "peak_rss_mb": round(peak_rss_mb(), 1), "peak_rss_before_sync_mb": round(before, 1),
            "seconds": round(seconds, 2), "outcome": report.outcome, "message": report.message,
            "requests": report.requests, "stored": stored}


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_AS, (SAFETY_LIMIT, SAFETY_LIMIT))
    print(json.dumps(run(sys.argv[1])))
