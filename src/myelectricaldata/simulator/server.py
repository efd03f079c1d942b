"""Run the simulated gateway over HTTP, in a background thread or in the foreground."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import create_simulator_app
from .households import DEMO_HOUSEHOLDS, Household
from .state import SimulatorState


class QuietRequestHandler(WSGIRequestHandler):
    """Request handler that keeps the access log quiet."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log nothing per request."""


class RunningSimulator:
    """A simulator served on a local port; stop it with ``stop()`` or a ``with`` block."""

    def __init__(self, server: BaseWSGIServer, state: SimulatorState) -> None:
        self.server = server
        self.state = state
        self.host = server.host
        self.port = server.port
        self.root = f"http://{self.host}:{self.port}"
        self.url = f"{self.root}/api"
        self.control_url = f"{self.root}/_sim"
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="gateway-simulator", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port."""
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> RunningSimulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _server(state: SimulatorState, host: str, port: int) -> BaseWSGIServer:
    app = create_simulator_app(state)
    return make_server(host, port, app, threaded=True, request_handler=QuietRequestHandler)


def start_simulator(
    households: Iterable[Household] = DEMO_HOUSEHOLDS,
    today: date | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    **state_kwargs: object,
) -> RunningSimulator:
    """Serve a fresh simulator in a daemon thread (port 0 picks a free port)."""
    state = SimulatorState(households=households, today=today, **state_kwargs)
    return RunningSimulator(_server(state, host, port), state)


def serve_forever(
    host: str = "127.0.0.1",
    port: int = 8800,
    today: date | None = None,
    households: Iterable[Household] = DEMO_HOUSEHOLDS,
) -> None:
    """Serve a simulator in the foreground until interrupted, printing only its base URL."""
    state = SimulatorState(households=households, today=today)
    server = _server(state, host, port)
    print(f"http://{server.host}:{server.port}/api", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
