"""Shared helpers for the simulator tests: a test client bound to a fresh state."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

from werkzeug.test import Client

from myelectricaldata.energy.timeline import PARIS
from myelectricaldata.simulator import SimulatorState, create_simulator_app

TODAY = date(2026, 11, 27)
FLAT = "99000000000001"
CONVECTORS = "99000000000002"
HEAT_PUMP = "99000000000003"
AUTH = {"Authorization": "Bearer demo"}


def paris(*parts: int) -> datetime:
    """An aware Europe/Paris datetime."""
    return datetime(*parts, tzinfo=PARIS)


class Gateway:
    """A werkzeug test client on a fresh simulator, sending the demo secret by default."""

    def __init__(self, **state_kwargs: object) -> None:
        state_kwargs.setdefault("today", TODAY)
        self.state = SimulatorState(**state_kwargs)
        self.client = Client(create_simulator_app(self.state))

    def get(self, path: str, headers: dict | None = None, **params: object):
        """GET ``/api`` + path with query parameters; returns the werkzeug response."""
        query = f"?{urlencode(params)}" if params else ""
        return self.client.get(f"/api{path}{query}", headers=AUTH if headers is None else headers)

    def json(self, path: str, **params: object) -> dict:
        """GET and decode, asserting HTTP 200."""
        response = self.get(path, **params)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def readings(self, path: str, **params: object) -> list[dict]:
        """The ``interval_reading`` list of a successful metering answer."""
        body = self.json(path, **params)
        assert body["success"] is True, body["error"]
        return body["data"]["meter_reading"]["interval_reading"]

    def error(self, path: str, **params: object) -> dict:
        """The ``error`` object of an HTTP 200 ``success: false`` answer."""
        body = self.json(path, **params)
        assert body["success"] is False and body["data"] is None, body
        return body["error"]
