"""``GET /api/v1/usage_points/{pdl}/simulation``: the ranking and the advisor as JSON, and its refusals."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from myelectricaldata.energy.costs import euros
from myelectricaldata.services import pricing_store, ranking
from tests.support.pages import HCHP, simulation_app, synced_hphc_month
from tests.support.syncing import TODAY


@pytest.fixture
def engine(sqlite_engine, tmp_path):
    return synced_hphc_month(sqlite_engine, tmp_path)


@pytest.fixture
def client(engine, tmp_path):
    return simulation_app(engine, tmp_path).test_client()


def test_ranking_and_advisor(client, engine):
    with engine.begin() as conn:
        pricing_store.save_offer(conn, {"name": "Sans abonnement", "kind": "BASE",
                                        "versions": [{"valid_from": "2024-01-01", "energy": {"BASE": "0,1"}}]})
    response = client.get(f"/api/v1/usage_points/{HCHP}/simulation")
    assert response.status_code == 200
    body = response.get_json()
    assert body["usage_point_id"] == HCHP and body["current_offer"] == "regulated:HPHC"
    assert (body["start"], body["end"]) == ("2024-11-05", "2025-11-04")
    offers = body["offers"]
    assert [o["key"] for o in offers] == ["regulated:TEMPO", "regulated:HPHC", "regulated:BASE", "user:1"]
    assert [o["rank"] for o in offers] == [1, 2, 3, None]
    assert offers[3]["complete"] is False and offers[3]["savings"] is None
    assert offers[3]["subscription_unknown_days"] == 35
    results = {r.key: r for r in ranking.rank(engine, HCHP, TODAY).results}
    tempo = results["regulated:TEMPO"]
    assert D(str(offers[0]["total"])) == euros(tempo.last_12_months)
    assert D(str(offers[0]["savings"])) == euros(tempo.savings) and offers[1]["savings"] == 0
    year = tempo.years[2025]
    assert offers[0]["by_year"] == [{"year": 2025, "total": float(euros(year.total)), "days": 35, "complete": True,
                                     "energy": float(euros(year.energy)),
                                     "subscription": float(euros(year.subscription))}]
    assert offers[0]["type"] == "TEMPO" and offers[1]["type"] == "HC_HP" and offers[0]["source"] == "regulated"
    assert offers[1]["difference"] == 0 and offers[0]["difference"] == -offers[0]["savings"]
    # the breakdown: each slot's kWh at its price adds up to the energy total
    lines = offers[1]["breakdown"]["slots"]
    assert {line["slot"] for line in lines} == {"HP", "HC"} and {line["price"] for line in lines} == {0.2081, 0.1635}
    assert sum(D(str(line["euros"])) for line in lines) == D(str(offers[1]["energy"]))
    power = body["power"]
    assert power["subscribed_kva"] == 9 and power["peak_va"] == 6816 and power["lower_kva"] is None
    assert power["distribution"] == [{"kva": 6, "days": 32}, {"kva": 9, "days": 3}]
    assert power["yearly_saving"] is None and power["days"] == 35


def test_refusals(client):
    bad = client.get("/api/v1/usage_points/abc/simulation")
    assert bad.status_code == 400 and bad.get_json()["error"]["code"]
    unknown = client.get("/api/v1/usage_points/12345678901234/simulation")
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "unknown_usage_point"


def test_documented():
    from myelectricaldata.web.api.openapi import DOCUMENT

    operation = DOCUMENT["paths"]["/api/v1/usage_points/{pdl}/simulation"]["get"]
    assert {"200", "400", "404"} <= set(operation["responses"])
