"""MQTT exporter: daily energy, slots, costs, max power, production, Tempo and EcoWatt to a broker (paho-mqtt 2.x).

Topics are listed in ``_mqtt_topics``. ``<prefix>/status`` is the availability topic: ``online`` (retained) once
connected, ``offline`` from the last will when the client vanishes, and on a clean disconnect. Under the add-on,
an empty host means the broker of the Supervisor's MQTT service; whatever the user entered wins.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
import uuid
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from .. import supervisor
from ._mqtt_topics import messages
from .base import BaseExporter, ExportResult
from .batches import ExportBatch
from .schema import ConfigField

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0
TEST_TIMEOUT = 5.0
PUBLISH_TIMEOUT = 10.0


class MqttError(ConnectionError):
    """The broker could not be used; the message names host:port, never the password."""


class MqttExporter(BaseExporter):
    name = "mqtt"
    title = "MQTT"
    description = "Consommation, coûts, puissance max, production, Tempo et EcoWatt en topics MQTT (retenus)"
    version = "1.0.0"
    config_schema = (
        ConfigField("host", "Serveur MQTT (broker)", help="Vide sous Home Assistant : le broker MQTT du Supervisor"),
        ConfigField("port", "Port", type="int", default=1883),
        ConfigField("username", "Utilisateur"),
        ConfigField("password", "Mot de passe", type="password"),
        ConfigField("tls", "TLS", type="bool", default=False),
        ConfigField("ca_file", "Fichier de l'autorité (CA)",
                    help="Fichier PEM de l'autorité du broker ; vide : celles du système"),
        ConfigField("tls_insecure", "Ne pas vérifier le nom d'hôte du certificat", type="bool", default=False),
        ConfigField("client_id", "Identifiant client", help="Vide : un identifiant aléatoire"),
        ConfigField("keepalive", "Keepalive (s)", type="int", default=60),
        ConfigField("topic_prefix", "Préfixe des topics", default="myelectricaldata"),
        ConfigField("qos", "QoS", type="choice", choices=("0", "1", "2"), default="1"),
        ConfigField("retain", "Messages retenus (retain)", type="bool", default=True),
        ConfigField("payload_format", "Format des messages", type="choice", choices=("json", "plain"), default="json"),
    )

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        super().__init__(config)
        self.client: mqtt.Client | None = None
        self._connected = threading.Event()
        self._refused: str | None = None
        self.where = ""

    # -- settings -----------------------------------------------------------------------------------------------
    @property
    def prefix(self) -> str:
        return (self.config.get("topic_prefix") or "myelectricaldata").strip("/")

    @property
    def qos(self) -> int:
        return int(self.config.get("qos") or 0)

    def broker(self) -> dict[str, Any]:
        """host, port, username, password, tls: the user's settings, completed by the Supervisor's service when
        the host is left empty (user-entered username, password and TLS still win)."""
        c = self.config
        out = {"host": (c.get("host") or "").strip(), "port": int(c.get("port") or 1883),
               "username": c.get("username") or "", "password": c.get("password") or "", "tls": bool(c.get("tls"))}
        if out["host"]:
            return out
        try:
            service = supervisor.mqtt_service()
        except supervisor.SupervisorError as exc:
            raise MqttError(f"No MQTT broker host set, and the Supervisor's MQTT service failed: {exc}") from None
        if not service:
            raise MqttError("No MQTT broker host set (and no Supervisor MQTT service to fall back on).")
        out["host"], out["port"] = str(service["host"]), int(service.get("port") or 1883)
        out["username"] = out["username"] or service.get("username") or ""
        out["password"] = out["password"] or service.get("password") or ""
        out["tls"] = out["tls"] or bool(service.get("ssl"))
        return out

    # -- connection ---------------------------------------------------------------------------------------------
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            self._refused = str(reason_code)
            return
        self._refused = None
        client.publish(f"{self.prefix}/status", "online", qos=1, retain=True)
        self._connected.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self._connected.clear()
        if reason_code.is_failure:
            log.warning("MQTT connection lost (%s); paho reconnects with back-off", reason_code)

    def connect(self, timeout: float = CONNECT_TIMEOUT) -> None:
        self.disconnect()
        b = self.broker()
        where = self.where = f"{b['host']}:{b['port']}"
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self.config.get("client_id") or
                             f"myelectricaldata-{uuid.uuid4().hex[:8]}", protocol=mqtt.MQTTv311)
        client.on_connect, client.on_disconnect = self._on_connect, self._on_disconnect
        if b["username"]:
            client.username_pw_set(b["username"], b["password"] or None)
        if b["tls"]:
            client.tls_set(ca_certs=self.config.get("ca_file") or None, cert_reqs=ssl.CERT_REQUIRED)
            client.tls_insecure_set(bool(self.config.get("tls_insecure")))
        client.will_set(f"{self.prefix}/status", "offline", qos=1, retain=True)
        client.reconnect_delay_set(min_delay=1, max_delay=120)
        client.connect_timeout = timeout
        self._connected.clear()
        self._refused = None
        try:
            client.connect(b["host"], b["port"], keepalive=int(self.config.get("keepalive") or 60))
        except ssl.SSLError as exc:
            raise MqttError(f"TLS handshake with the MQTT broker {where} failed: {exc.reason or exc}") from None
        except OSError as exc:
            reason = "connection refused, is the broker running?" if isinstance(exc, ConnectionRefusedError) \
                else "timed out" if isinstance(exc, TimeoutError) else exc.strerror or type(exc).__name__
            raise MqttError(f"Cannot reach the MQTT broker {where}: {reason}") from None
        client.loop_start()
        self.client = client
        deadline = time.monotonic() + timeout
        while not self._connected.wait(0.05):
            if self._refused or time.monotonic() > deadline:
                refused = self._refused
                self.disconnect(clean=False)
                if refused:
                    hint = " (check the username and password)" if refused in (
                        "Not authorized", "Bad user name or password") else ""
                    raise MqttError(f"The MQTT broker {where} refused the connection: {refused}{hint}")
                raise MqttError(f"The MQTT broker {where} did not answer within {timeout:g} s")

    def disconnect(self, clean: bool = True) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        if clean and self._connected.is_set():
            client.publish(f"{self.prefix}/status", "offline", qos=1, retain=True).wait_for_publish(2)
        client.disconnect()
        client.loop_stop()
        self._connected.clear()

    def test_connection(self) -> tuple[bool, str]:
        try:
            self.connect(timeout=TEST_TIMEOUT)
        except MqttError as exc:
            return False, str(exc)
        self.disconnect()
        return True, f"Connected to the MQTT broker {self.where}"

    # -- export -------------------------------------------------------------------------------------------------
    def export(self, batch: ExportBatch) -> ExportResult:
        if self.client is None:
            self.connect()
        if not self._connected.wait(CONNECT_TIMEOUT):
            raise MqttError("Not connected to the MQTT broker (reconnecting)")
        client, qos, retain = self.client, self.qos, bool(self.config.get("retain"))
        fmt = self.config.get("payload_format") or "json"
        sent = []
        for msg in messages(batch):
            info = client.publish(f"{self.prefix}/{msg.topic}", msg.payload(fmt), qos=qos, retain=retain)
            if info.rc != mqtt.MQTT_ERR_SUCCESS:
                raise MqttError(f"Publishing {msg.topic} failed: {mqtt.error_string(info.rc)}")
            sent.append((msg.topic, info))
        if qos:
            deadline = time.monotonic() + PUBLISH_TIMEOUT
            for topic, info in sent:
                try:
                    info.wait_for_publish(max(0.0, deadline - time.monotonic()))
                    published = info.is_published()
                except RuntimeError:
                    published = False
                if not published:
                    raise MqttError(f"The broker did not acknowledge {topic} within {PUBLISH_TIMEOUT:g} s")
        return ExportResult(len(sent), f"{len(sent)} topics published")
