"""One MQTT broker connection shared by the exporters that publish (paho-mqtt 2.x): the broker settings, completed
by the Supervisor's MQTT service when the host is left empty, an availability topic with a last will, subscriptions
kept across reconnections, and publishes waited for until the broker acknowledges them.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from .. import supervisor
from .schema import ConfigField

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0
TEST_TIMEOUT = 5.0
PUBLISH_TIMEOUT = 10.0
REFUSED_CREDENTIALS = ("Not authorized", "Bad user name or password")

BROKER_FIELDS = (
    ConfigField("host", "Serveur MQTT (broker)", help="Vide sous Home Assistant : le broker MQTT du Supervisor"),
    ConfigField("port", "Port", type="int", default=1883, minimum=1, maximum=65535),
    ConfigField("username", "Utilisateur"),
    ConfigField("password", "Mot de passe", type="password"),
    ConfigField("tls", "TLS", type="bool", default=False),
    ConfigField("ca_file", "Fichier de l'autorité (CA)",
                help="Fichier PEM de l'autorité du broker ; vide : celles du système"),
    ConfigField("tls_insecure", "Ne pas vérifier le nom d'hôte du certificat", type="bool", default=False),
    ConfigField("client_id", "Identifiant client", help="Vide : un identifiant aléatoire"),
    ConfigField("keepalive", "Intervalle de maintien de la connexion (secondes)", type="int", default=60, minimum=5,
                maximum=3600, help="Le broker considère le client parti après 1,5 fois ce délai sans message"),
)
BROKER_CONNECTION = ("host", "port", "username", "password")  # how the exporters page groups them
BROKER_ADVANCED = ("tls", "ca_file", "tls_insecure", "client_id", "keepalive")

Message = tuple[str, str, bool]  # topic, payload, retain
Handler = Callable[[str, bytes], None]


class MqttError(ConnectionError):
    """The broker could not be used; the message (in French) names host:port, never the password."""


def broker_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """host, port, username, password, tls: the user's settings, completed by the Supervisor's service when the
    host is left empty (user-entered username, password and TLS still win)."""
    c = config
    out = {"host": (c.get("host") or "").strip(), "port": int(c.get("port") or 1883),
           "username": c.get("username") or "", "password": c.get("password") or "", "tls": bool(c.get("tls"))}
    if out["host"]:
        return out
    try:
        service = supervisor.mqtt_service()
    except supervisor.SupervisorError as exc:
        raise MqttError(f"Aucun broker MQTT indiqué, et le service MQTT du Superviseur a échoué : {exc}") from None
    if not service:
        raise MqttError("Aucun broker MQTT indiqué (et pas de service MQTT du Superviseur à utiliser).")
    out["host"], out["port"] = str(service["host"]), int(service.get("port") or 1883)
    out["username"] = out["username"] or service.get("username") or ""
    out["password"] = out["password"] or service.get("password") or ""
    out["tls"] = out["tls"] or bool(service.get("ssl"))
    return out


class MqttLink:
    """A connection publishing ``online`` (retained) on ``status_topic`` once connected, ``offline`` from the will."""

    def __init__(self, config: Mapping[str, Any], status_topic: str, subscriptions: Mapping[str, Handler] | None = None,
                 client_prefix: str = "myelectricaldata", announce: bool = True) -> None:
        self.config = config
        self.status_topic = status_topic
        self.announce = announce  # False: no will, no online/offline (a connection test beside a running link)
        self.subscriptions = dict(subscriptions or {})
        self.client_prefix = client_prefix
        self.client: mqtt.Client | None = None
        self.where = ""
        self._connected = threading.Event()
        self._refused: str | None = None

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            self._refused = str(reason_code)
            return
        self._refused = None
        if self.announce:
            client.publish(self.status_topic, "online", qos=1, retain=True)
        for topic in self.subscriptions:
            client.subscribe(topic, qos=1)
        self._connected.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self._connected.clear()
        if reason_code.is_failure:
            log.warning("MQTT connection to %s lost (%s); paho reconnects with back-off", self.where, reason_code)

    def _on_message(self, client, userdata, message) -> None:
        for pattern, handler in self.subscriptions.items():
            if mqtt.topic_matches_sub(pattern, message.topic):
                try:
                    handler(message.topic, message.payload)
                except Exception:
                    log.exception("handling MQTT message on %s failed", message.topic)

    def connect(self, timeout: float = CONNECT_TIMEOUT) -> None:
        """Connect and wait for the broker's acceptance; MqttError with a clear reason otherwise."""
        self.disconnect()
        b = broker_settings(self.config)
        where = self.where = f"{b['host']}:{b['port']}"
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self.config.get("client_id") or
                             f"{self.client_prefix}-{uuid.uuid4().hex[:8]}", protocol=mqtt.MQTTv311)
        client.on_connect, client.on_disconnect = self._on_connect, self._on_disconnect
        client.on_message = self._on_message
        if b["username"]:
            client.username_pw_set(b["username"], b["password"] or None)
        if b["tls"]:
            client.tls_set(ca_certs=self.config.get("ca_file") or None, cert_reqs=ssl.CERT_REQUIRED)
            client.tls_insecure_set(bool(self.config.get("tls_insecure")))
        if self.announce:
            client.will_set(self.status_topic, "offline", qos=1, retain=True)
        client.reconnect_delay_set(min_delay=1, max_delay=120)
        client.connect_timeout = timeout
        self._connected.clear()
        self._refused = None
        try:
            client.connect(b["host"], b["port"], keepalive=int(self.config.get("keepalive") or 60))
        except ssl.SSLError as exc:
            raise MqttError(f"Échec de la négociation TLS avec le broker MQTT {where} : {exc.reason or exc}") from None
        except OSError as exc:
            reason = "connexion refusée, le broker est-il démarré ?" if isinstance(exc, ConnectionRefusedError) \
                else "délai dépassé" if isinstance(exc, TimeoutError) else exc.strerror or type(exc).__name__
            raise MqttError(f"Broker MQTT {where} injoignable : {reason}") from None
        client.loop_start()
        self.client = client
        deadline = time.monotonic() + timeout
        while not self._connected.wait(0.05):
            if self._refused or time.monotonic() > deadline:
                refused = self._refused
                self.disconnect(clean=False)
                if refused:
                    hint = " (vérifiez l'utilisateur et le mot de passe)" if refused in REFUSED_CREDENTIALS else ""
                    raise MqttError(f"Le broker MQTT {where} a refusé la connexion : {refused}{hint}")
                raise MqttError(f"Le broker MQTT {where} n'a pas répondu en {timeout:g} s")

    def disconnect(self, clean: bool = True) -> None:
        """Publish ``offline`` (clean) and close."""
        client, self.client = self.client, None
        if client is None:
            return
        if clean and self.announce and self._connected.is_set():
            client.publish(self.status_topic, "offline", qos=1, retain=True).wait_for_publish(2)
        client.disconnect()
        client.loop_stop()
        self._connected.clear()

    def test(self) -> tuple[bool, str]:
        """Connect and disconnect a separate, silent client: (ok, message for the user); a running link's
        availability is left alone."""
        probe = MqttLink(self.config, self.status_topic, client_prefix=f"{self.client_prefix}-test", announce=False)
        try:
            probe.connect(timeout=TEST_TIMEOUT)
        except MqttError as exc:
            return False, str(exc)
        probe.disconnect()
        return True, f"Connecté au broker MQTT {probe.where}"

    def publish(self, messages: Iterable[Message], qos: int) -> int:
        """Publish every message (connecting first if needed) and, with a QoS, wait for the broker's acks."""
        if self.client is None:
            self.connect()
        if not self._connected.wait(CONNECT_TIMEOUT):
            raise MqttError(f"Pas de connexion au broker MQTT {self.where} (reconnexion en cours)")
        client = self.client
        sent = []
        for topic, payload, retain in messages:
            info = client.publish(topic, payload, qos=qos, retain=retain)
            if info.rc != mqtt.MQTT_ERR_SUCCESS:
                raise MqttError(f"Publication de {topic} impossible : {mqtt.error_string(info.rc)}")
            sent.append((topic, info))
        if qos:
            deadline = time.monotonic() + PUBLISH_TIMEOUT
            for topic, info in sent:
                try:
                    info.wait_for_publish(max(0.0, deadline - time.monotonic()))
                    published = info.is_published()
                except RuntimeError:
                    published = False
                if not published:
                    raise MqttError(f"Le broker n'a pas confirmé {topic} en {PUBLISH_TIMEOUT:g} s")
        return len(sent)
