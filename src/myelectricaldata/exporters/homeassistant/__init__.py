"""Home Assistant exporter: sensors through MQTT discovery, and hourly statistics for the Energy dashboard.

Discovery (``discovery``) goes to its own broker connection (by default the Supervisor's MQTT service), so a
failing MQTT exporter never stops it. Configs and states are retained, published again when HA announces
``online`` on ``<prefix>/status``, and a device we published that is no longer wanted (a PDL removed or disabled)
gets an empty retained config, which removes it from HA. The retained configs already on the broker are read at
connection, so this also holds across restarts.

Statistics (``statistics``) go through HA's websocket (``recorder/import_statistics``): the Supervisor's proxy
under the add-on, or the URL and long-lived token the user enters. HA queues imports, so an export waits until
the last row of each statistic reads back before it counts as done.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from ... import supervisor
from ..base import BaseExporter, ExportResult, PartialExportError
from ..batches import ExportBatch
from ..mqtt_link import BROKER_FIELDS, MqttError, MqttLink
from ..schema import ConfigField
from .discovery import Device, Discovery, payload
from .statistics import SOURCE, Series, chunks, iso_hour, rows_from, series_of, stored_rows
from .websocket import NEWEST, HomeAssistantError, HomeAssistantSocket, endpoint, version_of

log = logging.getLogger(__name__)

BASE_TOPIC = "myelectricaldata/homeassistant"
OUR_DEVICES = "myelectricaldata_"
LOOKBACKS = (timedelta(days=7), timedelta(days=400), None)  # None: from the beginning
SINCE_EVER = datetime(2000, 1, 1, tzinfo=UTC)
READ_BACK_TIMEOUT = 60.0
READ_BACK_ROWS_PER_SECOND = 1000  # the wait grows with the rows imported (HA's recorder wrote ~3,000 rows/s)
QOS = 1


class HomeAssistantExporter(BaseExporter):
    name = "homeassistant"
    title = "Home Assistant"
    description = ("Capteurs par découverte MQTT (un appareil par PDL, Tempo, EcoWatt) et statistiques horaires "
                   "du tableau de bord Énergie, coûts compris")
    version = "1.0.0"
    config_schema = (
        ConfigField("discovery", "Découverte MQTT des capteurs", type="bool", default=True),
        ConfigField("discovery_prefix", "Préfixe de découverte", default="homeassistant"),
        ConfigField("long_term_statistics", "Statistiques à long terme des capteurs", type="bool", default=True,
                    help="Classe d'état sur les capteurs : Home Assistant garde leur historique"),
        ConfigField("energy", "Tableau de bord Énergie", type="bool", default=True,
                    help="Statistiques horaires importées (consommation, HP/HC ou Tempo, production, coûts)"),
        ConfigField("topic_prefix", "Préfixe des topics d'état", default=BASE_TOPIC,
                    help="Où les états et la disponibilité sont publiés"),
        ConfigField("ha_url", "URL de Home Assistant",
                    help="Vide dans l'add-on ; sinon par exemple http://homeassistant.local:8123"),
        ConfigField("ha_token", "Jeton d'accès longue durée", type="password",
                    help="Vide dans l'add-on ; sinon un jeton créé dans votre profil Home Assistant"),
        *BROKER_FIELDS,
    )

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        super().__init__(config)
        self.prefix = (self.config.get("discovery_prefix") or "homeassistant").strip("/")
        self.base = (self.config.get("topic_prefix") or BASE_TOPIC).strip("/")
        self._echo = threading.Event()
        self._echo_token = ""
        self._seen: set[str] = set()
        self._published: dict[str, Device] = {}
        self._lock = threading.Lock()
        self.link = MqttLink(self.config, f"{self.base}/status", {
            f"{self.prefix}/status": self._on_ha_status,
            f"{self.prefix}/device/+/config": self._on_retained_config,
            f"{self.base}/echo": self._on_echo,
        }, client_prefix="myelectricaldata-ha")
        self._facts: tuple[tuple[int, int, int], str] | None = None

    # -- connection ---------------------------------------------------------------------------------------------
    def connect(self) -> None:
        """Nothing up front: the broker and HA are reached on the first export, each only when enabled."""

    def disconnect(self) -> None:
        self.link.disconnect()
        self._facts = None

    def socket(self) -> HomeAssistantSocket:
        """A websocket to HA (not yet connected) from the settings, or the Supervisor's proxy."""
        url, token = endpoint(self.config.get("ha_url") or "", self.config.get("ha_token") or "")
        return HomeAssistantSocket(url, token)

    def test_connection(self) -> tuple[bool, str]:
        parts, ok = [], True
        if self.config.get("discovery"):
            linked, message = self.link.test()
            ok &= linked
            parts.append(message)
        if self.config.get("energy"):
            try:
                with self.socket() as ws:
                    config = ws.call("get_config")
                parts.append(f"Connecté à Home Assistant {ws.version} à {ws.url} "
                             f"(devise {config.get('currency') or '?'})")
            except HomeAssistantError as exc:
                ok = False
                parts.append(str(exc))
        return ok, "; ".join(parts) or "Rien d'activé : activez la découverte MQTT ou le tableau de bord Énergie"

    def facts(self, ws: HomeAssistantSocket | None = None) -> tuple[tuple[int, int, int], str]:
        """HA's version and currency: from the websocket when open, else the Supervisor's core info (newest and
        EUR when unknown)."""
        if ws is not None:
            config = ws.call("get_config")
            self._facts = (version_of(ws.version or config.get("version")), config.get("currency") or "EUR")
        elif self._facts is None:
            self._facts = (version_of(supervisor.core_version()), "EUR")
        return self._facts

    # -- export -------------------------------------------------------------------------------------------------
    def export(self, batch: ExportBatch) -> ExportResult:
        """Discovery first, so HA refusing the websocket still leaves the sensors up to date; then statistics."""
        if not (self.config.get("discovery") or self.config.get("energy")):
            return ExportResult(0, "rien d'activé")
        rows, devices = 0, 0
        ws, failure = None, None
        if self.config.get("energy"):
            try:
                ws = self.socket()
                ws.connect()
                self.facts(ws)
            except HomeAssistantError as exc:
                ws, failure = None, exc
        try:
            if self.config.get("discovery"):
                devices = self.publish_discovery(batch)
            if failure is not None:
                raise failure
            if ws is not None:
                rows = self.import_statistics(ws, batch)
        except HomeAssistantError as exc:  # the sensors stay up (and available): only the statistics failed
            raise PartialExportError(str(exc)) from exc
        finally:
            if ws is not None:
                ws.close()
        return ExportResult(devices + rows, f"{devices} appareils publiés, {rows} lignes de statistiques importées")

    # -- discovery ----------------------------------------------------------------------------------------------
    def discovery(self) -> Discovery:
        version, currency = self.facts()
        return Discovery(self.prefix, self.base, version, bool(self.config.get("long_term_statistics")), currency)

    def publish_discovery(self, batch: ExportBatch) -> int:
        """Publish every device's config then state (retained), and remove the devices no longer wanted."""
        builder = self.discovery()
        devices = builder.devices(batch.snapshot)
        if self.link.client is None:
            self.link.connect()
            self._wait_for_retained()
        wanted = {d.ident for d in devices}
        with self._lock:
            previous, self._published = self._published, {d.ident: d for d in devices}
            ghosts = (self._seen | set(previous)) - wanted
        messages = []
        for device in devices:
            gone = previous[device.ident].components - device.components if device.ident in previous else set()
            if gone:
                config = {**device.config, "cmps": {**device.config["cmps"], **{k: {"p": "sensor"} for k in gone}}}
                messages.append((builder.config_topic(device.ident), payload(config), True))
            messages.append((builder.config_topic(device.ident), payload(device.config), True))
        messages += [(builder.state_topic(d.ident), payload(d.state), True) for d in devices]
        for ident in sorted(ghosts):
            messages += [(builder.config_topic(ident), "", True), (builder.state_topic(ident), "", True)]
        self.link.publish(messages, QOS)
        with self._lock:
            self._seen -= ghosts
        return len(devices)

    def _wait_for_retained(self, timeout: float = 5.0) -> None:
        """Round-trip a message after subscribing: the broker has then sent us every retained config."""
        self._echo.clear()
        self._echo_token = uuid.uuid4().hex
        self.link.publish([(f"{self.base}/echo", self._echo_token, False)], QOS)
        if not self._echo.wait(timeout):
            log.warning("the broker did not echo within %g s: devices removed earlier may stay in HA", timeout)

    def _on_echo(self, topic: str, body: bytes) -> None:
        if body.decode(errors="replace") == self._echo_token:
            self._echo.set()

    def _on_retained_config(self, topic: str, body: bytes) -> None:
        ident = topic.split("/")[-2]
        if not ident.startswith(OUR_DEVICES):
            return
        with self._lock:
            if body:
                self._seen.add(ident)
            else:
                self._seen.discard(ident)

    def _on_ha_status(self, topic: str, body: bytes) -> None:
        """HA (re)started: publish every config, then every state, again."""
        if body.strip() != b"online" or self.link.client is None:
            return
        with self._lock:
            devices = list(self._published.values())
        if not devices:
            return
        builder = self.discovery()
        client = self.link.client
        for device in devices:
            client.publish(builder.config_topic(device.ident), payload(device.config), qos=QOS, retain=True)
        for device in devices:
            client.publish(builder.state_topic(device.ident), payload(device.state), qos=QOS, retain=True)
        log.info("Home Assistant is online: %d devices published again", len(devices))

    # -- statistics ---------------------------------------------------------------------------------------------
    def import_statistics(self, ws: HomeAssistantSocket, batch: ExportBatch) -> int:
        """Import the batch's hours of every statistic, chunked, and wait until the last rows read back."""
        version, currency = self._facts or self.facts(ws)
        imported, last_rows = 0, {}
        for series in series_of(batch, currency):
            rows = self._rows(ws, series)
            for chunk in chunks(rows):
                ws.call("recorder/import_statistics", metadata=series.metadata(version), stats=chunk)
            if rows:
                imported += len(rows)
                last_rows[series.statistic_id] = rows[-1]
        self._read_back(ws, last_rows, READ_BACK_TIMEOUT + imported / READ_BACK_ROWS_PER_SECOND)
        return imported

    def _rows(self, ws: HomeAssistantSocket, series: Series) -> list[dict]:
        first = min(series.values)
        stored = stored_rows(self._during(ws, series.statistic_id, first, None, ("state", "sum")),
                             series.statistic_id)
        return rows_from(series, self._sum_before(ws, series.statistic_id, first), stored)

    def _sum_before(self, ws: HomeAssistantSocket, sid: str, first: int) -> float:
        """HA's last sum strictly before the hour ``first``, looking back further and further; 0 if none."""
        for lookback in LOOKBACKS:
            start = first - int(lookback.total_seconds()) if lookback else int(SINCE_EVER.timestamp())
            rows = stored_rows(self._during(ws, sid, start, first, ("sum",)), sid)
            if rows:
                return rows[max(rows)][1]
        return 0.0

    def _during(self, ws: HomeAssistantSocket, sid: str, start: int, end: int | None, types: tuple) -> Any:
        query: dict[str, Any] = {"start_time": iso_hour(start), "statistic_ids": [sid], "period": "hour",
                                 "types": list(types)}
        if end is not None:
            query["end_time"] = iso_hour(end)
        return ws.call("recorder/statistics_during_period", **query)

    def _read_back(self, ws: HomeAssistantSocket, last_rows: dict[str, dict], timeout: float) -> None:
        """Wait until HA's recorder has written the last row of each statistic (imports are queued)."""
        deadline = datetime.now(UTC) + timedelta(seconds=timeout)
        pending = dict(last_rows)
        while pending:
            for sid, row in list(pending.items()):
                start = int(datetime.fromisoformat(row["start"]).timestamp())
                got = stored_rows(self._during(ws, sid, start, start + 3600, ("sum",)), sid).get(start)
                if got is not None and abs(got[1] - row["sum"]) < 1e-6:
                    del pending[sid]
            if pending and datetime.now(UTC) > deadline:
                raise HomeAssistantError(f"Home Assistant n'a pas enregistré les statistiques importées en "
                                         f"{timeout:.0f} s : {', '.join(sorted(pending))} (le prochain export "
                                         "n'envoie que ce qui manque)")
            if pending:
                threading.Event().wait(0.2)

    # -- reset --------------------------------------------------------------------------------------------------
    def reset(self) -> str:
        """Clear our statistics in HA (``recorder/clear_statistics``); the next export imports them again."""
        if not self.config.get("energy"):
            return "statistiques du tableau de bord Énergie désactivées : rien à effacer"
        with self.socket() as ws:
            ours = [s["statistic_id"] for s in ws.call("recorder/list_statistic_ids", statistic_type="sum")
                    if str(s.get("statistic_id", "")).startswith(f"{SOURCE}:")]
            if ours:
                ws.call("recorder/clear_statistics", statistic_ids=ours)
                deadline = datetime.now(UTC) + timedelta(seconds=READ_BACK_TIMEOUT)
                while any(str(s.get("statistic_id")) in ours for s in ws.call("recorder/list_statistic_ids")):
                    if datetime.now(UTC) > deadline:
                        raise HomeAssistantError("Home Assistant n'a pas effacé les statistiques à temps")
                    threading.Event().wait(0.2)
        return f"{len(ours)} statistiques effacées dans Home Assistant"


__all__ = ["NEWEST", "HomeAssistantError", "HomeAssistantExporter", "MqttError"]
