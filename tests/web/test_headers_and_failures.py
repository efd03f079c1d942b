"""What every answer carries (security headers, an ingress prefix only of the expected shape), and what a full disk
or a database damaged while the app runs look like: plain French words on the page and in the log, no traceback,
``/healthz`` failing when the database cannot be read."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from myelectricaldata.app import AppServices
from myelectricaldata.config import load_settings
from myelectricaldata.database import repository as repo
from myelectricaldata.services.sync import SyncService
from myelectricaldata.web.app import create_app
from tests.support.pages import csrf_token as token

PDL = "11111111111111"
INGRESS = "/api/hassio_ingress/Xy_9-abcDEF"
OFFER = {"name": "Fixe", "kind": "BASE", "unit": "c€/kWh", "price_base": "10", "subscription": "0",
         "valid_from": "2024-01-01"}


@pytest.fixture
def make_app(sqlite_engine, tmp_path):
    with sqlite_engine.begin() as conn:
        repo.save_usage_point(conn, PDL, name="Maison")

    def build(**environ: str):
        settings = load_settings(environ={"DATA_DIR": str(tmp_path), **environ}, options_file=Path("/nonexistent"))
        return create_app(settings, AppServices(sqlite_engine))
    return build


@pytest.mark.parametrize("path", ["/", "/settings", "/api/v1/usage_points", "/healthz", "/static/app.css",
                                  "/nowhere"])
def test_every_answer_carries_the_security_headers(make_app, path):
    response = make_app().test_client().get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_no_page_holds_an_inline_script_or_style(make_app):
    client = make_app().test_client()
    for path in ("/", "/settings", f"/settings/{PDL}", "/consumption_kwh", "/consumption_euro", "/production",
                 "/simulation", "/simulation/offers", "/bilan", "/tempo", "/ecowatt", "/exporters", "/setup"):
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r"\s(style|on[a-z]+)=", html), path


@pytest.mark.parametrize(("prefix", "supervised", "taken"), [
    (INGRESS, True, True),
    ("/\\evil.example", True, False),
    ("/\\evil.example", False, False),
    ("//evil.example", False, False),
    ("/api/hassio_ingress/../../x", True, False),
    ("/linky", True, False),  # under the Supervisor only HA's own prefix
    ("/linky", False, True),
    ("/apps/linky", False, True),
    ("/a/../b", False, False),
    ("/a%2Fb", False, False),
    ("/a b", False, False),
])
def test_the_ingress_prefix_is_taken_only_in_its_expected_shape(make_app, prefix, supervised, taken):
    app = make_app(**({"SUPERVISOR_TOKEN": "x"} if supervised else {}))
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "172.30.32.2" if supervised else "127.0.0.1"
    html = client.get("/", headers={"X-Ingress-Path": prefix}).text
    assert ('src="' + prefix.rstrip("/") + '/static/app.js"' in html) is taken
    assert "evil.example/static" not in html
    if not taken:
        assert 'src="/static/app.js"' in html


def fill_the_disk(engine: sa.Engine) -> None:
    """From now on the SQLite file may not grow: every write needing a new page fails as on a full disk."""
    @sa.event.listens_for(engine, "connect")
    def full(dbapi_conn, _record):
        cursor = dbapi_conn.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages}")
        cursor.close()
    engine.dispose()


def test_a_full_disk_is_said_plainly_on_the_page_and_in_the_log(make_app, sqlite_engine, caplog):
    client = make_app().test_client()
    html = client.get("/simulation/offers").text
    fill_the_disk(sqlite_engine)
    with caplog.at_level(logging.ERROR):
        for n in range(500):  # the first offers may still fit in the pages the file has
            response = client.post("/simulation/offers", data={"csrf_token": token(html), **OFFER,
                                                               "name": f"{n:03d}" + "x" * 97})
            if response.status_code != 302:
                break
        api = client.post("/api/v1/sync", json={})  # reads only: unaffected
    assert response.status_code == 503
    assert "Le disque de la base de données est plein" in response.text and "Libérez de la place" in response.text
    assert "Le disque de la base de données est plein" in caplog.text and "Traceback" not in caplog.text
    assert api.status_code == 409
    assert client.get("/healthz").status_code == 200  # the database is still readable


def test_a_sync_on_a_full_disk_ends_with_the_plain_words_and_no_traceback(sqlite_engine, tmp_path, caplog):
    from myelectricaldata.gateway.client import GatewayClient
    from myelectricaldata.simulator import start_simulator
    from tests.support.syncing import TODAY

    fill_the_disk(sqlite_engine)
    with start_simulator(today=TODAY) as sim, caplog.at_level(logging.INFO):
        sync = SyncService(sqlite_engine, GatewayClient(sim.url, "demo", "demo"), tmp_path / "sync.lock",
                           clock=sim.state.now)
        report = sync.run()
    assert report.outcome == "error" and report.message.startswith("Le disque de la base de données est plein")
    assert "Traceback" not in caplog.text and "Le disque de la base de données est plein" in caplog.text


def test_a_database_damaged_while_running_fails_healthz_and_says_so(make_app, sqlite_engine, caplog):
    client = make_app().test_client()
    with sqlite_engine.begin() as conn:
        for n in range(300):
            repo.set_state(conn, f"filler-{n}", "x" * 500)
    assert client.get("/healthz").status_code == 200
    with sqlite_engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    path = Path(sqlite_engine.url.database)
    with path.open("r+b") as db:
        db.seek(4096)
        db.write(os.urandom(path.stat().st_size - 4096))
    sqlite_engine.dispose()  # the pages held in memory are gone: the next reads come from the file
    with caplog.at_level(logging.ERROR):
        page = client.get("/settings")
        api = client.get("/api/v1/usage_points")
    assert client.get("/healthz").status_code == 503
    assert page.status_code == 503 and "La base de données est endommagée" in page.text
    assert api.status_code == 503 and api.get_json()["error"]["code"] == "database_unavailable"
    assert "La base de données est endommagée" in caplog.text and "Traceback" not in caplog.text
