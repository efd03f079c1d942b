"""A fake Home Assistant Supervisor as an add-on reaches it at http://supervisor with SUPERVISOR_TOKEN: the app (broker,
Core API and websocket proxy) and the add-on's scripts through bashio (``/addons/self/info``)."""

# Faithful to the Supervisor (api/middleware/security.py, api/services.py, api/proxy.py): its own API answers in the
# envelope {"result": "ok", "data": ...} / {"result": "error", "message": ...} and refuses a missing token with 401
# and an unknown one with 403 (aiohttp's plain-text bodies); /core/api/* and /core/websocket check the token
# themselves (401; auth_invalid "Invalid access") and pass HA's replies through unwrapped. The websocket proxy says
# auth_ok to the add-on first, then logs in upstream with its own token; when that fails, or no upstream is set,
# it closes the add-on's socket.

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.http11 import Request, Response

from . import BackgroundServer, bearer, json_response, load_fixture, raw_fixture, text_response

QUOTED_MQTT: Mapping[str, Any] = MappingProxyType(load_fixture("supervisor_services_mqtt.json")["data"])
MQTT_DEFAULTS = {"ssl": False, "protocol": "3.1.1"}  # SUP services/modules/mqtt.py SCHEMA_SERVICE_MQTT
MAX_FRAME_FROM_CORE = 64 * 1024 * 1024  # SUP api/proxy.py MAX_MESSAGE_SIZE_FROM_CORE
INGRESS_ENTRY = "/api/hassio_ingress/Kq3bV0fZ8mJtXhA2"


class FakeSupervisor(BackgroundServer):
    """The Supervisor's API for an add-on with homeassistant_api: true; a context manager."""

    # mqtt: the broker GET /services/mqtt offers (default: the quoted payload; a dict needs host and port, and ssl,
    # protocol and addon get the Supervisor's defaults; None: no broker add-on, 400 "Service not enabled").
    # mqtt_status: 200, 400 (as mqtt=None) or 403 ("No access to mqtt service!": no services: mqtt in config.yaml).
    # upstream_ws: HA's websocket URL (a FakeHomeAssistant's ws_url, or a real HA's), reached with upstream_token;
    # /core/api/* is then proxied to the same host, else answered from core_api_config.json. Attributes: url,
    # ws_url, token, core_version, mqtt (the served data, may be changed), mqtt_status, upstream_ws,
    # upstream_token, requests, ws_messages (what add-ons sent through the proxy after auth), ws_connections.
    # direct_host_port: the host port mapped to the add-on's 8081/tcp in /addons/self/info (None: not mapped).
    # host: the address it listens on (loopback; the image tests give it the Supervisor's own address).

    def __init__(self, token: str = "supervisor-token", mqtt: Mapping[str, Any] | None = QUOTED_MQTT,
                 core_version: str = "2026.11.0", mqtt_status: int = 200, upstream_ws: str | None = None,
                 upstream_token: str | None = None, time_zone: str = "Europe/Paris", currency: str = "EUR",
                 direct_host_port: int | None = None, host: str = "127.0.0.1") -> None:
        if mqtt_status not in (200, 400, 403):
            raise ValueError("mqtt_status is 200, 400 or 403")
        super().__init__(host)
        self.token, self.core_version, self.mqtt_status = token, core_version, mqtt_status
        self.upstream_ws, self.upstream_token = upstream_ws, upstream_token
        self.time_zone, self.currency = time_zone, currency
        self.direct_host_port = direct_host_port
        self.mqtt = self._mqtt_data(mqtt)
        self.ws_messages: list[Any] = []
        self.ws_connections = 0
        self._not_enabled = raw_fixture("supervisor_mqtt_not_enabled.json")
        self._no_access = raw_fixture("supervisor_mqtt_no_access.json")
        self._start()
        self.ws_url = f"ws://{self.host}:{self.port}/core/websocket"

    @staticmethod
    def _mqtt_data(mqtt: Mapping[str, Any] | None) -> dict | None:
        if mqtt is None:
            return None
        unknown = set(mqtt) - set(QUOTED_MQTT)
        if unknown or not {"host", "port"} <= set(mqtt):
            raise ValueError(f"mqtt needs host and port, and only keys of {sorted(QUOTED_MQTT)}")
        merged = {"addon": QUOTED_MQTT["addon"], **MQTT_DEFAULTS, **mqtt}
        return {key: merged[key] for key in QUOTED_MQTT if key in merged}

    def core_config(self) -> dict:
        """HA's configuration as ``GET /core/api/config`` returns it when no upstream is set."""
        return {**load_fixture("core_api_config.json"), "time_zone": self.time_zone, "currency": self.currency,
                "version": self.core_version}

    def self_info(self) -> dict[str, Any]:
        """``GET /addons/self/info``: the fields bashio reads (ingress_entry, ingress_port, ip_address, and network:
        the host port set for each container port, null when none)."""
        return {
            "name": "MyElectricalData", "slug": "local_myelectricaldata", "hostname": "local-myelectricaldata",
            "state": "started", "version": "0.1.0", "ingress": True, "ingress_entry": INGRESS_ENTRY,
            "ingress_url": f"{INGRESS_ENTRY}/", "ingress_port": 8080, "ip_address": "172.30.33.4",
            "network": {"8081/tcp": self.direct_host_port},
        }

    def process_request(self, connection: ServerConnection, request: Request) -> Any:
        """Route plain HTTP; None lets ``/core/websocket`` go on with the websocket handshake."""
        route = urlsplit(request.path).path
        if route == "/core/websocket":
            return None
        if getattr(request, "method", "GET") != "GET":
            return text_response(connection, 405)
        token = request.headers.get("X-Supervisor-Token") or request.headers.get("X-Hassio-Key") or bearer(request)
        if route == "/core/api" or route.startswith("/core/api/"):
            if (token or request.headers.get("X-Ha-Access")) != self.token:
                return text_response(connection, 401)
            return self._core_api(connection, request, route)
        if not token:
            return text_response(connection, 401)
        if token != self.token:
            return text_response(connection, 403)
        if route == "/services/mqtt":
            return self._services_mqtt(connection)
        if route == "/addons/self/info":
            return json_response(connection, 200, {"result": "ok", "data": self.self_info()})
        if route == "/core/info":
            data = {**load_fixture("supervisor_core_info.json")["data"], "version": self.core_version,
                    "version_latest": self.core_version}
            return json_response(connection, 200, {"result": "ok", "data": data})
        return text_response(connection, 404)

    def _services_mqtt(self, connection: ServerConnection) -> Response:
        for refusal, applies in ((self._no_access, self.mqtt_status == 403),
                                 (self._not_enabled, self.mqtt_status == 400 or self.mqtt is None)):
            if applies:
                return json_response(connection, refusal["_status"],
                                     {"result": refusal["result"], "message": refusal["message"]})
        return json_response(connection, 200, {"result": "ok", "data": dict(self.mqtt or {})})

    def _core_api(self, connection: ServerConnection, request: Request, route: str) -> Any:
        if self.upstream_ws:
            return self._proxy_http(connection, request.path)
        if route in ("/core/api", "/core/api/"):
            return json_response(connection, 200, {"message": "API running."})
        if route == "/core/api/config":
            return json_response(connection, 200, self.core_config())
        return text_response(connection, 404)

    async def _proxy_http(self, connection: ServerConnection, path: str) -> Response:
        assert self.upstream_ws is not None
        parts = urlsplit(self.upstream_ws)
        scheme = "https" if parts.scheme == "wss" else "http"
        target = f"{scheme}://{parts.netloc}/api/{path.removeprefix('/core/api').lstrip('/')}"
        headers = {"Authorization": f"Bearer {self.upstream_token or ''}"}

        def fetch() -> tuple[int, str, bytes]:
            try:
                with urllib.request.urlopen(urllib.request.Request(target, headers=headers), timeout=10) as reply:
                    return reply.status, reply.headers.get("Content-Type", ""), reply.read()
            except urllib.error.HTTPError as exc:
                return exc.code, exc.headers.get("Content-Type", ""), exc.read()

        try:
            status, content_type, body = await asyncio.to_thread(fetch)
        except OSError:
            return text_response(connection, 502)
        if status == 401:
            return text_response(connection, 502)
        response = connection.respond(status, body.decode("utf-8", "replace"))
        if content_type:
            del response.headers["Content-Type"]
            response.headers["Content-Type"] = content_type
        return response

    async def _serve_websocket(self, client: ServerConnection) -> None:
        self.ws_connections += 1
        try:
            await client.send(json.dumps({**load_fixture("ws_auth_required.json"), "ha_version": self.core_version}))
            try:
                hello = json.loads(await asyncio.wait_for(client.recv(), 10))
            except (TimeoutError, ValueError):
                return
            token = (hello.get("api_password") or hello.get("access_token")) if isinstance(hello, dict) else None
            if token != self.token:
                await client.send(json.dumps(load_fixture("supervisor_ws_auth_invalid.json")))
                return
            await client.send(json.dumps({**load_fixture("ws_auth_ok.json"), "ha_version": self.core_version}))
            if not self.upstream_ws:
                return
            try:
                upstream = await connect(self.upstream_ws, max_size=MAX_FRAME_FROM_CORE, open_timeout=10)
            except (OSError, TimeoutError, WebSocketException):
                return
            async with upstream:
                if await self._login_upstream(upstream):
                    await self._pipe(client, upstream)
        except ConnectionClosed:
            return

    async def _login_upstream(self, upstream: ClientConnection) -> bool:
        hello = json.loads(await asyncio.wait_for(upstream.recv(), 10))
        if hello.get("type") == "auth_ok":
            return True
        if hello.get("type") != "auth_required":
            return False
        await upstream.send(json.dumps({**load_fixture("ws_auth.json"), "access_token": self.upstream_token or ""}))
        answer = json.loads(await asyncio.wait_for(upstream.recv(), 10))
        return answer.get("type") == "auth_ok"

    async def _pipe(self, client: ServerConnection, upstream: ClientConnection) -> None:
        async def forward(source: Any, target: Any, log: list | None) -> None:
            try:
                async for message in source:
                    if log is not None:
                        log.append(_parsed(message))
                    await target.send(message)
            except ConnectionClosed:
                return

        tasks = [asyncio.create_task(forward(client, upstream, self.ws_messages)),
                 asyncio.create_task(forward(upstream, client, None))]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _parsed(message: str | bytes) -> Any:
    try:
        return json.loads(message)
    except ValueError:
        return message
