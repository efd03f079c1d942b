"""Envelope, routing and authentication answers of the simulated gateway."""

from __future__ import annotations

import base64
from datetime import timedelta

from tests.support.simulator import CONVECTORS, FLAT, HEAT_PUMP, Gateway, paris


def test_ping_is_public_and_bare():
    gateway = Gateway()
    response = gateway.get("/ping", headers={})
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "version": "1.5.15", "timestamp": "2026-11-27T11:00:00"}


def test_envelope_has_naive_utc_timestamp():
    gateway = Gateway(now=paris(2026, 7, 1, 9, 30))
    body = gateway.json("/pdl")
    assert set(body) == {"success", "data", "error", "timestamp"}
    assert body["success"] is True and body["error"] is None
    assert body["timestamp"] == "2026-07-01T07:30:00"


def test_usage_point_list_shape():
    points = Gateway().json("/pdl")["data"]
    assert [p["usage_point_id"] for p in points] == [FLAT, CONVECTORS, HEAT_PUMP]
    assert [p["pricing_option"] for p in points] == ["BASE", "HC_HP", "TEMPO"]
    assert [p["subscribed_power"] for p in points] == [6, 9, 9]
    assert [p["offpeak_hours"] for p in points] == [None, "HC (1H30-8H00;12H30-14H00)", "HC (22H00-6H00)"]
    assert [p["has_production"] for p in points] == [False, False, True]
    assert [p["display_order"] for p in points] == [0, 1, 2]
    first = points[0]
    assert first["oldest_available_data_date"] is None
    assert first["linked_production_pdl_id"] is None and first["selected_offer_id"] is None
    assert first["activation_date"] == "2015-03-12" and first["is_active"] is True


def test_trailing_slash_and_unknown_routes_are_404():
    gateway = Gateway()
    assert gateway.get("/pdl/").status_code == 404
    assert gateway.get("/nothing-here").get_json() == {"detail": "Not Found"}
    assert gateway.client.post("/api/pdl", headers={"Authorization": "Bearer demo"}).status_code == 405


def test_token_from_form_and_basic():
    gateway = Gateway()
    form = {"grant_type": "client_credentials", "client_id": "demo", "client_secret": "demo"}
    body = gateway.client.post("/api/accounts/token", data=form).get_json()
    assert set(body) == {"access_token", "token_type"} and body["token_type"] == "bearer"
    basic = base64.b64encode(b"demo:demo").decode()
    response = gateway.client.post("/api/accounts/token", headers={"Authorization": f"Basic {basic}"})
    assert response.status_code == 200
    issued = response.get_json()["access_token"]
    assert gateway.get("/pdl", headers={"Authorization": f"Bearer {issued}"}).status_code == 200


def test_token_errors():
    gateway = Gateway()
    missing = gateway.client.post("/api/accounts/token", data={"client_id": "demo"})
    assert missing.status_code == 422
    assert missing.get_json() == {
        "detail": "client_id and client_secret are required (provide in form data or Basic Auth header)"
    }
    wrong = gateway.client.post("/api/accounts/token", data={"client_id": "demo", "client_secret": "nope"})
    assert wrong.status_code == 401
    assert wrong.get_json() == {"detail": "Invalid client credentials"}


def test_protected_routes_need_a_bearer():
    gateway = Gateway()
    for path in ("/pdl", f"/enedis/contract/{FLAT}", "/accounts/usage-stats", "/ecowatt/forecast"):
        response = gateway.get(path, headers={})
        assert response.status_code == 401
        assert response.get_json() == {"detail": "Not authenticated"}
    wrong = gateway.get("/pdl", headers={"Authorization": "Bearer not-a-token"})
    assert wrong.status_code == 401
    assert wrong.get_json() == {"detail": "Invalid authentication credentials"}
    assert gateway.get("/tempo/days", headers={}).status_code == 200


def test_expired_tokens_stop_working_but_secret_still_does():
    gateway = Gateway()
    form = {"client_id": "demo", "client_secret": "demo"}
    token = gateway.client.post("/api/accounts/token", data=form).get_json()["access_token"]
    gateway.state.expire_tokens()
    response = gateway.get("/pdl", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.get_json() == {"detail": "Invalid authentication credentials"}
    assert gateway.get("/pdl").status_code == 200


def test_tokens_expire_after_thirty_days():
    gateway = Gateway()
    form = {"client_id": "demo", "client_secret": "demo"}
    token = gateway.client.post("/api/accounts/token", data=form).get_json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    gateway.state.set_now(gateway.state.now() + timedelta(days=29))
    assert gateway.get("/pdl", headers=bearer).status_code == 200
    gateway.state.set_now(gateway.state.now() + timedelta(days=2))
    assert gateway.get("/pdl", headers=bearer).status_code == 401


def test_missing_start_is_fastapi_422():
    response = Gateway().get(f"/enedis/consumption/daily/{FLAT}", end="2026-11-20")
    assert response.status_code == 422
    assert response.get_json() == {
        "detail": [{"type": "missing", "loc": ["query", "start"], "msg": "Field required", "input": None}]
    }


def test_malformed_date_and_reversed_range():
    gateway = Gateway()
    error = gateway.error(f"/enedis/consumption/daily/{FLAT}", start="2026/11/01", end="2026-11-20")
    assert error["code"] == "INVALID_DATE_FORMAT" and error["field"] is None
    error = gateway.error(f"/enedis/consumption/detail/{FLAT}", start="2026-11-20", end="2026-11-19")
    assert error["code"] == "INVALID_DATE_RANGE"
    error = gateway.error(f"/enedis/power/{FLAT}", start="2026-11-20", end="2026-11-02")
    assert error["code"] == "INVALID_DATE_RANGE"


def test_unknown_and_revoked_usage_points_are_denied():
    gateway = Gateway()
    message = "Accès refusé : PDL introuvable ou non associé à votre compte"
    unknown = gateway.error("/enedis/contract/12345678901234")
    assert unknown == {"code": "ACCESS_DENIED", "message": message, "field": None}
    gateway.state.revoke(CONVECTORS)
    for path in (f"/enedis/consumption/daily/{CONVECTORS}", f"/enedis/consumption/detail/batch/{CONVECTORS}"):
        assert gateway.error(path, start="2026-11-01", end="2026-11-05")["code"] == "ACCESS_DENIED"
    assert gateway.json("/pdl")["data"][1]["is_active"] is False
    gateway.state.restore(CONVECTORS)
    assert gateway.readings(f"/enedis/consumption/daily/{CONVECTORS}", start="2026-11-01", end="2026-11-05")


def test_production_on_a_home_without_panels_is_an_enedis_error():
    error = Gateway().error(f"/enedis/production/daily/{FLAT}", start="2026-11-01", end="2026-11-05")
    assert error["code"] == "ENEDIS_ERROR"
    assert error["message"].startswith("ADAM-ERR0069: ")


def test_contract_shape_and_runtime_change():
    gateway = Gateway()
    base = gateway.json(f"/enedis/contract/{FLAT}")["data"]["customer"]["usage_points"][0]
    assert base["usage_point"] == {"usage_point_id": FLAT, "usage_point_status": "com", "meter_type": "AMM"}
    assert base["contracts"]["distribution_tariff"] == "BTINFCUST"
    assert "offpeak_hours" not in base["contracts"]
    assert base["contracts"]["last_activation_date"] == "2015-03-12+01:00"
    assert base["contracts"]["subscribed_power"] == "6 kVA"
    hc = gateway.json(f"/enedis/contract/{CONVECTORS}")["data"]["customer"]["usage_points"][0]["contracts"]
    assert hc["distribution_tariff"] == "BTINFMUDT" and hc["offpeak_hours"] == "HC (1H30-8H00;12H30-14H00)"
    gateway.state.set_contract(CONVECTORS, offpeak_hours="HC (23H00-7H00)", subscribed_kva=12)
    changed = gateway.json(f"/enedis/contract/{CONVECTORS}")["data"]["customer"]["usage_points"][0]["contracts"]
    assert changed["offpeak_hours"] == "HC (23H00-7H00)" and changed["subscribed_power"] == "12 kVA"
    assert changed["last_distribution_tariff_change_date"] == "2026-11-27+01:00"
    assert gateway.json("/pdl")["data"][1]["subscribed_power"] == 12


def test_address_shape():
    data = Gateway().json(f"/enedis/address/{CONVECTORS}")["data"]
    address = data["customer"]["usage_points"][0]["usage_point"]["usage_point_addresses"]
    assert address["city"] == "TOURS" and address["postal_code"] == "37000" and address["country"] == "France"
    assert set(address["geo_points"]) == {"latitude", "longitude", "altitude"}
    assert all(isinstance(v, str) for v in address["geo_points"].values())
