"""Loopback ports and plain HTTP reads."""

from __future__ import annotations

import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Mapping
from contextlib import suppress


def free_port() -> int:
    """A loopback port nothing listens on at the time of asking (a connection to it is refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    try:
        socket.create_connection((host, port), timeout=timeout).close()
        return True
    except OSError:
        return False


def http_get(url: str, headers: Mapping[str, str] | None = None, timeout: float = 10.0) -> tuple[int, str]:
    """Status and body of a GET; an HTTP error is an answer too; (0, "") when nothing answers."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=dict(headers or {})), timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:
        return 0, ""


class BlackHole:
    """A TCP server on loopback that accepts connections, reads what comes and never answers (a target hung up
    mid-request); ``connections`` counts the ones accepted. A context manager."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections = 0
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, name="black-hole", daemon=True)

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            self._held.append(conn)
            self.connections += 1

    def __enter__(self) -> BlackHole:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        self._server.close()
        for conn in self._held:
            conn.close()
