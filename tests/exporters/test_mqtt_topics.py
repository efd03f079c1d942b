"""MQTT topics built from a batch (pure): the slot split of yesterday in kWh, hand-computed."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

from myelectricaldata.energy.costs import DayCost
from myelectricaldata.energy.timeline import PARIS
from myelectricaldata.exporters.batches import DailyCost, ExportBatch, Snapshot
from myelectricaldata.exporters.mqtt.topics import messages

PDL = "12345678901234"


def test_slot_energy_of_yesterday_is_in_kwh():
    # 600 000 watt-minutes = 600 000 / 60 000 = 10 kWh of HP; 90 030 watt-minutes = 1.5005 kWh -> 1.501 kWh of HC
    cost = DayCost(date(2025, 11, 4), "regulated:HPHC", {"HP": 600_000, "HC": 90_030},
                   {"HP": D("2.081"), "HC": D("0.2453")}, D("0.59"), 9, date(2025, 8, 1))
    batch = ExportBatch(Snapshot(datetime(2025, 11, 5, 12, tzinfo=PARIS)), costs=[DailyCost(PDL, cost)])
    values = {m.topic: m.value for m in messages(batch)}
    assert values[f"{PDL}/consumption/yesterday/hp"] == 10.0
    assert values[f"{PDL}/consumption/yesterday/hc"] == 1.501
    # 2.081 + 0.2453 + 0.59 = 2.9163 -> 2.92 EUR
    assert values[f"{PDL}/cost/yesterday"] == 2.92 and values[f"{PDL}/cost/yesterday/hp"] == 2.08
