"""Energy-dashboard statistics from a batch: series, hourly UTC keys, running sums and metadata (hand-computed)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

from myelectricaldata.energy.costs import HourCost
from myelectricaldata.energy.timeline import PARIS, epoch, local_day_bounds
from myelectricaldata.exporters.batches import CurvePoint, ExportBatch, HourlyCost, Snapshot, UsagePointState
from myelectricaldata.exporters.homeassistant.statistics import (
    SLOTS,
    TOTAL,
    Plan,
    Series,
    chunks,
    ours,
    rows_from,
    series_of,
)

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


def hphc_hours() -> list[HourlyCost]:
    """Hour 0 straddles a window edge (1 kWh HP + 0.5 kWh HC), hour 1 is all HC (2 kWh)."""
    return [HourlyCost(PDL, HourCost(T0, date(2025, 1, 6), {"HP": 60_000, "HC": 30_000},
                                     {"HP": D("0.2146"), "HC": D("0.0848")})),
            HourlyCost(PDL, HourCost(T0 + H, date(2025, 1, 6), {"HP": 0, "HC": 120_000},
                                     {"HP": D(0), "HC": D("0.3392")}))]


def by_what(series: list[Series]) -> dict[str, Series]:
    return {s.statistic_id.split("_", 1)[1]: s for s in series}


def test_the_total_shape_sends_the_consumption_and_its_cost_every_hour_and_no_slot():
    points = [CurvePoint(PDL, "consumption", T0 + m * 60, 30, w) for m, w in ((0, 2000), (30, 1000), (60, 4000),
                                                                                (90, 0))]
    found = by_what(series_of(batch(points, hphc_hours()), "EUR", TOTAL))
    assert sorted(found) == ["consumption", "consumption_cost"]
    # hour 0: (2000 + 1000) W x 30 min; hour 1: 4000 x 30 (1 kWh HP + 0.5 kWh HC, then 2 kWh)
    assert found["consumption"].values == {T0: 90_000, T0 + H: 120_000}
    # total cost per hour: 0.2146 + 0.0848 = 0.2994, then 0.3392
    assert found["consumption_cost"].values == {T0: D("0.2994"), T0 + H: D("0.3392")}
    assert found["consumption_cost"].unit == "EUR" and not found["consumption_cost"].energy
    assert found["consumption"].name == "Linky Maison — Consommation"


def test_the_slots_shape_gives_each_slot_rows_only_for_its_hours():
    found = by_what(series_of(batch(hours=hphc_hours()), "EUR", SLOTS))
    assert sorted(found) == ["consumption_hc", "consumption_hc_cost", "consumption_hp", "consumption_hp_cost"]
    # HP only in hour 0; HC in both (hour 0 straddles the edge)
    assert found["consumption_hp"].values == {T0: 60_000}
    assert found["consumption_hc"].values == {T0: 30_000, T0 + H: 120_000}  # 0.5 kWh, 2 kWh
    assert found["consumption_hp_cost"].values == {T0: D("0.2146")}
    assert found["consumption_hc_cost"].values == {T0: D("0.0848"), T0 + H: D("0.3392")}
    # both hours are settled: a row HA would hold for HP at hour 1 is rewritten with 0
    assert found["consumption_hp"].known == {T0, T0 + H}
    assert found["consumption_hc"].name == "Linky Maison — Consommation HC"


def test_every_slot_has_a_row_at_23_00_so_that_a_day_is_measured_from_it():
    late = int(datetime(2025, 1, 6, 23, tzinfo=PARIS).timestamp())  # 23:00 in Paris, all HP
    hours = [HourlyCost(PDL, HourCost(late, date(2025, 1, 6), {"HP": 60_000, "HC": 0},
                                      {"HP": D("0.2146"), "HC": D(0)}))]
    found = by_what(series_of(batch(hours=hours), "EUR", SLOTS))
    assert found["consumption_hc"].values == {late: 0} and found["consumption_hc_cost"].values == {late: D(0)}
    assert found["consumption_hp"].values == {late: 60_000}


def test_a_base_offer_in_the_slots_shape_keeps_the_total_ids():
    hours = [HourlyCost(PDL, HourCost(T0, date(2025, 1, 6), {"BASE": 60_000}, {"BASE": D("0.2016")}))]
    found = by_what(series_of(batch(hours=hours), "EUR", SLOTS))
    assert sorted(found) == ["consumption", "consumption_cost"]
    assert found["consumption"].values == {T0: 60_000} and found["consumption_cost"].values == {T0: D("0.2016")}


def test_a_production_only_pdl_gets_its_injection_and_revenue_and_no_consumption():
    up = state(has_consumption=False, has_production=True)
    hours = [HourlyCost(PDL, HourCost(T0, date(2025, 1, 6), {"BASE": 0}, {"BASE": D(0)}, 90_000, D("0.195")))]
    b = batch(hours=hours, up=up)
    b.production_curve = [CurvePoint(PDL, "production", T0, 30, 3000), CurvePoint(PDL, "production", T0 + 1800, 30, 0)]
    found = by_what(series_of(b, "EUR", SLOTS))
    assert sorted(found) == ["injection", "injection_revenue"]
    assert found["injection"].values == {T0: 90_000} and found["injection_revenue"].values == {T0: D("0.195")}
    assert found["injection"].name == "Linky Maison — Production injectée"


def test_a_plan_start_leaves_the_earlier_hours_out_and_none_leaves_the_pdl_out():
    points = [CurvePoint(PDL, "consumption", T0 + m * 60, 30, 1000) for m in range(0, 120, 30)]
    plan = Plan(TOTAL, ours(PDL, "Maison", "EUR"), start=T0 + H)
    found = by_what(series_of(batch(points, hphc_hours()), "EUR", plans={PDL: plan}))
    assert found["consumption"].values == {T0 + H: 60_000} and found["consumption_cost"].values == {T0 + H: D("0.3392")}
    assert series_of(batch(points, hphc_hours()), "EUR", plans={PDL: None}) == []


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


def test_sums_stay_flat_over_the_hours_a_slot_has_no_row():
    # HP at hours 0, 1 and 5 only (1 kWh, 0.5 kWh, 2 kWh): three rows, the sum carried over hours 2 to 4
    rows = rows_from(energy({T0: 60_000, T0 + H: 30_000, T0 + 5 * H: 120_000}), 0.0, {})
    assert [(r["start"][11:13], r["state"], r["sum"]) for r in rows] == [("00", 1.0, 1.0), ("01", 0.5, 1.5),
                                                                        ("05", 2.0, 3.5)]


def test_an_hour_that_left_its_slot_is_rewritten_with_zero():
    # HA holds HP rows at hours 0 and 1 (1 kWh each, sums 1 and 2) and hour 2 (sum 3); the window moved: hour 1 is
    # HC now, so the batch settles hours 0 and 1 with HP only at hour 0
    stored = {T0: (1.0, 1.0), T0 + H: (1.0, 2.0), T0 + 2 * H: (1.0, 3.0)}
    series = energy({T0: 60_000})
    series.known = {T0, T0 + H}
    rows = rows_from(series, 0.0, stored)
    # hour 1 becomes 0 (sum stays 1), hour 2 keeps its 1 kWh on top: sum 2
    assert [(r["start"][11:13], r["state"], r["sum"]) for r in rows] == [("01", 0.0, 1.0), ("02", 1.0, 2.0)]


def test_a_rewriting_series_flattens_every_row_from_its_start():
    stored = {T0: (1.0, 11.0), T0 + H: (2.0, 13.0), T0 + 3 * H: (0.5, 13.5)}
    series = Series("myelectricaldata:x_hc_consumption", "x", "kWh", True, start=T0, rewrite=True)
    rows = rows_from(series, 10.0, stored)
    assert [(r["state"], r["sum"]) for r in rows] == [(0.0, 10.0), (0.0, 10.0), (0.0, 10.0)]


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
