"""The Supervisor's API as the add-on's scripts reach it: ``GET /services/mqtt`` and ``GET /addons/self/info``."""

# Replies follow reference/home-assistant.md §4: every reply is the envelope {"result": "ok", "data": ...} or
# {"result": "error", "message": ...}; a missing token gets 401 and a wrong one 403. The MQTT payloads are the
# quoted fixtures of tests/fixtures/ha/. /addons/self/info carries the fields bashio reads (ingress_entry,
# ingress_port, ip_address, and network: the host port set for each container port, null when none).

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fakes import load_fixture, raw_fixture

INGRESS_ENTRY = "/api/hassio_ingress/Kq3bV0fZ8mJtXhA2"


class FakeSupervisor:
    """A context manager serving the two routes on ``host`` (loopback by default); ``requests`` lists the paths
    asked for."""

    def __init__(self, token: str = "supervisor-token", mqtt: bool = True, direct_host_port: int | None = None,
                 host: str = "127.0.0.1") -> None:
        self.token = token
        self.mqtt = load_fixture("supervisor_services_mqtt.json")["data"] if mqtt else None
        self.direct_host_port = direct_host_port
        self.requests: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.requests.append(self.path)
                status, body = fake.answer(self.path, self.headers.get("Authorization", ""))
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain" if isinstance(body, str) else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer((host, 0), Handler)
        self.port = self._server.server_address[1]
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def self_info(self) -> dict[str, Any]:
        return {
            "name": "MyElectricalData", "slug": "local_myelectricaldata", "hostname": "local-myelectricaldata",
            "state": "started", "version": "0.1.0", "ingress": True, "ingress_entry": INGRESS_ENTRY,
            "ingress_url": f"{INGRESS_ENTRY}/", "ingress_port": 8080, "ip_address": "172.30.33.4",
            "network": {"8081/tcp": self.direct_host_port},
        }

    def answer(self, path: str, authorization: str) -> tuple[int, Mapping[str, Any] | str]:
        given = authorization.removeprefix("Bearer ").strip()
        if not given:
            return 401, "401: Unauthorized"
        if given != self.token:
            return 403, "403: Forbidden"
        if path == "/services/mqtt":
            if self.mqtt is None:
                refusal = raw_fixture("supervisor_mqtt_not_enabled.json")
                return refusal["_status"], {"result": refusal["result"], "message": refusal["message"]}
            return 200, {"result": "ok", "data": self.mqtt}
        if path == "/addons/self/info":
            return 200, {"result": "ok", "data": self.self_info()}
        return 404, "404: Not Found"

    def __enter__(self) -> FakeSupervisor:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
