"""nginx in front of an app anywhere on the machine's networks, configured like Home Assistant's ingress (the browser
tests' configuration, with another upstream host)."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.support.browser import INGRESS_PREFIX, NGINX_CONF
from tests.support.net import free_port


class IngressProxy:
    """``with IngressProxy("172.30.33.2:8080", folder) as ingress``: ``ingress.url`` is the app under the prefix."""

    def __init__(self, upstream: str, folder: Path) -> None:
        self.folder = folder
        (folder / "tmp").mkdir(parents=True)
        port = free_port()
        conf = (NGINX_CONF.replace("@PREFIX@", str(folder)).replace("@PORT@", str(port))
                .replace("127.0.0.1:@UPSTREAM@", upstream).replace("@INGRESS@", INGRESS_PREFIX))
        (folder / "nginx.conf").write_text(conf)
        self.origin = f"http://127.0.0.1:{port}"
        self.prefix = INGRESS_PREFIX
        self.url = self.origin + INGRESS_PREFIX
        self._proc: subprocess.Popen | None = None

    def __enter__(self) -> IngressProxy:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self._proc = subprocess.Popen([nginx, "-p", str(self.folder), "-e", str(self.folder / "error.log"),
                                       "-c", str(self.folder / "nginx.conf")],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = time.monotonic() + 10
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=2).read()
                return self
            except OSError:
                if self._proc.poll() is not None or time.monotonic() > end:
                    self.__exit__()
                    log = (self.folder / "error.log").read_text(errors="replace")[-2000:]
                    raise AssertionError(f"nginx in front of the container is not answering:\n{log}") from None
                time.sleep(0.1)

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGQUIT)
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
