"""The REST API under /api/v1 against a database synced from the simulator (today frozen on 2025-11-05)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from myelectricaldata.database import models as m
from myelectricaldata.database import sync_ledger
from myelectricaldata.services.preferences import PdlPreferences, save_preferences
from tests.support.api import BASE, HCHP, TEMPO, UNKNOWN, build_app, error, get, synced_api
from tests.support.syncing import TODAY
from tests.support.waiting import eventually

YESTERDAY = TODAY - timedelta(days=1)
PDL_ROUTES = ("", "/daily", "/load_curve", "/max_power")


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    """A migrated SQLite database synced from 2025-09-01 to yesterday, and the simulator it came from."""
    with synced_api(tmp_path_factory.mktemp("api")) as running:
        yield running


@pytest.fixture(scope="module")
def client(synced):
    return build_app(synced).test_client()


def stored_daily(engine, pdl: str, direction: str = "consumption") -> dict[date, int]:
    t = m.daily_energy
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(t.c.day, t.c.wh).where(t.c.usage_point_id == pdl,
                                                                  t.c.direction == direction)).all())


# -- usage points ------------------------------------------------------------------------------
def test_usage_points_list_contract_in_force_today(client, synced):
    points = get(client, "/api/v1/usage_points")["usage_points"]
    assert [(p["usage_point_id"], p["label"], p["pricing_option"], p["subscribed_kva"], p["offpeak_hours"])
            for p in points] == [
        (BASE, "Appartement Paris", "BASE", 6, ""),
        (HCHP, "Maison Tours", "HC_HP", 9, "01:30-08:00;12:30-14:00"),
        (TEMPO, "Maison Villeurbanne", "TEMPO", 9, "22:00-06:00"),
    ]
    assert [p["has_production"] for p in points] == [False, False, True]
    assert all(p["enabled"] and p["attention"] == "" for p in points)


def test_the_usage_points_list_is_read_in_one_connection(client, synced):
    engine = synced[1]
    checkouts = []
    listener = lambda *_: checkouts.append(1)  # noqa: E731
    sa.event.listen(engine, "engine_connect", listener)
    try:
        assert len(get(client, "/api/v1/usage_points")["usage_points"]) == 3
    finally:
        sa.event.remove(engine, "engine_connect", listener)
    assert len(checkouts) == 1


def test_usage_point_label_and_enabled_follow_the_preferences(client, synced):
    engine = synced[1]
    with engine.begin() as conn:
        save_preferences(conn, PdlPreferences(HCHP, display_name="Chez mamie", enabled=False))
    try:
        listed = {p["usage_point_id"]: p for p in get(client, "/api/v1/usage_points")["usage_points"]}
        assert (listed[HCHP]["label"], listed[HCHP]["enabled"]) == ("Chez mamie", False)
        assert get(client, f"/api/v1/usage_points/{HCHP}")["label"] == "Chez mamie"
    finally:
        with engine.begin() as conn:
            save_preferences(conn, PdlPreferences(HCHP))


def test_usage_point_coverage_per_dataset(client, synced):
    one = get(client, f"/api/v1/usage_points/{TEMPO}")
    assert (one["usage_point_id"], one["name"], one["pricing_option"]) == (TEMPO, "Maison Villeurbanne", "TEMPO")
    assert one["address"] == {"street": "8 impasse des Glycines", "postal_code": "69100", "city": "VILLEURBANNE"}
    by_name = {d["dataset"]: d for d in one["datasets"]}
    assert set(by_name) == {"consumption_daily", "consumption_load_curve", "consumption_max_power",
                            "production_daily", "production_load_curve"}
    for ds in by_name.values():
        assert (ds["first"], ds["last"], ds["days"], ds["not_complete"]) == ("2025-09-01", "2025-11-04",
                                                                             {"complete": 65}, [])
        assert ds["outcome"] == "ok" and ds["last_sync_at"].endswith("Z")


def test_usage_point_not_complete_ranges(client, synced):
    engine = synced[1]
    with engine.begin() as conn:
        sync_ledger.write_ledger(conn, BASE, "consumption_daily", [(date(2025, 8, 28), "missing", 1, 0, ""),
                                                            (date(2025, 8, 29), "given_up", 5, 0, "no data"),
                                                            (date(2025, 8, 31), "partial", 1, 3, "")])
    try:
        ds = next(d for d in get(client, f"/api/v1/usage_points/{BASE}")["datasets"]
                  if d["dataset"] == "consumption_daily")
        assert ds["days"] == {"complete": 65, "missing": 1, "given_up": 1, "partial": 1}
        assert ds["not_complete"] == [{"start": "2025-08-28", "end": "2025-08-29"},
                                      {"start": "2025-08-31", "end": "2025-08-31"}]
        assert ds["first"] == "2025-09-01"
    finally:
        with engine.begin() as conn:
            sync_ledger.forget_ledger_days(conn, BASE, "consumption_daily", [date(2025, 8, 28), date(2025, 8, 29),
                                                                      date(2025, 8, 31)])


# -- daily -------------------------------------------------------------------------------------
def test_daily_default_range_is_the_30_days_before_yesterday_and_yesterday(client, synced):
    body = get(client, f"/api/v1/usage_points/{BASE}/daily")
    assert (body["usage_point_id"], body["direction"], body["step"], body["unit"]) == (BASE, "consumption", "day",
                                                                                       "Wh")
    assert (body["start"], body["end"], body["capped"]) == ("2025-10-05", "2025-11-04", False)
    stored = stored_daily(synced[1], BASE)
    assert len(body["values"]) == 31
    assert {date.fromisoformat(v["date"]): v["wh"] for v in body["values"]} == {
        d: wh for d, wh in stored.items() if date(2025, 10, 5) <= d <= YESTERDAY}


def test_daily_of_a_day_equals_the_energy_of_its_load_curve(client):
    for day in ("2025-10-25", "2025-10-26", "2025-11-03"):
        query = f"start={day}&end={day}"
        [value] = get(client, f"/api/v1/usage_points/{HCHP}/daily?{query}")["values"]
        raw = get(client, f"/api/v1/usage_points/{HCHP}/load_curve?{query}")["points"]
        hourly = get(client, f"/api/v1/usage_points/{HCHP}/load_curve?{query}&step=hour")["points"]
        [whole_day] = get(client, f"/api/v1/usage_points/{HCHP}/load_curve?{query}&step=day")["points"]
        assert value["wh"] == sum(p["value"] * p["minutes"] for p in raw) / 60
        assert value["wh"] == pytest.approx(sum(p["value"] for p in hourly)) == pytest.approx(whole_day["value"])


def test_daily_production(client, synced):
    body = get(client, f"/api/v1/usage_points/{TEMPO}/daily?direction=production&start=2025-10-01&end=2025-10-31")
    produced = stored_daily(synced[1], TEMPO, "production")
    assert body["direction"] == "production"
    assert [v["wh"] for v in body["values"]] == [produced[date(2025, 10, d)] for d in range(1, 32)]
    assert get(client, f"/api/v1/usage_points/{BASE}/daily?direction=production")["values"] == []


def test_daily_sums_per_week_month_and_year(client, synced):
    stored = stored_daily(synced[1], HCHP)
    url = f"/api/v1/usage_points/{HCHP}/daily?start=2025-09-01&end=2025-11-04"
    months = get(client, f"{url}&step=month")["values"]
    assert months == [
        {"date": "2025-09-01", "wh": sum(wh for d, wh in stored.items() if d.month == 9)},
        {"date": "2025-10-01", "wh": sum(wh for d, wh in stored.items() if d.month == 10)},
        {"date": "2025-11-01", "wh": sum(wh for d, wh in stored.items() if d.month == 11)},
    ]
    weeks = get(client, f"{url}&step=week")["values"]
    assert weeks[0] == {"date": "2025-09-01", "wh": sum(stored[date(2025, 9, d)] for d in range(1, 8))}
    assert weeks[-1] == {"date": "2025-11-03", "wh": stored[date(2025, 11, 3)] + stored[date(2025, 11, 4)]}
    assert all(date.fromisoformat(w["date"]).weekday() == 0 for w in weeks) and len(weeks) == 10
    assert get(client, f"{url}&step=year")["values"] == [{"date": "2025-01-01", "wh": sum(stored.values())}]


# -- load curve --------------------------------------------------------------------------------
def test_load_curve_dst_day_has_25_hours_and_50_half_hours(client):
    url = f"/api/v1/usage_points/{BASE}/load_curve?start=2025-10-26&end=2025-10-26"
    raw = get(client, url)
    assert (raw["step"], raw["unit"], len(raw["points"])) == ("raw", "W", 50)
    assert raw["points"][0] == {**raw["points"][0], "start": "2025-10-25T22:00:00Z",
                                "local": "2025-10-26T00:00:00+02:00", "minutes": 30}
    hourly = get(client, f"{url}&step=hour")
    assert (hourly["step"], hourly["unit"], len(hourly["points"])) == ("hour", "Wh", 25)
    locals_ = [p["local"] for p in hourly["points"]]
    assert locals_[2:4] == ["2025-10-26T02:00:00+02:00", "2025-10-26T02:00:00+01:00"]
    assert [p["start"] for p in hourly["points"][2:4]] == ["2025-10-26T00:00:00Z", "2025-10-26T01:00:00Z"]
    [day] = get(client, f"{url}&step=day")["points"]
    assert (day["start"], day["local"], day["minutes"]) == ("2025-10-25T22:00:00Z", "2025-10-26T00:00:00+02:00",
                                                            1500)


def test_load_curve_long_ranges_are_answered_hourly_then_daily(client):
    url = f"/api/v1/usage_points/{TEMPO}/load_curve"
    month = get(client, f"{url}?start=2025-10-01&end=2025-10-31")
    assert (month["requested_step"], month["step"], len(month["points"])) == ("raw", "raw", 31 * 48 + 2)
    longer = get(client, f"{url}?start=2025-09-01&end=2025-11-04&direction=production")
    assert (longer["requested_step"], longer["step"], longer["unit"]) == ("raw", "hour", "Wh")
    assert len(longer["points"]) == 65 * 24 + 1
    year = get(client, f"{url}?start=2024-09-01&end=2025-11-04&step=hour")
    assert (year["requested_step"], year["step"], len(year["points"])) == ("hour", "day", 65)
    assert get(client, f"{url}?start=2024-09-01&end=2025-08-31")["step"] == "hour"  # 365 days


# -- ranges and caps ---------------------------------------------------------------------------
def test_ranges_over_1100_days_keep_their_last_1100_days(client):
    body = get(client, f"/api/v1/usage_points/{BASE}/daily?start=2015-01-01&end=2025-11-04&step=month")
    assert (body["start"], body["end"], body["capped"]) == ("2022-11-01", "2025-11-04", True)
    assert [v["date"] for v in body["values"]] == ["2025-09-01", "2025-10-01", "2025-11-01"]
    curve = get(client, f"/api/v1/usage_points/{BASE}/load_curve?start=0001-01-01&end=9999-12-31")
    assert (curve["start"], curve["end"], curve["capped"], curve["step"]) == ("2096-12-27", "2099-12-31", True,
                                                                              "day")
    assert curve["points"] == []
    old = get(client, f"/api/v1/usage_points/{BASE}/daily?start=1990-01-01&end=1990-01-31")
    assert (old["start"], old["end"], old["capped"], old["values"]) == ("2000-01-01", "2000-01-01", True, [])


def test_default_start_and_end_around_one_given_bound(client):
    only_end = get(client, f"/api/v1/usage_points/{BASE}/max_power?end=2025-10-10")
    assert (only_end["start"], only_end["end"]) == ("2025-09-10", "2025-10-10")
    only_start = get(client, f"/api/v1/usage_points/{BASE}/max_power?start=2025-10-20")
    assert (only_start["start"], only_start["end"]) == ("2025-10-20", "2025-11-04")
    future = get(client, f"/api/v1/usage_points/{BASE}/max_power?start=2026-01-01")
    assert (future["start"], future["end"], future["values"]) == ("2026-01-01", "2026-01-31", [])


# -- max power ---------------------------------------------------------------------------------
def test_max_power_per_day_with_its_time(client, synced):
    body = get(client, f"/api/v1/usage_points/{HCHP}/max_power?start=2025-10-26&end=2025-10-27")
    assert (body["unit"], body["subscribed_kva"]) == ("VA", 9)
    t = m.max_power
    with synced[1].connect() as conn:
        stored = conn.execute(sa.select(t.c.day, t.c.va, t.c.at_utc).where(
            t.c.usage_point_id == HCHP, t.c.day.in_([date(2025, 10, 26), date(2025, 10, 27)])).order_by(t.c.day)).all()
    assert [(v["date"], v["va"]) for v in body["values"]] == [(d.isoformat(), va) for d, va, _ in stored]
    for value, (_, _, at) in zip(body["values"], stored, strict=True):
        assert datetime.fromisoformat(value["at"]).timestamp() == at
        assert datetime.fromisoformat(value["local"]).timestamp() == at
        assert value["local"].startswith(value["date"])


# -- Tempo and EcoWatt -------------------------------------------------------------------------
def test_tempo_days_default_to_the_month_up_to_tomorrow(client):
    body = get(client, "/api/v1/tempo")
    assert (body["start"], body["end"]) == ("2025-10-07", "2025-11-06")
    assert [d["date"] for d in body["days"]][-2:] == ["2025-11-05", "2025-11-06"]
    assert len(body["days"]) == 31 and {d["color"] for d in body["days"]} <= {"BLUE", "WHITE", "RED"}
    assert get(client, "/api/v1/tempo?start=2025-08-01&end=2025-08-30")["days"] == []
    before_first = get(client, "/api/v1/tempo?start=2025-08-01&end=2025-08-31")["days"]
    assert [d["date"] for d in before_first] == ["2025-08-31"]  # it prices the first stored day's early hours


def test_tempo_season_used_and_remaining(client):
    body = get(client, "/api/v1/tempo/season")
    assert (body["season"], body["start"], body["end"], body["counted_up_to"]) == (2025, "2025-09-01", "2026-08-31",
                                                                                   "2025-11-06")
    assert body["colors"] == {"BLUE": {"used": 67, "remaining": 300 - 67, "quota": 300},
                              "WHITE": {"used": 0, "remaining": 43, "quota": 43},
                              "RED": {"used": 0, "remaining": 22, "quota": 22}}
    past = get(client, "/api/v1/tempo/season?season=2023")
    assert (past["counted_up_to"], past["colors"]["BLUE"]) == ("2024-08-31", {"used": 0, "remaining": 301,
                                                                              "quota": 301})


def test_ecowatt_from_today_on(client):
    days = get(client, "/api/v1/ecowatt")["days"]
    assert [d["date"] for d in days] == ["2025-11-05", "2025-11-06", "2025-11-07", "2025-11-08"]
    for day in days:
        assert len(day["hours"]) == 24 and max(day["hours"]) == day["level"] and day["message"]


# -- sync --------------------------------------------------------------------------------------
def test_sync_state(client):
    body = get(client, "/api/v1/sync")
    assert body["gateway_configured"] is True and body["quota_paused_until"] is None
    assert body["progress"] == {"running": False, "done": 0, "total": 0, "message": "terminée",
                                "run_id": body["runs"][0]["id"], "outcome": "ok", "failed": False}
    assert body["runs"][0]["outcome"] == "ok" and body["runs"][0]["finished_at"].endswith("Z")


def test_post_sync_starts_one_sync_without_a_csrf_token(synced):
    sim = synced[0]
    app = build_app(synced)
    runner = app.extensions["med"].runner
    client = app.test_client()
    runs_before = len(get(client, "/api/v1/sync")["runs"])
    assert get(client, "/api/v1/sync")["runs"][:runs_before] and not runner.running  # GET never starts one
    with sim.state.lock:  # the simulator holds every answer, so the first sync is still running
        first = client.post("/api/v1/sync", json={})
        second = client.post("/api/v1/sync", json={})
    assert (first.status_code, first.get_json()) == (202, {"started": True})
    assert (second.status_code, second.get_json()) == (202, {"started": False})
    assert eventually(lambda: not runner.running, 30, interval=0.02)
    assert runner.last_report.ok, runner.last_report.message
    assert get(client, "/api/v1/sync")["runs"][0]["outcome"] == "ok"


def test_post_sync_without_a_gateway_is_a_conflict(synced):
    client = build_app(synced, runner=False).test_client()
    response = client.post("/api/v1/sync", json={})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "no_gateway"
    assert get(client, "/api/v1/sync")["gateway_configured"] is False


def test_post_sync_needs_a_json_body_or_the_bearer_token(synced):
    app = build_app(synced, API_TOKEN="t0ken-abc")
    runner = app.extensions["med"].runner
    client = app.test_client()
    for kind, body in (("text/plain", "{}"), ("application/x-www-form-urlencoded", "a=1"),
                       ("multipart/form-data; boundary=x", "--x--")):  # what another site's form can send
        refused = client.post("/api/v1/sync", data=body, headers={"Content-Type": kind})
        assert refused.status_code == 415 and refused.get_json()["error"]["code"] == "json_required", kind
    assert client.post("/api/v1/sync").status_code == 415
    assert not runner.running and runner.last_report is None
    assert client.post("/api/v1/sync", data="[1", content_type="application/json").status_code == 400
    wrong = client.post("/api/v1/sync", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 415
    assert client.post("/api/v1/sync", headers={"Authorization": "Bearer t0ken-abc"}).status_code == 202
    assert eventually(lambda: not runner.running, 30, interval=0.02)


# -- errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize("route", PDL_ROUTES)
def test_unknown_and_malformed_usage_points(client, route):
    error(client, f"/api/v1/usage_points/{UNKNOWN}{route}", 404, "unknown_usage_point", UNKNOWN)
    error(client, f"/api/v1/usage_points/12345{route}", 400, "invalid_usage_point_id", "usage_point_id", "14 digits")


@pytest.mark.parametrize(("query", "parameter"), [
    ("start=2025-13-01", "start"), ("end=05/11/2025", "end"), ("start=", "start"), ("end=20251105", "end"),
    ("start=2025-02-30", "start"), ("start=2025-10-10&end=2025-10-01", "start"), ("direction=both", "direction"),
    ("step=quarter", "step"), ("step=hour", "step"),
])
def test_bad_daily_parameters_are_named(client, query, parameter):
    error(client, f"/api/v1/usage_points/{BASE}/daily?{query}", 400, f"invalid_{parameter}", f"{parameter}:")


def test_bad_parameters_elsewhere(client):
    error(client, f"/api/v1/usage_points/{BASE}/load_curve?step=week", 400, "invalid_step", "raw, hour, day")
    error(client, f"/api/v1/usage_points/{BASE}/max_power?start=2025-11-04&end=2025-11-01", 400, "invalid_start",
          "reversed")
    error(client, "/api/v1/tempo?end=tomorrow", 400, "invalid_end")
    for season in ("abc", "1999", "2100", "25"):
        error(client, f"/api/v1/tempo/season?season={season}", 400, "invalid_season", "season:")


def test_unknown_route_and_method_answer_json(client):
    error(client, "/api/v1/nothing_here", 404, "not_found")
    response = client.delete("/api/v1/sync")
    assert response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


# -- access ------------------------------------------------------------------------------------
def test_direct_access_port_needs_the_token_and_serves_only_reads(synced):
    app = build_app(synced, DIRECT_PORT="8081", API_TOKEN="s3cret")
    client = app.test_client()
    direct = {"SERVER_PORT": "8081", "REMOTE_ADDR": "192.168.1.20"}  # the test client's URL sets SERVER_PORT
    refused = client.get("/api/v1/usage_points", environ_overrides=direct)
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "unauthorized"
    token = {"Authorization": "Bearer s3cret"}
    assert client.get("/api/v1/usage_points", environ_overrides=direct, headers=token).status_code == 200
    wrong = client.get("/api/v1/usage_points", environ_overrides=direct, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"].startswith("Bearer")
    for header in ("Bearer s3crét", "s3cret", "Basic s3cret"):  # not ASCII, no scheme, another scheme
        assert client.get("/api/v1/usage_points", environ_overrides=direct,
                          headers={"Authorization": header}).status_code == 401, header
    lower = client.get("/api/v1/usage_points", environ_overrides=direct, headers={"Authorization": "bearer s3cret"})
    assert lower.status_code == 200  # the scheme is not case-sensitive
    post = client.post("/api/v1/sync", environ_overrides=direct, headers=token)
    assert post.status_code == 403 and post.get_json()["error"]["code"] == "forbidden"
    assert not app.extensions["med"].runner.running


def test_supervised_app_refuses_other_addresses(synced):
    client = build_app(synced, options={}).test_client()
    refused = client.get("/api/v1/usage_points", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert client.get("/api/v1/usage_points", environ_base={"REMOTE_ADDR": "172.30.32.2"}).status_code == 200


# -- the document ------------------------------------------------------------------------------
def test_openapi_document_describes_every_api_route(client, synced):
    doc = get(client, "/api/openapi.json")
    assert doc["openapi"] == "3.1.0" and doc["servers"] == [{"url": "/"}]
    app = build_app(synced)
    routes = {(rule.rule.replace("<pdl>", "{pdl}"), method.lower())
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, item in doc["paths"].items() for method in item}
    assert routes == documented
    pdl = doc["components"]["parameters"]["pdl"]["schema"]
    assert pdl["pattern"] == "^[0-9]{14}$"
    assert doc["components"]["parameters"]["start"]["schema"]["format"] == "date"
    behind_ingress = client.get("/api/openapi.json", headers={"X-Ingress-Path": "/api/hassio_ingress/abc"})
    assert behind_ingress.get_json()["servers"] == [{"url": "/api/hassio_ingress/abc"}]


# -- CSV -----------------------------------------------------------------------------------------
def csv_lines(client, url: str) -> tuple[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff") and "\r\n" in text
    return response.headers["Content-Disposition"], text.removeprefix("\ufeff").splitlines()


def test_daily_as_csv(client, synced):
    wh = stored_daily(synced[1], HCHP)[date(2025, 10, 26)]
    disposition, lines = csv_lines(client, f"/api/v1/usage_points/{HCHP}/daily?start=2025-10-26&end=2025-10-27"
                                           "&format=csv")
    assert disposition.startswith('attachment; filename="consommation-')
    assert disposition.endswith('-2025-10-26_2025-10-27.csv"')
    assert lines[0] == "Jour;Consommation (kWh)"
    assert lines[1] == f"26/10/2025;{wh // 1000},{wh % 1000:03d}"  # Wh written as kWh with a decimal comma


def test_load_curve_costs_max_power_and_tempo_as_csv(client):
    _, curve = csv_lines(client, f"/api/v1/usage_points/{BASE}/load_curve?start=2025-10-26&end=2025-10-26"
                                 "&step=hour&format=csv")
    assert curve[0] == "Début (heure de Paris);Durée (minutes);Énergie (Wh)" and len(curve) == 1 + 25
    assert [line.split(";")[0] for line in curve[3:5]] == ["26/10/2025 02:00 (UTC+2)", "26/10/2025 02:00 (UTC+1)"]
    body = get(client, f"/api/v1/usage_points/{HCHP}/costs?start=2025-10-01&end=2025-10-31&step=month")
    _, costs = csv_lines(client, f"/api/v1/usage_points/{HCHP}/costs?start=2025-10-01&end=2025-10-31&step=month"
                                 "&format=csv")
    assert costs[0] == ("Mois (1er jour);Consommation (kWh);Heures pleines (€);Heures creuses (€);Abonnement (€);"
                        "Total (€);Jours;Jours estimés")
    cells = costs[1].split(";")
    assert cells[0] == "01/10/2025" and cells[-3] == f"{body['total']:.2f}".replace(".", ",") and cells[-2] == "31"
    _, power = csv_lines(client, f"/api/v1/usage_points/{HCHP}/max_power?start=2025-10-26&end=2025-10-26&format=csv")
    assert power[0] == "Jour;Puissance max (kVA);Heure (heure de Paris)" and power[1].startswith("26/10/2025;")
    disposition, tempo = csv_lines(client, "/api/v1/tempo?start=2025-11-05&end=2025-11-06&format=csv")
    assert disposition == 'attachment; filename="tempo-2025-11-05_2025-11-06.csv"'
    assert tempo[0] == "Jour;Couleur" and [line[:11] for line in tempo[1:]] == ["05/11/2025;", "06/11/2025;"]
    assert {line[11:] for line in tempo[1:]} <= {"Bleu", "Blanc", "Rouge"}


def test_a_bad_format_is_refused_naming_it(client):
    error(client, f"/api/v1/usage_points/{HCHP}/daily?format=xlsx", 400, "invalid_format", "format")


def test_the_csv_format_is_documented(client):
    doc = get(client, "/api/openapi.json")
    for path in ("daily", "load_curve", "max_power", "costs"):
        operation = doc["paths"][f"/api/v1/usage_points/{{pdl}}/{path}"]["get"]
        assert {"$ref": "#/components/parameters/format"} in operation["parameters"]
        assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    assert doc["components"]["parameters"]["format"]["schema"]["enum"] == ["json", "csv"]
