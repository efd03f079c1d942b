"""The exporter framework's test material: a recorder plugin's source, and stored readings with their ledger."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta

from myelectricaldata.database import repository as repo
from myelectricaldata.database import sync_ledger
from myelectricaldata.energy.timeline import PARIS, epoch, local_day_bounds
from myelectricaldata.exporters.manager import ExporterManager
from myelectricaldata.gateway.parse import CurvePoint, DailyValue, EcowattDay, MaxPower

PDL = "99000000000001"
RECORDER = '''
from myelectricaldata.exporters import BaseExporter, ConfigField, ExportResult

BATCHES = []


class Recorder(BaseExporter):
    name = "{name}"
    title = "Recorder"
    description = "keeps every batch it is handed"
    version = "1.2"
    config_schema = (
        ConfigField("host", "Host", required=True),
        ConfigField("port", "Port", type="int", default=1883),
        ConfigField("token", "Token", type="password"),
        ConfigField("fmt", "Format", type="choice", choices=("json", "plain"), default="json"),
    )

    def export(self, batch):
        if self.config.get("host") == "down":
            raise ConnectionError("broker down")
        BATCHES.append(batch)
        return ExportResult(batch.size, "sent")

    def test_connection(self):
        return self.config["host"] != "down", "reached " + self.config["host"]
'''


def recorder_source(name: str = "recorder") -> str:
    return RECORDER.replace("{name}", name)


def batches_of(manager: ExporterManager, name: str) -> list:
    """The batches a recorder plugin received."""
    return sys.modules[manager.exporter_class(name).__module__].BATCHES


def store_days(engine, days: list[date], stamp: datetime, pdl: str = PDL) -> None:
    """Readings of ``days`` (daily, half-hourly curve, max power) and their ledger rows stamped ``stamp``."""
    with engine.begin() as conn:
        repo.save_usage_point(conn, pdl, name="Maison", pricing_option="BASE")
        repo.record_contract(conn, pdl, days[0], {"subscribed_kva": 6, "pricing_option": "BASE",
                                                   "offpeak_hours": "", "distribution_tariff": ""})
        points = []
        for day in days:
            start = epoch(local_day_bounds(day)[0])
            points += [CurvePoint(start + i * 1800, 30, 500 + i, day) for i in range(48)]
        repo.store_load_curve(conn, pdl, "consumption", points)
        repo.store_daily(conn, pdl, "consumption", [DailyValue(d, 12_000) for d in days])
        repo.store_max_power(conn, pdl, [MaxPower(d, 5400, epoch(local_day_bounds(d)[0]) + 3600) for d in days])
        for dataset in ("consumption_daily", "consumption_load_curve", "consumption_max_power"):
            sync_ledger.write_ledger(conn, pdl, dataset, [(d, "complete", 1, 1, "") for d in days], stamp)


def store_calendars(engine, days: list[date]) -> None:
    with engine.begin() as conn:
        repo.store_tempo(conn, [(d, "BLUE") for d in days])
        repo.store_ecowatt(conn, [EcowattDay(d, 1, "ok", (1,) * 24) for d in days])


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=PARIS).astimezone(UTC)


def days_from(first: date, count: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(count)]
