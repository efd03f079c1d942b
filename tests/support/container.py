"""A temporary root built from rootfs/ in which the add-on's s6-rc services run as s6-overlay runs them."""

# The shipped scripts run unmodified. Paths they use come from environment variables whose defaults are the image's
# paths (DATA_DIR, MYELECTRICALDATA_EXIT_CODE_FILE, MYELECTRICALDATA_HALT); the test points them into the root.
# /command/with-contenv, bashio and s6's halt are stubs from tests/support/stubs. A script's shebang interpreter is
# looked up inside the root, a oneshot's `up` line is read as s6-rc reads it, a longrun's `finish` gets the exit
# code (or 256 and the signal) as s6-supervise passes them.

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from tests.support.net import free_port, http_get
from tests.support.waiting import eventually

PROJECT = Path(__file__).resolve().parents[2]
ROOTFS = PROJECT / "rootfs"
STUBS = Path(__file__).resolve().with_name("stubs")
S6_RC = "etc/s6-overlay/s6-rc.d"
EXIT_CODE_FILE = "run/s6-linux-init-container-results/exitcode"
HALT = "run/s6/basedir/bin/halt"


class Container:
    """The add-on's root file system in a temporary folder, with the services' environment."""

    def __init__(self, base: Path, env: Mapping[str, str]) -> None:
        self.base = base
        self.root = base / "root"
        shutil.copytree(ROOTFS, self.root, symlinks=True)
        self._install(STUBS / "with-contenv", "command/with-contenv")
        self._install(STUBS / "bashio", "usr/lib/bashio/bashio")
        self._install(STUBS / "bashio.sh", "usr/lib/bashio/bashio.sh")
        self.path("usr/bin").mkdir(parents=True, exist_ok=True)
        self.path("usr/bin/bashio").symlink_to("../lib/bashio/bashio")
        self._install(STUBS / "halt", HALT)
        self.path(EXIT_CODE_FILE).parent.mkdir(parents=True)
        self.path(EXIT_CODE_FILE).write_text("0\n")
        self.data = self.path("data")
        self.data.mkdir()
        self.port = free_port()
        self.log_file = base / "longrun.log"
        self.procs: list[subprocess.Popen] = []
        self.env = {
            "PATH": os.pathsep.join([str(self.path("command")), str(self.path("usr/bin")),
                                     str(Path(sys.executable).parent), "/usr/bin", "/bin"]),
            "HOME": str(base),
            "LANG": "C.UTF-8",
            "DATA_DIR": str(self.data),
            "PORT": str(self.port),
            "MYELECTRICALDATA_EXIT_CODE_FILE": str(self.path(EXIT_CODE_FILE)),
            "MYELECTRICALDATA_HALT": str(self.path(HALT)),
            **env,
        }

    def _install(self, source: Path, target: str) -> None:
        path = self.path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, path)

    def path(self, in_image: str) -> Path:
        """Where a path of the image lives in this root."""
        return self.root / in_image.lstrip("/")

    def service(self, name: str) -> Path:
        return self.path(f"{S6_RC}/{name}")

    def argv(self, in_image: str, *args: str) -> list[str]:
        """How the kernel runs a script of the image: its shebang interpreter (in the root), then the script."""
        script = self.path(in_image)
        first = script.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("#!"), f"{in_image} has no shebang"
        interpreter, *options = first[2:].split()
        return [str(self.path(interpreter)), *options, str(script), *args]

    def bundle(self) -> list[str]:
        """The services of the ``user`` bundle, dependencies first (as s6-rc starts them)."""
        wanted = sorted(p.name for p in self.service("user/contents.d").iterdir())
        order: list[str] = []

        def visit(name: str) -> None:
            if name in order or not self.service(name).is_dir():
                return  # already placed, or provided by the base image (``base``)
            deps = self.service(name) / "dependencies.d"
            for dep in sorted(p.name for p in deps.iterdir()) if deps.is_dir() else []:
                visit(dep)
            order.append(name)

        for name in wanted:
            visit(name)
        return order

    def kind(self, name: str) -> str:
        return (self.service(name) / "type").read_text().strip()

    def oneshot(self, name: str, wrap: list[str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run a oneshot's ``up`` line (one command line: the script's path in the image)."""
        command = shlex.split((self.service(name) / "up").read_text())
        return subprocess.run([*(wrap or []), *self.argv(command[0], *command[1:])], env=self.env, cwd=self.root,
                              capture_output=True, text=True, timeout=timeout)

    def longrun(self, name: str) -> subprocess.Popen:
        """Start a longrun's ``run`` in its service folder, its output going to ``log_file``."""
        with self.log_file.open("ab") as log:
            proc = subprocess.Popen(self.argv(f"{S6_RC}/{name}/run"), env=self.env, cwd=self.service(name),
                                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def finish(self, name: str, exit_code: int, signal_number: int = 0) -> subprocess.CompletedProcess:
        """Run a longrun's ``finish`` with s6-supervise's two arguments."""
        return subprocess.run(self.argv(f"{S6_RC}/{name}/finish", str(exit_code), str(signal_number)),
                              env=self.env, cwd=self.service(name), capture_output=True, text=True, timeout=30)

    def finished(self, name: str, proc: subprocess.Popen) -> subprocess.CompletedProcess:
        """After ``run`` ended: ``finish`` with its exit code, or 256 and the signal that killed it."""
        code = proc.wait(30)
        return self.finish(name, 256, -code) if code < 0 else self.finish(name, code)

    def boot(self) -> tuple[subprocess.CompletedProcess, subprocess.Popen | None]:
        """Bring the ``user`` bundle up: the oneshot, then (if it succeeded) the longrun."""
        done, started = None, None
        for name in self.bundle():
            if self.kind(name) == "oneshot":
                done = self.oneshot(name)
                if done.returncode != 0:
                    return done, None  # S6_BEHAVIOUR_IF_STAGE2_FAILS=2: the container stops
            else:
                started = self.longrun(name)
        assert done is not None
        return done, started

    def stop(self, proc: subprocess.Popen) -> subprocess.CompletedProcess:
        """s6's ``down``: SIGTERM to the longrun, then its ``finish``."""
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
        return self.finished("myelectricaldata", proc)

    def close(self) -> None:
        """Stop whatever is still running."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)

    def log(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace") if self.log_file.exists() else ""

    @property
    def halted(self) -> bool:
        return Path(f"{self.path(HALT)}.calls").exists()

    @property
    def exit_code(self) -> str:
        return self.path(EXIT_CODE_FILE).read_text().strip()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def up(self, proc: subprocess.Popen, timeout: float = 60) -> bool:
        """True once /healthz answers 200 (False if the app died first)."""
        return eventually(lambda: proc.poll() is not None or http_get(self.url("/healthz"))[0] == 200, timeout) \
            and proc.poll() is None
