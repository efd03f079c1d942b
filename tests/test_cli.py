"""The command line as a user runs it: a separate process, settings from the environment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from myelectricaldata.database import models as m
from myelectricaldata.database.session import make_engine
from myelectricaldata.simulator import start_simulator
from tests.support.net import free_port, http_get
from tests.support.syncing import snapshot
from tests.support.waiting import eventually

pytestmark = pytest.mark.slow  # every test runs the command line in a new process
SINCE = "--since"


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CLIENT_ID", "CLIENT_SECRET", "GATEWAY_URL",
                                                             "DATABASE_URL", "DEMO", "DATA_DIR")}
    return {**env, "DATA_DIR": str(data_dir), "LOG_LEVEL": "WARNING", **extra}


def run_cli(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "myelectricaldata.cli", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture
def sim():
    with start_simulator() as running:  # real clock: the CLI process uses the real date too
        yield running


def recent(days: int = 20) -> str:
    from datetime import date, timedelta

    return (date.today() - timedelta(days=days)).isoformat()


def test_bad_flags_are_refused_by_name(tmp_path):
    for args, word in ((["simulate", "--port", "99999"], "port number"), (["--log-level", "loud", "status"], "one of"),
                       (["sync", "--pdl", "123"], "14-digit PDL"), (["sync", "--since", "2025-13-01"], "YYYY-MM-DD")):
        out = run_cli(*args, env=cli_env(tmp_path))
        assert out.returncode == 2 and word in out.stderr, args


def test_help_lists_the_commands(tmp_path):
    out = run_cli("--help", env=cli_env(tmp_path))
    assert out.returncode == 0
    for command in ("demo", "sync", "status", "serve", "import", "migrate-legacy", "simulate"):
        assert command in out.stdout


def test_a_taken_port_is_one_line_naming_it_and_exit_code_2(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = run_cli("serve", "--host", "127.0.0.1", "--port", str(port), env=cli_env(tmp_path))
    assert out.returncode == 2
    last = out.stderr.strip().splitlines()[-1]  # before it, only the start-up warnings (no credentials here)
    assert "Traceback" not in out.stderr and last.startswith("erreur : le port"), out.stderr
    assert f"le port {port} est déjà utilisé par un autre programme" in last


def test_global_flags_after_the_command_too(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    out = run_cli("status", "--data-dir", str(elsewhere), "--log-level", "warning", env=cli_env(tmp_path / "env"))
    assert out.returncode == 0, out.stderr
    assert "Aucun PDL enregistré" in out.stdout and (elsewhere / "myelectricaldata.db").exists()
    assert not (tmp_path / "env").exists()  # DATA_DIR of the environment was not used
    before = run_cli("--data-dir", str(elsewhere), "status", env=cli_env(tmp_path / "env"))
    assert before.returncode == 0 and before.stdout == out.stdout


def test_status_in_a_demo_data_directory_says_how_to_see_the_demo(tmp_path):
    (tmp_path / "demo.db").write_bytes(b"")  # what `demo` leaves in the data directory
    out = run_cli("status", env=cli_env(tmp_path))
    assert out.returncode == 0 and "Aucun PDL enregistré" in out.stdout
    assert "ajoutez --demo" in out.stderr and str(tmp_path / "demo.db") in out.stderr


def test_sync_without_credentials_says_what_is_missing(tmp_path):
    out = run_cli("sync", env=cli_env(tmp_path))
    assert out.returncode == 2
    assert "CLIENT_ID and CLIENT_SECRET not set" in out.stderr
    assert "myelectricaldata demo" in out.stderr
    out = run_cli("sync", env=cli_env(tmp_path, CLIENT_ID="cli_x"))
    assert out.returncode == 2 and "CLIENT_SECRET not set" in out.stderr


def test_malformed_database_url_names_the_setting(tmp_path):
    out = run_cli("sync", env=cli_env(tmp_path, CLIENT_ID="a", CLIENT_SECRET="hunter2",
                                      DATABASE_URL="postgresql+psycopg://me:pw0rd@host:port/db"))
    assert out.returncode == 2
    assert "DATABASE_URL: expected a URL" in out.stderr
    assert "pw0rd" not in out.stderr and "hunter2" not in out.stderr


def test_unreachable_database_names_it_without_password(tmp_path):
    url = f"postgresql+psycopg://me:pw0rd@127.0.0.1:{free_port()}/db"
    out = run_cli("status", env=cli_env(tmp_path, DATABASE_URL=url))
    assert out.returncode == 2
    assert "cannot open the database postgresql+psycopg://me:***@127.0.0.1" in out.stderr
    assert "pw0rd" not in out.stderr


def test_sync_status_then_gateway_faults_keep_stored_data(tmp_path, sim):
    env = cli_env(tmp_path, CLIENT_ID="demo", CLIENT_SECRET="demo", GATEWAY_URL=sim.url)
    first = run_cli("sync", SINCE, recent(), env=env)
    assert first.returncode == 0, first.stderr
    assert "synchronisation réussie :" in first.stdout
    status = run_cli("status", env=env)
    assert status.returncode == 0
    for pdl in ("99000000000001", "99000000000002", "99000000000003"):
        assert f"PDL {pdl}" in status.stdout
    assert "avec cache" in status.stdout and "restantes" in status.stdout and "UTC" not in status.stdout
    engine = make_engine(f"sqlite:///{tmp_path / 'myelectricaldata.db'}")
    before = snapshot(engine)
    assert before["daily_energy"]

    unreachable = run_cli("sync", SINCE, recent(), env={**env, "GATEWAY_URL": f"http://127.0.0.1:{free_port()}/api"})
    assert unreachable.returncode == 1
    assert "cannot reach the gateway at 127.0.0.1" in unreachable.stderr

    sim.state.inject("malformed", count=1000)
    malformed = run_cli("sync", SINCE, recent(), "--retry-given-up", env=env)
    assert malformed.returncode == 1
    assert "not JSON" in malformed.stderr
    assert snapshot(engine) == before
    engine.dispose()


def test_wrong_credentials_exit_non_zero_without_leaking_the_secret(tmp_path, sim):
    env = cli_env(tmp_path, CLIENT_ID="demo", CLIENT_SECRET="s3cr3t-XYZ", GATEWAY_URL=sim.url, LOG_LEVEL="DEBUG")
    out = run_cli("sync", env=env)
    assert out.returncode == 2
    assert "check them on the gateway" in out.stderr
    assert "s3cr3t-XYZ" not in out.stderr + out.stdout


def test_sync_killed_halfway_then_rerun_equals_an_uninterrupted_sync(tmp_path, sim):
    clean_dir, killed_dir = tmp_path / "clean", tmp_path / "killed"
    base = {"CLIENT_ID": "demo", "CLIENT_SECRET": "demo", "GATEWAY_URL": sim.url}
    since = recent(400)
    assert run_cli("sync", SINCE, since, env=cli_env(clean_dir, **base)).returncode == 0

    sim.state.timeout_seconds = 0.15  # every data request answers slowly, so the kill lands mid-sync
    sim.state.inject("timeout", count=10_000, path="/enedis/")
    proc = subprocess.Popen([sys.executable, "-m", "myelectricaldata.cli", "sync", SINCE, since],
                            env=cli_env(killed_dir, **base), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = killed_dir / "myelectricaldata.db"
    engine = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if db.exists():
            engine = engine or make_engine(f"sqlite:///{db}")
            try:
                with engine.connect() as conn:
                    stored = conn.scalar(sa.select(sa.func.count()).select_from(m.load_curve))
            except sa.exc.OperationalError:
                stored = 0
            if stored:
                break
        time.sleep(0.02)
    assert proc.poll() is None, "the sync finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with engine.connect() as conn:
        outcome = conn.scalar(sa.select(m.sync_runs.c.outcome))
    assert outcome == "running"
    partial = snapshot(engine)

    sim.state.clear_faults()
    rerun = run_cli("sync", SINCE, since, env=cli_env(killed_dir, **base))
    assert rerun.returncode == 0, rerun.stderr
    clean = make_engine(f"sqlite:///{clean_dir / 'myelectricaldata.db'}")
    assert snapshot(engine) == snapshot(clean)
    assert snapshot(engine) != partial
    with engine.connect() as conn:
        outcomes = conn.scalars(sa.select(m.sync_runs.c.outcome).order_by(m.sync_runs.c.id)).all()
    assert outcomes == ["interrupted", "ok"]
    engine.dispose()
    clean.dispose()


def test_demo_once_syncs_three_meters_into_demo_db(tmp_path):
    out = run_cli("demo", "--once", "--today", "2025-11-05", env=cli_env(tmp_path), timeout=300)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "demo.db").exists() and not (tmp_path / "myelectricaldata.db").exists()
    assert (tmp_path / "demo-history" / "myelectricaldata" / "cache.db").is_file()  # the history to try importing
    assert "synchronisation réussie :" in out.stdout and "catalogue à jour : enregistré offres 1\xa0" in out.stdout
    for pdl in ("99000000000001", "99000000000002", "99000000000003"):
        assert f"PDL {pdl}" in out.stdout
    assert "Courbe de charge (production)" in out.stdout and "production_load_curve" not in out.stdout
    assert "UTC" not in out.stdout
    status = run_cli("--demo", "status", "--json", env=cli_env(tmp_path))
    assert status.returncode == 0 and '"usage_point_id": "99000000000003"' in status.stdout


def test_simulate_serves_the_gateway_for_a_separate_sync(tmp_path):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "myelectricaldata.cli", "simulate", "--port", str(port)],
                            env=cli_env(tmp_path), stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/api" in line
        env = cli_env(tmp_path, CLIENT_ID="demo", CLIENT_SECRET="demo", GATEWAY_URL=f"http://127.0.0.1:{port}/api")
        wrong = run_cli("sync", env={**env, "CLIENT_SECRET": "other"})
        assert wrong.returncode == 2 and "HTTP 401" in wrong.stderr
        out = run_cli("sync", SINCE, recent(20), "--pdl", "99000000000002", env=env)
        assert out.returncode == 0, out.stderr
        engine = make_engine(f"sqlite:///{tmp_path / 'myelectricaldata.db'}")
        with engine.connect() as conn:
            pdls = conn.scalars(sa.select(m.usage_points.c.usage_point_id)).all()
            daily = conn.execute(sa.select(m.daily_energy.c.usage_point_id, sa.func.count())
                                 .group_by(m.daily_energy.c.usage_point_id)).all()
        engine.dispose()
        assert pdls == ["99000000000001", "99000000000002", "99000000000003"]
        assert len(daily) == 1 and daily[0][0] == "99000000000002" and daily[0][1] >= 19  # J-1 after 08:00
    finally:
        proc.terminate()
        proc.wait(10)


def test_serve_runs_the_first_sync_serves_the_ui_and_stops_on_sigterm(tmp_path, sim):
    import urllib.request

    port = free_port()
    env = cli_env(tmp_path, CLIENT_ID="demo", CLIENT_SECRET="demo", GATEWAY_URL=sim.url, LOG_LEVEL="INFO")
    proc = subprocess.Popen([sys.executable, "-m", "myelectricaldata.cli", "serve", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    db = tmp_path / "myelectricaldata.db"

    def synced() -> bool:
        if not db.exists():
            return False
        engine = make_engine(f"sqlite:///{db}")
        try:
            with engine.connect() as conn:
                return conn.scalar(sa.select(m.sync_runs.c.outcome)) == "ok"
        except sa.exc.OperationalError:
            return False
        finally:
            engine.dispose()

    def page(path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as resp:
                return resp.status, resp.read().decode()
        except OSError:
            return 0, ""

    try:
        assert eventually(synced), "the start-up sync did not finish"
        assert eventually(lambda: page("/healthz")[0] == 200)
        status, html = page("/")
        assert status == 200 and "99000000000002" in html
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert f"Interface web sur http://localhost:{port}/" in out
    assert f"interface web à l'écoute sur http://127.0.0.1:{port}/ (cette machine seulement) ; sans mot de passe" in err


def test_sigterm_during_a_sync_stops_it_at_a_consistent_point(tmp_path, sim):
    sim.state.timeout_seconds = 0.2  # slow answers: the sync is still running when SIGTERM comes
    sim.state.inject("timeout", count=10_000, path="/enedis/")
    env = cli_env(tmp_path, CLIENT_ID="demo", CLIENT_SECRET="demo", GATEWAY_URL=sim.url)
    proc = subprocess.Popen([sys.executable, "-m", "myelectricaldata.cli", "serve", "--host", "127.0.0.1",
                             "--port", str(free_port())], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    db = tmp_path / "myelectricaldata.db"

    def sync_started() -> bool:
        return bool(sim.state.calls("/enedis/")) and db.exists()

    try:
        assert eventually(sync_started), "the start-up sync did not begin"
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        assert conn.scalar(sa.select(m.sync_runs.c.outcome)) == "stopped"
        running = conn.scalar(sa.select(sa.func.count()).select_from(m.dataset_states)
                              .where(m.dataset_states.c.last_outcome == "running"))
    engine.dispose()
    assert running == 0  # no dataset left marked as running


def test_demo_serves_the_ui_with_its_banner(tmp_path):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "myelectricaldata.cli", "demo", "--today", "2025-11-05",
                             "--port", str(port)], env=cli_env(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert eventually(lambda: http_get(f"http://127.0.0.1:{port}/healthz")[0] == 200)
        status, html = http_get(f"http://127.0.0.1:{port}/")
        assert status == 200 and "Mode démo" in html
        assert eventually(lambda: "Maison Villeurbanne" in http_get(f"http://127.0.0.1:{port}/")[1], timeout=90)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert (tmp_path / "demo.db").exists()


def test_direct_access_port_serves_the_read_only_api_with_a_token(tmp_path):
    port, direct = free_port(), free_port()
    env = cli_env(tmp_path, DIRECT_PORT=str(direct), API_TOKEN="t0ken-abc")
    proc = subprocess.Popen([sys.executable, "-m", "myelectricaldata.cli", "serve", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert eventually(lambda: http_get(f"http://127.0.0.1:{direct}/healthz")[0] == 200)
        api = f"http://127.0.0.1:{direct}/api/v1/usage_points"
        assert http_get(api)[0] == 401
        assert http_get(api, {"Authorization": "Bearer t0ken-abc"}) == (200, '{"usage_points":[]}\n')
        assert http_get(f"http://127.0.0.1:{direct}/")[0] == 403  # pages only on the main port
        assert http_get(f"http://127.0.0.1:{port}/")[0] == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "t0ken-abc" not in err


def test_serve_exits_soon_after_sigterm_while_an_export_waits_on_a_target_that_never_answers(tmp_path, sim):
    from myelectricaldata.database.migrate import upgrade
    from myelectricaldata.exporters import store
    from myelectricaldata.exporters.manager import ExporterManager
    from myelectricaldata.services.preferences import PdlPreferences, save
    from tests.support.net import BlackHole

    engine = make_engine(f"sqlite:///{tmp_path / 'myelectricaldata.db'}")
    upgrade(engine)
    save(engine, PdlPreferences("99000000000001", datasets=frozenset({"consumption_daily"})))  # a short first sync
    for other in ("99000000000002", "99000000000003"):
        save(engine, PdlPreferences(other, enabled=False))
    with BlackHole() as hole:
        manager = ExporterManager(engine, tmp_path, None, entry_points=False)
        assert not manager.save_config("victoriametrics", {"url": hole.url, "timeout": 600}, enabled=True)
        env = cli_env(tmp_path, CLIENT_ID="demo", CLIENT_SECRET="demo", GATEWAY_URL=sim.url, LOG_LEVEL="INFO")
        proc = subprocess.Popen([sys.executable, "-m", "myelectricaldata.cli", "serve", "--host", "127.0.0.1",
                                 "--port", str(free_port())], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            assert eventually(lambda: hole.connections or proc.poll() is not None, timeout=120)
            assert proc.poll() is None, proc.communicate()[1]  # the export after the start-up sync is waiting
        finally:
            proc.send_signal(signal.SIGTERM)
            asked = time.monotonic()
            try:
                _, err = proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                _, err = proc.communicate()
                pytest.fail(f"serve still running 10 s after SIGTERM:\n{err[-2000:]}")
    print(f"serve exited {time.monotonic() - asked:.1f} s after SIGTERM")
    assert proc.returncode == 0, err
    assert "victoriametrics: cut by the application's stop" in err
    with engine.connect() as conn:
        assert conn.scalar(sa.select(m.sync_runs.c.outcome)) == "ok"
        assert store.get_marks(conn, "victoriametrics") == {}  # sent again at the next start
        assert store.get_status(conn, "victoriametrics").failures == 0
    engine.dispose()


def test_the_direct_port_stays_closed_without_a_token(tmp_path):
    port, direct = free_port(), free_port()
    proc = subprocess.Popen([sys.executable, "-m", "myelectricaldata.cli", "serve", "--host", "127.0.0.1",
                             "--port", str(port)], env=cli_env(tmp_path, DIRECT_PORT=str(direct)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert eventually(lambda: http_get(f"http://127.0.0.1:{port}/healthz")[0] == 200)
        assert http_get(f"http://127.0.0.1:{direct}/api/v1/usage_points") == (0, "")  # nothing listens
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert f"direct-access port {direct} not opened" in err and "set API_TOKEN" in err


def test_data_files_are_readable_by_their_owner_only(tmp_path, sim):
    port = free_port()
    env = cli_env(tmp_path, CLIENT_ID="demo", CLIENT_SECRET="demo", GATEWAY_URL=sim.url)
    proc = subprocess.Popen([sys.executable, "-m", "myelectricaldata.cli", "serve", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, umask=0o022)  # the usual umask: files would be 0644 by default
    files = ("myelectricaldata.db", "myelectricaldata.db-wal", "myelectricaldata.db-shm", "session.key", "sync.lock")
    try:
        assert eventually(lambda: all((tmp_path / name).exists() for name in files), timeout=60), \
            [name for name in files if not (tmp_path / name).exists()]
        modes = {name: oct((tmp_path / name).stat().st_mode & 0o777) for name in files}
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    assert modes == dict.fromkeys(files, "0o600")


def from_another_machine():
    """A requests session whose connections come from 127.0.0.2: not this machine's loopback address for the app."""
    import requests
    from requests.adapters import HTTPAdapter

    class FromAddress(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            kwargs["source_address"] = ("127.0.0.2", 0)
            super().init_poolmanager(*args, **kwargs)

    session = requests.Session()
    session.mount("http://", FromAddress())
    return session


def form_token(html: str) -> str:
    import re

    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("fixed", [False, True])
def test_a_first_password_from_another_machine_needs_the_code_of_the_log_or_ui_password(tmp_path, fixed):
    import re

    port = free_port()
    log = tmp_path / "serve.log"
    env = cli_env(tmp_path, LOG_LEVEL="INFO", **({"UI_PASSWORD": "from the environment"} if fixed else {}))
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "myelectricaldata.cli", "serve", "--host", "127.0.0.1",
                                 "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    remote = from_another_machine()
    try:
        assert eventually(lambda: http_get(f"{url}/healthz")[0] == 200)
        first = remote.get(f"{url}/settings", allow_redirects=False)
        if fixed:
            assert first.status_code == 302 and first.headers["Location"].startswith("/login")
            assert "one-time code" not in log.read_text()
            page = remote.get(f"{url}/login").text
            signed = remote.post(f"{url}/login", data={"csrf_token": form_token(page),
                                                       "password": "from the environment"}, allow_redirects=False)
        else:
            assert first.status_code == 302 and first.headers["Location"] == "/first-run"
            assert remote.get(f"{url}/api/v1/usage_points").status_code == 401
            code = re.search(r"one-time code: ([A-Z0-9-]{19})", log.read_text()).group(1)
            page = remote.get(f"{url}/first-run").text
            signed = remote.post(f"{url}/first-run", data={"csrf_token": form_token(page), "code": code,
                                                           "password": "chosen remotely", "confirm": "chosen remotely"},
                                 allow_redirects=False)
        assert signed.status_code == 302 and signed.headers["Location"] == "/"
        assert remote.get(f"{url}/settings", allow_redirects=False).status_code == 200
        assert from_another_machine().get(f"{url}/settings", allow_redirects=False).status_code == 302
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    assert "from the environment" not in log.read_text() and "chosen remotely" not in log.read_text()


def test_a_purge_is_refused_while_a_sync_started_from_a_shell_runs(tmp_path, sim):
    import re
    from pathlib import Path as P

    from myelectricaldata.app import AppServices
    from myelectricaldata.config import load_settings
    from myelectricaldata.services.lock import SyncBusy, lock_file, sync_lock
    from myelectricaldata.web.app import create_app

    env = cli_env(tmp_path, CLIENT_ID="demo", CLIENT_SECRET="demo", GATEWAY_URL=sim.url)
    assert run_cli("sync", "--pdl", "99000000000001", SINCE, recent(3), env=env).returncode == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'myelectricaldata.db'}")
    before = snapshot(engine)["daily_energy"]
    settings = load_settings(environ={"DATA_DIR": str(tmp_path)}, options_file=P("/nonexistent"))
    client = create_app(settings, AppServices(engine)).test_client()
    page = client.get("/settings/99000000000001/purge").text
    data = {"csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1),
            "confirmation": "99000000000001"}

    def lock_held() -> bool:
        try:
            with sync_lock(lock_file(tmp_path)):
                return False
        except SyncBusy:
            return True

    sim.state.timeout_seconds = 0.2  # slow answers: the shell's sync is still running when the purge comes
    sim.state.inject("timeout", count=10_000, path="/enedis/")
    shell = subprocess.Popen([sys.executable, "-m", "myelectricaldata.cli", "sync", "--pdl", "99000000000001"],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert eventually(lock_held), "the shell's sync did not take the lock"
        refused = client.post("/settings/99000000000001/purge", data=data)
    finally:
        shell.send_signal(signal.SIGTERM)
        shell.communicate(timeout=60)
    assert refused.status_code == 409 and "Une synchronisation est en cours" in refused.text
    assert snapshot(engine)["daily_energy"] == before and before
    assert client.post("/settings/99000000000001/purge", data=data).status_code == 302  # once it has ended
    assert not snapshot(engine)["daily_energy"]
    engine.dispose()


def test_the_demo_gives_the_pv_house_its_peak_power_and_buy_back_price(sqlite_engine):
    from decimal import Decimal

    from myelectricaldata.cli import _demo_settings
    from myelectricaldata.services import balance, pricing_settings

    pv = "99000000000003"  # Maison Villeurbanne, 3 kWc
    _demo_settings(sqlite_engine)
    assert balance.balance_settings(sqlite_engine, pv).kwc == Decimal("3.0")
    assert pricing_settings.choice(sqlite_engine, pv).buyback == Decimal("0.1276")
    assert pricing_settings.choice(sqlite_engine, "99000000000001").buyback is None  # no panels, no buy-back
    balance.save_kwc(sqlite_engine, pv, "4,5")  # what the demo user changed is kept at the next start
    _demo_settings(sqlite_engine)
    assert balance.balance_settings(sqlite_engine, pv).kwc == Decimal("4.5")
