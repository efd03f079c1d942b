"""Browser fixtures: the app served by a real ``myelectricaldata serve``, nginx in front of it like Home Assistant's
ingress, and headless Chromium (Debian package) driven by Playwright for Python (see tests/support/browser.py)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator

import pytest

from tests.support.browser import (
    CHROMIUM,
    INGRESS_PREFIX,
    LAUNCH_ARGS,
    NGINX_CONF,
    Ingress,
    LiveApp,
    require_browser_tools,
    seed_database,
    watch_page,
)
from tests.support.net import free_port
from tests.support.processes import stop, tail
from tests.support.waiting import wait_for


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
    require_browser_tools()
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
        wait_for(lambda: urllib.request.urlopen(f"{url}/healthz", timeout=2).read(), 20, "serve /healthz",
                   lambda: None if proc.poll() is None else tail(log))
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
        wait_for(lambda: urllib.request.urlopen(f"{origin}{INGRESS_PREFIX}/healthz", timeout=2).read(), 10,
                   "nginx in front of serve",
                   lambda: None if proc.poll() is None else tail(err) + "\n" + tail(prefix / "error.log"))
        yield Ingress(origin + INGRESS_PREFIX, origin, INGRESS_PREFIX, prefix)
    finally:
        stop(proc, signal.SIGQUIT, 10)


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Headless Chromium from Debian, driven by Playwright; its profile leftovers go to a temp dir, not $HOME."""
    require_browser_tools()
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
