"""A small synchronous client of Home Assistant's websocket API (``websocket-client``).

Under the add-on it goes through the Supervisor's proxy ``ws://supervisor/core/websocket`` with ``SUPERVISOR_TOKEN``;
standalone, to ``<url>/api/websocket`` with a long-lived token. Errors name the URL, never the token.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from typing import Any

import websocket

from ...supervisor import supervisor_url

TIMEOUT = 30.0
NEWEST = (9999, 0, 0)  # an unknown version counts as the newest


class HomeAssistantError(ConnectionError):
    """Home Assistant could not be reached or refused us; the message (in French) is meant for the status page."""


class CommandError(HomeAssistantError):
    """A command answered ``success: false``: HA's error code and message."""

    def __init__(self, command: str, code: str, message: str) -> None:
        super().__init__(f"Home Assistant a refusé {command} : {message} ({code})")
        self.code = code


def version_of(text: str | None) -> tuple[int, int, int]:
    """(year, month, patch) of an HA version such as ``2025.4.4`` or ``2025.11.0b2``; NEWEST when unknown."""
    found = re.match(r"(\d{4})\.(\d{1,2})(?:\.(\d+))?", text or "")
    if not found:
        return NEWEST
    return int(found[1]), int(found[2]), int(found[3] or 0)


def endpoint(url: str, token: str) -> tuple[str, str]:
    """The websocket URL and token: the user's when set, else the Supervisor's proxy with SUPERVISOR_TOKEN."""
    url, token = (url or "").strip().rstrip("/"), token or ""
    if not url:
        supervisor_token = os.environ.get("SUPERVISOR_TOKEN", "")
        if not supervisor_token:
            raise HomeAssistantError("Aucune URL de Home Assistant (hors de l'add-on, indiquez l'URL et un jeton "
                                     "d'accès longue durée).")
        return re.sub(r"^http", "ws", supervisor_url()) + "/core/websocket", token or supervisor_token
    if not token:
        raise HomeAssistantError(f"Aucun jeton d'accès pour Home Assistant à {url} (créez un jeton longue durée "
                                 "dans votre profil Home Assistant).")
    if url.startswith(("ws://", "wss://")):
        return url, token
    return re.sub(r"^http", "ws", url) + "/api/websocket", token


class HomeAssistantSocket:
    """One authenticated connection; ``call`` sends a command and returns its result, matching reply ids."""

    def __init__(self, url: str, token: str, timeout: float = TIMEOUT) -> None:
        self.url, self._token, self.timeout = url, token, timeout
        self.version = ""
        self._ws: websocket.WebSocket | None = None
        self._next_id = 1

    def __enter__(self) -> HomeAssistantSocket:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def connect(self) -> None:
        """Open the socket and authenticate; the version comes from ``auth_required``."""
        try:
            self._ws = websocket.create_connection(self.url, timeout=self.timeout, enable_multithread=True)
            hello = self._receive()
            self.version = str(hello.get("ha_version") or "")
            self._send({"type": "auth", "access_token": self._token})
            answer = self._receive()
        except HomeAssistantError:
            self.close()
            raise
        except (OSError, websocket.WebSocketException) as exc:
            self.close()
            raise HomeAssistantError(f"Home Assistant injoignable à {self.url} : {_reason(exc)}") from None
        if answer.get("type") != "auth_ok":
            self.close()
            raise HomeAssistantError(f"Home Assistant à {self.url} refuse le jeton d'accès "
                                     f"({answer.get('message') or answer.get('type')}).")

    def close(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None:
            with contextlib.suppress(OSError, websocket.WebSocketException):
                ws.close()

    def call(self, command: str, **payload: Any) -> Any:
        """Send ``command`` with ``payload``; its result, or CommandError."""
        if self._ws is None:
            self.connect()
        ident = self._next_id
        self._next_id += 1
        try:
            self._send({"id": ident, "type": command, **payload})
            while True:
                reply = self._receive()
                if reply.get("id") == ident and reply.get("type") == "result":
                    break
        except (OSError, websocket.WebSocketException) as exc:
            self.close()
            raise HomeAssistantError(f"Home Assistant à {self.url} ne répond plus ({command}) : "
                                     f"{_reason(exc)}") from None
        if not reply.get("success"):
            error = reply.get("error") or {}
            raise CommandError(command, str(error.get("code") or "error"), str(error.get("message") or "refused"))
        return reply.get("result")

    def _send(self, message: dict[str, Any]) -> None:
        assert self._ws is not None
        self._ws.send(json.dumps(message, separators=(",", ":")))

    def _receive(self) -> dict[str, Any]:
        assert self._ws is not None
        raw = self._ws.recv()
        try:
            message = json.loads(raw)
        except (TypeError, ValueError):
            raise HomeAssistantError(f"Message illisible de Home Assistant à {self.url}") from None
        if not isinstance(message, dict):
            raise HomeAssistantError(f"Message inattendu de Home Assistant à {self.url}")
        return message


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connexion refusée"
    if isinstance(exc, TimeoutError | websocket.WebSocketTimeoutException):
        return "délai dépassé"
    if isinstance(exc, websocket.WebSocketConnectionClosedException):
        return "connexion fermée"
    return str(exc) or type(exc).__name__
