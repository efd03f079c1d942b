"""Energy-dashboard statistics from a batch: series, hourly UTC keys, running sums and metadata (hand-computed)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

from myelectricaldata.energy.costs import HourCost
from myelectricaldata.energy.timeline import PARIS, epoch, local_day_bounds
from myelectricaldata.exporters.batches import CurvePoint, ExportBatch, HourlyCost, Snapshot, UsagePointState
from myelectricaldata.exporters.homeassistant.statistics import Series, chunks, rows_from, series_of

PDL = "12345678901234"
H = 3600
T0 = int(datetime(2025, 1, 6, 0, tzinfo=UTC).timestamp())


def state(**kw) -> UsagePointState:
    values = dict(usage_point_id=PDL, label="Maison", enabled=True, has_consumption=True, has_production=False,
                  pricing_option="HC/HP", subscribed_kva=9, offpeak_hours="", last_sync_at=None)
    return UsagePointState(**{**values, **kw})


def batch(points=(), hours=(), up=None) -> ExportBatch:
    b = ExportBatch(Snapshot(datetime(2025, 11, 5, 12, tzinfo=PARIS), (up or state(),)), load_curve=list(points))
    b.hourly_reader = lambda: list(hours)
    return b


def energy(values: dict[int, int]) -> Series:
    return Series("myelectricaldata:x_consumption", "x", "kWh", True, dict(values))


def test_the_autumn_day_gives_25_hourly_rows_keyed_by_utc():
    first, last = (epoch(t) for t in local_day_bounds(date(2025, 10, 26)))
    points = [CurvePoint(PDL, "consumption", s, 30, 1000 + s % 7) for s in range(first, last, 1800)]
    (consumption,) = series_of(batch(points), "EUR")
    assert consumption.statistic_id == f"myelectricaldata:{PDL}_consumption"
    assert sorted(consumption.values) == list(range(first, last, H))  # 25 distinct UTC hours, none merged
    # each hour holds its two half-hours: (W1 + W2) x 30 watt-minutes
    for hour, wm in consumption.values.items():
        assert wm == sum(1000 + s % 7 for s in (hour, hour + 1800)) * 30
    assert sum(consumption.values.values()) == sum(p.watts * 30 for p in points)


def test_slots_and_costs_come_from_the_priced_hours():
    hours = [HourlyCost(PDL, HourCost(T0, date(2025, 1, 6), {"HP": 60_000, "HC": 30_000},
                                      {"HP": D("0.2146"), "HC": D("0.0848")})),
             HourlyCost(PDL, HourCost(T0 + H, date(2025, 1, 6), {"HP": 0, "HC": 120_000},
                                      {"HP": D(0), "HC": D("0.3392")}))]
    found = {s.statistic_id.split("_", 1)[1]: s for s in series_of(batch(hours=hours), "EUR")}
    assert sorted(found) == ["consumption_cost", "consumption_hc", "consumption_hc_cost", "consumption_hp",
                             "consumption_hp_cost"]
    assert found["consumption_hc"].values == {T0: 30_000, T0 + H: 120_000}  # 0.5 kWh, 2 kWh
    # total cost per hour: 0.2146 + 0.0848 = 0.2994, then 0.3392
    assert found["consumption_cost"].values == {T0: D("0.2994"), T0 + H: D("0.3392")}
    assert found["consumption_hp_cost"].unit == "EUR" and not found["consumption_hp_cost"].energy
    assert found["consumption_hc"].name == "Linky Maison consommation HC"


def test_tempo_slot_names_are_french():
    hours = [HourlyCost(PDL, HourCost(T0, date(2025, 1, 6), {"BLUE_HC": 60_000}, {"BLUE_HC": D("0.1296")}))]
    names = {s.statistic_id: s.name for s in series_of(batch(hours=hours), "EUR")}
    assert names[f"myelectricaldata:{PDL}_consumption_blue_hc"] == "Linky Maison consommation HC bleu"
    assert names[f"myelectricaldata:{PDL}_consumption_blue_hc_cost"] == "Linky Maison coût consommation HC bleu"


def test_rows_continue_from_the_sum_before():
    rows = rows_from(energy({T0: 60_000, T0 + H: 30_000}), 10.0, {})
    # base 10 kWh, then +1 kWh and +0.5 kWh
    assert rows == [{"start": "2025-01-06T00:00:00+00:00", "state": 1.0, "sum": 11.0},
                    {"start": "2025-01-06T01:00:00+00:00", "state": 0.5, "sum": 11.5}]


def test_unchanged_stored_rows_are_not_sent_again():
    stored = {T0: (1.0, 11.0), T0 + H: (0.5, 11.5)}
    assert rows_from(energy({T0: 60_000, T0 + H: 30_000}), 10.0, stored) == []
    # a corrected second hour (0.75 kWh) is sent alone, its sum 10 + 1 + 0.75
    assert rows_from(energy({T0: 60_000, T0 + H: 45_000}), 10.0, stored) == [
        {"start": "2025-01-06T01:00:00+00:00", "state": 0.75, "sum": 11.75}]


def test_a_day_filled_in_late_shifts_the_later_sums():
    # HA holds hours 0, 2 and 3 (1 kWh each, sums 1, 2, 3); hour 1 arrives late with 2 kWh
    stored = {T0: (1.0, 1.0), T0 + 2 * H: (1.0, 2.0), T0 + 3 * H: (1.0, 3.0)}
    rows = rows_from(energy({T0 + H: 120_000}), 1.0, stored)
    # from hour 1 on: 1 + 2 = 3, then 4 and 5, HA's own hour values kept for hours 2 and 3
    assert [(r["start"][11:13], r["state"], r["sum"]) for r in rows] == [("01", 2.0, 3.0), ("02", 1.0, 4.0),
                                                                        ("03", 1.0, 5.0)]


def test_cost_sums_are_exact_decimals():
    cost = Series("myelectricaldata:x_cost", "x", "EUR", False, {T0: D("0.1"), T0 + H: D("0.2")})
    rows = rows_from(cost, 0.3, {})
    assert [r["sum"] for r in rows] == [0.4, 0.6]  # Decimal 0.3 + 0.1 + 0.2, not float 0.6000000000000001


def test_metadata_follow_the_ha_version():
    kwh, eur = energy({}), Series("myelectricaldata:x_cost", "x", "EUR", False)
    old = kwh.metadata((2025, 4, 4))
    assert old["has_mean"] is False and "mean_type" not in old and "unit_class" not in old
    assert kwh.metadata((2025, 10, 3)).get("mean_type") is None
    new = kwh.metadata((2025, 11, 0))
    assert new["mean_type"] == 0 and new["unit_class"] == "energy" and "has_mean" not in new
    assert eur.metadata((2026, 11, 0))["unit_class"] is None
    for meta in (old, new):
        assert meta["source"] == "myelectricaldata" and meta["has_sum"] is True


def test_chunks_cut_long_imports():
    rows = [{"n": i} for i in range(4500)]
    assert [len(c) for c in chunks(rows, 2000)] == [2000, 2000, 500]
