"""Browser fixtures: the app served by a real ``myelectricaldata serve``, nginx in front of it like Home Assistant's
ingress, and headless Chromium (Debian package) driven by Playwright for Python.

Chromium and nginx come from apt (``./dev test`` installs them when run as root). When one is missing the browser
tests are skipped, or fail with the install command when ``CI`` is set or ``REQUIRE_BROWSER=1``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

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


def _require_browser_tools() -> None:
    missing = _browser_tools_missing()
    if not missing:
        return
    message = f"browser tests need {', '.join(missing)}: {INSTALL_HINT}"
    if os.environ.get("CI") or os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check: Callable[[], Any], timeout: float, what: str, alive: Callable[[], str | None]) -> Any:
    """Call ``check`` every 50 ms until it returns without an OSError; fail after ``timeout`` or when ``alive``
    reports that the process being waited for has exited."""
    end = time.monotonic() + timeout
    while True:
        try:
            return check()
        except OSError as exc:
            gone = alive()
            if gone is not None:
                pytest.fail(f"{what}: the process exited\n{gone}", pytrace=False)
            if time.monotonic() > end:
                pytest.fail(f"{what}: not ready within {timeout:g} s ({exc})\n{alive() or ''}", pytrace=False)
            time.sleep(0.05)


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def seed_database(url: str, tmp: Path, since: date = SEED_SINCE, today: date = TODAY) -> list[str]:
    """Sync the simulator's demo PDLs into ``url`` in this process, with the simulator's clock frozen at ``today``;
    then Tempo and EcoWatt from a simulator frozen at the real today, since those pages are about today.
    Returns the PDLs."""
    from myelectricaldata.database import repository as repo
    from myelectricaldata.database.migrate import upgrade
    from myelectricaldata.database.session import make_engine
    from myelectricaldata.energy.timeline import PARIS
    from myelectricaldata.simulator import start_simulator
    from tests.services.syncing import make_sync

    engine = make_engine(url)
    try:
        upgrade(engine)
        with start_simulator(today=today) as sim:
            report = make_sync(engine, sim, tmp).run(since=since)
        assert report.outcome == "ok", f"seeding the database failed: {report.outcome} {report.message}"
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
        end = time.monotonic() + timeout
        while True:
            with urllib.request.urlopen(f"{self.url}/api/v1/sync", timeout=5) as answer:
                progress = json.load(answer)["progress"]
            if not progress["running"]:
                return
            if time.monotonic() > end:
                pytest.fail(f"a sync was still running after {timeout:g} s: {progress}\n{_tail(self.log)}",
                            pytrace=False)
            time.sleep(0.2)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory) -> Iterator[LiveApp]:
    """``myelectricaldata serve`` in a subprocess, on a database seeded beforehand.

    Why this set-up: ``serve`` has no way to freeze its clock, and its sync starts as soon as it is up. Pointed at a
    simulator frozen on 2025-11-05 it would ask for every day up to the real yesterday, get errors, and write ledger
    rows while the pages are being checked. So the database is first filled in this process by a sync against a
    simulator frozen on 2025-11-05 (``make_sync``, eight months of the three demo PDLs), and ``serve`` then gets
    the demo credentials with ``GATEWAY_URL`` on a loopback port that refuses connections (a socket bound and never
    listened on, held for the whole session). Its syncs, the start-up one and "sync now", end as "unreachable"
    after the client's retries, without storing anything: the pages show the same stored data on every run, the
    dashboard keeps its "sync now" button, and nothing depends on the network.

    The pages use the real clock, so a page whose default period follows today shows no consumption; the tests
    also open the pages that have a period selector on ``STORED_PERIOD``. Tempo and EcoWatt are about today: they
    are seeded from a second simulator frozen on the real today, so the dashboard's colours, the current Tempo
    season and the EcoWatt forecast have something to show (their content follows the date of the run).
    """
    _require_browser_tools()
    data_dir = tmp_path_factory.mktemp("serve")
    db_url = f"sqlite:///{data_dir / 'myelectricaldata.db'}"
    pdls = seed_database(db_url, tmp_path_factory.mktemp("seed"))
    refuser = socket.socket()
    refuser.bind(("127.0.0.1", 0))  # bound but not listening: connections to it are refused
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k.upper() not in {
        "CLIENT_ID", "CLIENT_SECRET", "GATEWAY_URL", "DATABASE_URL", "DATA_DIR", "PORT", "DEMO", "SUPERVISOR_TOKEN",
        "DIRECT_PORT", "API_TOKEN", "TRUSTED_NETWORKS"}}
    env.update(DATA_DIR=str(data_dir), DATABASE_URL=db_url, CLIENT_ID="demo", CLIENT_SECRET="demo",
               GATEWAY_URL=f"http://127.0.0.1:{refuser.getsockname()[1]}/api", LOG_LEVEL="INFO", PYTHONUNBUFFERED="1")
    log = data_dir / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "myelectricaldata.cli", "serve", "--host", "127.0.0.1",
                                 "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: urllib.request.urlopen(f"{url}/healthz", timeout=2).read(), 20, "serve /healthz",
                   lambda: None if proc.poll() is None else _tail(log))
        yield LiveApp(url, port, proc, data_dir, log, pdls)
    finally:
        stop(proc)
        refuser.close()


@pytest.fixture(scope="session")
def nav_paths(tmp_path_factory) -> dict[str, str]:
    """Endpoint -> path of each menu page, from ``NAV`` and the app's own URL map."""
    from flask import url_for

    from myelectricaldata.app import AppServices
    from myelectricaldata.config import Settings
    from myelectricaldata.database.session import make_engine
    from myelectricaldata.web.app import NAV, create_app

    tmp = tmp_path_factory.mktemp("urlmap")
    engine = make_engine(f"sqlite:///{tmp / 'unused.db'}")
    app = create_app(Settings(data_dir=tmp), AppServices(engine))
    with app.test_request_context():
        paths = {endpoint: url_for(endpoint) for endpoint, _ in NAV}
    engine.dispose()
    return paths


@dataclass
class Ingress:
    base: str  # http://127.0.0.1:PORT/api/hassio_ingress/TOKEN, no trailing slash
    origin: str  # http://127.0.0.1:PORT
    prefix: str  # /api/hassio_ingress/TOKEN
    directory: Path


@pytest.fixture(scope="session")
def ingress(live_app: LiveApp, tmp_path_factory) -> Iterator[Ingress]:
    """nginx as a child process configured like Home Assistant's ingress: it serves the app under
    ``/api/hassio_ingress/<token>/``, strips that prefix and names it in ``X-Ingress-Path``."""
    prefix = tmp_path_factory.mktemp("nginx")
    (prefix / "tmp").mkdir()
    port = free_port()
    conf = (NGINX_CONF.replace("@PREFIX@", str(prefix)).replace("@PORT@", str(port))
            .replace("@UPSTREAM@", str(live_app.port)).replace("@INGRESS@", INGRESS_PREFIX))
    (prefix / "nginx.conf").write_text(conf)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    err = prefix / "stderr.log"
    with err.open("wb") as out:
        proc = subprocess.Popen([nginx, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c",
                                 str(prefix / "nginx.conf")], stdout=out, stderr=subprocess.STDOUT)
    origin = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: urllib.request.urlopen(f"{origin}{INGRESS_PREFIX}/healthz", timeout=2).read(), 10,
                   "nginx in front of serve",
                   lambda: None if proc.poll() is None else _tail(err) + "\n" + _tail(prefix / "error.log"))
        yield Ingress(origin + INGRESS_PREFIX, origin, INGRESS_PREFIX, prefix)
    finally:
        stop(proc, signal.SIGQUIT, 10)


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Headless Chromium from Debian, driven by Playwright; its profile leftovers go to a temp dir, not $HOME."""
    _require_browser_tools()
    from playwright.sync_api import sync_playwright

    home = tmp_path_factory.mktemp("chromium-xdg")
    saved = {k: os.environ.get(k) for k in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME")}
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["XDG_CACHE_HOME"] = str(home / "cache")
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            try:
                yield b
            finally:
                b.close()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@dataclass
class Watch:
    """What went wrong in a page, per navigation: console errors, uncaught exceptions, failed requests, HTTP
    responses >= 400 and requests that leave the ingress prefix.

    ``visit`` starts a new generation. A subresource request cancelled because its document was left
    (``net::ERR_ABORTED`` on a request started before the latest main-frame navigation, or in an earlier generation)
    is not a problem of the next page."""

    allowed_prefix: str = ""  # absolute URL every request must start with ("" to allow any)
    generation: int = 0
    events: list[tuple[int, str]] = field(default_factory=list)
    started: dict[Any, int] = field(default_factory=dict)
    in_flight: set[Any] = field(default_factory=set)
    navigations: int = 0  # main-frame navigation requests seen
    document: dict[Any, int] = field(default_factory=dict)  # request -> navigations when it started

    def note(self, text: str, generation: int | None = None) -> None:
        self.events.append((self.generation if generation is None else generation, text))

    def on_request(self, request: Any) -> None:
        if request.is_navigation_request() and request.frame.parent_frame is None:
            self.navigations += 1
        self.started[request] = self.generation
        self.document[request] = self.navigations
        self.in_flight.add(request)
        url = request.url
        if self.allowed_prefix and not url.startswith(("data:", "blob:", self.allowed_prefix + "/")) \
                and url != self.allowed_prefix:
            self.note(f"request outside the ingress prefix: {request.method} {url}")

    def on_finished(self, request: Any) -> None:
        self.in_flight.discard(request)

    def on_failed(self, request: Any) -> None:
        self.in_flight.discard(request)
        failure = request.failure or ""
        born = self.started.get(request, self.generation)
        left = born < self.generation or self.document.get(request, self.navigations) < self.navigations
        if "ERR_ABORTED" in failure and left and not request.is_navigation_request():
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
        wanted = self.generation if generation is None else generation
        return [text for gen, text in self.events if gen == wanted]


def watch_page(page: Any, allowed_prefix: str = "") -> Watch:
    watch = Watch(allowed_prefix)
    page.on("request", watch.on_request)
    page.on("requestfinished", watch.on_finished)
    page.on("requestfailed", watch.on_failed)
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


@pytest.fixture
def page(browser, ingress: Ingress):
    """A page in a fresh browser context (1280x800, French) whose ``watch`` collects console errors, page errors,
    failed requests, HTTP >= 400 responses and requests outside the ingress prefix."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR",
                                  timezone_id="Europe/Paris")
    context.set_default_timeout(15_000)
    pg = context.new_page()
    watch_page(pg, ingress.base)
    try:
        yield pg
    finally:
        context.close()
