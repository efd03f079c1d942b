"""The image itself: the project's Dockerfile built with Docker and run as the add-on and as the standalone image.

The official base images cannot be pulled here, so the build uses stand-in bases made from Debian packages
(``tests/support/standin/make-bases``). Their ``/init`` is not s6-overlay: it starts the same s6-rc service folders in
the same order and passes ``finish`` the same arguments, but the tests whose outcome rests on it say
``standin_init`` in their name; the s6 scripts keep their own tests (test_s6.py).
"""

from __future__ import annotations

import json
import os
import re
import signal
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
import yaml
from packaging.requirements import Requirement

from tests.support.docker_cli import IMAGE, PROJECT, Docker, build_image, docker, wait_for
from tests.support.fakes.supervisor import FakeSupervisor
from tests.support.ingress_proxy import IngressProxy

pytestmark = pytest.mark.slow

VERSION = yaml.safe_load((PROJECT / "config.yaml").read_text(encoding="utf-8"))["version"]
# The Supervisor's network: the add-on reaches the Supervisor, and its ingress proxy reaches the add-on, from
# 172.30.32.2. Here the host stands in for both, as this bridge network's gateway.
HASSIO_SUBNET, SUPERVISOR_IP = "172.30.32.0/23", "172.30.32.2"
FAST_HEALTH = ["--health-interval", "1s", "--health-timeout", "6s", "--health-retries", "2",
               "--health-start-period", "1s"]


def http(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except OSError:
        return 0, ""


@pytest.fixture(scope="module")
def image() -> str:
    built = build_image(VERSION)
    assert built.returncode == 0, f"the Dockerfile did not build:\n{built.stdout[-4000:]}\n{built.stderr[-4000:]}"
    yield IMAGE
    docker("image", "prune", "-f", check=False)  # the previous build's layers, now untagged


@pytest.fixture
def made(image) -> Iterator[Docker]:
    made = Docker()
    yield made
    made.close()


def locked() -> list[Requirement]:
    """The requirements of requirements.lock that apply to the image (Linux, CPython)."""
    lines = re.findall(r"^([A-Za-z0-9_.\-\[\]]+==[^ \\]+(?: ; [^\\]+)?)", (PROJECT / "requirements.lock").read_text(),
                       re.MULTILINE)
    requirements = [Requirement(line.strip()) for line in lines]
    return [r for r in requirements if r.marker is None or r.marker.evaluate({"sys_platform": "linux",
                                                                              "implementation_name": "cpython"})]


def test_the_image_holds_exactly_the_locked_packages_and_the_built_assets(made):
    frozen = docker("run", "--rm", "--entrypoint", "python3", IMAGE, "-m", "pip", "list", "--format=json").stdout
    installed = {p["name"].lower().replace("_", "-"): p["version"] for p in json.loads(frozen)}
    for requirement in locked():
        assert installed.get(requirement.name.lower()) in requirement.specifier, (requirement, installed)
    assert installed["myelectricaldata"] == VERSION
    check = docker("run", "--rm", "--entrypoint", "python3", IMAGE, "-m", "pip", "check", check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    vendor = docker("run", "--rm", "--entrypoint", "python3", IMAGE, "-c",
                    "import myelectricaldata.web, pathlib; p = pathlib.Path(myelectricaldata.web.__file__).parent;"
                    "print(sorted(f.name for f in (p / 'static/vendor').iterdir()))").stdout
    assert json.loads(vendor.replace("'", '"')) == ["uPlot.iife.min.js", "uPlot.min.css"]
    labels = made.create().inspect()["Config"]["Labels"]
    assert labels["io.hass.version"] == labels["org.opencontainers.image.version"] == VERSION
    assert labels["io.hass.arch"] == "amd64"


def test_addon_mode_reads_the_options_file_and_serves_through_ingress_on_standin_init(made, tmp_path):
    network = made.network("--subnet", HASSIO_SUBNET, "--gateway", SUPERVISOR_IP)
    data = tmp_path / "data"
    data.mkdir()
    (data / "options.json").write_text(json.dumps({"log_level": "debug", "demo": True}))
    with FakeSupervisor(host=SUPERVISOR_IP) as supervisor:
        supervisor_url = f"http://supervisor:{supervisor.port}"
        app = made.run("--network", network, "--add-host", f"supervisor:{SUPERVISOR_IP}", "-v", f"{data}:/data",
                       env={"SUPERVISOR_TOKEN": supervisor.token, "SUPERVISOR_API": supervisor_url,
                            "SUPERVISOR_URL": supervisor_url})
        logs = app.wait_log("sync finished")
        assert "Home Assistant add-on: settings from the Configuration tab" in logs
        assert "MQTT broker offered by Home Assistant: core-mosquitto" in logs
        assert "Démo : passerelle simulée" in logs and " DEBUG " in logs  # both from options.json
        assert {"/services/mqtt", "/addons/self/info"} <= {r.path for r in supervisor.requests}
        with IngressProxy(f"{app.ip(network)}:8080", tmp_path / "nginx") as ingress:
            status, page = http(f"{ingress.url}/")
            assert status == 200, page[-1000:]
            assert "<h1>Tableau de bord</h1>" in page and "démo" in page
            assets = re.findall(r'(?:src|href)="([^"]+/static/[^"]+)"', page)
            assert any(asset.endswith("/static/vendor/uPlot.iife.min.js") for asset in assets), assets
            for asset in assets:
                assert asset.startswith(ingress.prefix + "/"), asset  # links carry the ingress prefix
                assert http(f"{ingress.origin}{asset}")[0] == 200, asset
            assert http(f"{ingress.url}/healthz")[0] == 200
    assert (data / "demo.db").is_file()


@pytest.mark.parametrize(("env", "expected"), [
    ({}, "Protéger l'accès"),  # the browser comes through Docker's bridge: the first-run page, its code in the log
    ({"TRUSTED_NETWORKS": "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16"}, "Synchronisation arrêtée : identifiants"),
    ({"CLIENT_ID": "cli_image_test", "CLIENT_SECRET": "secret-never-logged", "SYNC_AFTER": "25:00"},
     "SYNC_AFTER: expected a time of day as HH:MM, got '25:00'"),
    ({"DEMO": "true", "LOG_LEVEL": "DEBUG", "PORT": "9090", "TZ": "UTC"}, "Démo : passerelle simulée"),
], ids=["first-run", "no-credentials", "bad-setting", "demo-other-port"])
def test_standalone_reads_its_settings_from_the_environment(made, env, expected):
    port = int(env.get("PORT", "8080"))
    app = made.run("-p", f"127.0.0.1::{port}", env=env)
    logs = app.wait_log(f"Starting the web UI on port {port}")
    url = f"http://127.0.0.1:{app.host_port(port)}"
    wait_for(lambda: http(f"{url}/healthz")[0] == 200, 60, "/healthz")
    status, page = http(f"{url}/")
    assert status == 200
    logs = app.logs()
    assert expected in page + logs
    assert "Standalone: settings from the environment" in logs
    if not env:
        assert "one-time code" in logs  # what the first-run page asks for
    if "CLIENT_SECRET" in env:
        assert env["CLIENT_SECRET"] not in logs + page
    assert app.running


def stored(container) -> dict:
    """What the database holds, from ``myelectricaldata status --json`` in the container: days per PDL and dataset,
    and the sync runs."""
    done = container.exec("myelectricaldata", "status", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    status = json.loads(done.stdout)
    days = {(up["usage_point_id"], ds["dataset"]): (ds["first"], ds["last"], ds["days"])
            for up in status["usage_points"] for ds in up["datasets"]}
    return {"days": days, "runs": {(run["id"], run["started_at"]) for run in status["runs"]}}


def test_data_is_kept_across_a_restart_and_a_recreated_container(made):
    volume = made.volume()
    first = made.run("-v", f"{volume}:/data", env={"DEMO": "true"})
    first.wait_log("sync finished")
    before = stored(first)
    assert ("99000000000001", "consumption_daily") in before["days"] and before["runs"]
    docker("restart", "-t", "30", first.name)
    wait_for(lambda: first.running and first.exec("curl", "-fsS", "http://127.0.0.1:8080/healthz").returncode == 0,
             90, "the restarted container's /healthz")
    after_restart = stored(first)
    assert after_restart["days"] == before["days"] and before["runs"] <= after_restart["runs"]
    docker("rm", "-f", first.name)
    second = made.run("-v", f"{volume}:/data", env={"DEMO": "true"})
    wait_for(lambda: second.exec("curl", "-fsS", "http://127.0.0.1:8080/healthz").returncode == 0, 90,
             "the new container's /healthz")
    recreated = stored(second)
    assert recreated["days"] == before["days"] and after_restart["runs"] <= recreated["runs"]


def test_docker_stop_during_a_sync_ends_cleanly_within_the_grace_time_on_standin_init(made):
    app = made.run(env={"DEMO": "true"})
    app.wait_log("myelectricaldata.services.fetch:")  # the first sync is under way
    docker("stop", "-t", "30", app.name, timeout=60)
    logs = app.logs()
    assert app.exit_code == 0, logs[-2000:]  # 137 would mean Docker had to kill it after the grace time
    assert "stopping: a running sync ends at its next consistent point" in logs


def test_healthcheck_turns_unhealthy_when_the_app_stops_answering(made):
    app = made.run(*FAST_HEALTH)
    test = app.inspect()["Config"]["Healthcheck"]["Test"]
    image_test = json.loads(docker("image", "inspect", IMAGE).stdout)[0]["Config"]["Healthcheck"]["Test"]
    assert test == image_test and "/healthz" in " ".join(test)  # the image's own check, only sooner and more often
    wait_for(lambda: app.health == "healthy", 90, "healthy")
    pid = app.app_pid()
    os.kill(pid, signal.SIGSTOP)
    try:
        wait_for(lambda: app.health == "unhealthy", 90, "unhealthy while the app is stopped")
        assert app.running
    finally:
        os.kill(pid, signal.SIGCONT)
    wait_for(lambda: app.health == "healthy", 90, "healthy again once the app answers")


def test_an_unwritable_data_directory_stops_the_container_on_standin_init(made):
    volume = made.volume()
    app = made.run("-v", f"{volume}:/data:ro")
    wait_for(lambda: not app.running, 60, "the container to stop")
    logs = app.logs()
    assert app.exit_code != 0
    assert "/data" in logs and "Start-up stopped" in logs
