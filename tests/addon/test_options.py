"""Each option of config.yaml, written to options.json as the Supervisor does, changes what the app does."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
import yaml

from myelectricaldata.config import load_settings
from myelectricaldata.services.scheduler import SPREAD_MINUTES, build_scheduler
from tests.support.container import PROJECT
from tests.support.net import free_port, http_get
from tests.support.waiting import eventually

pytestmark = pytest.mark.slow  # the app runs in a new process for almost every option
OPTIONS = yaml.safe_load((PROJECT / "config.yaml").read_text(encoding="utf-8"))["options"]
SECRET = "s3cr3t-Opt10n"


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.upper() not in (
        "CLIENT_ID", "CLIENT_SECRET", "GATEWAY_URL", "DATABASE_URL", "DEMO", "DATA_DIR", "LOG_LEVEL", "SYNC_AFTER",
        "API_TOKEN", "DIRECT_PORT", "PORT", "SUPERVISOR_TOKEN", "OPTIONS_FILE", "ADDON_CONFIG_DIR")}
    return {**env, "DATA_DIR": str(tmp_path / "data"), "OPTIONS_FILE": str(tmp_path / "options.json"),
            "ADDON_CONFIG_DIR": str(tmp_path / "config"), **extra}


def write_options(tmp_path: Path, **options: object) -> Path:
    path = tmp_path / "options.json"
    path.write_text(json.dumps({**OPTIONS, **options}))
    return path


def run(tmp_path: Path, *args: str, timeout: float = 180, **options: object) -> subprocess.CompletedProcess:
    """A `myelectricaldata` command under the add-on: settings from options.json only."""
    write_options(tmp_path, **options)
    return subprocess.run([sys.executable, "-m", "myelectricaldata.cli", *args], env=clean_env(tmp_path),
                          capture_output=True, text=True, timeout=timeout)


def recent(days: int = 3) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


def stored_pdls(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT usage_point_id FROM usage_points ORDER BY 1")]


def test_client_id_is_the_account_the_sync_uses(tmp_path, sim):
    missing = run(tmp_path, "sync", "--since", recent(), client_secret="demo", gateway_url=sim.url)
    assert missing.returncode == 2 and "CLIENT_ID not set" in missing.stderr
    done = run(tmp_path, "sync", "--since", recent(), client_id="demo", client_secret="demo", gateway_url=sim.url)
    assert done.returncode == 0, done.stderr
    assert stored_pdls(tmp_path / "data" / "myelectricaldata.db") == [
        "99000000000001", "99000000000002", "99000000000003"]


def test_client_secret_is_checked_by_the_gateway_and_never_shown(tmp_path, sim):
    refused = run(tmp_path, "--log-level", "DEBUG", "sync", client_id="demo", client_secret=SECRET,
                  gateway_url=sim.url)
    assert refused.returncode == 2 and "check them on the gateway" in refused.stderr
    assert SECRET not in refused.stdout + refused.stderr


def test_gateway_url_is_where_the_app_syncs_from(tmp_path, sim):
    done = run(tmp_path, "sync", "--since", recent(), client_id="demo", client_secret="demo", gateway_url=sim.url)
    assert done.returncode == 0, done.stderr
    assert sim.state.calls("/enedis/")
    elsewhere = f"http://127.0.0.1:{free_port()}/api"
    unreachable = run(tmp_path, "sync", "--since", recent(), client_id="demo", client_secret="demo",
                      gateway_url=elsewhere)
    assert unreachable.returncode == 1
    assert f"cannot reach the gateway at {elsewhere.split('/')[2]}" in unreachable.stderr


def test_database_url_moves_the_database(tmp_path):
    elsewhere = tmp_path / "elsewhere" / "linky.db"
    done = run(tmp_path, "init", database_url=f"sqlite:///{elsewhere}")
    assert done.returncode == 0, done.stderr
    assert f"base sqlite:///{elsewhere}" in done.stdout
    with sqlite3.connect(elsewhere) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()
    assert not (tmp_path / "data" / "myelectricaldata.db").exists()


def test_sync_after_sets_the_daily_sync_window(tmp_path):
    settings = load_settings(environ=clean_env(tmp_path), options_file=write_options(tmp_path, sync_after="03:15"))
    assert settings.sync_after == time(3, 15) and settings.sources["sync_after"] == "options.json"
    for _ in range(5):  # the time is drawn at random in the window
        scheduler = build_scheduler(object(), settings.sync_after, first_run_in=None)
        trigger = scheduler.get_job("daily_sync").trigger
        fields = {f.name: str(f) for f in trigger.fields}
        at = datetime(2000, 1, 1, int(fields["hour"]), int(fields["minute"]))
        start = datetime(2000, 1, 1, 3, 15)
        assert start <= at < start + timedelta(minutes=SPREAD_MINUTES)


def test_api_token_guards_the_direct_access_port(tmp_path):
    port, direct = free_port(), free_port()
    write_options(tmp_path, api_token="t0ken-abc")
    env = clean_env(tmp_path, DIRECT_PORT=str(direct), SUPERVISOR_TOKEN="supervisor-token")
    proc = subprocess.Popen([sys.executable, "-m", "myelectricaldata.cli", "serve", "--host", "127.0.0.1", "--port",
                             str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        api = f"http://127.0.0.1:{direct}/api/v1/usage_points"
        assert eventually(lambda: http_get(f"http://127.0.0.1:{direct}/healthz")[0] == 200)
        assert http_get(api)[0] == 401
        assert http_get(api, {"Authorization": "Bearer t0ken-abc"})[0] == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert "t0ken-abc" not in err


@pytest.mark.parametrize(("level", "shown", "hidden"), [
    ("debug", "settings: Settings(", None),
    ("warning", "CLIENT_ID / CLIENT_SECRET not set", "DEBUG"),
    ("error", None, "CLIENT_ID / CLIENT_SECRET not set"),
])
def test_log_level_sets_what_the_log_shows(tmp_path, level, shown, hidden):
    done = run(tmp_path, "init", log_level=level)
    assert done.returncode == 0, done.stderr
    if shown:
        assert shown in done.stderr
    if hidden:
        assert hidden not in done.stderr


def test_demo_serves_the_demo_meters_from_their_own_database(tmp_path):
    port = free_port()
    write_options(tmp_path, demo=True)
    proc = subprocess.Popen([sys.executable, "-m", "myelectricaldata.cli", "serve", "--host", "127.0.0.1", "--port",
                             str(port)], env=clean_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert eventually(lambda: http_get(f"http://127.0.0.1:{port}/healthz")[0] == 200, timeout=60)
        status, html = http_get(f"http://127.0.0.1:{port}/")
        assert status == 200 and "Mode démo" in html
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=90)
    assert (tmp_path / "data" / "demo.db").is_file()
    assert not (tmp_path / "data" / "myelectricaldata.db").exists()


@pytest.mark.parametrize(("option", "value", "message"), [
    ("gateway_url", "ftp://example.org/api", "gateway_url: expected an http(s) URL"),
    ("sync_after", "25:00", "sync_after: expected a time of day as HH:MM"),
    ("log_level", "loud", "log_level: expected one of"),
    ("demo", "maybe", "demo: expected true or false"),
])
def test_an_invalid_option_is_named_and_does_not_stop_the_start(tmp_path, option, value, message):
    done = run(tmp_path, "init", **{option: value})
    assert done.returncode == 0, done.stderr
    assert f"invalid setting, ignored until it is fixed: {message}" in done.stderr
    assert "(from options.json)" in done.stderr


def test_an_invalid_database_url_stops_the_start_instead_of_using_another_database(tmp_path):
    done = run(tmp_path, "init", database_url="oracle://u@h/db")
    assert done.returncode == 2
    assert "database_url: expected sqlite, postgresql or mysql" in done.stderr
    assert not (tmp_path / "data" / "myelectricaldata.db").exists()  # no empty default database in its place


def test_the_add_on_config_folder_can_hold_a_settings_yaml(tmp_path):
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "settings.yaml").write_text(f"DATABASE_URL: sqlite:///{tmp_path / 'from-yaml.db'}\nLOG_LEVEL: debug\n")
    settings = load_settings(environ=clean_env(tmp_path), options_file=write_options(tmp_path))
    assert settings.database_url == f"sqlite:///{tmp_path / 'from-yaml.db'}"
    assert settings.sources["database_url"] == str(folder / "settings.yaml")
    assert settings.log_level == "INFO"  # the option wins


def test_every_option_has_its_test():
    names = {name for name in globals() if name.startswith("test_")}
    for option in yaml.safe_load((PROJECT / "config.yaml").read_text(encoding="utf-8"))["schema"]:
        assert any(name.startswith(f"test_{option}_") for name in names), f"no test for the option {option}"
