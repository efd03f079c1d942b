"""The shipped s6-rc services, run unmodified from a temporary root as s6-overlay runs them."""

from __future__ import annotations

import json
import re
import socket
import subprocess

import pytest

from tests.support.container import PROJECT, S6_RC, Container
from tests.support.fakes.supervisor import FakeSupervisor
from tests.support.net import free_port, http_get
from tests.support.waiting import eventually

pytestmark = pytest.mark.slow


def healthcheck(container: Container) -> int:
    """The Dockerfile's HEALTHCHECK command, run against the container's port; its exit code."""
    dockerfile = (PROJECT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    command = json.loads(re.search(r"^HEALTHCHECK .*?CMD (\[.*\])$", dockerfile, re.MULTILINE).group(1))
    return subprocess.run(command, env={**container.env, "PORT": str(container.port)}, capture_output=True,
                          timeout=30).returncode


def test_the_bundle_starts_the_oneshot_then_the_longrun(make_container):
    container = make_container()
    assert container.bundle() == ["init-myelectricaldata", "myelectricaldata"]
    assert [container.kind(name) for name in container.bundle()] == ["oneshot", "longrun"]


def test_under_the_supervisor_the_app_comes_up_with_its_options(make_container, supervisor, sim):
    options = {"client_id": "demo", "client_secret": "demo", "gateway_url": sim.url}
    container = make_container(options=options, supervisor=supervisor)
    init, app = container.boot()
    assert init.returncode == 0, init.stderr
    assert "Home Assistant add-on: settings from the Configuration tab" in init.stderr
    assert "prêt : dossier de données" in init.stdout
    assert app is not None and container.up(app), container.log()
    assert http_get(container.url("/healthz")) == (200, '{"status":"ok"}\n')
    assert eventually(lambda: bool(sim.state.calls("/enedis/"))), "the options' gateway was not called"
    asked = {request.route for request in supervisor.requests}
    assert "/addons/self/info" in asked and "/services/mqtt" in asked
    log = container.log()
    assert "MQTT broker offered by Home Assistant: core-mosquitto" in log
    status, html = http_get(container.url("/setup"))
    assert status == 200 and "Modules complémentaires" in html  # the add-on's own instructions
    finish = container.stop(app)
    assert app.returncode == 0 and finish.returncode == 0
    assert not container.halted and container.exit_code == "0"


def test_standalone_the_app_comes_up_from_environment_variables(make_container, sim):
    # LOG_LEVEL is a name for the app and a number for bashio: the scripts must not let bashio choke on it
    env = {"CLIENT_ID": "demo", "CLIENT_SECRET": "demo", "GATEWAY_URL": sim.url, "LOG_LEVEL": "DEBUG"}
    container = make_container(env=env)
    init, app = container.boot()
    assert init.returncode == 0, init.stderr
    assert "Standalone: settings from the environment" in init.stderr
    assert "settings: Settings(" in init.stderr  # the app's own DEBUG line
    assert app is not None and container.up(app), container.log()
    assert http_get(container.url("/healthz"))[0] == 200
    assert eventually(lambda: bool(sim.state.calls("/enedis/")))
    assert f"Starting the web UI on port {container.port}" in container.log()
    status, html = http_get(container.url("/setup"))
    assert status == 200 and "docker run" in html  # the standalone instructions
    assert (container.data / "myelectricaldata.db").is_file()
    assert healthcheck(container) == 0
    container.stop(app)
    assert not container.halted
    assert healthcheck(container) == 1


def test_a_crash_stops_the_container_with_the_exit_code(make_container):
    container = make_container()
    init = container.oneshot("init-myelectricaldata")
    assert init.returncode == 0, init.stderr
    with socket.socket() as taken:  # the web UI's port is already in use: serve cannot start
        taken.bind(("0.0.0.0", container.port))
        taken.listen()
        app = container.longrun("myelectricaldata")
        assert app.wait(60) != 0
    finish = container.finished("myelectricaldata", app)
    assert finish.returncode == 0, finish.stderr
    assert container.halted
    assert container.exit_code == str(app.returncode)


@pytest.mark.parametrize(("exit_code", "signal_number", "container_code", "written", "halts"), [
    (0, 0, "0", "0", False),  # a clean exit: s6 carries on
    (3, 0, "0", "3", True),  # a crash: the container stops with the app's code
    (3, 0, "5", "5", True),  # a code already set is kept
    (256, 15, "0", "143", True),  # SIGTERM: 128 + 15, and the container stops
    (256, 9, "0", "137", False),  # killed otherwise: the code is noted, s6 restarts the app
])
def test_finish_propagates_the_exit_code_as_the_reference_does(make_container, exit_code, signal_number,
                                                                container_code, written, halts):
    container: Container = make_container()
    container.path("run/s6-linux-init-container-results/exitcode").write_text(f"{container_code}\n")
    done = container.finish("myelectricaldata", exit_code, signal_number)
    assert done.returncode == 0, done.stderr
    assert container.exit_code == written
    assert container.halted is halts


def test_the_direct_access_port_opens_only_when_a_host_port_is_set(make_container):
    with FakeSupervisor(direct_host_port=18081) as mapped:
        container = make_container(env={"DIRECT_PORT": str(free_port())}, supervisor=mapped,
                                   options={"api_token": "t0ken-abc"})
        init, app = container.boot()
        assert init.returncode == 0 and container.up(app), container.log()
        direct = f"http://127.0.0.1:{container.env['DIRECT_PORT']}"
        assert eventually(lambda: http_get(f"{direct}/healthz")[0] == 200)
        assert "Direct access (read-only API and /metrics) on host port 18081" in container.log()
        container.stop(app)
    with FakeSupervisor(direct_host_port=None) as unmapped:
        container = make_container(env={"DIRECT_PORT": str(free_port())}, supervisor=unmapped)
        init, app = container.boot()
        assert init.returncode == 0 and container.up(app), container.log()
        assert http_get(f"http://127.0.0.1:{container.env['DIRECT_PORT']}/healthz")[0] == 0
        container.stop(app)


def test_without_a_broker_add_on_the_app_still_starts(make_container):
    with FakeSupervisor(mqtt=None) as no_broker:
        container = make_container(supervisor=no_broker)
        init, app = container.boot()
        assert init.returncode == 0 and container.up(app), container.log()
        assert "No MQTT broker add-on" in container.log()
        container.stop(app)


def test_every_service_file_is_where_s6_rc_looks(make_container):
    container = make_container()
    base = container.path(S6_RC)
    assert (base / "init-myelectricaldata/up").read_text().split() == [f"/{S6_RC}/init-myelectricaldata/run"]
    assert (base / "init-myelectricaldata/dependencies.d/base").is_file()
    assert (base / "myelectricaldata/dependencies.d/init-myelectricaldata").is_file()
    for name in ("init-myelectricaldata", "myelectricaldata"):
        assert (base / "user/contents.d" / name).is_file()
