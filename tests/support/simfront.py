"""A simulated gateway served once per test module, with a fresh simulator state plugged in per test."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import date
from types import SimpleNamespace

import requests
from werkzeug.serving import make_server

from myelectricaldata.gateway.client import GatewayClient, RetryPolicy
from myelectricaldata.simulator import DEMO_HOUSEHOLDS, SimulatorState, create_simulator_app
from myelectricaldata.simulator.server import QuietRequestHandler

TODAY = date(2025, 11, 5)
BASE, HCHP, TEMPO = "99000000000001", "99000000000002", "99000000000003"  # the demo households


class Naps(list):
    """Records the back-off pauses instead of sleeping them."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_client(url: str, *, attempts: int = 3, base: float = 0.01, cap: float = 1.0, read_timeout: float = 2.0,
                secret: str = "demo", naps: Naps | None = None, session: requests.Session | None = None,
                rng=lambda: 1.0) -> GatewayClient:
    return GatewayClient(url, "demo", secret, retry=RetryPolicy(attempts=attempts, base=base, cap=cap),
                         timeout=(2.0, read_timeout), sleep=naps if naps is not None else Naps(), rng=rng,
                         session=session)


def statuses(sim, fragment: str) -> list[int]:
    return [r.status for r in sim.state.calls(fragment)]


class Front:
    """WSGI front of the module's one server: each test plugs in a fresh simulator (a stopped server costs 0.5 s).

    With ``hide_token_route`` it answers 404 to ``POST /api/accounts/token``, like a gateway without that route.
    """

    def __init__(self) -> None:
        self.app = None
        self.hide_token_route = False
        self.seen: list[tuple[str, str, str | None]] = []

    def __call__(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        self.seen.append((method, path, environ.get("HTTP_AUTHORIZATION")))
        if self.hide_token_route and method == "POST" and path == "/api/accounts/token":
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b'{"detail":"Not Found"}']
        return self.app(environ, start_response)


@contextmanager
def serving_front():
    """One threaded server for a whole test module; ``plug_in`` puts a fresh simulator behind it."""
    front = Front()
    httpd = make_server("127.0.0.1", 0, front, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(front=front, url=f"http://127.0.0.1:{httpd.port}/api")
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def plug_in(server, households=DEMO_HOUSEHOLDS, hide_token_route=False) -> SimpleNamespace:
    """A fresh simulator state (clock frozen on TODAY) behind the module's server."""
    state = SimulatorState(households=households, today=TODAY)
    server.front.app = create_simulator_app(state)
    server.front.hide_token_route = hide_token_route
    server.front.seen = []
    return SimpleNamespace(url=server.url, state=state, front=server.front)
