"""A real Home Assistant Core as a child process: fresh config dir, owner, long-lived token, MQTT, websocket helpers."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import requests
import websocket

from tests.support.net import free_port
from tests.support.waiting import wait_for

T = TypeVar("T")
# The Home Assistant venvs ./dev test provisions: the oldest release the add-on supports and the newest that installs
# here. Each variable holds the venv's interpreter.
HA_VENVS = ("HA_PYTHON", "HA_NEWER_PYTHON")
ONBOARDING_DONE = ("core_config", "analytics", "integration")
CONFIGURATION = """\
homeassistant:
  name: Harness
  latitude: 48.8566
  longitude: 2.3522
  elevation: 35
  time_zone: {time_zone}
  currency: {currency}
  country: FR
  unit_system: metric
  language: en
http:
  server_host: 127.0.0.1
  server_port: {port}
api:
onboarding:
recorder:
  db_url: sqlite:///{db}
  commit_interval: 1
energy:
logger:
  default: info
  logs:
    aiohttp.access: warning
"""


class HomeAssistantUnavailable(RuntimeError):
    """Home Assistant cannot be started on this machine (no interpreter, or no homeassistant package)."""


class HomeAssistantError(RuntimeError):
    """Home Assistant did not come up or exited; the message ends with the tail of its log when ``tail`` is set."""

    def __init__(self, message: str, tail: str | None = None):
        super().__init__(message if tail is None else f"{message}\n--- log tail ---\n{tail}")
        self.tail = tail


class CommandError(RuntimeError):
    """A websocket command answered with success false; ``code`` and ``message`` are Home Assistant's."""

    def __init__(self, msg_type: str, code: str, message: str):
        super().__init__(f"{msg_type}: {code}: {message}")
        self.type, self.code, self.message = msg_type, code, message


def ha_python(variable: str = "HA_PYTHON") -> str:
    """The interpreter of a Home Assistant venv (named by ``variable``), checked; raises HomeAssistantUnavailable."""
    python = os.environ.get(variable, "")
    if not python:
        raise HomeAssistantUnavailable(f"{variable} is not set (./dev test makes the Home Assistant venvs and sets it)")
    if os.sep in python:  # a relative path names the venv from here; Home Assistant runs from its config dir
        python = os.path.abspath(python)
    if not os.access(python, os.X_OK):
        raise HomeAssistantUnavailable(f"{variable}={python} is not an executable")
    probe = subprocess.run([python, "-c", "import homeassistant.const as c; print(c.__version__)"],
                           capture_output=True, text=True, timeout=60, check=False)
    if probe.returncode != 0:
        raise HomeAssistantUnavailable(f"homeassistant is not importable with {python}: {probe.stderr.strip()[-300:]}")
    return python


def installed_version(python: str) -> str:
    """The homeassistant version installed in the venv of this interpreter, from its metadata ("" when none)."""
    found = sorted(Path(python).parent.parent.glob("lib/python3*/site-packages/homeassistant-*.dist-info"))
    return found[-1].name.removeprefix("homeassistant-").removesuffix(".dist-info") if found else ""


class WsSession:
    """A synchronous, authenticated websocket session; ``call`` matches each reply to its request id."""

    def __init__(self, url: str, token: str, timeout: float = 30):
        self._ws = websocket.create_connection(url, timeout=timeout)
        self._next_id = 1
        self._lock = threading.Lock()
        hello = self._receive()
        if hello.get("type") != "auth_required":
            self.close()
            raise CommandError("auth", "unexpected_message", f"expected auth_required, got {hello}")
        self.ha_version: str = hello["ha_version"]
        self._send({"type": "auth", "access_token": token})
        reply = self._receive()
        if reply.get("type") != "auth_ok":
            self.close()
            raise CommandError("auth", reply.get("type", "auth_failed"), reply.get("message", str(reply)))

    def call(self, msg_type: str, /, **payload: Any) -> Any:
        """Send one command and return its ``result``; CommandError with HA's code and message when it fails."""
        with self._lock:
            msg_id = self._next_id
            self._next_id += 1
            self._send({"id": msg_id, "type": msg_type, **payload})
            while True:
                reply = self._receive()
                if reply.get("id") != msg_id or reply.get("type") not in ("result", "pong"):
                    continue
                if reply["type"] == "pong":
                    return None
                if reply.get("success"):
                    return reply.get("result")
                error = reply.get("error") or {}
                raise CommandError(msg_type, error.get("code", "unknown_error"), error.get("message", str(reply)))

    def close(self) -> None:
        self._ws.close()

    def _send(self, message: dict) -> None:
        self._ws.send(json.dumps(message))

    def _receive(self) -> dict:
        message = json.loads(self._ws.recv())
        if isinstance(message, list):
            raise CommandError("receive", "coalesced", "coalesced messages were not asked for")
        return message

    def __enter__(self) -> WsSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class HomeAssistant:
    """One running Home Assistant Core with an owner account, a long-lived token and, if asked, MQTT set up."""

    def __init__(self, config_dir: Path, python: str, remove_dir: bool):
        self.config_dir = config_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/api/websocket"
        self.log_path = config_dir / "home-assistant.log"
        self.console_path = config_dir / "console.log"
        self.token = ""
        self.version = ""
        self.python = python
        self._remove_dir = remove_dir
        self._process: subprocess.Popen | None = None
        self._session: WsSession | None = None
        self._http = requests.Session()

    @classmethod
    def start(cls, broker_host: str | None = "127.0.0.1", broker_port: int = 1883, time_zone: str = "Europe/Paris",
              currency: str = "EUR", config_dir: str | Path | None = None, python: str | None = None,
              timeout: float = 120) -> HomeAssistant:
        """Start Home Assistant in a fresh config dir (a temporary one unless given) and return it ready to use."""
        python = python or ha_python()
        owned = config_dir is None
        path = Path(tempfile.mkdtemp(prefix="ha-core-")) if owned else Path(config_dir)
        instance = cls(path, python, remove_dir=owned)
        try:
            instance._write_config(time_zone, currency)
            instance._launch()
            instance._onboard(timeout)
            if broker_host:
                instance.setup_mqtt(broker_host, broker_port)
        except BaseException as exc:
            tail = instance.log_tail()
            instance.stop()
            if isinstance(exc, KeyboardInterrupt) or getattr(exc, "tail", None) is not None:
                raise
            raise HomeAssistantError(f"Home Assistant did not start: {exc}", tail) from exc
        return instance

    def _write_config(self, time_zone: str, currency: str) -> None:
        self.config_dir.mkdir(parents=True, exist_ok=True)
        db = self.config_dir / "home-assistant_v2.db"
        text = CONFIGURATION.format(time_zone=time_zone, currency=currency, port=self.port, db=db)
        (self.config_dir / "configuration.yaml").write_text(text, encoding="utf-8")
        storage = self.config_dir / ".storage"
        storage.mkdir(exist_ok=True)
        onboarding = {"version": 4, "minor_version": 1, "key": "onboarding", "data": {"done": list(ONBOARDING_DONE)}}
        (storage / "onboarding").write_text(json.dumps(onboarding), encoding="utf-8")

    def _launch(self) -> None:
        command = [self.python, "-m", "homeassistant", "--config", str(self.config_dir), "--skip-pip",
                   "--log-no-color", "--log-file", str(self.log_path)]
        with open(self.console_path, "ab") as console:
            self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=console,
                                             stderr=subprocess.STDOUT, cwd=self.config_dir, start_new_session=True)
        atexit.register(self.stop)

    def _onboard(self, timeout: float) -> None:
        wait_for(self._onboarding_ready, timeout=timeout, interval=0.1, what="the onboarding API")
        client_id = self.url + "/"
        user = {"client_id": client_id, "name": "Harness", "username": "harness", "password": uuid.uuid4().hex,
                "language": "en"}
        auth_code = self._post("/api/onboarding/users", json=user)["auth_code"]
        grant = {"grant_type": "authorization_code", "code": auth_code, "client_id": client_id}
        response = self._http.post(self.url + "/auth/token", data=grant, timeout=30)
        response.raise_for_status()
        access_token = response.json()["access_token"]
        with WsSession(self.ws_url, access_token) as session:
            self.version = session.ha_version
            self.token = session.call("auth/long_lived_access_token", client_name="harness", lifespan=3650)
        self._http.headers["Authorization"] = f"Bearer {self.token}"
        wait_for(lambda: self.get("/api/config").get("state") == "RUNNING", timeout=timeout,
                 what="Home Assistant in state RUNNING")

    def _onboarding_ready(self) -> bool:
        self._check_alive()
        try:
            return self._http.get(self.url + "/api/onboarding", timeout=5).status_code == 200
        except requests.ConnectionError:
            return False

    def setup_mqtt(self, broker_host: str = "127.0.0.1", broker_port: int = 1883, timeout: float = 60) -> dict:
        """Add the MQTT integration through its config flow; returns the entry once discovery is seen working."""
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        flow = self._post("/api/config/config_entries/flow", json={"handler": "mqtt"})
        if flow.get("step_id") != "broker":
            raise HomeAssistantError(f"unexpected MQTT config flow step: {flow}")
        done = self._post(f"/api/config/config_entries/flow/{flow['flow_id']}",
                          json={"broker": broker_host, "port": broker_port})
        if done.get("type") != "create_entry":
            raise HomeAssistantError(f"MQTT config flow did not create an entry: {done}")
        entry = self.wait_for(lambda: self._mqtt_entry("loaded"), timeout=timeout, what="the MQTT entry loaded")
        probe = f"ha_harness_probe_{uuid.uuid4().hex[:12]}"
        topic = f"homeassistant/sensor/{probe}/config"
        config = json.dumps({"name": probe, "unique_id": probe, "state_topic": f"ha-harness/{probe}/state"})
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"ha-harness-{uuid.uuid4().hex[:8]}")
        client.connect(broker_host, broker_port)
        client.loop_start()
        try:

            def discovered() -> dict | None:
                client.publish(topic, config, qos=1).wait_for_publish(10)
                return self.entity_by_unique_id(probe)

            self.wait_for(discovered, timeout=timeout, interval=0.3, what="discovery of a probe sensor over MQTT")
            client.publish(topic, b"", qos=1).wait_for_publish(10)
            self.wait_for(lambda: self.entity_by_unique_id(probe) is None, timeout=timeout,
                          what="removal of the probe sensor")
        finally:
            client.disconnect()
            client.loop_stop()
        return entry

    def _mqtt_entry(self, state: str) -> dict | None:
        self._check_alive()
        entries = self.get("/api/config/config_entries/entry", params={"domain": "mqtt"})
        return next((entry for entry in entries if entry.get("state") == state), None)

    def get(self, path: str, **kwargs: Any) -> Any:
        """GET a REST path with the long-lived token and return the decoded JSON."""
        response = self._http.get(self.url + path, timeout=30, **kwargs)
        response.raise_for_status()
        return response.json()

    def _post(self, path: str, **kwargs: Any) -> Any:
        response = self._http.post(self.url + path, timeout=60, **kwargs)
        if response.status_code >= 400:
            raise HomeAssistantError(f"POST {path}: HTTP {response.status_code}: {response.text[:500]}")
        return response.json()

    def ws(self) -> WsSession:
        """A new authenticated websocket session (close it, or use it as a context manager)."""
        return WsSession(self.ws_url, self.token)

    def call(self, msg_type: str, /, **payload: Any) -> Any:
        """One websocket command on the instance's shared session, reopened if Home Assistant dropped it."""
        if self._session is None:
            self._session = self.ws()
        try:
            return self._session.call(msg_type, **payload)
        except (websocket.WebSocketConnectionClosedException, ConnectionError):
            self._check_alive()
            self._session = self.ws()
            return self._session.call(msg_type, **payload)

    def entity_registry(self) -> list[dict]:
        return self.call("config/entity_registry/list")

    def entity_by_unique_id(self, unique_id: str, platform: str = "mqtt") -> dict | None:
        """The entity registry entry of ``platform`` with this unique_id, or None."""
        return next((entry for entry in self.entity_registry()
                     if entry.get("unique_id") == unique_id and entry.get("platform") == platform), None)

    def device_registry(self) -> list[dict]:
        return self.call("config/device_registry/list")

    def state(self, entity_id: str) -> dict | None:
        """The REST state object of ``entity_id`` (state, attributes, ...), or None when it has none."""
        response = self._http.get(f"{self.url}/api/states/{entity_id}", timeout=30)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()

    def statistics(self, ids: str | Iterable[str], start: datetime | str, end: datetime | str | None = None,
                   period: str = "hour", types: Iterable[str] = ("sum", "state")) -> dict[str, list[dict]]:
        """``recorder/statistics_during_period``: rows per statistic id (start/end in ms since the epoch)."""
        payload: dict[str, Any] = {
            "start_time": start.isoformat() if isinstance(start, datetime) else start,
            "statistic_ids": [ids] if isinstance(ids, str) else list(ids),
            "period": period,
            "types": list(types),
        }
        if end is not None:
            payload["end_time"] = end.isoformat() if isinstance(end, datetime) else end
        return self.call("recorder/statistics_during_period", **payload)

    def wait_for(self, fn: Callable[[], T], timeout: float = 30, interval: float = 0.2, what: str | None = None) -> T:
        """Like ``waiting.wait_for``, and fails at once with the log tail if Home Assistant has exited."""

        def probe() -> T:
            self._check_alive()
            return fn()

        return wait_for(probe, timeout=timeout, interval=interval, what=what or getattr(fn, "__name__", None))

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _check_alive(self) -> None:
        if self._process is not None and self._process.poll() is not None:
            raise HomeAssistantError(f"Home Assistant exited with code {self._process.returncode}", self.log_tail())

    def log_mark(self) -> int:
        """Where Home Assistant's log ends now, for ``log_since``."""
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_since(self, mark: int) -> str:
        with self.log_path.open("rb") as log:
            log.seek(mark)
            return log.read().decode("utf-8", "replace")

    def log_tail(self, lines: int = 60) -> str:
        """The last lines of Home Assistant's log (its console output when it has written no log file)."""
        for path in (self.log_path, self.console_path):
            if path.exists() and path.stat().st_size:
                return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        return "(no log written)"

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM, wait, SIGKILL if needed; removes the config dir when it was a temporary one."""
        atexit.unregister(self.stop)
        if self._session is not None:
            with contextlib.suppress(Exception):
                self._session.close()
            self._session = None
        self._http.close()
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        if self._remove_dir:
            shutil.rmtree(self.config_dir, ignore_errors=True)
            self._remove_dir = False

    def __enter__(self) -> HomeAssistant:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
