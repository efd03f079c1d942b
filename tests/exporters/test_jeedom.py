"""The Jeedom exporter against the fake Jeedom (tests/support/fakes/jeedom.py), the demo households synced at NOON."""

from __future__ import annotations

import html
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from myelectricaldata.app import AppServices
from myelectricaldata.config import load_settings
from myelectricaldata.exporters import changes
from myelectricaldata.exporters.base import PartialExportError
from myelectricaldata.exporters.jeedom import VALUES, JeedomExporter, local
from myelectricaldata.exporters.manager import ExporterManager
from myelectricaldata.web.app import create_app
from tests.support.fakes.jeedom import (
    CORE_KEY,
    FIXTURES,
    USER_HASH,
    VIRTUAL_KEY,
    Event,
    FakeJeedom,
    load_fixture,
    raw_fixture,
)
from tests.support.net import free_port
from tests.support.syncing import NOON, copy_sqlite, synced_sqlite

BASE, HPHC, TEMPO = "99000000000001", "99000000000002", "99000000000003"
SINCE = date(2025, 10, 20)
EXPORTER = "jeedom"
WRONG_KEY = "not-the-right-key-0123"
IDS = {v.field: 101 + i for i, v in enumerate(VALUES)}  # the fixture's "Linky" info commands, in the order of VALUES
YESTERDAY, TODAY_STAMP = "2025-11-04 00:00:00", "2025-11-05 00:00:00"

# Hand-checked against the demo households synced up to 2025-11-05 (NOON): daily Wh / 1000; slots are watt-minutes of
# the load curve / 60 000 (Tempo BLUE_HP 532 680 -> 8.878; HP/HC 1 282 740 -> 21.379, 1 108 260 -> 18.471); the cost
# is energy plus the day's subscription share, rounded to the cent; Tempo: 2025-11-05 and 06 are blue, with
# 233 / 43 / 22 days left in the 2025-2026 season (300 blue days less the 67 blue ones from 1 September to tomorrow,
# 6 November); EcoWatt level 1 both days.
TEMPO_VALUES = {
    "cmd_consumption_yesterday": ("19.727", YESTERDAY),
    "cmd_consumption_week": ("45.897", YESTERDAY),
    "cmd_consumption_month": ("78.401", YESTERDAY),
    "cmd_consumption_year": ("301.197", YESTERDAY),
    "cmd_hp_yesterday": ("8.878", YESTERDAY),  # Tempo: HP of the three colours
    "cmd_hc_yesterday": ("10.849", YESTERDAY),
    "cmd_blue_hp_yesterday": ("8.878", YESTERDAY),
    "cmd_blue_hc_yesterday": ("10.849", YESTERDAY),
    "cmd_white_hp_yesterday": ("0.000", YESTERDAY),
    "cmd_white_hc_yesterday": ("0.000", YESTERDAY),
    "cmd_red_hp_yesterday": ("0.000", YESTERDAY),
    "cmd_red_hc_yesterday": ("0.000", YESTERDAY),
    "cmd_cost_yesterday": ("3.30", YESTERDAY),  # 1.3263732 + 1.3365968 + 0.6407671 (9 kVA share)
    "cmd_max_power_yesterday": ("4888", "2025-11-04 22:47:55"),
    "cmd_max_power_time": ("22:47", "2025-11-04 22:47:55"),
    "cmd_production_yesterday": ("3.244", YESTERDAY),
    "cmd_tempo_today": ("bleu", TODAY_STAMP),
    "cmd_tempo_tomorrow": ("bleu", TODAY_STAMP),
    "cmd_tempo_remaining_blue": ("233", TODAY_STAMP),
    "cmd_tempo_remaining_white": ("43", TODAY_STAMP),
    "cmd_tempo_remaining_red": ("22", TODAY_STAMP),
    "cmd_ecowatt_today": ("1", TODAY_STAMP),
    "cmd_ecowatt_tomorrow": ("1", TODAY_STAMP),
}


# -- databases and fakes -----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The three demo PDLs synced from SINCE (shared, never written to: each test works on a copy)."""
    folder = tmp_path_factory.mktemp("jeedom-synced")
    with synced_sqlite(folder, [BASE, HPHC, TEMPO], SINCE):
        pass
    return folder / "synced.db"


@pytest.fixture
def db(template, tmp_path):
    engine = copy_sqlite(template, tmp_path / "copy.db")
    yield engine
    engine.dispose()


@pytest.fixture
def jeedom():
    with FakeJeedom(auth_delay=0.2) as fake:
        yield fake


@pytest.fixture
def manager(db, tmp_path):
    made = ExporterManager(db, tmp_path, None, entry_points=False)
    yield made
    made.close()


def settings(fake: FakeJeedom, **extra: Any) -> dict[str, Any]:
    """Every value mapped to its command of the fixture's "Linky" equipment, as a form would submit it."""
    return {"url": fake.url, "api_key": CORE_KEY, "method": "jsonrpc", "send_datetime": True, "timeout": "5",
            **{field: str(cmd_id) for field, cmd_id in IDS.items()}, **extra}


def received(fake: FakeJeedom) -> dict[int, tuple[str, str | None]]:
    return {e.cmd_id: (e.value, e.datetime) for e in fake.events}


def expected(values: dict[str, tuple[str, str]]) -> dict[int, tuple[str, str]]:
    return {IDS[field]: pair for field, pair in values.items()}


def rpc(fake: FakeJeedom, request: dict) -> dict:
    reply = requests.post(fake.endpoint, json=request, timeout=10)
    assert reply.status_code == 200
    return reply.json()


# -- the fake against the reference's quotes ---------------------------------------------------------------------------
def test_every_fixture_names_its_source_in_the_reference():
    names = sorted(p.name for p in FIXTURES.glob("*.json"))
    assert len(names) >= 10
    for name in names:
        assert raw_fixture(name)["_source"].startswith("reference/exporters-and-tariffs.md §3"), name


def test_the_quoted_requests_get_the_quoted_replies(jeedom):
    event = load_fixture("event_request.json")
    assert rpc(jeedom, {**event, "params": {**event["params"], "apikey": CORE_KEY, "id": 101}}) \
        == load_fixture("event_ok.json")
    assert jeedom.events[-1] == Event(101, "12.5", "2024-02-01 23:59:59", "jsonrpc")
    unknown = load_fixture("event_unknown_request.json")
    assert rpc(jeedom, {**unknown, "params": {**unknown["params"], "apikey": CORE_KEY}}) \
        == load_fixture("error_unknown_command.json")
    bad = rpc(jeedom, load_fixture("bad_version_request.json"))
    assert bad["id"] == "3" and bad["error"]["code"] == load_fixture("envelope.json")["no_code"] and "result" not in bad
    assert rpc(jeedom, {"jsonrpc": "2.0", "method": "ping"}) == {"jsonrpc": "2.0", "id": 99999, "result": "pong"}
    assert len(jeedom.events) == 1


@pytest.mark.slow
def test_the_quoted_key_is_refused_after_the_delay_and_counted(jeedom):
    refusal = rpc(jeedom, load_fixture("event_request.json"))  # apikey "K": too short, and not the key
    assert refusal["error"]["message"] == load_fixture("http_api.json")["unauthorized"].format(ip="127.0.0.1")
    assert jeedom.failed_logins == 1 and jeedom.events == []
    with FakeJeedom(auth_delay=0.6, ban_after=2) as slow:
        reply = requests.post(slow.endpoint, json=load_fixture("event_request.json"), timeout=10)
        assert reply.status_code == 200 and reply.elapsed >= timedelta(seconds=0.6)
        requests.post(slow.endpoint, data={"apikey": WRONG_KEY, "type": "cmd", "id": "101"}, timeout=10)
        assert requests.post(slow.endpoint, json={"jsonrpc": "2.0", "method": "ping"}, timeout=10).status_code == 404


def test_the_equipment_has_the_quoted_shapes_and_the_readme_commands(jeedom):
    eq_keys, cmd_keys = set(load_fixture("eqlogic.json")), set(load_fixture("cmd.json"))
    equipment = load_fixture("equipment.json")
    for eq in equipment["eqLogics"]:
        assert set(eq) == eq_keys and isinstance(eq["id"], str) and eq["isEnable"] in ("0", "1")
    eq_ids = {eq["id"] for eq in equipment["eqLogics"]}
    for cmd in equipment["cmds"]:
        assert set(cmd) == cmd_keys and isinstance(cmd["id"], str) and cmd["eqLogic_id"] in eq_ids
    linky = [c for c in equipment["cmds"] if c["eqLogic_id"] == "12" and c["type"] == "info"]
    assert [(int(c["id"]), c["name"]) for c in linky] == [(IDS[v.field], v.command) for v in VALUES]
    readme = (Path(__file__).parents[2] / "addon" / "jeedom" / "README.md").read_text(encoding="utf-8")
    for v in VALUES:
        assert f"| {v.command} |" in readme, v.command
    reply = rpc(jeedom, {"jsonrpc": "2.0", "id": "7", "method": "cmd::byEqLogicId",
                         "params": {"apikey": CORE_KEY, "eqLogic_id": 12}})
    assert [c["id"] for c in reply["result"]] == [str(i) for i in range(101, 126)]


def test_the_http_api_answers_plain_text_with_http_200(jeedom):
    texts = load_fixture("http_api.json")

    def call(**form: str) -> str:
        reply = requests.post(jeedom.endpoint, data=form, timeout=10)
        assert reply.status_code == 200
        return reply.text

    assert call(apikey=VIRTUAL_KEY, plugin="virtual", type="event", id="101", value="7.5") == ""
    assert call(apikey=USER_HASH, plugin="virtual", type="event", id="102", value="8") == ""
    assert call(apikey=CORE_KEY, plugin="virtual", type="event", id="103", value="9") == texts["unauthorized"].format(
        ip="127.0.0.1")  # the core key does not open the virtual plugin
    assert call(apikey=VIRTUAL_KEY, plugin="virtual", type="event", id="999", value="1") == \
        texts["unknown_command"].format(id="999")
    assert call(apikey=CORE_KEY, type="virtual", id="104", value="3") == ""  # legacy URL: no effect
    assert call(apikey=CORE_KEY, type="cmd", id="105", value="4.2") == "4.2"
    assert call(apikey=CORE_KEY, type="cmd", id="999") == texts["unknown_command"].format(id="999")
    assert [(e.cmd_id, e.value, e.via) for e in jeedom.events] == [(101, "7.5", "virtual"), (102, "8", "virtual"),
                                                                    (105, "4.2", "http")]
    assert rpc(jeedom, {"jsonrpc": "2.0", "id": "1", "method": "cmd::event",
                        "params": {"apikey": CORE_KEY, "id": 201, "value": "21"}})["result"] == "ok"
    assert rpc(jeedom, {"jsonrpc": "2.0", "id": "2", "method": "cmd::event",
                        "params": {"apikey": CORE_KEY, "id": 125, "value": "1"}})["result"] == "ok"
    assert jeedom.ignored == [(201, "21"), (125, "1")] and len(jeedom.events) == 3  # disabled equipment, action


# -- the mapping -------------------------------------------------------------------------------------------------------
def test_each_value_of_the_tempo_pdl_reaches_its_command(db, jeedom):
    batch, _ = changes.collect(db, {}, NOON)
    exporter = JeedomExporter({**settings(jeedom), "pdl": TEMPO, "timeout": 5.0})
    result = exporter.export(batch)
    exporter.disconnect()
    assert result.items_sent == len(VALUES) == 24 and TEMPO in result.message
    got = received(jeedom)
    [state] = [up for up in batch.snapshot.usage_points if up.usage_point_id == TEMPO]
    synced = local(state.last_sync_at)
    assert got.pop(IDS["cmd_last_sync"]) == (synced.strftime("%d/%m/%Y %H:%M"), synced.strftime("%Y-%m-%d %H:%M:%S"))
    assert got == expected(TEMPO_VALUES)
    assert {e.via for e in jeedom.events} == {"jsonrpc"}
    assert all(r.body["params"]["apikey"] == CORE_KEY for r in jeedom.requests)


def test_an_older_maximum_power_is_not_sent_as_yesterdays(db):
    from dataclasses import replace

    from myelectricaldata.exporters.jeedom import readings

    snapshot = changes.collect(db, {}, NOON)[0].snapshot
    up = next(u for u in snapshot.usage_points if u.usage_point_id == TEMPO)
    assert "cmd_max_power_yesterday" in readings(snapshot, up)
    older = replace(up, max_power=replace(up.max_power, day=up.max_power.day - timedelta(days=3)))
    assert "cmd_max_power_yesterday" not in readings(snapshot, older)
    assert "cmd_max_power_time" not in readings(snapshot, older)


@pytest.mark.slow
def test_the_first_enabled_pdl_by_default_and_the_hp_hc_split(db, jeedom):
    batch, _ = changes.collect(db, {}, NOON)
    JeedomExporter({**settings(jeedom), "timeout": 5.0}).export(batch)
    base = received(jeedom)
    assert base[IDS["cmd_consumption_yesterday"]] == ("8.656", YESTERDAY)
    assert base[IDS["cmd_cost_yesterday"]] == ("2.20", YESTERDAY)  # 1.6896512 + 0.5086027 (6 kVA share)
    unsent = {IDS[f] for f in ("cmd_hp_yesterday", "cmd_hc_yesterday", "cmd_blue_hp_yesterday",
                                "cmd_production_yesterday")}
    assert not unsent & set(base)  # Base option, no production: nothing to send there
    jeedom.events.clear()
    JeedomExporter({**settings(jeedom), "pdl": HPHC, "timeout": 5.0}).export(batch)
    hphc = received(jeedom)
    assert hphc[IDS["cmd_hp_yesterday"]] == ("21.379", YESTERDAY)
    assert hphc[IDS["cmd_hc_yesterday"]] == ("18.471", YESTERDAY)
    assert hphc[IDS["cmd_cost_yesterday"]] == ("8.12", YESTERDAY)  # 4.4489699 + 3.0200085 + 0.6512877
    assert hphc[IDS["cmd_max_power_yesterday"]] == ("5269", "2025-11-04 13:16:40")
    assert hphc[IDS["cmd_max_power_time"]] == ("13:16", "2025-11-04 13:16:40")
    assert IDS["cmd_blue_hp_yesterday"] not in hphc


def test_undated_values_when_asked(db, jeedom):
    batch, _ = changes.collect(db, {}, NOON)
    JeedomExporter({**settings(jeedom), "send_datetime": False, "timeout": 5.0}).export(batch)
    assert jeedom.events and all(e.datetime is None for e in jeedom.events)
    assert all("datetime" not in r.body["params"] for r in jeedom.requests)


def test_an_unknown_pdl_still_sends_tempo_and_ecowatt_then_says_so(db, jeedom):
    batch, _ = changes.collect(db, {}, NOON)
    with pytest.raises(PartialExportError, match="le PDL 12345678901234 est inconnu"):
        JeedomExporter({**settings(jeedom), "pdl": "12345678901234", "timeout": 5.0}).export(batch)
    assert received(jeedom)[IDS["cmd_tempo_today"]] == ("bleu", TODAY_STAMP)
    assert IDS["cmd_consumption_yesterday"] not in received(jeedom)


# -- through the manager -----------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_every_export_pushes_the_current_values_through_the_manager(manager, jeedom):
    manager.save_config(EXPORTER, settings(jeedom, pdl=TEMPO), enabled=True)
    first = manager.run_exports(NOON)[EXPORTER]
    assert first.ok and first.items_sent == 24, first.error
    values = {cmd_id: value for cmd_id, (value, _) in expected(TEMPO_VALUES).items()}
    assert {k: v for k, v in jeedom.values().items() if k != IDS["cmd_last_sync"]} == values
    later = manager.run_exports(NOON + timedelta(hours=1), force=True)[EXPORTER]
    assert later.ok and later.items_sent == 24 and len(jeedom.events) == 48  # nothing changed: sent again anyway
    status = manager.status(EXPORTER)
    assert status.last_error == "" and status.items_sent == 24 and status.retry_at is None


def test_a_wrong_key_is_a_clear_status_with_a_retry_and_stops_at_once(manager, jeedom):
    manager.save_config(EXPORTER, settings(jeedom, api_key=WRONG_KEY), enabled=True)
    outcome = manager.run_exports(NOON)[EXPORTER]
    assert not outcome.ok and outcome.retry_at is not None
    assert "refuse la clé API" in outcome.error and jeedom.endpoint in outcome.error and WRONG_KEY not in outcome.error
    status = manager.status(EXPORTER)
    assert status.last_error == outcome.error and status.retry_at == outcome.retry_at and status.failures == 1
    assert len(jeedom.requests) == 1 and jeedom.failed_logins == 1 and jeedom.events == []  # one 5 s sleep, not 24


def test_a_key_shorter_than_jeedom_accepts_is_refused_without_asking(manager, jeedom):
    manager.save_config(EXPORTER, settings(jeedom, api_key="abc"), enabled=True)
    outcome = manager.run_exports(NOON)[EXPORTER]
    assert not outcome.ok and "au moins 16 caractères" in outcome.error and outcome.retry_at is not None
    assert jeedom.requests == [] and jeedom.failed_logins == 0


def test_an_unknown_command_id_fails_alone_and_is_named(manager, jeedom):
    manager.save_config(EXPORTER, settings(jeedom, pdl=TEMPO, cmd_cost_yesterday="999"), enabled=True)
    outcome = manager.run_exports(NOON)[EXPORTER]
    assert not outcome.ok and outcome.retry_at is not None
    assert "Coût hier : commande 999 introuvable" in outcome.error and "Commande introuvable : 999" in outcome.error
    assert "23 valeur(s) envoyée(s), 1 refusée(s)" in outcome.error and jeedom.endpoint in outcome.error
    sent = {k: v for k, v in received(jeedom).items() if k != IDS["cmd_last_sync"]}
    assert sent == {k: v for k, v in expected(TEMPO_VALUES).items() if k != IDS["cmd_cost_yesterday"]}


@pytest.mark.slow
@pytest.mark.parametrize("cause", ["no answer", "slow key refusal"])
def test_a_time_out_is_a_clear_status(manager, cause):
    with FakeJeedom(auth_delay=3) as fake:
        key = CORE_KEY
        if cause == "no answer":
            fake.hang = True
        else:
            key = WRONG_KEY
        manager.save_config(EXPORTER, settings(fake, api_key=key, timeout="1"), enabled=True)
        outcome = manager.run_exports(NOON)[EXPORTER]
        fake.hang = False
    assert not outcome.ok and outcome.retry_at is not None
    assert f"Jeedom ({fake.endpoint}) n'a pas répondu en 1 s" in outcome.error
    assert "Une clé API refusée fait attendre Jeedom 5 s" in outcome.error and len(fake.requests) == 1


def test_an_unreachable_host_is_a_clear_status(manager):
    url = f"http://127.0.0.1:{free_port()}"
    manager.save_config(EXPORTER, {"url": url, "api_key": CORE_KEY, "cmd_tempo_today": "118"}, enabled=True)
    outcome = manager.run_exports(NOON)[EXPORTER]
    assert not outcome.ok and outcome.retry_at is not None
    assert f"Jeedom injoignable à {url}/core/api/jeeApi.php : connexion refusée" in outcome.error


def test_a_password_in_the_url_is_never_shown(manager):
    port = free_port()
    manager.save_config(EXPORTER, {"url": f"http://admin:hunter2@127.0.0.1:{port}", "api_key": CORE_KEY,
                                   "cmd_tempo_today": "118"}, enabled=True)
    outcome = manager.run_exports(NOON)[EXPORTER]
    assert f"http://admin:***@127.0.0.1:{port}/core/api/jeeApi.php" in outcome.error
    assert "hunter2" not in outcome.error and "hunter2" not in manager.status(EXPORTER).last_error


def test_a_banned_address_is_explained(manager):
    with FakeJeedom(auth_delay=0, ban_after=1) as fake:
        manager.save_config(EXPORTER, settings(fake, api_key=WRONG_KEY), enabled=True)
        assert "refuse la clé API" in manager.run_exports(NOON)[EXPORTER].error
        manager.save_config(EXPORTER, settings(fake), enabled=True)
        outcome = manager.run_exports(NOON)[EXPORTER]
    assert not outcome.ok and "404" in outcome.error and "bannie" in outcome.error


def test_test_connection_names_the_version_or_the_problem(manager, jeedom):
    ok, message = manager.test_connection(EXPORTER, settings(jeedom))
    assert ok and "Jeedom 4.5.3" in message and "24 commande(s)" in message
    ok, message = manager.test_connection(EXPORTER, settings(jeedom, method="virtual", api_key=VIRTUAL_KEY))
    assert ok and "plugin Virtuel accepte la clé" in message and jeedom.events == []
    ok, message = manager.test_connection(EXPORTER, settings(jeedom, api_key=WRONG_KEY))
    assert not ok and "refuse la clé API" in message and WRONG_KEY not in message
    ok, message = manager.test_connection(EXPORTER, settings(jeedom, url=jeedom.url + "/jeedom"))
    assert not ok and "404" in message


# -- the virtual plugin's event URL ------------------------------------------------------------------------------------
def test_the_virtual_event_url_pushes_undated_values_and_reports_its_text_errors(db, jeedom):
    batch, _ = changes.collect(db, {}, NOON)
    exporter = JeedomExporter({**settings(jeedom), "method": "virtual", "api_key": VIRTUAL_KEY, "pdl": TEMPO,
                               "cmd_production_yesterday": 999, "timeout": 5.0})
    with pytest.raises(PartialExportError) as failure:
        exporter.export(batch)
    assert "Production hier : commande 999 refusée par le plugin Virtuel" in str(failure.value)
    assert "Aucune commande correspondant à l'ID : 999" in str(failure.value)
    assert {e.via for e in jeedom.events} == {"virtual"} and all(e.datetime is None for e in jeedom.events)
    got = {k: v for k, (v, _) in received(jeedom).items() if k != IDS["cmd_last_sync"]}
    assert got == {k: v for k, (v, _) in expected(TEMPO_VALUES).items() if k != IDS["cmd_production_yesterday"]}
    assert all("apikey" not in r.path for r in jeedom.requests)  # the key travels in the form, not in the URL


# -- lookup ------------------------------------------------------------------------------------------------------------
def test_lookup_lists_the_info_commands_for_every_field(manager, jeedom):
    found, error = manager.lookup(EXPORTER, {"url": jeedom.url, "api_key": CORE_KEY})
    assert error == "" and set(found) == set(IDS)
    for field, cmd_id in IDS.items():
        assert found[field][0][0] == str(cmd_id), field  # the command named as the README suggests comes first
        assert {value for value, _ in found[field]} == {str(i) for i in range(101, 125)} | {"201"}  # no action
    labels = dict(found["cmd_consumption_yesterday"])
    assert labels["101"] == "Linky › Consommation hier (info/numeric)"
    assert labels["117"] == "Linky › Dernière synchro (info/string)"
    assert labels["201"] == "Salon › Température (info/numeric) [équipement désactivé]"
    assert [r.body["method"] for r in jeedom.requests] == ["eqLogic::all", "cmd::byEqLogicId", "cmd::byEqLogicId"]
    assert manager.settings(EXPORTER).config is None


def test_lookup_with_the_virtual_key_says_which_key_it_needs(manager, jeedom):
    found, error = manager.lookup(EXPORTER, {"url": jeedom.url, "api_key": VIRTUAL_KEY, "method": "virtual"})
    assert found == {} and "refuse la clé API" in error and "la clé du plugin Virtuel ne l'ouvre pas" in error


def test_the_lookup_button_offers_the_commands_in_each_field(db, manager, jeedom, tmp_path):
    app = create_app(load_settings(environ={"DATA_DIR": str(tmp_path)}, options_file=Path("/nonexistent")),
                     AppServices(db, exporters=manager))
    app.config["TESTING"] = True
    client = app.test_client()
    page = client.get("/exporters?tab=jeedom").get_data(as_text=True)
    assert "Chercher dans la cible" in page and "addon/jeedom/README.md" in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "cfg_url": jeedom.url, "cfg_api_key": CORE_KEY, "cfg_method": "jsonrpc",
            "cfg_timeout": "5"}
    response = client.post("/exporters/jeedom/lookup", data=form)
    text = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and "Recherche dans la cible : les valeurs trouvées" in text
    for field in IDS:
        assert f'list="found-cfg_{field}"' in text, field
    assert '<option value="101">Linky › Consommation hier (info/numeric)</option>' in text
    assert "<option value=\"118\">Linky › Tempo aujourd'hui (info/string)</option>" in text
    assert manager.settings(EXPORTER).config is None
    form["cfg_api_key"] = WRONG_KEY
    failed = html.unescape(client.post("/exporters/jeedom/lookup", data=form).get_data(as_text=True))
    assert "Recherche dans la cible : échec" in failed and "refuse la clé API" in failed and WRONG_KEY not in failed


def test_the_schema_has_one_optional_command_field_per_value():
    fields = {f.name: f for f in JeedomExporter.config_schema}
    assert [f for f in fields if f.startswith("cmd_")] == list(IDS)
    assert all(fields[f].type == "int" and not fields[f].required for f in IDS)
    assert fields["api_key"].type == "password" and fields["method"].choices == ("jsonrpc", "virtual")
    assert json.dumps([f.label for f in JeedomExporter.config_schema], ensure_ascii=False).count("id de commande") == 24
