"""A fake Home Assistant Core: its websocket API (auth, get_config, recorder statistics) and GET /api/config."""

# Faithful to HA core (websocket_api/connection.py, recorder/websocket_api.py, recorder/statistics.py): schema errors
# are "invalid_format" worded like voluptuous; recorder refusals are "home_assistant_error"; a reused id is
# "id_reuse"; an unknown command (which does not use up its id) is "unknown_command". recorder/import_statistics
# checks its metadata by the announced version (see metadata_spec). Statistics are stored at once (HA queues them),
# upserted by (statistic_id, start in UTC). Known gaps: "energy" is the only unit class known (Wh, kWh, MWh, MJ, GJ);
# 5minute statistics are always empty, as they are in HA for imported statistics.

from __future__ import annotations

import asyncio
import copy
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from . import BackgroundServer, bearer, json_response, load_fixture, text_response

ENTITY_ID = re.compile(r"^(?!.+__)(?!_)[\da-z_]+(?<!_)\.(?!_)[\da-z_]+(?<!_)$")
STATISTIC_ID = re.compile(r"^(?!.+__)(?!_)[\da-z_]+(?<!_):(?!_)[\da-z_]+(?<!_)$")
UNIT_FACTORS = {"energy": {"Wh": 1.0, "kWh": 1e3, "MWh": 1e6, "MJ": 1e6 / 3.6, "GJ": 1e9 / 3.6}}
UNIT_SCHEMA_KEYS = ("apparent_power", "area", "blood_glucose_concentration", "carbon_monoxide", "concentration",
                    "conductivity", "data_rate", "distance", "duration", "electric_current", "voltage", "energy",
                    "energy_distance", "information", "mass", "power", "pressure", "reactive_energy", "reactive_power",
                    "speed", "temperature", "temperature_delta", "unitless", "volume", "volume_flow_rate")
TYPES = ("change", "last_reset", "max", "mean", "min", "state", "sum")
PERIODS = ("5minute", "hour", "day", "week", "month")
VALUES = ("mean", "min", "max", "state", "sum")
MEAN_TYPE_SINCE = (2025, 11)
MEAN_TYPE_REQUIRED_SINCE = (2026, 11)


def version_of(text: str) -> tuple[int, int]:
    """(year, month) of an HA version such as ``2025.4.4`` or ``2026.11.0b1``."""
    found = re.match(r"(\d+)\.(\d+)", text)
    if not found:
        raise ValueError(f"not an HA version: {text!r}")
    return int(found[1]), int(found[2])


class Invalid(Exception):
    """Schema problems, worded like voluptuous' ``humanize_error`` (sorted, one a line)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(sorted(problems)))


class CommandError(Exception):
    """A command refused with HA's error code and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _where(path: tuple) -> str:
    return "data" + "".join(f"[{step!r}]" for step in path)


def _problem(message: str, path: tuple, value: Any) -> str:
    return f"{message} @ {_where(path)}. Got {value!r}"


def _is_bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "expected bool"


def _is_str(value: Any) -> str | None:
    return None if isinstance(value, str) else "expected str"


def _is_str_or_none(value: Any) -> str | None:
    return None if value is None or isinstance(value, str) else "expected str"


def _is_number(value: Any) -> str | None:
    return None if isinstance(value, int | float) else "expected float"


def _is_mean_type(value: Any) -> str | None:
    return None if type(value) is int and value in (0, 1, 2) else "value must be one of [0, 1, 2]"


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _is_datetime(value: Any) -> str | None:
    return None if _parse_time(value) is not None else f"Invalid datetime specified: {value}"


def _is_datetime_or_none(value: Any) -> str | None:
    return None if value is None else _is_datetime(value)


def _one_of(*allowed: str) -> Callable[[Any], str | None]:
    return lambda value: None if value in allowed else "not a valid value"


def _list_of(check: Callable[[Any], str | None], min_length: int = 0) -> Callable[[Any], str | None]:
    def validate(value: Any) -> str | None:
        if not isinstance(value, list):
            return "expected list"
        if len(value) < min_length:
            return f"length of value must be at least {min_length}"
        return next((f"{error} in item {i}" for i, v in enumerate(value) if (error := check(v))), None)

    return validate


def _units(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "expected a dictionary"
    for key, unit in value.items():
        if key not in UNIT_SCHEMA_KEYS:
            return f"extra keys not allowed: {key!r}"
        if key in UNIT_FACTORS and unit not in UNIT_FACTORS[key]:
            return f"value must be one of {sorted(UNIT_FACTORS[key])}"
    return None


Spec = dict[str, tuple[bool, Any]]


def _check(value: Any, spec: Spec, path: tuple, problems: list[str]) -> None:
    """Add to ``problems`` what a voluptuous dict schema (required flag, validator or nested spec) finds."""
    if not isinstance(value, dict):
        problems.append(_problem("expected a dictionary", path, value))
        return
    for key, (required, rule) in spec.items():
        if key not in value:
            if required:
                problems.append(_problem("required key not provided", (*path, key), None))
            continue
        if isinstance(rule, dict):
            _check(value[key], rule, (*path, key), problems)
        elif isinstance(rule, list):
            if not isinstance(value[key], list):
                problems.append(_problem("expected list", (*path, key), value[key]))
                continue
            for i, item in enumerate(value[key]):
                _check(item, rule[0], (*path, key, i), problems)
        elif error := rule(value[key]):
            problems.append(_problem(error, (*path, key), value[key]))
    problems.extend(_problem("extra keys not allowed", (*path, key), value[key]) for key in value if key not in spec)


def _command(**keys: tuple[bool, Any]) -> Spec:
    return {"id": (True, lambda v: None), "type": (True, _is_str), **keys}


STATS_ROW: Spec = {"start": (True, _is_datetime), "mean": (False, _is_number), "min": (False, _is_number),
                   "max": (False, _is_number), "last_reset": (False, _is_datetime_or_none),
                   "state": (False, _is_number), "sum": (False, _is_number)}


def metadata_spec(version: tuple[int, int]) -> Spec:
    """The ``metadata`` schema of ``recorder/import_statistics`` for an HA version."""
    spec: Spec = {"has_sum": (True, _is_bool), "name": (True, _is_str_or_none), "source": (True, _is_str),
                  "statistic_id": (True, _is_str), "unit_of_measurement": (True, _is_str_or_none)}
    if version >= MEAN_TYPE_REQUIRED_SINCE:
        spec |= {"mean_type": (True, _is_mean_type), "unit_class": (True, _is_str_or_none)}
    elif version >= MEAN_TYPE_SINCE:
        spec |= {"has_mean": (False, _is_bool), "mean_type": (False, _is_mean_type),
                 "unit_class": (False, _is_str_or_none)}
    else:
        spec |= {"has_mean": (True, _is_bool)}
    return spec


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class FakeHomeAssistant(BackgroundServer):
    """Home Assistant Core as its websocket API answers an add-on; a context manager."""

    # Attributes: url (http://127.0.0.1:PORT), ws_url (ws://127.0.0.1:PORT/api/websocket), version, token (may be
    # changed), refuse_auth (True: every token gets auth_invalid), imports (each accepted recorder/import_statistics
    # message as sent), rejected ({"request", "error"} of each refused import), received (every message after
    # auth), connections (handshakes started), requests (HTTP requests and upgrades). Switches: fail_next_imports(),
    # hold_imports() (accepted imports wait in a queue, as in HA's recorder, until write_held() writes them).

    def __init__(self, version: str = "2026.11.0", token: str = "ha-long-lived-token",
                 time_zone: str = "Europe/Paris", currency: str = "EUR") -> None:
        super().__init__()
        self.version, self.token, self.time_zone, self.currency = version, token, time_zone, currency
        self._version = version_of(version)
        self._zone = ZoneInfo(time_zone)
        self.refuse_auth = False
        self.imports: list[dict] = []
        self.rejected: list[dict] = []
        self.received: list[Any] = []
        self.connections = 0
        self._failures: list[tuple[str, str]] = []
        self._held: list[tuple[str, dict, dict]] | None = None
        self._meta: dict[str, dict] = {}
        self._rows: dict[str, dict[datetime, dict]] = {}
        self._auth_required = {**load_fixture("ws_auth_required.json"), "ha_version": version}
        self._auth_ok = {**load_fixture("ws_auth_ok.json"), "ha_version": version}
        self._auth_invalid = load_fixture("ws_auth_invalid.json")
        self._result = load_fixture("ws_result_ok.json")
        self._error = load_fixture("ws_result_error.json")
        self._item_keys = list(load_fixture("list_statistic_ids_reply.json")["result"][0])
        self._commands: dict[str, Callable[[dict], Any]] = {
            "ping": self._ping,
            "get_config": self._get_config,
            "recorder/import_statistics": self._import_statistics,
            "recorder/statistics_during_period": self._statistics_during_period,
            "recorder/list_statistic_ids": self._list_statistic_ids,
            "recorder/get_statistics_metadata": self._get_statistics_metadata,
            "recorder/clear_statistics": self._clear_statistics,
        }
        self._start()
        self.ws_url = f"ws://127.0.0.1:{self.port}/api/websocket"

    def fail_next_imports(self, count: int = 1, message: str = "Import refused by the fake",
                          code: str = "home_assistant_error") -> None:
        """Refuse the next ``count`` ``recorder/import_statistics`` commands with this error, whatever they hold."""
        self._failures.extend([(code, message)] * count)

    def hold_imports(self) -> None:
        """From now on, accepted imports are queued instead of written (HA answers before its recorder writes)."""
        self._held = []

    def write_held(self, count: int | None = None) -> int:
        """Write the first ``count`` queued imports (all by default), in order, on the server's own thread; how many
        are left."""

        async def write() -> int:
            queue = self._held or []
            for statistic_id, meta, rows in queue[:count]:
                self._write(statistic_id, meta, rows)
            del queue[:len(queue) if count is None else count]
            return len(queue)

        return asyncio.run_coroutine_threadsafe(write(), self._loop).result(10)

    def config(self) -> dict:
        """HA's configuration as ``get_config`` and ``GET /api/config`` return it."""
        return {**load_fixture("core_api_config.json"), "time_zone": self.time_zone, "currency": self.currency,
                "version": self.version}

    def metadata(self, statistic_id: str) -> dict | None:
        """The stored metadata of a statistic, or None."""
        return copy.deepcopy(self._meta.get(statistic_id))

    def statistics(self, statistic_id: str) -> list[dict]:
        """The stored hourly rows of a statistic in start order, ``start`` as an aware UTC datetime."""
        rows = self._rows.get(statistic_id, {})
        return [{"start": start, **rows[start]} for start in sorted(rows)]

    def process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        """The websocket endpoint, ``GET /api/`` and ``GET /api/config`` (Bearer token), else 404."""
        route = request.path.split("?", 1)[0]
        if route == "/api/websocket":
            return None
        if route not in ("/api/", "/api/config"):
            return text_response(connection, 404)
        if self.refuse_auth or bearer(request) != self.token:
            return text_response(connection, 401)
        return json_response(connection, 200, self.config() if route == "/api/config" else {"message": "API running."})

    async def _serve_websocket(self, ws: ServerConnection) -> None:
        self.connections += 1
        try:
            await ws.send(json.dumps(self._auth_required))
            try:
                hello = json.loads(await asyncio.wait_for(ws.recv(), 10))
            except (TimeoutError, ValueError):
                return
            if problem := self._auth_problem(hello):
                await ws.send(json.dumps({**self._auth_invalid, "message": problem}))
                return
            if self.refuse_auth or hello.get("access_token") != self.token:
                await ws.send(json.dumps(self._auth_invalid))
                return
            await ws.send(json.dumps(self._auth_ok))
            last_id = 0
            async for raw in ws:
                try:
                    payload = json.loads(raw)
                except ValueError:
                    return
                for message in payload if isinstance(payload, list) else [payload]:
                    reply, last_id = self._handle(message, last_id)
                    await ws.send(json.dumps(reply))
        except ConnectionClosed:
            return

    @staticmethod
    def _auth_problem(message: Any) -> str | None:
        problems: list[str] = []
        _check(message, {"type": (True, _one_of("auth")), "access_token": (False, _is_str),
                         "api_password": (False, _is_str)}, (), problems)
        return f"Auth message incorrectly formatted: {Invalid(problems)}" if problems else None

    def _handle(self, message: Any, last_id: int) -> tuple[dict, int]:
        self.received.append(copy.deepcopy(message))
        ident = message.get("id") if isinstance(message, dict) else None
        kind = message.get("type") if isinstance(message, dict) else None
        if type(ident) is not int or ident <= 0 or type(kind) is not str or not kind:
            return self._failure(ident if isinstance(message, dict) else 0, "invalid_format",
                                 "Message incorrectly formatted."), last_id
        if ident <= last_id:
            reuse = self._error["error"]
            return self._failure(ident, reuse["code"], reuse["message"]), last_id
        command = self._commands.get(kind)
        if command is None:
            return self._failure(ident, "unknown_command", "Unknown command."), last_id
        try:
            result = command(message)
        except Invalid as exc:
            return self._failure(ident, "invalid_format", str(exc)), ident
        except CommandError as exc:
            return self._failure(ident, exc.code, exc.message), ident
        if kind == "ping":
            return {"id": ident, "type": "pong"}, ident
        return {**self._result, "id": ident, "result": result}, ident

    def _failure(self, ident: Any, code: str, message: str) -> dict:
        return {**self._error, "id": ident, "error": {"code": code, "message": message}}

    @staticmethod
    def _validate(message: dict, spec: Spec) -> None:
        problems: list[str] = []
        _check(message, spec, (), problems)
        if problems:
            raise Invalid(problems)

    def _ping(self, message: dict) -> None:
        self._validate(message, _command())

    def _get_config(self, message: dict) -> dict:
        self._validate(message, _command())
        return self.config()

    def _import_statistics(self, message: dict) -> None:
        try:
            self._import(message)
        except (Invalid, CommandError) as exc:
            code = exc.code if isinstance(exc, CommandError) else "invalid_format"
            self.rejected.append({"request": copy.deepcopy(message), "error": {"code": code, "message": str(exc)}})
            raise
        self.imports.append(copy.deepcopy(message))

    def _import(self, message: dict) -> None:
        if self._failures:
            raise CommandError(*self._failures.pop(0))
        self._validate(message, _command(metadata=(True, metadata_spec(self._version)), stats=(True, [STATS_ROW])))
        meta = dict(message["metadata"])
        meta.setdefault("mean_type", 1 if meta.get("has_mean") else 0)
        meta.pop("has_mean", None)
        statistic_id, unit = meta["statistic_id"], meta["unit_of_measurement"]
        if ENTITY_ID.match(statistic_id):
            if meta["source"] != "recorder":
                raise CommandError("home_assistant_error", "Invalid source")
        elif not STATISTIC_ID.match(statistic_id):
            raise CommandError("home_assistant_error", "Invalid statistic_id")
        elif not meta["source"] or meta["source"] != statistic_id.split(":", 1)[0]:
            raise CommandError("home_assistant_error", "Invalid source")
        if "unit_class" not in meta:
            meta["unit_class"] = next((name for name, units in UNIT_FACTORS.items() if unit in units), None)
        if (unit_class := meta["unit_class"]) is not None:
            if unit_class not in UNIT_FACTORS:
                raise CommandError("home_assistant_error", f"Unsupported unit_class: '{unit_class}'")
            if unit not in UNIT_FACTORS[unit_class]:
                raise CommandError("home_assistant_error",
                                   f"Unsupported unit_of_measurement '{unit}' for unit_class '{unit_class}'")
        rows: dict[datetime, dict] = {}
        for stat in message["stats"]:
            start = _parse_time(stat["start"])
            assert start is not None
            if start.tzinfo is None or start.utcoffset() is None:
                raise CommandError("home_assistant_error", "Naive timestamp: no or invalid timezone info provided")
            if start.minute or start.second or start.microsecond:
                raise CommandError("home_assistant_error", "Invalid timestamp: timestamps must be from the top of "
                                                           "the hour (minutes and seconds = 0)")
            last_reset = _parse_time(stat.get("last_reset"))
            if last_reset is not None and (last_reset.tzinfo is None or last_reset.utcoffset() is None):
                raise CommandError("home_assistant_error", "Naive timestamp")
            rows[start.astimezone(UTC)] = {**{key: stat.get(key) for key in VALUES},
                                           "last_reset": last_reset.astimezone(UTC) if last_reset else None}
        kept = {key: meta[key] for key in ("statistic_id", "source", "name", "unit_of_measurement", "has_sum",
                                           "mean_type", "unit_class")}
        if self._held is not None:
            self._held.append((statistic_id, kept, rows))
        else:
            self._write(statistic_id, kept, rows)

    def _write(self, statistic_id: str, meta: dict, rows: dict[datetime, dict]) -> None:
        self._meta[statistic_id] = meta
        self._rows.setdefault(statistic_id, {}).update(rows)

    def _moment(self, text: str, code: str, message: str) -> datetime:
        moment = _parse_time(text)
        if moment is None:
            raise CommandError(code, message)
        return (moment.replace(tzinfo=self._zone) if moment.tzinfo is None else moment).astimezone(UTC)

    def _statistics_during_period(self, message: dict) -> dict:
        self._validate(message, _command(
            start_time=(True, _is_str), end_time=(False, _is_str),
            statistic_ids=(True, _list_of(_is_str, min_length=1)), period=(True, _one_of(*PERIODS)),
            units=(False, _units), types=(False, _list_of(_one_of(*TYPES)))))
        start = self._moment(message["start_time"], "invalid_start_time", "Invalid start_time")
        end = self._moment(message["end_time"], "invalid_end_time", "Invalid end_time") \
            if message.get("end_time") else None
        types = set(TYPES if message.get("types") is None else message["types"])
        if message["period"] == "5minute":
            return {}
        result = {}
        for statistic_id in dict.fromkeys(message["statistic_ids"]):
            stored = self._rows.get(statistic_id, {})
            hours = sorted(t for t in stored if t >= start and (end is None or t < end))
            if not hours:
                continue
            factor = self._factor(statistic_id, message.get("units") or {})
            before = [t for t in stored if t < start and stored[t]["sum"] is not None]
            previous = stored[max(before)]["sum"] if before else 0.0
            rows = []
            for bucket_start, bucket_end, members in self._buckets(hours, message["period"]):
                rows.append(self._row(bucket_start, bucket_end, [stored[t] for t in members], types, factor, previous))
                if stored[members[-1]]["sum"] is not None:
                    previous = stored[members[-1]]["sum"]
            result[statistic_id] = rows
        return result

    def _factor(self, statistic_id: str, units: dict) -> float:
        meta = self._meta.get(statistic_id) or {}
        factors = UNIT_FACTORS.get(meta.get("unit_class") or "", {})
        wanted = units.get(meta.get("unit_class") or "")
        if not wanted or meta.get("unit_of_measurement") not in factors:
            return 1.0
        return factors[meta["unit_of_measurement"]] / factors[wanted]

    def _buckets(self, hours: list[datetime], period: str) -> list[tuple[datetime, datetime, list[datetime]]]:
        if period == "hour":
            return [(t, t + timedelta(hours=1), [t]) for t in hours]
        buckets: dict[datetime, list[datetime]] = {}
        for t in hours:
            local = t.astimezone(self._zone)
            first = datetime(local.year, local.month, local.day, tzinfo=self._zone)
            if period == "week":
                first -= timedelta(days=first.weekday())
            elif period == "month":
                first = first.replace(day=1)
            buckets.setdefault(first, []).append(t)
        out = []
        for first, members in buckets.items():
            if period == "month":
                after = datetime(first.year + first.month // 12, first.month % 12 + 1, 1, tzinfo=self._zone)
            else:
                after = first + timedelta(days=7 if period == "week" else 1)
            out.append((first.astimezone(UTC), after.astimezone(UTC), members))
        return out

    @staticmethod
    def _row(start: datetime, end: datetime, members: list[dict], types: set[str], factor: float,
             previous: float | None) -> dict:
        def scaled(value: float | None) -> float | None:
            return None if value is None else float(value) * factor

        last = members[-1]
        means = [m["mean"] for m in members if m["mean"] is not None]
        mins = [m["min"] for m in members if m["min"] is not None]
        maxes = [m["max"] for m in members if m["max"] is not None]
        values = {"mean": scaled(sum(means) / len(means)) if means else None,
                  "min": scaled(min(mins)) if mins else None, "max": scaled(max(maxes)) if maxes else None,
                  "state": scaled(last["state"]), "sum": scaled(last["sum"]),
                  "last_reset": _ms(last["last_reset"]) if last["last_reset"] else None,
                  "change": None if last["sum"] is None else scaled(last["sum"] - (previous or 0.0))}
        return {"start": _ms(start), "end": _ms(end), **{key: values[key] for key in TYPES if key in types}}

    def _item(self, meta: dict) -> dict:
        known = {"statistic_id": meta["statistic_id"], "display_unit_of_measurement": meta["unit_of_measurement"],
                 "has_mean": meta["mean_type"] == 1, "mean_type": meta["mean_type"], "has_sum": meta["has_sum"],
                 "name": meta["name"], "source": meta["source"],
                 "statistics_unit_of_measurement": meta["unit_of_measurement"], "unit_class": meta["unit_class"]}
        return {key: known[key] for key in self._item_keys}

    def _list_statistic_ids(self, message: dict) -> list[dict]:
        self._validate(message, _command(statistic_type=(False, _one_of("sum", "mean"))))
        kind = message.get("statistic_type")
        return [self._item(meta) for meta in self._meta.values()
                if kind is None or (meta["has_sum"] if kind == "sum" else meta["mean_type"] != 0)]

    def _get_statistics_metadata(self, message: dict) -> list[dict]:
        self._validate(message, _command(statistic_ids=(False, _list_of(_is_str))))
        wanted = set(message.get("statistic_ids") or self._meta)
        return [self._item(meta) for statistic_id, meta in self._meta.items() if statistic_id in wanted]

    def _clear_statistics(self, message: dict) -> None:
        self._validate(message, _command(statistic_ids=(True, _list_of(_is_str))))
        for statistic_id in message["statistic_ids"]:
            self._meta.pop(statistic_id, None)
            self._rows.pop(statistic_id, None)
