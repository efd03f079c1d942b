"""MQTT exporter: daily energy, slots, costs, max power, production, Tempo and EcoWatt to a broker (paho-mqtt 2.x).

Topics are listed in ``topics``. ``<prefix>/status`` is the availability topic: ``online`` (retained) once
connected, ``offline`` from the last will when the client vanishes, and on a clean disconnect. Under the add-on,
an empty host means the broker of the Supervisor's MQTT service; whatever the user entered wins.
"""

from __future__ import annotations

from typing import Any

from ..base import BaseExporter, ExportResult
from ..batches import ExportBatch
from ..mqtt_link import BROKER_ADVANCED, BROKER_CONNECTION, BROKER_FIELDS, MqttError, MqttLink
from ..schema import ConfigField
from .topics import messages

__all__ = ["MqttError", "MqttExporter"]


class MqttExporter(BaseExporter):
    name = "mqtt"
    title = "MQTT"
    description = "Consommation, coûts, puissance max, production, Tempo et EcoWatt en topics MQTT (retenus)"
    version = "1.0.0"
    config_schema = (
        *BROKER_FIELDS,
        ConfigField("topic_prefix", "Préfixe des topics", default="myelectricaldata"),
        ConfigField("qos", "QoS", type="choice", choices=("0", "1", "2"), default="1"),
        ConfigField("retain", "Messages retenus (retain)", type="bool", default=True),
        ConfigField("payload_format", "Format des messages", type="choice", choices=("json", "plain"), default="json"),
    )
    connection_fields = BROKER_CONNECTION
    advanced_fields = ("qos", *BROKER_ADVANCED)

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        super().__init__(config)
        self.link = MqttLink(self.config, f"{self.prefix}/status")

    @property
    def prefix(self) -> str:
        return (self.config.get("topic_prefix") or "myelectricaldata").strip("/")

    @property
    def qos(self) -> int:
        return int(self.config.get("qos") or 0)

    @property
    def where(self) -> str:
        return self.link.where

    def connect(self) -> None:
        self.link.connect()

    def disconnect(self) -> None:
        self.link.disconnect()

    def test_connection(self) -> tuple[bool, str]:
        return self.link.test()

    def export(self, batch: ExportBatch) -> ExportResult:
        retain, fmt = bool(self.config.get("retain")), self.config.get("payload_format") or "json"
        count = self.link.publish(((f"{self.prefix}/{m.topic}", m.payload(fmt), retain) for m in messages(batch)),
                                  self.qos)
        return ExportResult(count, f"{count} topics publiés")
