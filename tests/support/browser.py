"""The browser tests' pieces: the seeded database ``serve`` shows, the app and nginx in front of it like Home
Assistant's ingress, and a watch on what goes wrong in a page (console errors, failed requests, HTTP >= 400, requests
leaving the ingress prefix). The fixtures that start them are in tests/web/conftest.py.

Chromium and nginx come from apt (``./dev test`` installs them when run as root). When one is missing the browser
tests are skipped, or fail with the install command when ``REQUIRE_BROWSER=1`` or ``CI`` is set.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support.processes import tail
from tests.support.required import unavailable
from tests.support.syncing import make_sync
from tests.support.waiting import wait_for

TODAY = date(2025, 11, 5)  # the simulator's frozen today when the database is seeded
SEED_SINCE = date(2025, 3, 1)  # eight months: both 2025 DST changes, a Tempo season's end and the next one's start
STORED_PERIOD = (date(2025, 10, 6), date(2025, 11, 4))  # the last 30 stored days
TOKEN = "e2eIngressToken0123456789abcdef"
INGRESS_PREFIX = f"/api/hassio_ingress/{TOKEN}"
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
INSTALL_HINT = ("apt-get update && apt-get install -y chromium nginx (keep /usr/sbin/policy-rc.d answering 101 so "
                "nginx is not started as a service), and .venv/bin/pip install -e '.[test]' for playwright; "
                "never `playwright install`")
NGINX_CONF = """\
daemon off;
worker_processes 1;
pid @PREFIX@/nginx.pid;
error_log @PREFIX@/error.log info;
events { worker_connections 64; }
http {
    access_log @PREFIX@/access.log;
    client_max_body_size 64m;  client_body_buffer_size 64m;  # uploads stay in memory (the workers run as nobody)
    client_body_temp_path @PREFIX@/tmp/body;  proxy_temp_path @PREFIX@/tmp/proxy;
    fastcgi_temp_path @PREFIX@/tmp/fastcgi;   uwsgi_temp_path @PREFIX@/tmp/uwsgi;  scgi_temp_path @PREFIX@/tmp/scgi;
    server {
        listen 127.0.0.1:@PORT@;
        location @INGRESS@/ {
            proxy_pass http://127.0.0.1:@UPSTREAM@/;
            proxy_set_header X-Ingress-Path @INGRESS@;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_http_version 1.1;
        }
    }
}
"""


def _browser_tools_missing() -> list[str]:
    missing = []
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"chromium ({CHROMIUM})")
    if not (shutil.which("nginx") or os.access("/usr/sbin/nginx", os.X_OK)):
        missing.append("nginx")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package")
    return missing


def require_browser_tools() -> None:
    """Chromium, nginx and Playwright, or ``required.unavailable`` naming what is missing."""
    missing = _browser_tools_missing()
    if missing:
        unavailable("REQUIRE_BROWSER", f"browser tests need {', '.join(missing)}: {INSTALL_HINT}")



def seed_database(url: str, tmp: Path, since: date = SEED_SINCE, today: date = TODAY) -> list[str]:
    """Sync the simulator's demo PDLs and the supplier catalog into ``url`` in this process, with the simulator's
    clock frozen at ``today``; then Tempo and EcoWatt from a simulator frozen at the real today, since those pages
    are about today.
    Returns the PDLs."""
    from myelectricaldata.database import repository as repo
    from myelectricaldata.database.migrate import upgrade
    from myelectricaldata.database.session import make_engine
    from myelectricaldata.energy.timeline import PARIS
    from myelectricaldata.services.catalog import CatalogSync
    from myelectricaldata.simulator import start_simulator

    engine = make_engine(url)
    try:
        upgrade(engine)
        with start_simulator(today=today) as sim:
            sync = make_sync(engine, sim, tmp)
            report = sync.run(since=since)
            catalog = CatalogSync(engine, sync.client, clock=sim.state.now).run()
        assert report.outcome == "ok", f"seeding the database failed: {report.outcome} {report.message}"
        assert catalog.ok, f"seeding the catalog failed: {catalog.summary()}"
        with start_simulator(today=datetime.now(PARIS).date()) as sim:
            report = make_sync(engine, sim, tmp).run(include=("tempo", "ecowatt"))
        assert report.outcome == "ok", f"seeding Tempo and EcoWatt failed: {report.outcome} {report.message}"
        with engine.connect() as conn:
            return [up["usage_point_id"] for up in repo.usage_point_rows(conn)]
    finally:
        engine.dispose()


@dataclass
class LiveApp:
    url: str  # http://127.0.0.1:PORT, no trailing slash
    port: int
    proc: subprocess.Popen
    data_dir: Path
    log: Path
    pdls: list[str]

    def wait_sync_idle(self, timeout: float = 120.0) -> None:
        """Wait until no sync runs, the exports that follow a sync included (``GET /api/v1/sync``)."""
        progress: dict[str, Any] = {}

        def idle() -> bool:
            with urllib.request.urlopen(f"{self.url}/api/v1/sync", timeout=5) as answer:
                progress.update(json.load(answer)["progress"])
            return not progress["running"]

        try:
            wait_for(idle, timeout, interval=0.2, retry_on=())
        except TimeoutError:
            pytest.fail(f"a sync was still running after {timeout:g} s: {progress}\n{tail(self.log)}", pytrace=False)


@dataclass
class Ingress:
    base: str  # http://127.0.0.1:PORT/api/hassio_ingress/TOKEN, no trailing slash
    origin: str  # http://127.0.0.1:PORT
    prefix: str  # /api/hassio_ingress/TOKEN
    directory: Path



@dataclass
class Watch:
    """What went wrong in a page, per navigation: console errors, uncaught exceptions, failed requests, HTTP
    responses >= 400 and requests that leave the ingress prefix.

    ``visit`` starts a new generation. A subresource request cancelled because its document was left
    (``net::ERR_ABORTED`` on a request started before the latest main-frame navigation, or in an earlier generation)
    is not a problem of the next page; nor is one cancelled while a main-frame document committed after it started,
    or whose URL the page loaded all the same (judged when the problems are read: Chromium may report the
    cancellation before the navigation that caused it)."""

    allowed_prefix: str = ""  # absolute URL every request must start with ("" to allow any)
    generation: int = 0
    events: list[tuple[int, str]] = field(default_factory=list)
    started: dict[Any, int] = field(default_factory=dict)
    in_flight: set[Any] = field(default_factory=set)
    navigations: int = 0  # main-frame navigation requests seen
    document: dict[Any, int] = field(default_factory=dict)  # request -> navigations when it started
    commits: int = 0  # main-frame documents committed
    committed: dict[Any, int] = field(default_factory=dict)  # request -> commits when it started
    loaded: set[str] = field(default_factory=set)  # URLs of the requests that finished
    aborted: list[tuple[int, int, str, str]] = field(default_factory=list)  # (generation, commits, URL, event)

    def note(self, text: str, generation: int | None = None) -> None:
        self.events.append((self.generation if generation is None else generation, text))

    def on_request(self, request: Any) -> None:
        if request.is_navigation_request() and request.frame.parent_frame is None:
            self.navigations += 1
        self.started[request] = self.generation
        self.document[request] = self.navigations
        self.committed[request] = self.commits
        self.in_flight.add(request)
        url = request.url
        if self.allowed_prefix and not url.startswith(("data:", "blob:", self.allowed_prefix + "/")) \
                and url != self.allowed_prefix:
            self.note(f"request outside the ingress prefix: {request.method} {url}")

    def on_finished(self, request: Any) -> None:
        self.in_flight.discard(request)
        self.loaded.add(request.url)

    def on_navigated(self, frame: Any) -> None:
        if frame.parent_frame is None:
            self.commits += 1

    def on_failed(self, request: Any) -> None:
        self.in_flight.discard(request)
        failure = request.failure or ""
        born = self.started.get(request, self.generation)
        left = born < self.generation or self.document.get(request, self.navigations) < self.navigations
        if "ERR_ABORTED" in failure and not request.is_navigation_request():
            if not left:
                self.aborted.append((born, self.committed.get(request, self.commits), request.url,
                                     f"request failed: {request.method} {request.url} ({failure})"))
            return
        self.note(f"request failed: {request.method} {request.url} ({failure})", born)

    def on_response(self, response: Any) -> None:
        if response.status >= 400:
            self.note(f"HTTP {response.status}: {response.request.method} {response.url}",
                      self.started.get(response.request, self.generation))

    def on_console(self, message: Any) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if isinstance(message.location, dict) else ""
            self.note(f"console error: {message.text}" + (f" (at {where})" if where else ""))

    def on_page_error(self, error: Any) -> None:
        self.note(f"uncaught exception: {error}")

    def problems(self, generation: int | None = None) -> list[str]:
        """The problems of one generation (the current one by default; every one when ``generation`` is -1)."""
        wanted = self.generation if generation is None else generation
        cancelled = [(gen, text) for gen, commits, url, text in self.aborted
                     if commits == self.commits and url not in self.loaded]
        return [text for gen, text in self.events + cancelled if wanted in (gen, -1)]


def watch_page(page: Any, allowed_prefix: str = "") -> Watch:
    watch = Watch(allowed_prefix)
    page.on("request", watch.on_request)
    page.on("requestfinished", watch.on_finished)
    page.on("requestfailed", watch.on_failed)
    page.on("framenavigated", watch.on_navigated)
    page.on("response", watch.on_response)
    page.on("console", watch.on_console)
    page.on("pageerror", watch.on_page_error)
    page.watch = watch
    return watch


def visit(page: Any, url: str, settle_ms: int = 3000) -> Any:
    """Open ``url`` in a new watch generation, wait for the load event and then for the page's own requests to end
    (see ``settle``). Returns the main response."""
    page.watch.generation += 1
    response = page.goto(url, wait_until="load")
    settle(page, settle_ms)
    return response


def settle(page: Any, timeout_ms: int = 3000) -> None:
    """Wait until no request of the page is in flight (at most ``timeout_ms``: a page that keeps polling is not
    waited for), then for one rendered frame, so the scripts' answers to those requests have run."""
    deadline = time.monotonic() + timeout_ms / 1000
    while page.watch.in_flight and time.monotonic() < deadline:
        page.wait_for_timeout(20)  # lets Playwright deliver the request events; bounded by the deadline
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)))")
