"""One gateway answer read within bounds: at most MAX_REPLY_BYTES, and whole within REQUEST_DEADLINE."""

from __future__ import annotations

import json
import socket
import threading
from contextlib import suppress
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from .errors import ReplyTooLarge

MAX_REPLY_BYTES = 20 * 1024 * 1024  # six times the largest answer (two years of load curve: 3.2 MB)
REQUEST_DEADLINE = 300.0  # seconds for one request: connection, the wait for the answer and all its reads
CHUNK_BYTES = 64 * 1024

_RUNNING: ContextVar[Deadline | None] = ContextVar("gateway_request_deadline", default=None)


@dataclass(frozen=True)
class Answer:
    """An HTTP answer read whole: its status and body."""

    status_code: int
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


class Deadline:
    """The time one request may take. When it is up, the request's sockets are shut down, which ends a
    read blocked on them however slowly the other end sends (a per-read time-out does not). Without
    ``seconds`` it ends only when ``expire()`` is called (an application's stop)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self.expire) if seconds is not None else None
        if self._timer is not None:
            self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._token = _RUNNING.set(self)
        if self._timer is not None:
            self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
        _RUNNING.reset(self._token)

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shut(sock)

    def expire(self) -> None:
        """End the requests at once: their sockets are shut down, and so is any socket they open next."""
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the descriptor itself, under any TLS layer


class _Watched(HTTPConnection):
    """A connection whose sockets are handed to the running request's Deadline, new or kept alive."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch(sock)  # the TCP socket, while TLS is negotiated on it
        return sock

    def connect(self) -> None:
        super().connect()
        _watch(self.sock)  # the one the answer is read from (TLS takes the TCP socket over as a new object)

    def request(self, *args: Any, **kwargs: Any) -> None:
        if self.sock is not None:  # a kept-alive connection
            _watch(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPS(_Watched, HTTPSConnection):
    pass


def _watch(sock: object) -> None:
    deadline = _RUNNING.get()
    if deadline is not None and isinstance(sock, socket.socket):
        deadline.watch(sock)


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Watched


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPS


_POOLS = {"http": _Pool, "https": _HTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter over connections a Deadline can end."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _POOLS
        return manager


def read_capped(resp: requests.Response, limit: int, what: str) -> bytes:
    """The body of a streamed answer; ReplyTooLarge as soon as it passes ``limit`` bytes (once
    decompressed), or at once when its Content-Length says it will."""
    declared = resp.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ReplyTooLarge(f"the gateway announces an answer of {int(declared):,} bytes, more than the "
                            f"{_size(limit)} this client reads (MAX_REPLY_BYTES): refused, nothing of it stored",
                            code="TOO_LARGE", request=what)
    body = bytearray()
    for chunk in resp.iter_content(CHUNK_BYTES):
        body += chunk
        if len(body) > limit:
            raise ReplyTooLarge(f"the gateway's answer is larger than the {_size(limit)} this client reads "
                                "(MAX_REPLY_BYTES): refused, nothing of it stored", code="TOO_LARGE", request=what)
    return bytes(body)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MiB" if n >= 1024 * 1024 else f"{n:,} bytes"
