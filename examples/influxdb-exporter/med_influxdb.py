"""InfluxDB 2.x exporter for the MyElectricalData local client: daily energy and load curves, with their timestamps.

Works two ways: installed (``pip install -e examples/influxdb-exporter``, its entry point registers it), or as this
single file dropped into the plugin folder (``/config/exporters`` in the add-on). Either way the client finds the
``BaseExporter`` subclass below, builds the form of its tab from ``config_schema`` and hands it what changed.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from myelectricaldata.exporters import BaseExporter, ConfigField, ExportBatch, ExportResult

PARIS = ZoneInfo("Europe/Paris")
CHUNK = 5_000  # points per write request


def midnight(day: date) -> datetime:
    """The local midnight starting ``day``: a day's value is stamped there."""
    return datetime.combine(day, time(), PARIS).astimezone(UTC)


class InfluxDBExporter(BaseExporter):
    """Daily energy and load curves to InfluxDB 2.x; found on its own, installed or dropped into the plugin folder."""

    name = "influxdb"  # unique identifier
    title = "InfluxDB"
    description = "Export vers InfluxDB 2.x : énergie par jour et courbe de charge, horodatées"
    version = "1.0.0"
    config_schema = (
        ConfigField("url", "URL InfluxDB", required=True, default="http://localhost:8086"),
        ConfigField("token", "Token d'authentification", type="password", required=True),
        ConfigField("org", "Organisation", required=True, default="myorg"),
        ConfigField("bucket", "Bucket", required=True, default="myelectricaldata"),
    )

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        super().__init__(config)
        self.client = None

    def connect(self) -> None:
        from influxdb_client import InfluxDBClient  # loaded only when the exporter is used

        # influxdb-client sets the level of the shared "urllib3" logger: keep the application's logging as it was
        urllib3_log = logging.getLogger("urllib3")
        level = urllib3_log.level
        # retries=0: a failed export is retried by the client app itself, with its back-off
        self.client = InfluxDBClient(url=self.config["url"], token=self.config["token"], org=self.config["org"],
                                     timeout=30_000, retries=0)
        urllib3_log.setLevel(level)

    def disconnect(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None

    def points(self, batch: ExportBatch) -> list:
        """Daily energy (Wh, at the day's local midnight) and load-curve points (W, at the interval start)."""
        from influxdb_client import Point, WritePrecision

        out = [Point(d.direction).tag("pdl", d.usage_point_id).field("daily_wh", d.wh)
               .time(midnight(d.day), WritePrecision.S) for d in (*batch.daily, *batch.production)]
        out += [Point(p.direction).tag("pdl", p.usage_point_id).field("load_curve_w", p.watts)
                .time(p.start_utc, WritePrecision.S) for p in (*batch.load_curve, *batch.production_curve)]
        return out

    def export(self, batch: ExportBatch) -> ExportResult:
        from influxdb_client import WritePrecision
        from influxdb_client.client.write_api import SYNCHRONOUS
        from influxdb_client.rest import ApiException

        points = self.points(batch)
        if not points:
            return ExportResult(0, "rien de nouveau")
        if self.client is None:
            self.connect()
        write_api = self.client.write_api(write_options=SYNCHRONOUS)
        try:
            for i in range(0, len(points), CHUNK):
                write_api.write(bucket=self.config["bucket"], record=points[i:i + CHUNK],
                                write_precision=WritePrecision.S)
        except ApiException as exc:
            raise RuntimeError(f"InfluxDB a refusé l'écriture ({exc.status}) : {exc.reason}") from None
        finally:
            write_api.close()
        return ExportResult(len(points), f"{len(points)} points écrits dans {self.config['bucket']}")

    def test_connection(self) -> tuple[bool, str]:
        from influxdb_client import InfluxDBClient

        try:
            with InfluxDBClient(url=self.config["url"], token=self.config["token"], org=self.config["org"],
                                timeout=10_000, retries=0) as client:
                ready = client.ping()
        except Exception as exc:
            return False, f"InfluxDB injoignable : {exc}"
        return (True, f"Connecté à InfluxDB ({self.config['url']}, organisation {self.config['org']})") if ready \
            else (False, f"Échec du ping de {self.config['url']}")
