"""A small client of Home Assistant's Core REST API as the add-on reaches it through the Supervisor proxy
(``http://supervisor/core/api/...``, ``Authorization: Bearer $SUPERVISOR_TOKEN``).

``ha_daily_energy`` turns an energy sensor of state class ``total_increasing`` (a PV inverter's total production,
for example) into the energy of each local day: the sum of the increases between consecutive readings, a reading's
increase being counted on the Paris day of that reading. A drop is a meter reset, as Home Assistant treats it for
``total_increasing``: the new value is counted from zero. ``unknown`` and ``unavailable`` states are skipped (the next
reading is compared with the last valid one). A day is in the result when the sensor had a valid state during part of
it; a day without any valid state is left out.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

import requests

from .energy.timeline import PARIS

TIMEOUT = 15
DEFAULT_BASE_URL: str | None = None  # the Core API's base; None: the Supervisor's proxy (``<supervisor>/core``)
ENTITY = re.compile(r"sensor\.[a-z0-9_]+")
UNITS = {"Wh": Decimal(1), "kWh": Decimal(1000), "MWh": Decimal(1_000_000)}
SKIPPED = {"unknown", "unavailable", ""}


class SupervisorError(Exception):
    """Home Assistant could not be read; the message (in French) names the entity, never the token."""


def ha_daily_energy(entity_id: str, start: date, end: date, base_url: str | None = None, token: str | None = None,
                    session: requests.Session | None = None) -> dict[date, int]:
    """Energy in Wh per Paris day from ``start`` to ``end`` (both included) of a total_increasing energy sensor."""
    if not ENTITY.fullmatch(entity_id):
        raise SupervisorError(f"« {entity_id} » n'est pas un identifiant de capteur (sensor.nom_en_minuscules).")
    token = token if token is not None else os.environ.get("SUPERVISOR_TOKEN", "")
    if not token:
        raise SupervisorError(f"Impossible de lire {entity_id} : aucun jeton du Superviseur (SUPERVISOR_TOKEN) "
                              "n'est disponible ; l'accès à Home Assistant n'est possible que dans l'add-on.")
    api = (base_url or DEFAULT_BASE_URL or supervisor_url() + "/core").rstrip("/") + "/api"
    http = session or requests.Session()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    state = _get(http, f"{api}/states/{entity_id}", headers, {}, entity_id)
    unit = (state.get("attributes") or {}).get("unit_of_measurement") if isinstance(state, dict) else None
    if unit not in UNITS:
        raise SupervisorError(f"Le capteur {entity_id} est en « {unit or 'sans unité'} » : une énergie en Wh, kWh "
                              "ou MWh (compteur total croissant) est attendue.")
    first = datetime.combine(start, time(0), PARIS)
    last = datetime.combine(end + timedelta(days=1), time(0), PARIS)
    params = {"filter_entity_id": entity_id, "end_time": last.isoformat(), "minimal_response": "",
              "no_attributes": ""}
    history = _get(http, f"{api}/history/period/{first.isoformat()}", headers, params, entity_id)
    if not isinstance(history, list):
        raise SupervisorError(f"Réponse inattendue de Home Assistant pour l'historique de {entity_id}.")
    states = next((s for s in history if isinstance(s, list) and s), [])
    return daily_increase(_readings(states, entity_id), UNITS[unit], first, last)


def daily_increase(readings: list[tuple[datetime, Decimal | None]], factor: Decimal, first: datetime,
                   last: datetime) -> dict[date, int]:
    """Per Paris day in [first, last): the summed increases (x factor, rounded to the Wh) of time-ordered readings,
    a ``None`` value marking an unknown/unavailable state."""
    sums: dict[date, Decimal] = {}
    previous: Decimal | None = None
    for i, (at, value) in enumerate(readings):
        if value is None:
            continue
        until = readings[i + 1][0] if i + 1 < len(readings) else last
        day, stop = max(at, first).astimezone(PARIS).date(), min(until, last)
        while datetime.combine(day, time(0), PARIS) < stop:  # every day during which this valid state held
            sums.setdefault(day, Decimal(0))
            day += timedelta(days=1)
        if previous is not None and first <= at < last:
            key = at.astimezone(PARIS).date()
            sums[key] = sums.get(key, Decimal(0)) + (value - previous if value >= previous else value)
        previous = value
    return {day: int((total * factor).to_integral_value()) for day, total in sorted(sums.items())}


def _readings(states: list, entity_id: str) -> list[tuple[datetime, Decimal | None]]:
    out = []
    for item in states:
        try:
            at = datetime.fromisoformat(item["last_changed"])
            raw = str(item["state"]).strip()
        except (KeyError, TypeError, ValueError):
            raise SupervisorError(f"Historique illisible pour {entity_id} : {item!r:.80}") from None
        try:
            value = None if raw.lower() in SKIPPED else Decimal(raw)
        except InvalidOperation:
            value = None
        out.append((at, value if value is None or value.is_finite() else None))
    return sorted(out, key=lambda r: r[0])


def _get(http: requests.Session, url: str, headers: dict, params: dict, entity_id: str):
    try:
        response = http.get(url, headers=headers, params=params, timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise SupervisorError(f"Home Assistant injoignable pour lire {entity_id} "
                              f"({type(exc).__name__}).") from None
    if response.status_code in (401, 403):
        raise SupervisorError(f"Home Assistant refuse l'accès pour lire {entity_id} (HTTP {response.status_code}) : "
                              "vérifiez « homeassistant_api: true » dans la configuration de l'add-on.")
    if response.status_code == 404:
        raise SupervisorError(f"Le capteur {entity_id} n'existe pas dans Home Assistant.")
    if response.status_code != 200:
        raise SupervisorError(f"Home Assistant a répondu HTTP {response.status_code} pour {entity_id}.")
    try:
        return response.json()
    except ValueError:
        raise SupervisorError(f"Réponse illisible de Home Assistant pour {entity_id}.") from None


SUPERVISOR_URL = "http://supervisor"


def supervisor_url() -> str:
    """The Supervisor's base URL: ``http://supervisor``, or ``SUPERVISOR_URL`` from the environment."""
    return (os.environ.get("SUPERVISOR_URL") or SUPERVISOR_URL).rstrip("/")


def mqtt_service(base_url: str | None = None, token: str | None = None,
                 session: requests.Session | None = None) -> dict | None:
    """The broker the Supervisor offers (``GET /services/mqtt``: host, port, username, password, ssl, protocol),
    or None outside the add-on (no token) or when no broker add-on provides the service."""
    token = token if token is not None else os.environ.get("SUPERVISOR_TOKEN", "")
    if not token:
        return None
    url = (base_url or supervisor_url()).rstrip("/") + "/services/mqtt"
    http = session or requests.Session()
    try:
        response = http.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise SupervisorError(f"Superviseur injoignable pour lire le service MQTT ({type(exc).__name__}).") from None
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code == 403:
        raise SupervisorError("Le Superviseur refuse l'accès au service MQTT (HTTP 403) : l'add-on doit déclarer "
                              "« services: [mqtt:want] ».")
    if response.status_code == 400 and isinstance(body, dict) and "not enabled" in str(body.get("message", "")):
        return None
    if response.status_code != 200 or not isinstance(body, dict) or body.get("result") != "ok":
        detail = body.get("message", "") if isinstance(body, dict) else ""
        raise SupervisorError(f"Le Superviseur a répondu HTTP {response.status_code} pour le service MQTT"
                              + (f" : {detail}" if detail else "") + ".")
    data = body.get("data")
    if not isinstance(data, dict) or not data.get("host"):
        raise SupervisorError("Réponse inattendue du Superviseur pour le service MQTT (pas d'hôte).")
    return data


def core_version(base_url: str | None = None, token: str | None = None,
                 session: requests.Session | None = None) -> str | None:
    """Home Assistant's version from the Supervisor (``GET /core/info``), or None outside the add-on or on error."""
    token = token if token is not None else os.environ.get("SUPERVISOR_TOKEN", "")
    if not token:
        return None
    url = (base_url or supervisor_url()).rstrip("/") + "/core/info"
    try:
        response = (session or requests.Session()).get(url, headers={"Authorization": f"Bearer {token}"},
                                                       timeout=TIMEOUT)
        body = response.json()
    except (requests.RequestException, ValueError):
        return None
    data = body.get("data") if isinstance(body, dict) and body.get("result") == "ok" else None
    return str(data["version"]) if isinstance(data, dict) and data.get("version") else None
