"""A fake Jeedom core API, ``/core/api/jeeApi.php`` on 127.0.0.1, served by http.server in a background thread."""

# Built only from what reference/exporters-and-tariffs.md §3 quotes, kept in tests/fixtures/jeedom/ (each fixture names
# its passage in "_source"). A request with a "type" parameter goes to the HTTP API (GET, or POST form; the query
# wins), anything else is JSON-RPC (raw JSON body, or a "request" parameter). Every answer is HTTP 200: plain text
# errors in the HTTP API, {"error": {"code", "message"}} in JSON-RPC. A refused key sleeps ``auth_delay`` seconds
# (5 in Jeedom) and counts a failed login; after ``ban_after`` of them every request gets 404. ``hang`` holds every
# answer until it is cleared or the fake stops (a time-out). ``events`` records the values set, ``ignored`` the
# cmd::event calls Jeedom accepts but drops (action command, disabled equipment, value outside minValue/maxValue).

from __future__ import annotations

import copy
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import tests.support.fakes as fixtures
from tests.support.fixtures import FIXTURES as ALL_FIXTURES

FIXTURES = ALL_FIXTURES / "jeedom"
API_PATH = "/core/api/jeeApi.php"
CORE_KEY = "core0123456789abcdefKEY"
VIRTUAL_KEY = "virtual0123456789abcKEY"
USER_HASH = "user0123456789abcdefHASH"


def raw_fixture(name: str) -> Any:
    """A fixture of tests/fixtures/jeedom as stored, ``_source`` included."""
    return fixtures.raw_fixture(name, FIXTURES)


def load_fixture(name: str) -> Any:
    """A fixture of tests/fixtures/jeedom without its ``_``-prefixed annotations."""
    return fixtures.load_fixture(name, FIXTURES)


ENVELOPE = load_fixture("envelope.json")
METHODS = load_fixture("methods.json")
HTTP_API = load_fixture("http_api.json")


@dataclass(frozen=True)
class Event:
    """A value Jeedom stored: command id, value, ``datetime`` (None: Jeedom's clock) and the way it came."""

    cmd_id: int
    value: str
    datetime: str | None
    via: str  # "jsonrpc", "virtual" or "http"


@dataclass(frozen=True)
class Received:
    """One request: method, path, the parameters (query and form) and the JSON-RPC body, if any."""

    method: str
    path: str
    params: dict[str, str]
    body: Any


class JeedomRefusal(Exception):
    """A JSON-RPC error: the code and message of the error object."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class FakeJeedom:
    """A context manager serving the fixtures' equipment; ``url`` is the base a user would enter."""

    def __init__(self, apikey: str = CORE_KEY, virtual_key: str = VIRTUAL_KEY, user_hash: str = USER_HASH,
                 auth_delay: float = float(HTTP_API["auth_sleep_seconds"]), ban_after: int | None = None) -> None:
        equipment = load_fixture("equipment.json")
        self.eqlogics: list[dict] = equipment["eqLogics"]
        self.cmds: dict[str, dict] = {c["id"]: c for c in equipment["cmds"]}
        self.apikey, self.virtual_key, self.user_hash = apikey, virtual_key, user_hash
        self.auth_delay, self.ban_after = auth_delay, ban_after
        self.version = METHODS["version"]
        self.events: list[Event] = []
        self.ignored: list[tuple[int, str]] = []
        self.requests: list[Received] = []
        self.failed_logins = 0
        self._hang = False
        self._release = threading.Event()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.endpoint = self.url + API_PATH
        self._thread = threading.Thread(target=self._server.serve_forever, name="FakeJeedom", daemon=True)
        self._thread.start()

    # -- switches ------------------------------------------------------------------------------------------------------
    @property
    def hang(self) -> bool:
        return self._hang

    @hang.setter
    def hang(self, on: bool) -> None:
        """Hold every answer (a Jeedom that does not answer) until switched off."""
        self._hang = on
        if on:
            self._release.clear()
        else:
            self._release.set()

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)

    def __enter__(self) -> FakeJeedom:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what Jeedom holds ---------------------------------------------------------------------------------------------
    def eqlogic(self, eq_id: Any) -> dict | None:
        return next((e for e in self.eqlogics if e["id"] == str(eq_id)), None)

    def cmd(self, cmd_id: Any) -> dict | None:
        return self.cmds.get(str(cmd_id).strip())

    def values(self) -> dict[int, str]:
        """The last value each command received."""
        return {e.cmd_id: e.value for e in self.events}

    def _key_ok(self, key: Any, plugin: str = "core") -> bool:
        if not isinstance(key, str) or len(key) < HTTP_API["min_key_length"]:
            return False
        return key in ((self.virtual_key if plugin == "virtual" else self.apikey), self.user_hash)

    def _refuse_key(self) -> str:
        time.sleep(self.auth_delay)
        with self._lock:
            self.failed_logins += 1
        return HTTP_API["unauthorized"].format(ip="127.0.0.1")

    @property
    def banned(self) -> bool:
        return self.ban_after is not None and self.failed_logins >= self.ban_after

    def _event(self, cmd_id: Any, value: str, datetime: str | None, via: str) -> bool:
        """cmd::event: False for an unknown id; values Jeedom drops silently go to ``ignored``."""
        cmd = self.cmd(cmd_id)
        if cmd is None:
            return False
        eq = self.eqlogic(cmd["eqLogic_id"])
        limits = cmd.get("configuration") or {}
        with self._lock:
            if cmd["type"] != "info" or eq is None or eq["isEnable"] != "1" or _outside(cmd, value, limits):
                self.ignored.append((int(cmd["id"]), value))
                return True
            cmd["currentValue"] = value
            self.events.append(Event(int(cmd["id"]), value, datetime, via))
        return True

    # -- JSON-RPC -----------------------------------------------------------------------------------------------------
    def jsonrpc(self, request: Any) -> dict:
        """The reply envelope to one JSON-RPC request."""
        rid = request.get("id", ENVELOPE["missing_id"]) if isinstance(request, dict) else ENVELOPE["missing_id"]
        try:
            if not isinstance(request, dict):
                raise JeedomRefusal(ENVELOPE["no_code"], "Requête invalide")
            if request.get("jsonrpc") != "2.0":
                raise JeedomRefusal(ENVELOPE["no_code"],
                                    ENVELOPE["bad_version_message"].format(version=request.get("jsonrpc")))
            result = self._method(str(request.get("method") or ""), request.get("params") or {})
        except JeedomRefusal as refusal:
            reply = copy.deepcopy(ENVELOPE["error"])
            reply["id"], reply["error"] = rid, {"code": refusal.code, "message": refusal.message}
            return reply
        reply = copy.deepcopy(ENVELOPE["success"])
        reply["id"] = rid
        reply["result"] = ENVELOPE["empty_result"] if result is None or result == "" else result
        return reply

    def _method(self, method: str, params: dict) -> Any:
        if method not in ENVELOPE["keyless_methods"]:
            if (params.get("plugin") or ENVELOPE["default_plugin"]) != "core":
                raise JeedomRefusal(ENVELOPE["no_code"], "plugin non simulé par le faux Jeedom")
            if not self._key_ok(params.get("apikey", params.get("api"))):
                raise JeedomRefusal(ENVELOPE["no_code"], self._refuse_key())
        if method in ("ping", "version", "datetime"):
            return METHODS[method]
        if method == "eqLogic::all":
            return copy.deepcopy(self.eqlogics)
        if method == "eqLogic::byType":
            return [copy.deepcopy(e) for e in self.eqlogics if e["eqType_name"] == params.get("type")]
        if method == "cmd::byEqLogicId":
            return [copy.deepcopy(c) for c in self.cmds.values() if c["eqLogic_id"] == str(params.get("eqLogic_id"))]
        if method in ("cmd::byId", "cmd::execCmd", "cmd::event"):
            cmd_id = params.get("id")
            if self.cmd(cmd_id) is None:
                raise JeedomRefusal(*_unknown_command(cmd_id))
            if method == "cmd::byId":
                return copy.deepcopy(self.cmd(cmd_id))
            if method == "cmd::execCmd":
                collected = METHODS["cmd::execCmd"]["collectDate"]
                return {"value": self.cmd(cmd_id)["currentValue"], "collectDate": collected}
            self._event(cmd_id, str(params.get("value", "")), params.get("datetime"), "jsonrpc")
            return METHODS["cmd::event"]
        raise JeedomRefusal(ENVELOPE["no_code"], f"méthode non simulée par le faux Jeedom : {method}")

    # -- HTTP API ------------------------------------------------------------------------------------------------------
    def http_api(self, params: dict[str, str]) -> str:
        """The plain-text body the HTTP API answers (always with HTTP 200)."""
        key = params.get("apikey", params.get("api"))
        kind = params["type"]
        if params.get("plugin") == "virtual" and kind == "event":
            if not self._key_ok(key, "virtual"):
                return self._refuse_key()
            cmd_id = params.get("id", "")
            value = params.get("value", params.get("v"))
            if self.cmd(cmd_id) is None:
                return HTTP_API["unknown_command"].format(id=cmd_id)
            if value is not None:
                self._event(cmd_id, value, None, "virtual")
            return HTTP_API["virtual_event_body"]
        if not self._key_ok(key):
            return self._refuse_key()
        if kind == "cmd":
            cmd_id = params.get("id", "")
            cmd = self.cmd(cmd_id)
            if cmd is None:
                return HTTP_API["unknown_command"].format(id=cmd_id)
            if cmd["type"] == "info" and params.get("value"):
                self._event(cmd_id, params["value"], None, "http")
            return str(cmd["currentValue"]) if cmd["type"] == "info" else ""
        return HTTP_API["legacy_virtual_body"]  # type=virtual (legacy) and types the fake does not simulate: empty


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (time-out) leaves a broken pipe: nothing to report."""


def _unknown_command(cmd_id: Any) -> tuple[int, str]:
    quoted = load_fixture("error_unknown_command.json")["error"]
    return quoted["code"], quoted["message"].replace("999", str(cmd_id))


def _outside(cmd: dict, value: str, limits: dict) -> bool:
    if cmd["subType"] != "numeric":
        return False
    try:
        number = float(value)
        low = float(limits["minValue"]) if limits.get("minValue") not in (None, "") else None
        high = float(limits["maxValue"]) if limits.get("maxValue") not in (None, "") else None
    except ValueError:
        return False
    return (low is not None and number < low) or (high is not None and number > high)


def _handler(fake: FakeJeedom) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            self._serve(b"")

        def do_POST(self) -> None:
            self._serve(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

        def _serve(self, body: bytes) -> None:
            parts = urlsplit(self.path)
            form = {}
            if "application/x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
                form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
            params = {**form, **{k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}}
            request = None
            if "type" not in params:
                text = params.get("request") or body.decode("utf-8", "replace")
                try:
                    request = json.loads(text)
                except ValueError:
                    request = text
            fake.requests.append(Received(self.command, self.path, params, request))
            if fake.hang and not fake._release.wait(60):
                return
            if parts.path != API_PATH or fake.banned:
                self._reply(404, "text/html", "<h1>404 Not Found</h1>")
            elif "type" in params:
                self._reply(200, "text/html; charset=utf-8", fake.http_api(params))
            else:
                self._reply(200, "application/json", json.dumps(fake.jsonrpc(request), ensure_ascii=False))

        def _reply(self, status: int, content_type: str, text: str) -> None:
            data = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
