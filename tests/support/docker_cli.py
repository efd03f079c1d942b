"""The Docker CLI as the image tests use it: the daemon ``./dev test`` starts (``DOCKER_HOST``), the stand-in bases
it made (``STANDIN_BASE_PYTHON``, ``STANDIN_NODE``), and containers, volumes and networks removed after each test."""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

PROJECT = Path(__file__).resolve().parents[2]
DOCKER = os.environ.get("DOCKER", "docker")
IMAGE = "myelectricaldata:test"


def unavailable(reason: str) -> None:
    """Fail when the image tests must run (``REQUIRE_DOCKER=1``, set by ``./dev test``, or on CI), else skip."""
    if os.environ.get("REQUIRE_DOCKER") == "1" or os.environ.get("CI"):
        pytest.fail(f"the image tests cannot run: {reason}", pytrace=False)
    pytest.skip(f"image tests skipped: {reason}")


def docker(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    done = subprocess.run([DOCKER, *args], capture_output=True, text=True, timeout=timeout, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} exited {done.returncode}: {done.stderr.strip()[-2000:]}")
    return done


def build_image(version: str) -> subprocess.CompletedProcess:
    """The project's Dockerfile on the stand-in bases, with the legacy builder (it uses local tags without pulling)."""
    bases = {name: os.environ.get(name, "") for name in ("STANDIN_BASE_PYTHON", "STANDIN_NODE")}
    if not os.environ.get("DOCKER_HOST") or not all(bases.values()):
        unavailable("DOCKER_HOST and the stand-in bases are not set (./dev test starts dockerd and makes them)")
    if docker("info", check=False, timeout=30).returncode != 0:
        unavailable(f"no Docker daemon answers at {os.environ['DOCKER_HOST']}")
    command = [DOCKER, "build", "--build-arg", f"BUILD_FROM={bases['STANDIN_BASE_PYTHON']}",
               "--build-arg", f"ASSETS_FROM={bases['STANDIN_NODE']}", "--build-arg", "BUILD_ARCH=amd64",
               "--build-arg", f"BUILD_VERSION={version}", "-t", IMAGE, str(PROJECT)]
    return subprocess.run(command, capture_output=True, text=True, timeout=1200, check=False,
                          env={**os.environ, "DOCKER_BUILDKIT": "0"})


def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    end = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"{what}: still not true after {timeout:g} s (last: {value!r})")
        time.sleep(0.3)


@dataclass
class Container:
    name: str

    def inspect(self) -> dict[str, Any]:
        return json.loads(docker("inspect", self.name).stdout)[0]

    def logs(self) -> str:
        done = docker("logs", self.name)
        return done.stdout + done.stderr

    @property
    def running(self) -> bool:
        return bool(self.inspect()["State"]["Running"])

    @property
    def health(self) -> str:
        return self.inspect()["State"].get("Health", {}).get("Status", "")

    @property
    def exit_code(self) -> int:
        return int(self.inspect()["State"]["ExitCode"])

    def ip(self, network: str) -> str:
        return self.inspect()["NetworkSettings"]["Networks"][network]["IPAddress"]

    def host_port(self, port: int) -> int:
        return int(self.inspect()["NetworkSettings"]["Ports"][f"{port}/tcp"][0]["HostPort"])

    def exec(self, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return docker("exec", self.name, *argv, check=False, timeout=timeout)

    def app_pid(self) -> int:
        """The host PID of the web app (``myelectricaldata serve``) inside the container."""
        for line in docker("top", self.name, "-eo", "pid,args").stdout.splitlines()[1:]:
            pid, _, args = line.strip().partition(" ")
            if "myelectricaldata serve" in args:
                return int(pid)
        raise AssertionError(f"no `myelectricaldata serve` in {self.name}:\n{self.logs()[-2000:]}")

    def wait_log(self, text: str, timeout: float = 90) -> str:
        def seen() -> str | None:
            logs = self.logs()
            if text in logs:
                return logs
            if not self.running:
                raise AssertionError(f"{self.name} exited ({self.exit_code}) before logging {text!r}:\n{logs[-3000:]}")
            return None

        return wait_for(seen, timeout, f"{text!r} in the logs of {self.name}")


@dataclass
class Docker:
    """Makes containers, volumes and networks with unique names, and removes them all in ``close``."""

    prefix: str = field(default_factory=lambda: f"medtest-{uuid.uuid4().hex[:8]}")
    containers: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)

    def run(self, *args: str, env: dict[str, str] | None = None, image: str = IMAGE) -> Container:
        name = f"{self.prefix}-c{len(self.containers)}"
        self.containers.append(name)
        docker("run", "-d", "--name", name, *self._env(env), *args, image)
        return Container(name)

    def create(self, *args: str, env: dict[str, str] | None = None, image: str = IMAGE) -> Container:
        """A container that starts when the test says (``docker start``)."""
        name = f"{self.prefix}-c{len(self.containers)}"
        self.containers.append(name)
        docker("create", "--name", name, *self._env(env), *args, image)
        return Container(name)

    def volume(self) -> str:
        name = f"{self.prefix}-v{len(self.volumes)}"
        self.volumes.append(name)
        docker("volume", "create", name)
        return name

    def network(self, *args: str) -> str:
        name = f"{self.prefix}-n{len(self.networks)}"
        self.networks.append(name)
        docker("network", "create", *args, name)
        return name

    @staticmethod
    def _env(env: dict[str, str] | None) -> Iterable[str]:
        for key, value in (env or {}).items():
            yield from ("-e", f"{key}={value}")

    def close(self) -> None:
        if self.containers:
            docker("rm", "-f", "-v", *self.containers, check=False)
        if self.volumes:
            docker("volume", "rm", "-f", *self.volumes, check=False)
        for network in self.networks:
            docker("network", "rm", network, check=False)
