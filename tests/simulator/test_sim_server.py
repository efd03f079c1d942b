"""The simulator served over real HTTP in a background thread."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from myelectricaldata.simulator import RunningSimulator, start_simulator
from tests.support.simulator import TODAY


def fetch(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as failure:
        return failure.code, json.loads(failure.read())


def test_start_simulator_serves_over_http():
    with start_simulator(today=TODAY, quota_no_cache=5) as simulator:
        assert isinstance(simulator, RunningSimulator)
        assert simulator.url == f"http://127.0.0.1:{simulator.port}/api"
        status, body = fetch(f"{simulator.url}/ping")
        assert status == 200 and body["status"] == "ok"
        status, body = fetch(
            f"{simulator.url}/accounts/token",
            data=b"grant_type=client_credentials&client_id=demo&client_secret=demo",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 200
        bearer = {"Authorization": f"Bearer {body['access_token']}"}
        status, body = fetch(f"{simulator.url}/accounts/usage-stats", headers=bearer)
        assert body["data"]["no_cache_limit"] == 5
        url = f"{simulator.url}/enedis/consumption/detail/99000000000002?start=2025-10-26&end=2025-10-27"
        status, body = fetch(url, headers=bearer)
        assert status == 200 and len(body["data"]["meter_reading"]["interval_reading"]) == 50
        inject = json.dumps({"kind": "server_error", "count": 1}).encode()
        fetch(f"{simulator.control_url}/inject", data=inject, headers={"Content-Type": "application/json"})
        assert fetch(f"{simulator.url}/pdl", headers=bearer)[0] == 500
        assert [r.status for r in simulator.state.requests] == [200, 200, 200, 200, 500]
        port = simulator.port
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/api/ping", timeout=2)
