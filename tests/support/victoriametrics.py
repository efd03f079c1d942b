"""Servers the tests (and benchmarks) start as child processes on loopback: VictoriaMetrics, and vmauth before it.

``VictoriaMetrics(folder).start()`` runs Debian's ``victoria-metrics`` on a free 127.0.0.1 port with its data in
``folder``, keeps every sample (``-retentionPeriod=100y``) and waits for ``/health``; ``tls=True`` serves https with a
self-signed certificate, ``username``/``password`` turn on its basic authentication. A missing binary is an error,
not a skip. ``VmAuth(folder, backend, token)`` puts Debian's ``vmauth`` in front, accepting one bearer token. Stop
them with ``stop()`` or use them as context managers; whatever is still running when the interpreter exits is
stopped too.
"""

from __future__ import annotations

import atexit
import json
import shutil
import socket
import subprocess
import time
import uuid
import warnings
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self

import requests
import urllib3

VM_BINARY = "victoria-metrics"
READY_TIMEOUT_S = 20.0
_running: set[subprocess.Popen] = set()


def stop_process(proc: subprocess.Popen) -> None:
    """SIGTERM (VictoriaMetrics flushes what it holds), SIGKILL after 15 s; forgotten by the exit clean-up."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    _running.discard(proc)


def spawn(argv: list[str], log_path: Path) -> subprocess.Popen:
    """A server child process writing to ``log_path``; killed at exit if a test forgets to stop it."""
    with log_path.open("ab") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    _running.add(proc)
    return proc


def wait_ready(proc: subprocess.Popen, ready: Callable[[], bool]) -> bool:
    """Poll ``ready`` (a refused connection counts as not yet) until it holds; False when the process died or
    READY_TIMEOUT_S passed."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if ready():
                return True
        except requests.RequestException:
            pass
        time.sleep(0.05)
    return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binary(name: str) -> str:
    """The path of a program the tests need; a RuntimeError saying how to install it when it is missing."""
    found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").is_file() else None)
    if found is None:
        raise RuntimeError(f"{name} not found: the tests need it (apt-get install {name}, or ./dev test as root)")
    return found


@atexit.register
def _stop_leftovers() -> None:
    for proc in list(_running):
        proc.kill()
        proc.wait()


Series = dict[tuple[str, tuple[tuple[str, str], ...]], list[tuple[int, float]]]


class ChildServer:
    """A server the tests run as a child process: ``start`` it, or use it as a context manager."""

    proc: subprocess.Popen | None = None

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        """SIGTERM (VictoriaMetrics flushes what it holds), SIGKILL after 15 s; nothing when not started."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        stop_process(proc)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class VictoriaMetrics(ChildServer):
    """One ``victoria-metrics`` child process; ``url`` is its address, ``export()`` reads raw samples back."""

    def __init__(self, folder: Path, port: int | None = None, username: str = "", password: str = "",
                 flush_key: str = "", tls: bool = False, args: tuple[str, ...] = ()) -> None:
        self.folder = Path(folder)
        self.port = port or free_port()
        self.username, self.password = username, password
        self.flush_key = flush_key  # -forceFlushAuthKey: /internal/force_flush then needs it
        self.tls = tls  # https with a self-signed certificate made by openssl
        self.args = args
        self.proc: subprocess.Popen | None = None
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"

    def _http(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
            return requests.request(method, f"{self.url}{path}", verify=False, **kwargs)

    def _certificate(self) -> list[str]:
        cert, key = self.folder / "cert.pem", self.folder / "key.pem"
        if not cert.exists():
            subprocess.run([binary("openssl"), "req", "-x509", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key), "-out", str(cert),
                            "-days", "2", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
        return ["-tls", f"-tlsCertFile={cert}", f"-tlsKeyFile={key}"]

    @property
    def auth(self) -> tuple[str, str] | None:
        return (self.username, self.password) if self.username else None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> VictoriaMetrics:
        """Start (or start again, same port and data) and wait until ``/health`` answers."""
        if self.running:
            return self
        self.folder.mkdir(parents=True, exist_ok=True)
        argv = [binary(VM_BINARY), f"-httpListenAddr=127.0.0.1:{self.port}",
                f"-storageDataPath={self.folder / 'data'}", "-retentionPeriod=100y", "-search.disableCache",
                *([f"-httpAuth.username={self.username}", f"-httpAuth.password={self.password}"]
                  if self.username else []), *([f"-forceFlushAuthKey={self.flush_key}"] if self.flush_key else []),
                *(self._certificate() if self.tls else []), *self.args]
        self.proc = spawn(argv, self.folder / "victoria-metrics.log")
        if not wait_ready(self.proc, lambda: self._http("GET", "/health", timeout=1).text.strip() == "OK"):
            self.stop()
            raise RuntimeError(f"victoria-metrics did not start on port {self.port}: {self.log_tail()}")
        return self

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_tail(self, lines: int = 20) -> str:
        path = self.folder / "victoria-metrics.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def flush(self) -> None:
        """Make every sample imported so far readable."""
        params = {"authKey": self.flush_key} if self.flush_key else {}
        self._http("POST", "/internal/force_flush", params=params, auth=self.auth, timeout=10).raise_for_status()

    def export(self, selector: str = '{__name__=~".+"}', start: int | None = None, end: int | None = None) -> Series:
        """Raw samples (flushed first) as series -> sorted [(ms, value)], a series' lines merged. A filter on a
        label no series has makes the selector new to VictoriaMetrics, whose cache of the series a selector
        matched lags about ten seconds behind new series."""
        self.flush()
        fresh = f'{selector[:-1]},medtest_nonce!="{uuid.uuid4().hex}"}}'
        params: dict[str, str] = {"match[]": fresh, "end": str(end if end is not None else 4_102_444_800)}
        if start is not None:
            params["start"] = str(start)
        response = self._http("GET", "/api/v1/export", params=params, auth=self.auth, timeout=60)
        response.raise_for_status()
        out: Series = defaultdict(list)
        for line in response.content.splitlines():
            row = json.loads(line)
            labels = dict(row["metric"])
            name = labels.pop("__name__")
            out[(name, tuple(sorted(labels.items())))] += zip(row["timestamps"], row["values"], strict=True)
        return {k: sorted(v) for k, v in out.items()}

    def export_until(self, condition, selector: str = '{__name__=~".+"}', timeout: float = 10.0) -> Series:
        """Poll ``export(selector)`` until ``condition(series)`` holds; the last read otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            series = self.export(selector)
            if condition(series) or time.monotonic() > deadline:
                return series
            time.sleep(0.1)


class VmAuth(ChildServer):
    """``vmauth`` in front of a VictoriaMetrics, letting through requests carrying one bearer token."""

    def __init__(self, folder: Path, backend: str, token: str) -> None:
        self.folder = Path(folder)
        self.backend, self.token = backend, token
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> VmAuth:
        self.folder.mkdir(parents=True, exist_ok=True)
        config = self.folder / "auth.yml"
        config.write_text(f'users:\n- bearer_token: "{self.token}"\n  url_prefix: "{self.backend}"\n')
        self.proc = spawn([binary("vmauth"), f"-httpListenAddr=127.0.0.1:{self.port}", f"-auth.config={config}"],
                          self.folder / "vmauth.log")
        if not wait_ready(self.proc, lambda: requests.get(f"{self.url}/health", timeout=1) is not None):
            self.stop()
            raise RuntimeError(f"vmauth did not start on port {self.port}")
        return self

