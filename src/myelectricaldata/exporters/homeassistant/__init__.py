"""Home Assistant exporter: sensors through MQTT discovery, and hourly statistics for the Energy dashboard.

Discovery (``discovery``) goes to its own broker connection (by default the Supervisor's MQTT service), so a
failing MQTT exporter never stops it. Configs and states are retained and published again, with the availability,
when HA announces ``online`` on ``<prefix>/status``; a device we published that is no longer wanted (a PDL removed
or disabled) gets an empty retained config, which removes it from HA. The retained configs already on the broker are
read at connection, so this also holds across restarts.

Statistics (``energy``) go through HA's websocket (``recorder/import_statistics``): the Supervisor's proxy under
the add-on, or the URL and long-lived token the user enters. HA queues imports, so an export waits until every
chunk reads back, for as long as HA keeps writing.
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any

from ... import supervisor
from ..base import BaseExporter, ExportResult, PartialExportError
from ..batches import ExportBatch
from ..mqtt_link import BROKER_ADVANCED, BROKER_CONNECTION, BROKER_FIELDS, MqttError, MqttLink
from ..schema import ConfigField
from .discovery import Device, Discovery, payload
from .energy import OURS, EnergyImport, EnergyOptions, start_hour
from .legacy import AFTER, CONTINUE
from .recorder import Recorder
from .statistics import SLOTS, TOTAL
from .websocket import NEWEST, HomeAssistantError, HomeAssistantSocket, endpoint, version_of

log = logging.getLogger(__name__)

BASE_TOPIC = "myelectricaldata/homeassistant"
OUR_DEVICES = "myelectricaldata_"
QOS = 1


def _start(value: Any) -> None:
    start_hour(value)


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
                    help="Statistiques horaires importées (consommation et son coût, production injectée)"),
        ConfigField("energy_series", "Consommation dans le tableau Énergie", type="choice", default=TOTAL,
                    choices=(TOTAL, SLOTS), labels=("Totale, avec son coût", "Par période (HP/HC, Tempo), "
                                                    "chacune avec son coût"), reexport=True,
                    help="Une seule des deux formes est envoyée ; en changer efface de Home Assistant les "
                         "statistiques de l'autre"),
        ConfigField("energy_start", "Début des statistiques Énergie", check=_start, reexport=True,
                    help="AAAA-MM-JJ ou AAAA-MM-JJ HH:00, heure de Paris ; vide : tout l'historique. En changer "
                         "efface nos statistiques et les réimporte depuis cette heure"),
        ConfigField("legacy_handover", "Reprise de l'ancien module MyElectricalData", type="choice",
                    choices=(CONTINUE, AFTER), labels=(
                        "Continuer ses statistiques (tableau Énergie inchangé)",
                        "Nouvelles statistiques après sa dernière heure (à ajouter au tableau Énergie)"),
                    reexport=True, help="Seulement si l'ancien module a déjà importé des statistiques dans Home "
                                        "Assistant : arrêtez d'abord son export vers Home Assistant"),
        ConfigField("topic_prefix", "Préfixe des topics d'état", default=BASE_TOPIC,
                    help="Où les états et la disponibilité sont publiés"),
        ConfigField("ha_url", "URL de Home Assistant",
                    help="Vide dans l'add-on ; sinon par exemple http://homeassistant.local:8123"),
        ConfigField("ha_token", "Jeton d'accès longue durée", type="password",
                    help="Vide dans l'add-on ; sinon un jeton créé dans votre profil Home Assistant"),
        *BROKER_FIELDS,
    )
    connection_fields = ("ha_url", "ha_token", *BROKER_CONNECTION)
    advanced_fields = ("discovery_prefix", "topic_prefix", *BROKER_ADVANCED)

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

    read_back_stall = 120.0  # seconds HA may go without writing a row before an import is called failed

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
        rows, devices, cleared, waiting = 0, 0, 0, []
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
                outcome = self.import_statistics(ws, batch)
                rows, cleared, waiting = outcome.rows, len(outcome.cleared), outcome.waiting
        except HomeAssistantError as exc:  # the sensors stay up (and available): only the statistics failed
            raise PartialExportError(str(exc)) from exc
        finally:
            if ws is not None:
                ws.close()
        message = f"{devices} appareils publiés, {rows} lignes de statistiques importées" + \
            (f", {cleared} statistiques qui ne sont plus envoyées effacées" if cleared else "")
        if waiting:
            raise PartialExportError(f"{message} ; à régler : {' ; '.join(waiting)}")
        return ExportResult(devices + rows, message)

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
        client.publish(builder.availability_topic, "online", qos=QOS, retain=True)
        for device in devices:
            client.publish(builder.state_topic(device.ident), payload(device.state), qos=QOS, retain=True)
        log.info("Home Assistant is online: %d devices published again", len(devices))

    # -- statistics ---------------------------------------------------------------------------------------------
    def options(self) -> EnergyOptions:
        return EnergyOptions(self.config.get("energy_series") or TOTAL, start_hour(self.config.get("energy_start")),
                             self.config.get("legacy_handover") or "")

    def import_statistics(self, ws: HomeAssistantSocket, batch: ExportBatch) -> Any:
        """Import the batch's statistics as the options say and wait until HA has written them."""
        version, currency = self._facts or self.facts(ws)
        return EnergyImport(Recorder(ws, self.read_back_stall), self.options(), version, currency, self.memory,
                            self.report).run(batch)

    # -- reset --------------------------------------------------------------------------------------------------
    def reset(self) -> str:
        """Clear our statistics in HA (``recorder/clear_statistics``); the next export imports them again. The legacy
        client's statistics are left alone (those we continue are rewritten from the hand-over hour)."""
        if not self.config.get("energy"):
            return "statistiques du tableau de bord Énergie désactivées : rien à effacer"
        with self.socket() as ws:
            self.report("Effacement de nos statistiques dans Home Assistant")
            recorder = Recorder(ws, self.read_back_stall)
            ours = [sid for sid in recorder.listed() if OURS.match(sid)]
            recorder.clear(ours)
        return f"{len(ours)} statistiques effacées dans Home Assistant"

    def notes(self, app_url: str) -> list[str]:
        """What the hand-over chosen means for the Energy dashboard."""
        if not self.config.get("energy") or not self.config.get("legacy_handover"):
            return []
        stop = ("Arrêtez l'export vers Home Assistant de l'ancien module MyElectricalData (home_assistant_ws : "
                "enable: false dans son config.yaml, ou l'add-on arrêté) : sinon il réécrit ses statistiques.")
        if self.config["legacy_handover"] == CONTINUE:
            return [stop, "Reprise : ses statistiques « MyElectricalData - <pdl> … » continuent à partir de l'heure "
                          "qui suit sa dernière heure, sommes comprises. Rien à changer dans le tableau Énergie."]
        return [stop, "Reprise : nos statistiques « Linky … » commencent à l'heure qui suit la dernière heure de "
                      "l'ancien module. Dans Paramètres → Tableaux de bord → Énergie, gardez ses statistiques et "
                      "ajoutez les nôtres (consommation et coût, production injectée et revenu) : elles se suivent "
                      "sans se chevaucher."]


__all__ = ["NEWEST", "HomeAssistantError", "HomeAssistantExporter", "MqttError"]
