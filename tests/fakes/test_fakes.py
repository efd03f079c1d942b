"""The fakes of Home Assistant and of the Supervisor against the quoted payloads kept in tests/fixtures/ha/."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests
import websocket

from tests.support.fakes import FIXTURES, load_fixture, raw_fixture
from tests.support.fakes.ha_websocket import FakeHomeAssistant
from tests.support.fakes.supervisor import FakeSupervisor

CONSUMPTION = "my_energy:12345678901234_consumption"
COST = "my_energy:12345678901234_cost"
NEW_FIXTURES = sorted(p.name for p in FIXTURES.glob("*.json")
                      if p.name not in ("history_pv_total.json", "state_pv_total.json"))


class Session:
    """A synchronous websocket-client session that authenticates, then numbers its commands."""

    def __init__(self, url: str, token: str) -> None:
        self.ws = websocket.create_connection(url, timeout=5)
        self.hello = self.receive()
        self.send({**load_fixture("ws_auth.json"), "access_token": token})
        self.auth = self.receive()
        self.next_id = 1

    def send(self, message: object) -> None:
        self.ws.send(json.dumps(message))

    def receive(self) -> dict:
        return json.loads(self.ws.recv())

    def request(self, message: dict) -> dict:
        """Send ``message`` under the next id; its reply."""
        self.send({**message, "id": self.next_id})
        self.next_id += 1
        return self.receive()

    def command(self, kind: str, **payload: object) -> dict:
        return self.request({"type": kind, **payload})

    def close(self) -> None:
        self.ws.close()


@pytest.fixture
def ha() -> Iterator[FakeHomeAssistant]:
    with FakeHomeAssistant() as fake:
        yield fake


def session(fake: FakeHomeAssistant) -> Session:
    s = Session(fake.ws_url, fake.token)
    assert s.auth["type"] == "auth_ok"
    return s


def shape(message: dict) -> dict:
    """A message's keys with the types of its values, to compare with a fixture's."""
    return {key: type(value) for key, value in message.items()}


def assert_closed(s: Session) -> None:
    """The server closed the socket: websocket-client reads the close frame as an empty message, then fails."""
    try:
        assert s.ws.recv() in ("", b"")
    except (websocket.WebSocketConnectionClosedException, ConnectionError):
        return
    with pytest.raises((websocket.WebSocketConnectionClosedException, ConnectionError)):
        s.ws.recv()


def test_every_new_fixture_names_its_source_in_the_reference():
    assert len(NEW_FIXTURES) >= 15
    for name in NEW_FIXTURES:
        assert raw_fixture(name)["_source"].startswith("reference/home-assistant.md §"), name


def test_handshake_is_the_quoted_one(ha):
    s = session(ha)
    assert s.hello == {**load_fixture("ws_auth_required.json"), "ha_version": "2026.11.0"}
    assert s.auth == load_fixture("ws_auth_ok.json")
    assert ha.received == [] and ha.connections == 1


@pytest.mark.parametrize("refuse", ["wrong token", "switch"])
def test_a_refused_token_gets_auth_invalid_then_the_socket_closes(ha, refuse):
    token = "not-the-token" if refuse == "wrong token" else ha.token
    ha.refuse_auth = refuse == "switch"
    s = Session(ha.ws_url, token)
    assert s.auth == load_fixture("ws_auth_invalid.json")
    assert_closed(s)


def test_a_malformed_auth_message_is_refused(ha):
    ws = websocket.create_connection(ha.ws_url, timeout=5)
    ws.recv()
    ws.send(json.dumps({"type": "login", "access_token": ha.token}))
    answer = json.loads(ws.recv())
    assert answer["type"] == "auth_invalid" and answer["message"].startswith("Auth message incorrectly formatted")
    ws.close()


def test_results_and_errors_have_the_quoted_envelope_and_ids_must_increase(ha):
    s = session(ha)
    ok = s.command("recorder/clear_statistics", statistic_ids=[CONSUMPTION])
    assert ok == {**load_fixture("ws_result_ok.json"), "id": 1}
    s.send({"id": 1, "type": "get_config"})
    assert s.receive() == load_fixture("ws_result_error.json")
    s.send({"id": 7, "type": "recorder/no_such_command"})
    assert s.receive()["error"] == {"code": "unknown_command", "message": "Unknown command."}
    s.send({"id": 7, "type": "ping"})
    assert s.receive() == {"id": 7, "type": "pong"}  # an unknown command does not use up its id, as in HA
    s.send({"type": "ping"})
    assert s.receive()["error"]["code"] == "invalid_format"
    assert len(ha.received) == 5


def test_get_config_has_the_keys_of_ha_config_with_the_fake_settings():
    with FakeHomeAssistant(version="2025.4.4", time_zone="America/New_York", currency="USD") as fake:
        result = session(fake).command("get_config")["result"]
        assert set(result) == set(load_fixture("core_api_config.json"))
        assert (result["time_zone"], result["currency"], result["version"]) == ("America/New_York", "USD", "2025.4.4")
        assert isinstance(result["unit_system"], dict)
        rest = requests.get(fake.url + "/api/config", headers={"Authorization": f"Bearer {fake.token}"}, timeout=5)
        assert rest.json() == result
        assert requests.get(fake.url + "/api/config", timeout=5).status_code == 401


@pytest.mark.parametrize(("fixture", "version", "refusal"), [
    ("import_statistics_2026_11.json", "2026.11.0", None),
    ("import_statistics_2026_11.json", "2025.11.0", None),
    ("import_statistics_2026_11.json", "2025.4.4", ["extra keys not allowed @ data['metadata']['mean_type']. Got 0",
                                                    "extra keys not allowed @ data['metadata']['unit_class']. "
                                                    "Got 'energy'",
                                                    "required key not provided @ data['metadata']['has_mean']. "
                                                    "Got None"]),
    ("import_statistics_2025_11.json", "2026.11.0", ["extra keys not allowed @ data['metadata']['has_mean']. "
                                                     "Got False"]),
    ("import_statistics_2025_11.json", "2025.11.0", None),
    ("import_statistics_2025_11.json", "2025.4.4", ["extra keys not allowed @ data['metadata']['mean_type']. Got 0",
                                                    "extra keys not allowed @ data['metadata']['unit_class']. "
                                                    "Got 'energy'"]),
    ("import_statistics_2025_4.json", "2026.11.0", ["extra keys not allowed @ data['metadata']['has_mean']. Got False",
                                                    "required key not provided @ data['metadata']['mean_type']. "
                                                    "Got None",
                                                    "required key not provided @ data['metadata']['unit_class']. "
                                                    "Got None"]),
    ("import_statistics_2025_4.json", "2025.11.0", None),
    ("import_statistics_2025_4.json", "2025.4.4", None),
])
def test_import_metadata_is_validated_like_the_announced_version(fixture, version, refusal):
    command = load_fixture(fixture)
    with FakeHomeAssistant(version=version) as fake:
        s = session(fake)
        reply = s.request(command)
        if refusal is None:
            assert reply == {**load_fixture("ws_result_ok.json"), "id": 1}
            assert [row["sum"] for row in fake.statistics(CONSUMPTION)] == [0.42, 0.8]
            assert fake.imports == [{**command, "id": 1}]
        else:
            assert reply["success"] is False
            assert reply["error"] == {"code": "invalid_format", "message": "\n".join(refusal)}
            assert fake.statistics(CONSUMPTION) == [] and fake.imports == []
            assert fake.rejected[0]["error"]["code"] == "invalid_format"


def stats_with(**changes: object) -> dict:
    command = copy.deepcopy(load_fixture("import_statistics_2026_11.json"))
    stats = changes.pop("stats", None)
    command["metadata"].update(changes)
    if stats is not None:
        command["stats"] = stats
    return command


@pytest.mark.parametrize(("command", "message"), [
    (stats_with(stats=[{"start": "2026-01-01T00:00:00", "sum": 1.0}]), "Naive timestamp"),
    (stats_with(stats=[{"start": "2026-01-01T00:30:00+01:00", "sum": 1.0}]),
     "Invalid timestamp: timestamps must be from the top of the hour"),
    (stats_with(stats=[{"start": "2026-01-01T00:00:00+01:00", "sum": 1.0},
                       {"start": "2026-01-01T01:00:01+01:00", "sum": 2.0}]), "Invalid timestamp"),
    (stats_with(source="linky"), "Invalid source"),
    (stats_with(source=""), "Invalid source"),
    (stats_with(statistic_id="My_energy:1234"), "Invalid statistic_id"),
    (stats_with(statistic_id="my_energy:_1234"), "Invalid statistic_id"),
    (stats_with(statistic_id="my_energy:1234_"), "Invalid statistic_id"),
    (stats_with(statistic_id="my_energy:12__34"), "Invalid statistic_id"),
    (stats_with(statistic_id="my_energy_1234"), "Invalid statistic_id"),
    (stats_with(statistic_id="sensor.linky", source="my_energy"), "Invalid source"),
    (stats_with(unit_of_measurement="W"), "Unsupported unit_of_measurement 'W' for unit_class 'energy'"),
    (stats_with(unit_class="money"), "Unsupported unit_class: 'money'"),
])
def test_the_recorder_refuses_bad_rows_ids_sources_and_units(ha, command, message):
    reply = session(ha).request(command)
    assert reply["success"] is False
    assert reply["error"]["code"] == "home_assistant_error"
    assert reply["error"]["message"].startswith(message)
    assert ha.imports == [] and ha.statistics(command["metadata"]["statistic_id"]) == []


def test_schema_errors_name_the_faulty_row(ha):
    reply = session(ha).request(stats_with(stats=[{"start": "yesterday", "sum": "1", "cost": 2}]))
    assert reply["error"]["code"] == "invalid_format"
    assert reply["error"]["message"].splitlines() == [
        "Invalid datetime specified: yesterday @ data['stats'][0]['start']. Got 'yesterday'",
        "expected float @ data['stats'][0]['sum']. Got '1'",
        "extra keys not allowed @ data['stats'][0]['cost']. Got 2"]


def test_a_cost_statistic_in_the_currency_with_no_unit_class_is_accepted(ha):
    command = load_fixture("import_statistics_cost_2026_11.json")
    assert session(ha).request(command)["success"] is True
    assert ha.metadata(COST) == {**command["metadata"]}
    assert [row["sum"] for row in ha.statistics(COST)] == [0.09, 0.17]


def test_import_upserts_by_utc_start_and_updates_metadata(ha):
    s = session(ha)
    assert s.request(load_fixture("import_statistics_2026_11.json"))["success"]
    again = stats_with(name="Renamed", stats=[{"start": "2025-12-31T23:00:00+00:00", "state": 0.5, "sum": 0.5},
                                              {"start": "2026-01-01T02:00:00+01:00", "state": 0.1, "sum": 0.9}])
    assert s.request(again)["success"]
    rows = ha.statistics(CONSUMPTION)
    assert [(row["start"], row["sum"], row["state"]) for row in rows] == [
        (datetime(2025, 12, 31, 23, tzinfo=UTC), 0.5, 0.5),
        (datetime(2026, 1, 1, 0, tzinfo=UTC), 0.8, 0.38),
        (datetime(2026, 1, 1, 1, tzinfo=UTC), 0.9, 0.1)]
    assert ha.metadata(CONSUMPTION)["name"] == "Renamed"
    assert len(ha.imports) == 2 and ha.imports[1]["stats"] == again["stats"]


def test_the_two_utc_hours_of_a_fall_back_local_02_00_stay_two_rows(ha):
    command = stats_with(stats=[{"start": "2026-10-25T02:00:00+02:00", "sum": 1.0},
                                {"start": "2026-10-25T02:00:00+01:00", "sum": 2.0}])
    assert session(ha).request(command)["success"]
    assert [row["start"].hour for row in ha.statistics(CONSUMPTION)] == [0, 1]


def test_statistics_during_period_returns_the_quoted_reply_for_what_was_imported(ha):
    s = session(ha)
    s.request(load_fixture("import_statistics_2026_11.json"))
    reply = s.request(load_fixture("statistics_during_period_request.json"))
    expected = load_fixture("statistics_during_period_reply.json")
    assert reply["id"] == expected["id"] and reply["success"] is True
    got, want = reply["result"][CONSUMPTION], expected["result"][CONSUMPTION]
    assert [set(row) for row in got] == [set(row) for row in want]
    for row, quoted in zip(got, want, strict=True):
        assert {k: v for k, v in row.items()} == pytest.approx(quoted)
        assert isinstance(row["start"], int) and isinstance(row["end"], int)


def test_statistics_during_period_window_types_and_errors(ha):
    s = session(ha)
    s.request(load_fixture("import_statistics_2026_11.json"))
    ask = {"type": "recorder/statistics_during_period", "statistic_ids": [CONSUMPTION], "period": "hour"}
    before = s.request({**ask, "start_time": "2025-12-01T00:00:00+01:00", "end_time": "2026-01-01T01:00:00+01:00",
                        "types": ["sum"]})["result"]
    assert before == {CONSUMPTION: [{"start": 1767222000000, "end": 1767225600000, "sum": 0.42}]}
    everything = s.request({**ask, "start_time": "2026-01-01T01:00:00+01:00"})["result"][CONSUMPTION]
    assert set(everything[0]) == {"start", "end", "change", "last_reset", "max", "mean", "min", "state", "sum"}
    assert everything[0]["change"] == pytest.approx(0.38)  # measured against the row before start_time
    assert s.request({**ask, "start_time": "2026-02-01T00:00:00Z"})["result"] == {}
    in_wh = s.request({**ask, "start_time": "2026-01-01T00:00:00+01:00", "units": {"energy": "Wh"},
                       "types": ["sum"]})["result"][CONSUMPTION]
    assert [row["sum"] for row in in_wh] == pytest.approx([420.0, 800.0])
    daily = s.request({**ask, "period": "day", "start_time": "2025-12-31T00:00:00+01:00"})["result"][CONSUMPTION]
    assert [(row["start"], row["sum"]) for row in daily] == [(1767222000000, 0.8)]  # Paris midnight
    assert s.request({**ask, "start_time": "not a date"})["error"] == {"code": "invalid_start_time",
                                                                       "message": "Invalid start_time"}
    missing = s.request(ask)["error"]
    assert missing == {"code": "invalid_format",
                       "message": "required key not provided @ data['start_time']. Got None"}
    bad_type = s.request({**ask, "start_time": "2026-01-01T00:00:00Z", "types": ["total"]})["error"]
    assert bad_type["code"] == "invalid_format"


def test_list_and_metadata_replies_have_the_quoted_items_and_clear_removes(ha):
    s = session(ha)
    s.request(load_fixture("import_statistics_2026_11.json"))
    quoted = load_fixture("list_statistic_ids_reply.json")
    assert s.command("recorder/list_statistic_ids", statistic_type="sum") == {**quoted, "id": 2}
    assert s.command("recorder/list_statistic_ids", statistic_type="mean")["result"] == []
    assert s.command("recorder/get_statistics_metadata", statistic_ids=[CONSUMPTION])["result"] == quoted["result"]
    assert s.command("recorder/clear_statistics", statistic_ids=[CONSUMPTION])["success"] is True
    assert s.command("recorder/get_statistics_metadata")["result"] == []
    assert ha.statistics(CONSUMPTION) == []


def test_the_next_imports_can_be_made_to_fail(ha):
    ha.fail_next_imports(2, message="Database is locked")
    s = session(ha)
    command = load_fixture("import_statistics_2026_11.json")
    for _ in range(2):
        assert s.request(command)["error"] == {"code": "home_assistant_error", "message": "Database is locked"}
    assert s.request(command)["success"] is True
    assert len(ha.imports) == 1 and len(ha.rejected) == 2


def test_a_frame_over_4_mib_closes_the_socket(ha):
    s = session(ha)
    s.send({"id": 1, "type": "ping", "pad": "x" * (4 * 1024 * 1024)})
    assert_closed(s)


@pytest.fixture
def supervisor() -> Iterator[FakeSupervisor]:
    with FakeSupervisor() as fake:
        yield fake


def get(fake: FakeSupervisor, path: str, token: str | None = "supervisor-token") -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(fake.url + path, headers=headers, timeout=5)


def test_services_mqtt_is_the_quoted_payload(supervisor):
    reply = get(supervisor, "/services/mqtt")
    assert reply.status_code == 200 and reply.headers["Content-Type"] == "application/json"
    assert reply.json() == load_fixture("supervisor_services_mqtt.json")
    assert supervisor.requests[-1].route == "/services/mqtt"
    assert supervisor.requests[-1].headers["Authorization"] == "Bearer supervisor-token"


def test_a_given_broker_gets_the_supervisor_defaults():
    with FakeSupervisor(mqtt={"host": "127.0.0.1", "port": 1883}) as fake:
        data = get(fake, "/services/mqtt").json()["data"]
    assert data == {"addon": "core_mosquitto", "host": "127.0.0.1", "port": 1883, "ssl": False, "protocol": "3.1.1"}
    with pytest.raises(ValueError):
        FakeSupervisor(mqtt={"host": "x", "port": 1, "tls": True})


@pytest.mark.parametrize(("kwargs", "fixture"), [
    ({"mqtt": None}, "supervisor_mqtt_not_enabled.json"),
    ({"mqtt_status": 400}, "supervisor_mqtt_not_enabled.json"),
    ({"mqtt_status": 403}, "supervisor_mqtt_no_access.json"),
    ({"mqtt": None, "mqtt_status": 403}, "supervisor_mqtt_no_access.json"),
])
def test_services_mqtt_refusals_are_the_quoted_errors(kwargs, fixture):
    with FakeSupervisor(**kwargs) as fake:
        reply = get(fake, "/services/mqtt")
    assert reply.status_code == raw_fixture(fixture)["_status"]
    assert reply.json() == load_fixture(fixture)


def test_the_supervisor_refuses_a_missing_or_unknown_token(supervisor):
    missing = get(supervisor, "/services/mqtt", token=None)
    assert (missing.status_code, missing.text) == (401, "401: Unauthorized")
    assert get(supervisor, "/services/mqtt", token="other").status_code == 403
    assert get(supervisor, "/core/api/config", token="other").status_code == 401
    assert get(supervisor, "/core/api/config", token=None).status_code == 401


def test_core_info_is_enveloped_and_core_api_config_is_not():
    with FakeSupervisor(core_version="2025.4.4", currency="CHF") as fake:
        info = get(fake, "/core/info").json()
        config = get(fake, "/core/api/config").json()
    assert info["result"] == "ok" and info["data"]["version"] == "2025.4.4"
    assert set(info["data"]) == set(load_fixture("supervisor_core_info.json")["data"])
    assert "result" not in config and set(config) == set(load_fixture("core_api_config.json"))
    assert (config["time_zone"], config["currency"], config["version"]) == ("Europe/Paris", "CHF", "2025.4.4")


def test_the_core_rest_proxy_passes_ha_replies_through():
    with FakeHomeAssistant(time_zone="Europe/Brussels") as ha, \
            FakeSupervisor(upstream_ws=ha.ws_url, upstream_token=ha.token) as fake:
        config = get(fake, "/core/api/config").json()
        assert config["time_zone"] == "Europe/Brussels"
        assert get(fake, "/core/api/states/sensor.nothing").status_code == 404
        assert ha.requests[-1].headers["Authorization"] == f"Bearer {ha.token}"
        fake.upstream_token = "wrong"
        assert get(fake, "/core/api/config").status_code == 502


def test_the_websocket_proxy_reaches_home_assistant_end_to_end():
    with FakeHomeAssistant(version="2026.11.0", token="ha-token") as ha, \
            FakeSupervisor(token="sup-token", upstream_ws=ha.ws_url, upstream_token="ha-token") as fake:
        s = Session(fake.ws_url, "sup-token")
        assert s.hello == {**load_fixture("ws_auth_required.json"), "ha_version": "2026.11.0"}
        assert s.auth == load_fixture("ws_auth_ok.json")
        assert s.command("get_config")["result"]["version"] == "2026.11.0"
        assert s.request(load_fixture("import_statistics_2026_11.json"))["success"] is True
        reply = s.request(load_fixture("statistics_during_period_request.json"))
        assert set(reply["result"]) == {CONSUMPTION}
        s.close()
        assert len(ha.imports) == 1 and ha.imports[0]["metadata"]["statistic_id"] == CONSUMPTION
        assert [m["type"] for m in fake.ws_messages] == ["get_config", "recorder/import_statistics",
                                                        "recorder/statistics_during_period"]


def test_the_websocket_proxy_refuses_an_unknown_supervisor_token():
    with FakeHomeAssistant() as ha, FakeSupervisor(upstream_ws=ha.ws_url, upstream_token=ha.token) as fake:
        s = Session(fake.ws_url, ha.token)
        assert s.auth == load_fixture("supervisor_ws_auth_invalid.json")
        assert_closed(s)
        assert ha.connections == 0


@pytest.mark.parametrize("upstream", ["none", "wrong token"])
def test_the_websocket_proxy_closes_after_auth_ok_when_core_cannot_be_reached(upstream):
    with FakeHomeAssistant() as ha, FakeSupervisor(upstream_ws=ha.ws_url if upstream != "none" else None,
                                                   upstream_token="wrong") as fake:
        s = Session(fake.ws_url, fake.token)
        assert s.auth["type"] == "auth_ok"
        assert_closed(s)
