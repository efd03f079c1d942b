"""The Prometheus exporter: values against a synced demo database, promtool, a real Prometheus, both ports."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from myelectricaldata.app import AppServices
from myelectricaldata.config import load_settings
from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.database import sync_ledger
from myelectricaldata.energy.timeline import PARIS, epoch, local_day_bounds
from myelectricaldata.exporters import changes, store
from myelectricaldata.exporters.manager import ExporterManager
from myelectricaldata.exporters.metric_names import METRICS, parse_labels
from myelectricaldata.exporters.prometheus.collector import exposition, registry, scrape_body
from myelectricaldata.gateway.parse import CurvePoint, DailyValue
from myelectricaldata.services import pricing_settings
from myelectricaldata.services.errors import FieldError
from myelectricaldata.services.preferences import PdlPreferences, save_preferences
from myelectricaldata.services.price_cache import PriceCache
from myelectricaldata.services.pricing_store import save_choice
from myelectricaldata.simulator import DEMO_HOUSEHOLDS
from myelectricaldata.web.app import create_app
from tests.support.grafana import load, queries
from tests.support.net import free_port, http_get
from tests.support.processes import stop
from tests.support.required import binary
from tests.support.syncing import NOON, TODAY, synced_sqlite
from tests.support.waiting import wait_for

BASE, HCHP, TEMPO = (h.usage_point_id for h in DEMO_HOUSEHOLDS)
PDLS = (BASE, HCHP, TEMPO)
SINCE = date(2025, 10, 20)  # a couple of weeks: enough for yesterday, its neighbours and the totals
YESTERDAY = TODAY - timedelta(days=1)
TOKEN = "pr0m-T0ken"
# regulated prices in force on 2025-11-04 (from 2025-08-01), EUR/kWh, and monthly subscriptions, EUR
PRICES = {BASE: {"base": "0.1952"}, HCHP: {"hp": "0.2081", "hc": "0.1635"},
          TEMPO: {"blue_hc": "0.1232", "blue_hp": "0.1494", "white_hc": "0.1391", "white_hp": "0.1730",
                  "red_hc": "0.1460", "red_hp": "0.6468"}}
MONTHLY = {BASE: "15.47", HCHP: "19.81", TEMPO: "19.49"}  # Base 6 kVA, HP/HC 9 kVA, Tempo 9 kVA
# the shared name (``metric_names``) counts Tempo days left, not a duration, but promtool reads "days" as a time unit


@pytest.fixture(scope="module")
def synced(tmp_path_factory) -> Iterator[sa.Engine]:
    with synced_sqlite(tmp_path_factory.mktemp("prometheus"), list(PDLS), SINCE) as engine:
        yield engine


@pytest.fixture(scope="module")
def manager(synced, tmp_path_factory) -> Iterator[ExporterManager]:
    folder = tmp_path_factory.mktemp("no-plugins")
    mgr = ExporterManager(synced, folder, user_folder=folder / "exporters", entry_points=False)
    yield mgr
    mgr.close()


@pytest.fixture
def enabled(manager) -> Iterator[ExporterManager]:
    """The Prometheus exporter enabled with the extra label site=maison (disabled again afterwards)."""
    manager.save_config("prometheus", {"extra_labels": "site=maison"}, True)
    yield manager
    manager.save_config("prometheus", {"extra_labels": ""}, False)


def build_app(manager: ExporterManager, folder: Path, services: AppServices | None = None, **environ: str):
    settings = load_settings(environ={"DATA_DIR": str(folder), **environ}, options_file=Path("/nonexistent"))
    app = create_app(settings, services or AppServices(manager.engine, exporters=manager, clock=lambda: NOON))
    app.config["TESTING"] = True
    return app


def value(reg, name: str, **labels: str) -> float | None:
    return reg.get_sample_value(name, labels)


# -- what the database holds, read by hand --------------------------------------------------------------------------
def stored(engine: sa.Engine, query) -> list:
    with engine.connect() as conn:
        return conn.execute(query).all()


def yesterday_points(engine: sa.Engine, pdl: str) -> list[tuple[int, float]]:
    """(local minute of the day, Wh) of each consumption load-curve point of yesterday."""
    first, last = (epoch(t) for t in local_day_bounds(YESTERDAY))
    t = m.load_curve
    rows = stored(engine, sa.select(t.c.start_utc, t.c.minutes, t.c.watts).where(
        t.c.usage_point_id == pdl, t.c.direction == "consumption", t.c.start_utc >= first, t.c.start_utc < last))
    assert len(rows) == 48
    out = []
    for start, minutes, watts in rows:
        local = datetime.fromtimestamp(start, PARIS)
        out.append((local.hour * 60 + local.minute, watts * minutes / 60))
    return out


def slot_kwh_by_hand(engine: sa.Engine) -> dict[str, dict[str, float]]:
    """Yesterday's kWh per slot from the raw curve: contract HC windows for HP/HC, 22:00-06:00 for Tempo."""
    colours = dict(stored(engine, sa.select(m.tempo_days.c.day, m.tempo_days.c.color)))
    before, today = colours[YESTERDAY - timedelta(days=1)].lower(), colours[YESTERDAY].lower()
    base = sum(wh for _, wh in yesterday_points(engine, BASE))
    hc = hp = 0.0
    for minute, wh in yesterday_points(engine, HCHP):
        if 90 <= minute < 480 or 750 <= minute < 840:
            hc += wh
        else:
            hp += wh
    tempo = dict.fromkeys(PRICES[TEMPO], 0.0)
    for minute, wh in yesterday_points(engine, TEMPO):
        slot = f"{before}_hc" if minute < 360 else f"{today}_hc" if minute >= 1320 else f"{today}_hp"
        tempo[slot] += wh
    return {BASE: {"base": base / 1000}, HCHP: {"hp": hp / 1000, "hc": hc / 1000},
            TEMPO: {k: v / 1000 for k, v in tempo.items()}}


# -- values ---------------------------------------------------------------------------------------------------------
def test_energy_power_contract_and_sync_equal_the_stored_rows(synced):
    reg = registry(synced, NOON)
    d = m.daily_energy
    rows = stored(synced, sa.select(d.c.usage_point_id, d.c.direction, d.c.day, d.c.wh))
    assert {r.usage_point_id for r in rows} == set(PDLS) and any(r.direction == "production" for r in rows)
    for pdl in PDLS:
        for direction in ("consumption", "production"):
            mine = [r for r in rows if r.usage_point_id == pdl and r.direction == direction]
            total = value(reg, "linky_energy_kwh_total", pdl=pdl, direction=direction)
            daily = value(reg, "linky_daily_energy_kwh", pdl=pdl, direction=direction)
            if not mine:
                assert total is None and daily is None
                continue
            assert total == pytest.approx(sum(r.wh for r in mine) / 1000, abs=1e-9)
            assert daily == pytest.approx(next(r.wh for r in mine if r.day == YESTERDAY) / 1000, abs=1e-9)
    powers = stored(synced, sa.select(m.max_power.c.usage_point_id, m.max_power.c.va)
                    .where(m.max_power.c.day == YESTERDAY))
    assert len(powers) == 3
    for pdl, va in powers:
        assert value(reg, "linky_max_power_va", pdl=pdl) == va
    assert {pdl: value(reg, "linky_subscribed_power_kva", pdl=pdl) for pdl in PDLS} == {BASE: 6, HCHP: 9, TEMPO: 9}
    s = m.dataset_states
    for pdl, last in stored(synced, sa.select(s.c.usage_point_id, sa.func.max(s.c.last_sync_at))
                            .group_by(s.c.usage_point_id)):
        assert value(reg, "linky_last_sync_timestamp_seconds", pdl=pdl) == last.replace(tzinfo=UTC).timestamp()
        assert value(reg, "linky_sync_ok", pdl=pdl) == 1


def test_slots_and_costs_of_yesterday_equal_a_hand_computation(synced):
    reg = registry(synced, NOON)
    by_hand = slot_kwh_by_hand(synced)
    for pdl, slots in by_hand.items():
        exposed = {slot: value(reg, "linky_daily_slot_energy_kwh", pdl=pdl, direction="consumption", slot=slot)
                   for slot in slots}
        assert exposed == pytest.approx(slots, abs=1e-6)
        assert value(reg, "linky_daily_slot_energy_kwh", pdl=pdl, direction="consumption",
                     slot="hp" if pdl == BASE else "base") is None
        energy_cost = {slot: float(Decimal(repr(kwh)) * Decimal(PRICES[pdl][slot])) for slot, kwh in slots.items()}
        for slot, euros in energy_cost.items():
            assert value(reg, "linky_daily_slot_cost_euros", pdl=pdl, slot=slot) == pytest.approx(euros, abs=1e-6)
        subscription = float(Decimal(MONTHLY[pdl]) * 12 / 365)
        total = value(reg, "linky_daily_cost_euros", pdl=pdl)
        assert total == pytest.approx(sum(energy_cost.values()) + subscription, abs=1e-6)
    assert sum(by_hand[HCHP].values()) == pytest.approx(value(reg, "linky_daily_energy_kwh", pdl=HCHP,
                                                              direction="consumption"), abs=1e-6)


def test_yesterday_is_priced_again_when_its_curve_or_the_pricing_choice_changes(synced):
    prices: PriceCache[Any] = PriceCache()  # changed behind its back, as a ``sync`` command beside ``serve`` would

    def base_cost() -> tuple[float, float]:
        reg = registry(synced, NOON, prices=prices)
        both = (value(reg, "linky_daily_slot_energy_kwh", pdl=BASE, direction="consumption", slot="base"),
                value(reg, "linky_daily_cost_euros", pdl=BASE))
        assert len(prices) == len(PDLS)  # yesterday of each PDL, kept in the cache handed in
        return both

    kwh, euros = base_cost()
    first = epoch(local_day_bounds(YESTERDAY)[0])
    t = m.load_curve
    [(minutes, watts)] = stored(synced, sa.select(t.c.minutes, t.c.watts).where(
        t.c.usage_point_id == BASE, t.c.direction == "consumption", t.c.start_utc == first))
    try:
        with synced.begin() as conn:
            repo.store_load_curve(conn, BASE, "consumption", [CurvePoint(first, minutes, watts + 1000, YESTERDAY)])
            sync_ledger.write_ledger(conn, BASE, "consumption_load_curve", [(YESTERDAY, "complete", 1, 48, "")])
        assert base_cost()[0] == pytest.approx(kwh + 1000 * minutes / 60 / 1000, abs=1e-6)
        with synced.begin() as conn:
            save_choice(conn, BASE, kva=9)
        assert base_cost()[1] == pytest.approx(euros + 0.5 * 0.1952 + (19.39 - 15.47) * 12 / 365, abs=1e-6)
    finally:
        with synced.begin() as conn:
            save_choice(conn, BASE)
            repo.store_load_curve(conn, BASE, "consumption", [CurvePoint(first, minutes, watts, YESTERDAY)])
            sync_ledger.write_ledger(conn, BASE, "consumption_load_curve", [(YESTERDAY, "complete", 1, 48, "")])
    assert base_cost() == pytest.approx((kwh, euros), abs=1e-6)


def test_metrics_keep_yesterday_in_the_apps_price_cache_which_the_pricing_services_clear(enabled, tmp_path):
    services = AppServices(enabled.engine, exporters=enabled, clock=lambda: NOON)
    client = build_app(enabled, tmp_path, services=services).test_client()
    first = client.get("/metrics").get_data(as_text=True)
    assert len(services.prices) == len(PDLS)
    assert client.get("/metrics").get_data(as_text=True) == first
    pricing_settings.save_choice(enabled.engine, BASE, kva="9", prices=services.prices)
    try:
        assert len(services.prices) == 0
        costs = {line.split(" ")[0]: float(line.split(" ")[1]) for line in client.get("/metrics").get_data(
            as_text=True).splitlines() if line.startswith("linky_daily_cost_euros")}
        before = {line.split(" ")[0]: float(line.split(" ")[1]) for line in first.splitlines()
                  if line.startswith("linky_daily_cost_euros")}
        key = f'linky_daily_cost_euros{{pdl="{BASE}",site="maison"}}'
        assert costs[key] == pytest.approx(before[key] + (19.39 - 15.47) * 12 / 365, abs=1e-6)  # 9 kVA's subscription
    finally:
        pricing_settings.save_choice(enabled.engine, BASE, prices=services.prices)


def test_metrics_keep_every_pdl_when_the_cache_is_smaller_than_the_pdls(synced, monkeypatch):
    # a cache of 2 results asked for 3 PDLs in turn at each scrape used to drop each one before it was asked again
    prices: PriceCache = PriceCache(2)
    first = exposition(registry(synced, NOON, prices=prices), None)[0]
    assert len(prices) == len(PDLS) and prices.size == 2 + len(PDLS)
    monkeypatch.setattr("myelectricaldata.services.pricing.read_inputs", lambda *args: pytest.fail("priced again"))
    assert exposition(registry(synced, NOON, prices=prices), None)[0] == first


def test_a_body_is_encoded_again_only_when_its_samples_change(synced, monkeypatch):
    import prometheus_client.exposition as encoders

    labels = {"site": "maison"}
    body, content_type = scrape_body(synced, NOON, labels, None)
    assert (body, content_type) == exposition(registry(synced, NOON, labels), None)
    encoded = []
    real = encoders.generate_latest
    monkeypatch.setattr(encoders, "generate_latest", lambda reg: encoded.append(1) or real(reg))
    assert scrape_body(synced, NOON, labels, None) == (body, content_type) and encoded == []
    open_body, open_type = scrape_body(synced, NOON, labels, "application/openmetrics-text; version=1.0.0")
    assert open_type.startswith("application/openmetrics-text") and open_body.endswith(b"# EOF\n")
    with synced.begin() as conn:  # one more Wh yesterday: the daily value and the counter change
        wh = conn.scalar(sa.select(m.daily_energy.c.wh).where(m.daily_energy.c.usage_point_id == BASE,
                                                               m.daily_energy.c.day == YESTERDAY))
        repo.store_daily(conn, BASE, "consumption", [DailyValue(YESTERDAY, wh + 1)])
    try:
        again, _ = scrape_body(synced, NOON, labels, None)
        assert encoded == [1] and again != body
        assert again == exposition(registry(synced, NOON, labels), None)[0]
    finally:
        with synced.begin() as conn:
            repo.store_daily(conn, BASE, "consumption", [DailyValue(YESTERDAY, wh)])


def test_tempo_and_ecowatt_of_today_and_tomorrow(synced):
    reg = registry(synced, NOON)
    tomorrow = TODAY + timedelta(days=1)
    colours = dict(stored(synced, sa.select(m.tempo_days.c.day, m.tempo_days.c.color)))
    for day, when in (("today", TODAY), ("tomorrow", tomorrow)):
        exposed = {c: value(reg, "linky_tempo_color", day=day, color=c) for c in ("blue", "white", "red")}
        assert exposed == {c: float(c == colours[when].lower()) for c in exposed}
    season = [c for d, c in colours.items() if date(2025, 9, 1) <= d <= tomorrow]
    assert len(season) == (tomorrow - date(2025, 9, 1)).days + 1  # every colour of the season up to tomorrow
    quotas = {"red": 22, "white": 43, "blue": (date(2026, 9, 1) - date(2025, 9, 1)).days - 65}
    for colour, quota in quotas.items():
        assert value(reg, "linky_tempo_remaining", color=colour) == quota - season.count(colour.upper())
    levels = dict(stored(synced, sa.select(m.ecowatt_days.c.day, m.ecowatt_days.c.level)))
    assert value(reg, "linky_ecowatt_level", day="today") == levels[TODAY]
    assert value(reg, "linky_ecowatt_level", day="tomorrow") == levels[tomorrow]


def test_unknown_tomorrow_and_unstored_yesterday_are_left_out(synced):
    later = NOON + timedelta(days=400)  # nothing stored for that day, its day before, or the Tempo days around it
    reg = registry(synced, later)
    assert value(reg, "linky_tempo_color", day="tomorrow", color="blue") is None
    assert value(reg, "linky_daily_energy_kwh", pdl=BASE, direction="consumption") is None
    assert value(reg, "linky_max_power_va", pdl=BASE) is None
    assert value(reg, "linky_daily_cost_euros", pdl=BASE) is None
    assert value(reg, "linky_energy_kwh_total", pdl=BASE, direction="consumption") > 0  # the counter stays


def test_only_enabled_usage_points_and_sync_errors(synced):
    with synced.begin() as conn:
        save_preferences(conn, PdlPreferences(BASE, enabled=False))
        repo.set_dataset_state(conn, HCHP, "consumption_daily", last_outcome="error", last_error="quota")
    try:
        reg = registry(synced, NOON)
        assert value(reg, "linky_energy_kwh_total", pdl=BASE, direction="consumption") is None
        assert value(reg, "linky_subscribed_power_kva", pdl=BASE) is None
        assert value(reg, "linky_sync_ok", pdl=HCHP) == 0
        assert value(reg, "linky_sync_ok", pdl=TEMPO) == 1
        assert value(reg, "linky_tempo_remaining", color="red") is not None
    finally:
        with synced.begin() as conn:
            save_preferences(conn, PdlPreferences(BASE, enabled=True))
            repo.set_dataset_state(conn, HCHP, "consumption_daily", last_outcome="ok", last_error="")


def test_custom_labels_are_added_to_every_sample(synced):
    reg = registry(synced, NOON, {"site": "maison", "region": "idf"})
    total = value(reg, "linky_energy_kwh_total", pdl=TEMPO, direction="production", site="maison", region="idf")
    assert total is not None and total == value(registry(synced, NOON), "linky_energy_kwh_total",
                                                pdl=TEMPO, direction="production")
    for family in reg.collect():
        assert family.name + ("_total" if family.type == "counter" else "") in METRICS
        for sample in family.samples:
            assert sample.labels["site"] == "maison" and sample.labels["region"] == "idf", sample
            assert sample.timestamp is None
            assert not any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in sample.labels.values())


# -- the labels field -----------------------------------------------------------------------------------------------
def test_labels_parse():
    assert parse_labels(" site = maison ,compteur=principal, ") == {"site": "maison", "compteur": "principal"}
    assert parse_labels("") == {} and parse_labels(None) == {}


@pytest.mark.parametrize(("text", "pair", "words"), [
    ("site=maison, 1x=y", "« 1x=y »", "nom d'étiquette"),
    ("site", "« site »", "clé=valeur"),
    ("é=1", "« é=1 »", "nom d'étiquette"),
    ("__name__=x", "« __name__=x »", "nom d'étiquette"),
    ("pdl=123", "« pdl=123 »", "déjà posée"),
    ("a=1, a=2", "« a=2 »", "deux fois"),
    ("a=", "« a= »", "vide"),
])
def test_bad_labels_are_a_field_error_naming_the_pair(manager, text, pair, words):
    with pytest.raises(ValueError, match=pair):
        parse_labels(text)
    before = manager.settings("prometheus")
    with pytest.raises(FieldError) as refused:
        manager.save_config("prometheus", {"extra_labels": text}, True)
    errors = refused.value.errors
    assert list(errors) == ["extra_labels"] and pair in errors["extra_labels"] and words in errors["extra_labels"]
    assert manager.settings("prometheus") == before


def test_bad_labels_show_under_the_field_on_the_page(manager, tmp_path):
    client = build_app(manager, tmp_path).test_client()
    page = client.get("/exporters?tab=prometheus").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/exporters/prometheus", data={"csrf_token": token, "enabled": "y",
                                                           "cfg_extra_labels": "site=maison, 2e=étage"})
    assert response.status_code == 400
    error = re.search(r'<span class="problem" id="cfg_extra_labels-error">([^<]+)</span>',
                      response.get_data(as_text=True))
    message = html.unescape(error.group(1)) if error else ""
    assert "« 2e=étage »" in message and "nom d'étiquette" in message
    assert manager.settings("prometheus").enabled is False


# -- the exporter ---------------------------------------------------------------------------------------------------
def test_export_has_nothing_to_send(enabled):
    outcome = enabled.run_exports(NOON, names=["prometheus"], force=True)["prometheus"]
    assert outcome.ok and outcome.items_sent == 0 and "/metrics" in outcome.message


def test_export_reads_no_history_and_keeps_the_marks(enabled, monkeypatch):
    # the first export of a server with many PDLs used to read and price every PDL's whole history for nothing
    with enabled.engine.begin() as conn:
        store.save_marks(conn, "prometheus", {"ledger": "2025-01-01T00:00:00"})
    built = []
    monkeypatch.setattr(changes, "collect", lambda *args: built.append(args))
    outcome = enabled.run_exports(NOON, names=["prometheus"], force=True)["prometheus"]
    with enabled.engine.connect() as conn:
        marks = store.get_marks(conn, "prometheus")
    assert outcome.ok and built == [] and marks == {"ledger": "2025-01-01T00:00:00"}


def test_notes_give_the_scrape_address(manager, tmp_path):
    ingress = manager.notes("prometheus", "http://homeassistant.local:8123/api/hassio_ingress/abc/")
    assert any("http://<hôte>:8081/metrics" in line and "Bearer" in line for line in ingress)
    assert any("ingress" in line for line in ingress) and not any("hassio_ingress" in line for line in ingress)
    [example] = [line.split(" : ", 1)[1] for line in ingress if line.startswith("Par exemple")]
    (tmp_path / "prometheus.yml").write_text(example.replace("<hôte>", "192.168.1.10").replace("<jeton>", "abc"))
    checked = subprocess.run([binary("promtool"), "check", "config", str(tmp_path / "prometheus.yml")],
                             capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    standalone = manager.notes("prometheus", "http://nas.lan:8080/")
    assert standalone[0].endswith("http://nas.lan:8080/metrics")
    assert any("DIRECT_PORT" in line and "API_TOKEN" in line for line in standalone)


def test_prometheus_client_loads_only_when_scraped(tmp_path):
    code = f"""
import sys
from pathlib import Path
from myelectricaldata.config import load_settings
from myelectricaldata.database.migrate import upgrade
from myelectricaldata.database.session import make_engine
from myelectricaldata.exporters import changes, store
from myelectricaldata.exporters.manager import ExporterManager
from myelectricaldata.app import AppServices
from myelectricaldata.web.app import create_app
engine = make_engine("sqlite:///{tmp_path / 'lazy.db'}")
upgrade(engine)
manager = ExporterManager(engine, Path("{tmp_path}"), entry_points=False)
assert "prometheus" in manager.classes
manager.save_config("prometheus", {{}}, True)
app = create_app(load_settings(environ={{"DATA_DIR": "{tmp_path}"}}, options_file=Path("/nonexistent")),
                 AppServices(engine, exporters=manager))
print("before", "prometheus_client" in sys.modules)
assert app.test_client().get("/metrics").status_code == 200
print("after", "prometheus_client" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["before", "False", "after", "True"]


# -- /metrics -------------------------------------------------------------------------------------------------------
def test_metrics_refused_while_the_exporter_is_disabled(manager, tmp_path):
    client = build_app(manager, tmp_path).test_client()
    manager.save_config("prometheus", {"extra_labels": "site=maison"}, False)
    refused = client.get("/metrics")
    assert refused.status_code == 404 and refused.mimetype == "text/plain"
    assert "désactivé" in refused.get_data(as_text=True) and "linky_" not in refused.get_data(as_text=True)
    manager.save_config("prometheus", {"extra_labels": "site=maison"}, True)
    try:
        served = client.get("/metrics")
        assert served.status_code == 200 and served.mimetype == "text/plain"
        assert 'linky_energy_kwh_total{direction="consumption",pdl="99000000000001",site="maison"}' in \
            served.get_data(as_text=True)
    finally:
        manager.save_config("prometheus", {"extra_labels": ""}, False)


def test_a_ui_password_refuses_metrics_from_elsewhere_without_a_redirect(enabled, tmp_path):
    from myelectricaldata.services.access import set_password

    client = build_app(enabled, tmp_path, TRUSTED_NETWORKS="10.0.0.0/8").test_client()
    set_password(enabled.engine, "m0t-de-passe")
    try:
        refused = client.get("/metrics", environ_base={"REMOTE_ADDR": "192.168.1.20"})
        assert refused.status_code == 401 and "Location" not in refused.headers
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
        assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200
    finally:
        set_password(enabled.engine, "")


def test_metrics_speak_openmetrics_when_asked(enabled, tmp_path):
    client = build_app(enabled, tmp_path).test_client()
    response = client.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    assert response.status_code == 200 and response.mimetype == "application/openmetrics-text"
    body = response.get_data(as_text=True)
    assert body.endswith("# EOF\n") and "# TYPE linky_energy_kwh counter" in body


def test_promtool_finds_no_problem_in_the_exposition(synced):
    promtool = binary("promtool")
    body, content_type = exposition(registry(synced, NOON, {"site": "maison"}), None)
    assert content_type.startswith("text/plain; version=0.0.4")
    checked = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True, timeout=30)
    assert checked.returncode == 0 and not checked.stderr.strip() and not checked.stdout.strip(), checked
    samples = [line for line in body.decode().splitlines() if line and not line.startswith("#")]
    assert len(samples) > 40
    assert all(len(line.rsplit("} ", 1)[1].split()) == 1 for line in samples)  # a value, never a timestamp
    assert {line.split("{")[0] for line in samples} == set(METRICS) - {"linky_load_curve_watts"}


@dataclass
class Served:
    main: str
    direct: str


@pytest.fixture(scope="module")
def served(manager, tmp_path_factory) -> Iterator[Served]:
    """The app under waitress in a thread, on a free port and on a direct-access port guarded by ``TOKEN``."""
    from waitress import create_server, wasyncore
    from waitress.trigger import trigger

    main, direct = free_port(), free_port()
    app = build_app(manager, tmp_path_factory.mktemp("served"), DIRECT_PORT=str(direct), API_TOKEN=TOKEN)
    server = create_server(app, listen=f"127.0.0.1:{main} 127.0.0.1:{direct}", threads=2)
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        wait_for(lambda: urllib.request.urlopen(f"http://127.0.0.1:{main}/healthz", timeout=2).read(), 10,
                   "waitress /healthz", lambda: None if thread.is_alive() else "waitress stopped")
        yield Served(f"http://127.0.0.1:{main}", f"http://127.0.0.1:{direct}")
    finally:  # the sockets are closed from the server's own loop, so no select() runs on a closed one
        server.task_dispatcher.shutdown()
        next(d for d in server.map.values() if isinstance(d, trigger)).pull_trigger(
            lambda: wasyncore.close_all(server.map))
        thread.join(10)
        assert not thread.is_alive()


def test_direct_access_listener_needs_the_bearer_token(enabled, served):
    status, body = http_get(f"{served.direct}/metrics")
    assert status == 401 and json.loads(body)["error"]["code"] == "unauthorized"
    assert http_get(f"{served.direct}/metrics", {"Authorization": "Bearer nope"})[0] == 401
    status, body = http_get(f"{served.direct}/metrics", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and 'linky_sync_ok{pdl="99000000000003",site="maison"} 1.0' in body
    assert http_get(f"{served.direct}/exporters", {"Authorization": f"Bearer {TOKEN}"})[0] == 403
    assert http_get(f"{served.main}/metrics")[0] == 200  # loopback, standalone: no token on the app's port
    enabled.save_config("prometheus", {"extra_labels": ""}, False)
    assert http_get(f"{served.direct}/metrics", {"Authorization": f"Bearer {TOKEN}"})[0] == 404


@pytest.mark.slow
def test_a_real_prometheus_scrapes_both_ports(enabled, served, synced, tmp_path):
    prometheus = binary("prometheus")
    main, direct = (urllib.parse.urlsplit(u).netloc for u in (served.main, served.direct))
    config = {"global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
              "scrape_configs": [{"job_name": "app", "static_configs": [{"targets": [main]}]},
                                 {"job_name": "direct", "authorization": {"credentials": TOKEN},
                                  "static_configs": [{"targets": [direct]}]}]}
    (tmp_path / "prometheus.yml").write_text(json.dumps(config))
    port = free_port()
    log = tmp_path / "prometheus.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([prometheus, f"--config.file={tmp_path / 'prometheus.yml'}",
                                 f"--storage.tsdb.path={tmp_path / 'data'}", f"--web.listen-address=127.0.0.1:{port}"],
                                stdout=out, stderr=subprocess.STDOUT)
    api = f"http://127.0.0.1:{port}/api/v1"

    def alive() -> str | None:
        return None if proc.poll() is None else log.read_text(errors="replace")[-3000:]

    def targets_up() -> dict[str, str]:
        targets = json.load(urllib.request.urlopen(f"{api}/targets", timeout=2))["data"]["activeTargets"]
        health = {t["labels"]["job"]: t["health"] for t in targets}
        if health != {"app": "up", "direct": "up"}:
            raise OSError(f"targets not up yet: {[(t['scrapeUrl'], t['health'], t['lastError']) for t in targets]}")
        return health

    def query(promql: str) -> list[dict]:
        url = f"{api}/query?{urllib.parse.urlencode({'query': promql})}"
        result = json.load(urllib.request.urlopen(url, timeout=2))["data"]["result"]
        if len(result) < 2:
            raise OSError(f"{promql}: {result}")
        return result

    try:
        wait_for(lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=2).read(), 20,
                   "prometheus ready", alive)
        wait_for(targets_up, 30, "prometheus targets up", alive)
        d = m.daily_energy
        with synced.connect() as conn:
            wh = conn.scalar(sa.select(sa.func.sum(d.c.wh)).where(d.c.usage_point_id == HCHP,
                                                                   d.c.direction == "consumption"))
        found = wait_for(lambda: query(f'linky_energy_kwh_total{{pdl="{HCHP}",direction="consumption"}}'), 20,
                           "the metric in Prometheus", alive)
        assert {r["metric"]["job"] for r in found} == {"app", "direct"}
        for r in found:
            assert r["metric"]["site"] == "maison" and float(r["value"][1]) == pytest.approx(wh / 1000)
        today = wait_for(lambda: query('linky_tempo_color{day="today"} == 1'), 20, "Tempo in Prometheus", alive)
        with synced.connect() as conn:
            colour = conn.scalar(sa.select(m.tempo_days.c.color).where(m.tempo_days.c.day == TODAY))
        assert {(r["metric"]["job"], r["metric"]["color"]) for r in today} == {("app", colour.lower()),
                                                                                ("direct", colour.lower())}
        for panel_query in queries(load("prometheus")):  # the Grafana dashboard made for this exporter
            variable = re.fullmatch(r"label_values\((\w+), (\w+)\)", panel_query)
            if variable:
                metric, label = variable.groups()
                url = f"{api}/label/{label}/values?{urllib.parse.urlencode({'match[]': metric})}"
                assert set(json.load(urllib.request.urlopen(url, timeout=2))["data"]) == set(PDLS)
                continue
            promql = panel_query.replace("$pdl", ".*").replace("$__range", "1h")
            result = json.load(urllib.request.urlopen(f"{api}/query?{urllib.parse.urlencode({'query': promql})}",
                                                      timeout=2))["data"]["result"]
            assert result, f"no data for the dashboard's query {panel_query}"
    finally:
        stop(proc)
    assert proc.returncode == 0, log.read_text(errors="replace")[-3000:]

