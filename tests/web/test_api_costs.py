"""GET /api/v1/usage_points/{pdl}/costs against the simulator's demo PDLs (today frozen on 2025-11-05)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from myelectricaldata.database.migrate import upgrade
from myelectricaldata.database.session import make_engine
from myelectricaldata.simulator import Household, start_simulator
from tests.support.api import HCHP, TEMPO, UNKNOWN, build_app, error, get, synced_api
from tests.support.syncing import TODAY, make_sync

SLOTS_TEMPO = {"BLUE_HP", "BLUE_HC", "WHITE_HP", "WHITE_HC", "RED_HP", "RED_HC"}


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    with synced_api(tmp_path_factory.mktemp("api")) as running:
        yield running


@pytest.fixture(scope="module")
def client(synced):
    return build_app(synced).test_client()


def test_month_of_a_tempo_pdl(client):
    body = get(client, f"/api/v1/usage_points/{TEMPO}/costs?start=2025-10-01&end=2025-10-31&step=month")
    assert body["offer"] == {"key": "regulated:TEMPO", "name": "Tarif Bleu Tempo", "chosen": False}
    (month,) = body["periods"]
    assert month["date"] == "2025-10-01" and month["days"] == 31 and month["offer_keys"] == ["regulated:TEMPO"]
    assert set(month["kwh"]) == set(month["euros"]) == SLOTS_TEMPO
    assert month["subscription"] == float((31 * D("19.49") * 12 / 365).quantize(D("0.01")))
    assert month["subscription_known"] is True
    assert abs(month["energy"] + month["subscription"] - month["total"]) <= 0.011
    assert body["total"] == month["total"] and body["unit"] == "EUR" and body["capped"] is False


def test_days_of_an_hphc_pdl_and_the_default_range(client):
    body = get(client, f"/api/v1/usage_points/{HCHP}/costs")
    assert body["start"] == "2025-10-05" and body["end"] == "2025-11-04" and body["step"] == "day"
    assert len(body["periods"]) == 31
    assert all(set(p["kwh"]) == {"HP", "HC"} and not p["estimated"] for p in body["periods"])
    yearly = get(client, f"/api/v1/usage_points/{HCHP}/costs?start=2025-10-05&end=2025-11-04&step=year")
    assert yearly["total"] == body["total"]


def test_refusals(client):
    error(client, f"/api/v1/usage_points/{UNKNOWN}/costs", 404, "unknown_usage_point")
    error(client, "/api/v1/usage_points/123/costs", 400, "invalid_usage_point_id")
    error(client, f"/api/v1/usage_points/{HCHP}/costs?step=week", 400, "invalid_step", "step")
    error(client, f"/api/v1/usage_points/{HCHP}/costs?start=2025-10-32", 400, "invalid_start", "start")
    error(client, f"/api/v1/usage_points/{HCHP}/costs?start=2025-10-05&end=2025-10-01", 400, "invalid_start")


def test_documented(client):
    doc = get(client, "/api/openapi.json")
    responses = doc["paths"]["/api/v1/usage_points/{pdl}/costs"]["get"]["responses"]
    assert {"200", "400", "404"} <= set(responses)


TEMPO_24 = Household(usage_point_id="99000000000024", name="Tempo 24 kVA", pricing_option="TEMPO", subscribed_kva=24)


@pytest.fixture(scope="module")
def tempo_24(tmp_path_factory):
    """A Tempo contract at 24 kVA, a power Tempo is not offered at: no regulated subscription exists for it."""
    folder = tmp_path_factory.mktemp("tempo24")
    with start_simulator(households=[TEMPO_24], today=TODAY) as sim:
        engine = make_engine(f"sqlite:///{folder / 'api.db'}")
        upgrade(engine)
        sync = make_sync(engine, sim, folder)
        assert sync.run(since=date(2025, 10, 1)).ok
        yield sim, engine, sync, folder
        engine.dispose()


def test_a_power_without_a_regulated_subscription_is_flagged_unknown_not_priced_at_zero_silently(tempo_24):
    client = build_app(tempo_24).test_client()
    pdl = TEMPO_24.usage_point_id
    (month,) = get(client, f"/api/v1/usage_points/{pdl}/costs?start=2025-10-01&end=2025-10-31&step=month")["periods"]
    assert month["days"] == 31 and month["energy"] > 0
    assert month["subscription"] == 0.0 and month["subscription_known"] is False
    days = get(client, f"/api/v1/usage_points/{pdl}/costs?start=2025-10-01&end=2025-10-03")["periods"]
    assert [d["subscription_known"] for d in days] == [False, False, False]
