"""Fault knobs: each injected fault, its count and path filter, and the request log."""

from __future__ import annotations

import json

import pytest

from tests.support.simulator import CONVECTORS, FLAT, Gateway

DAILY = f"/enedis/consumption/daily/{FLAT}"
PERIOD = {"start": "2026-11-01", "end": "2026-11-05"}


def test_server_error_is_a_500_envelope():
    gateway = Gateway()
    gateway.state.inject("server_error")
    response = gateway.get(DAILY, **PERIOD)
    assert response.status_code == 500
    body = response.get_json()
    assert body["success"] is False and body["data"] is None
    assert body["error"] == {"code": "INTERNAL_ERROR", "message": "An internal error occurred", "field": None}
    assert gateway.get(DAILY, **PERIOD).status_code == 200


def test_enedis_unavailable():
    gateway = Gateway()
    gateway.state.inject("enedis_unavailable")
    error = gateway.error(DAILY, **PERIOD)
    assert error["code"] == "ENEDIS_UNAVAILABLE"
    assert error["message"] == "L'API Enedis est temporairement indisponible"


def test_timeout_waits_then_answers_normally(monkeypatch):
    naps = []
    monkeypatch.setattr("myelectricaldata.simulator.app.time.sleep", naps.append)
    gateway = Gateway(timeout_seconds=7.5)
    gateway.state.inject("timeout")
    assert len(gateway.readings(DAILY, **PERIOD)) == 4
    assert naps == [7.5]


def test_malformed_body_cannot_be_parsed():
    gateway = Gateway()
    gateway.state.inject("malformed")
    response = gateway.get(DAILY, **PERIOD)
    assert response.status_code == 200
    assert response.content_type == "application/json"
    text = response.get_data(as_text=True)
    assert text.startswith('{"success":true')
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


def test_rate_limit_fault_answers_as_if_exhausted():
    gateway = Gateway()
    gateway.state.inject("rate_limit", count=2)
    assert gateway.error(DAILY, **PERIOD)["code"] == "RATE_LIMIT_EXCEEDED"
    assert gateway.get("/ecowatt/forecast").status_code == 429
    assert gateway.readings(DAILY, **PERIOD)


def test_partial_returns_the_first_half_of_the_chunks():
    gateway = Gateway()
    gateway.state.inject("partial")
    assert gateway.readings(DAILY, **PERIOD)
    path = f"/enedis/consumption/detail/batch/{CONVECTORS}"
    body = gateway.json(path, start="2026-10-01", end="2026-10-28")
    assert body["success"] is True and body["error"]["code"] == "PARTIAL_DATA"
    items = body["data"]["meter_reading"]["interval_reading"]
    assert len(items) == 14 * 48 and items[-1]["date"] == "2026-10-14 23:30:00"
    full = gateway.json(path, start="2026-10-01", end="2026-10-28")
    assert full["error"] is None


def test_no_data_fault_per_route():
    gateway = Gateway()
    gateway.state.inject("no_data", count=3)
    assert gateway.error(DAILY, **PERIOD) == {
        "code": "ENEDIS_ERROR",
        "message": "no_data_found: no measure found for this usage point",
        "field": None,
    }
    assert gateway.error(f"/enedis/consumption/detail/{FLAT}", **PERIOD)["code"] == "NO_DATA"
    assert gateway.json(f"/enedis/contract/{FLAT}")["success"] is True
    assert gateway.error(f"/enedis/consumption/detail/batch/{FLAT}", **PERIOD)["code"] == "NO_DATA"
    assert gateway.readings(DAILY, **PERIOD)


def test_path_filter_and_count():
    gateway = Gateway()
    gateway.state.inject("server_error", count=2, path="/power/")
    assert gateway.get(DAILY, **PERIOD).status_code == 200
    assert gateway.get(f"/enedis/power/{FLAT}", **PERIOD).status_code == 500
    assert gateway.get(f"/enedis/power/{FLAT}", **PERIOD).status_code == 500
    assert gateway.get(f"/enedis/power/{FLAT}", **PERIOD).status_code == 200


def test_clear_faults_and_unknown_kind():
    gateway = Gateway()
    gateway.state.inject("server_error", count=5)
    gateway.state.clear_faults()
    assert gateway.get(DAILY, **PERIOD).status_code == 200
    with pytest.raises(ValueError):
        gateway.state.inject("gremlins")


def test_request_log_records_bucket_and_status():
    gateway = Gateway()
    gateway.state.inject("server_error", path="/contract/")
    gateway.get(DAILY, use_cache="true", **PERIOD)
    gateway.get(f"/enedis/contract/{FLAT}")
    gateway.get("/pdl", headers={})
    records = [(r.method, r.path, r.bucket, r.status) for r in gateway.state.requests]
    assert records == [
        ("GET", f"/api{DAILY}", "cache", 200),
        ("GET", f"/api/enedis/contract/{FLAT}", None, 500),
        ("GET", "/api/pdl", None, 401),
    ]
    assert gateway.state.requests[0].query == {"use_cache": "true", **PERIOD}
    assert len(gateway.state.calls("/consumption/daily/")) == 1


def test_http_control_routes():
    gateway = Gateway()
    post = gateway.client.post
    assert post("/_sim/inject", json={"kind": "server_error", "count": 1, "path": "/pdl"}).status_code == 200
    assert post("/_sim/inject", json={"kind": "gremlins"}).status_code == 400
    assert gateway.get("/pdl").status_code == 500
    post("/_sim/exhaust-quota")
    assert gateway.error(f"/enedis/contract/{FLAT}")["code"] == "RATE_LIMIT_EXCEEDED"
    post("/_sim/reset")
    assert gateway.json(f"/enedis/contract/{FLAT}")["success"] is True
    post("/_sim/revoke", json={"usage_point_id": FLAT})
    assert gateway.error(f"/enedis/contract/{FLAT}")["code"] == "ACCESS_DENIED"
    post("/_sim/restore", json={"usage_point_id": FLAT})
    assert gateway.json(f"/enedis/contract/{FLAT}")["success"] is True
    post("/_sim/now", json={"now": "2026-12-03T09:15:00+01:00"})
    assert gateway.state.today().isoformat() == "2026-12-03"
    logged = gateway.client.get("/_sim/requests").get_json()
    assert [r["path"] for r in logged][-1] == f"/api/enedis/contract/{FLAT}"
    assert not any(r["path"].startswith("/_sim") for r in logged)
    assert set(logged[0]) == {"method", "path", "query", "bucket", "status"}


def test_control_routes_are_never_faulted():
    gateway = Gateway()
    gateway.state.inject("server_error", count=3)
    assert gateway.client.get("/_sim/requests").status_code == 200
    assert len(gateway.state.faults.pending) == 1 and gateway.state.faults.pending[0].remaining == 3
