"""Exporter test fixtures: a user folder of plugin files, managers on it, a VictoriaMetrics server, private
Mosquitto brokers."""

from __future__ import annotations

import getpass
import subprocess

import pytest

from myelectricaldata.exporters.manager import ExporterManager
from tests.support.net import free_port, reachable
from tests.support.processes import spawn, stop, tail
from tests.support.required import binary
from tests.support.victoriametrics import VictoriaMetrics
from tests.support.waiting import wait_for


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "exporters"
    path.mkdir()
    return path


@pytest.fixture
def make_manager(sqlite_engine, tmp_path, folder):
    """Build a manager on the SQLite engine and the user folder (entry points off unless asked)."""
    made = []

    def build(engine=None, entry_points=False):
        manager = ExporterManager(engine or sqlite_engine, tmp_path, folder, entry_points=entry_points)
        made.append(manager)
        return manager

    yield build
    for manager in made:
        manager.close()


@pytest.fixture
def vm(tmp_path):
    """A victoria-metrics child process on loopback with a temporary data folder, stopped after the test."""
    with VictoriaMetrics(tmp_path / "vm") as server:
        yield server


@pytest.fixture
def private_broker(tmp_path):
    """Start a private mosquitto on a free loopback port (or ``port``); ``start(password=...)`` adds a user ``med``;
    ``start.stop(port)`` stops the one on ``port``."""
    mosquitto, passwd = binary("mosquitto"), binary("mosquitto_passwd")
    procs: dict[int, subprocess.Popen] = {}

    def start(password: str | None = None, port: int | None = None) -> int:
        port = port or free_port()
        conf = tmp_path / f"mosquitto-{port}.conf"
        lines = [f"listener {port} 127.0.0.1", "persistence false", f"user {getpass.getuser()}"]  # tmp_path is 0700
        if password:
            pw = tmp_path / "passwd"
            subprocess.run([passwd, "-b", "-c", str(pw), "med", password], check=True)
            lines += ["allow_anonymous false", f"password_file {pw}"]
        else:
            lines.append("allow_anonymous true")
        conf.write_text("\n".join(lines) + "\n")
        log = tmp_path / f"mosquitto-{port}.log"
        proc = procs[port] = spawn([mosquitto, "-c", str(conf)], log)
        wait_for(lambda: reachable("127.0.0.1", port), 5, f"private mosquitto on port {port}",
                 lambda: None if proc.poll() is None else tail(log), interval=0.05)
        return port

    def stop_one(port: int) -> None:
        stop(procs.pop(port), timeout=5)

    start.stop = stop_one
    yield start
    for proc in procs.values():
        stop(proc, timeout=5)
