"""Fakes of what cannot run here, served on 127.0.0.1 in a background thread: Home Assistant and its Supervisor
(``ha_websocket``, ``supervisor``: websockets), Jeedom (``jeedom``: http.server)."""

# Their replies are shaped by the JSON fixtures of tests/fixtures/ha/ and tests/fixtures/jeedom/, each naming in
# "_source" the passage of reference/home-assistant.md or reference/exporters-and-tariffs.md it quotes.

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from tests.support.fixtures import FIXTURES as ALL_FIXTURES
from tests.support.fixtures import without_notes

FIXTURES = ALL_FIXTURES / "ha"
MAX_FRAME = 4 * 1024 * 1024  # aiohttp's default inbound limit, which HA's and the Supervisor's websockets keep


def load_fixture(name: str, folder: Path = FIXTURES) -> Any:
    """A fixture (of tests/fixtures/ha by default) without its ``_``-prefixed annotations (``_source``, ``_status``)."""
    return without_notes(raw_fixture(name, folder))


def raw_fixture(name: str, folder: Path = FIXTURES) -> Any:
    """A fixture (of tests/fixtures/ha by default) as stored, annotations included."""
    return json.loads((folder / name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request, or websocket upgrade, that a fake received."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def route(self) -> str:
        """The path without its query string."""
        return urlsplit(self.path).path


def json_response(connection: ServerConnection, status: int, payload: Any) -> Response:
    """An HTTP reply with a JSON body."""
    response = connection.respond(status, json.dumps(payload, ensure_ascii=False))
    del response.headers["Content-Type"]
    response.headers["Content-Type"] = "application/json"
    return response


def text_response(connection: ServerConnection, status: int, text: str | None = None) -> Response:
    """A plain-text HTTP reply; the default body is aiohttp's, e.g. ``401: Unauthorized``."""
    return connection.respond(status, text if text is not None else f"{status}: {HTTPStatus(status).phrase}")


def bearer(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if any."""
    value = request.headers.get("Authorization", "")
    return value[7:].strip() if value.lower().startswith("bearer ") else None


class BackgroundServer:
    """A websockets server on a free port of ``host`` (loopback by default), driven by its own event loop in a daemon
    thread."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.requests: list[RecordedRequest] = []
        self.port = 0
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._server: Server | None = None
        self._thread = threading.Thread(target=self._run, name=type(self).__name__, daemon=True)
        self._started = threading.Event()
        self._startup_error: BaseException | None = None

    def _start(self) -> None:
        self._thread.start()
        if not self._started.wait(10) or self._server is None:
            raise RuntimeError(f"{type(self).__name__} did not start: {self._startup_error!r}")
        self.port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://{self.host}:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._server = self._loop.run_until_complete(self._open())
        except Exception as exc:
            self._startup_error = exc
            self._started.set()
            return
        self._started.set()
        self._loop.run_forever()
        pending = asyncio.all_tasks(self._loop)
        for task in pending:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self._loop.close()

    async def _open(self) -> Server:
        return await serve(self._serve_websocket, self.host, 0, process_request=self._on_request,
                           max_size=MAX_FRAME, close_timeout=1)

    def _on_request(self, connection: ServerConnection, request: Request) -> Response | None:
        self.requests.append(RecordedRequest(getattr(request, "method", "GET"), request.path,
                                             {k: v for k, v in request.headers.raw_items()}))
        return self.process_request(connection, request)

    def process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        """Answer plain HTTP, or return None to go on with the websocket handshake."""
        raise NotImplementedError

    async def _serve_websocket(self, connection: ServerConnection) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        """Drop every connection (as a crash would), close the listening socket, then end the thread."""
        if not self._thread.is_alive() or self._server is None:
            return

        async def close() -> None:
            assert self._server is not None
            self._server.close(close_connections=False)
            for connection in self._server.connections:
                connection.transport.abort()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 5)

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
