"""VictoriaMetrics, and vmauth before it, as child processes on loopback for the tests (and benchmarks).

``VictoriaMetrics(folder).start()`` runs Debian's ``victoria-metrics`` on a free 127.0.0.1 port with its data in
``folder``, keeps every sample (``-retentionPeriod=100y``) and waits for ``/health``; ``tls=True`` serves https with a
self-signed certificate, ``username``/``password`` turn on its basic authentication. A missing binary is
``required.unavailable``. ``VmAuth(folder, backend, token)`` puts Debian's ``vmauth`` in front, accepting one bearer
token. Stop them with ``stop()`` or use them as context managers; whatever is still running when the interpreter exits
is stopped too.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

import requests
import urllib3

from tests.support.net import free_port
from tests.support.processes import ChildServer, spawn
from tests.support.required import binary

VM_BINARY = "victoria-metrics"
READY_TIMEOUT_S = 20.0
Series = dict[tuple[str, tuple[tuple[str, str], ...]], list[tuple[int, float]]]


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
        self.wait_ready(lambda: self._http("GET", "/health", timeout=1).text.strip() == "OK",
                        f"victoria-metrics on port {self.port}", self.folder / "victoria-metrics.log", READY_TIMEOUT_S)
        return self

    def restart(self) -> None:
        self.stop()
        self.start()

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
        log = self.folder / "vmauth.log"
        self.proc = spawn([binary("vmauth"), f"-httpListenAddr=127.0.0.1:{self.port}",
                           f"-auth.config={config}"], log)
        self.wait_ready(lambda: requests.get(f"{self.url}/health", timeout=1) is not None,
                        f"vmauth on port {self.port}", log, READY_TIMEOUT_S)
        return self

