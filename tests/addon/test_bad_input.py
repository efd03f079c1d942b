"""What the add-on does with bad input: it starts and says what to fix, or stops with a clear reason."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time

import pytest

from tests.support.net import http_get
from tests.support.waiting import eventually

pytestmark = pytest.mark.slow


def stays_up(container, app, seconds: float = 3.0) -> bool:
    """Still serving after a while, and the container never asked to halt."""
    time.sleep(seconds)
    return app.poll() is None and http_get(container.url("/healthz"))[0] == 200 and not container.halted


def test_missing_credentials_start_the_app_on_its_set_up_page(make_container, supervisor):
    container = make_container(supervisor=supervisor)
    init, app = container.boot()
    assert init.returncode == 0, init.stderr
    assert "CLIENT_ID / CLIENT_SECRET not set: the web UI will show the set-up page" in init.stderr
    assert container.up(app), container.log()
    status, html = http_get(container.url("/"))
    assert status == 200 and "identifiants\n  de la passerelle absents" in html and 'href="/setup"' in html
    status, html = http_get(container.url("/setup"))
    assert status == 200 and "Aucun identifiant de la passerelle MyElectricalData n'est configuré" in html
    assert stays_up(container, app)
    assert "serving the set-up page only, no sync" in container.log()


def test_invalid_credentials_keep_the_app_up_and_say_so(make_container, supervisor, sim):
    options = {"client_id": "demo", "client_secret": "not-the-secret", "gateway_url": sim.url}
    container = make_container(options=options, supervisor=supervisor)
    init, app = container.boot()
    assert init.returncode == 0 and container.up(app), container.log()
    assert eventually(lambda: "refusée : identifiants incorrects" in http_get(container.url("/"))[1], timeout=60)
    assert stays_up(container, app)
    assert "not-the-secret" not in container.log()


def test_an_invalid_option_is_named_in_the_log_and_on_the_set_up_page(make_container, supervisor):
    options = {"client_id": "demo", "client_secret": "demo", "gateway_url": "ftp://example.org/api"}
    container = make_container(options=options, supervisor=supervisor)
    init, app = container.boot()
    assert init.returncode == 0, init.stderr
    message = "gateway_url: expected an http(s) URL such as https://www.v2.myelectricaldata.fr/api"
    assert message in init.stderr
    assert container.up(app), container.log()
    assert message in container.log()
    status, html = http_get(container.url("/setup"))
    assert status == 200 and "Réglages invalides" in html and "gateway_url: expected an http(s) URL" in html
    assert "un réglage est invalide" in http_get(container.url("/"))[1]
    assert stays_up(container, app)


def test_an_unwritable_data_directory_stops_the_start_with_a_clear_error(make_container, supervisor):
    container = make_container(supervisor=supervisor)
    wrap: list[str] = []
    if os.geteuid() == 0:  # root writes anywhere: drop the capabilities that let it
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv (util-linux) to drop CAP_DAC_OVERRIDE")
        wrap = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]
    container.data.chmod(0o555)
    try:
        init = container.oneshot("init-myelectricaldata", wrap=wrap)
    finally:
        container.data.chmod(0o755)
    assert init.returncode != 0
    assert f"the data directory {container.data} is not writable (Permission denied)" in init.stderr
    assert "Start-up stopped: the data directory or the database is not usable" in init.stderr
    assert not (container.data / "myelectricaldata.db").exists()


def _damage_pages(db) -> None:
    with open(db, "r+b") as file:
        file.seek(4096 * 4)
        file.write(b"\xa5" * 4096 * 4)


@pytest.mark.parametrize(("damage", "cause"), [
    (lambda db: db.write_bytes(b"this is not a database " * 300), "file is not a database"),
    (_damage_pages, "malformed"),
])
def test_a_corrupt_sqlite_file_is_named_with_a_recovery_hint(make_container, damage, cause):
    container = make_container()
    init = container.oneshot("init-myelectricaldata")
    assert init.returncode == 0, init.stderr
    db = container.data / "myelectricaldata.db"
    conn = sqlite3.connect(db)  # some data, so the file spans many pages
    conn.execute("CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT)")
    conn.executemany("INSERT INTO filler (text) VALUES (?)", [("x" * 200,) for _ in range(2000)])
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    damage(db)
    init = container.oneshot("init-myelectricaldata")
    assert init.returncode != 0
    assert f"the SQLite database {db} is damaged" in init.stderr and cause in init.stderr
    assert "To recover: stop the application, keep a copy of the file" in init.stderr
    assert f"move it aside with its -wal and -shm files (e.g. to {db}.damaged)" in init.stderr
