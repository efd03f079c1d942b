"""Metric names shared by the Prometheus and VictoriaMetrics exporters and the Grafana dashboards.

Prometheus exposes the current values (no timestamps); VictoriaMetrics receives the history under the same
names, each sample at its own time, so one dashboard serves both. Energy in kWh, power in VA or W, money in
euros; labels: ``pdl`` (14 digits), ``direction`` (consumption, production), ``slot`` (base, hp, hc,
blue_hp ... red_hc), ``color`` (blue, white, red), ``day`` (today, tomorrow: never a date).
A helper module: its leading ``_`` keeps plugin discovery from listing it as a plugin.
"""

from __future__ import annotations

PREFIX = "linky"

# name: (type, help); a counter's name carries its ``_total`` suffix
METRICS: dict[str, tuple[str, str]] = {
    "linky_energy_kwh_total": ("counter", "Energy summed over every stored day, by PDL and direction"),
    "linky_daily_energy_kwh": ("gauge", "Energy of one day (Prometheus: yesterday), by PDL and direction"),
    "linky_daily_slot_energy_kwh": ("gauge", "Consumption of one day per tariff slot (Prometheus: yesterday)"),
    "linky_daily_cost_euros": ("gauge", "Cost of one day, energy and subscription share (Prometheus: yesterday)"),
    "linky_daily_slot_cost_euros": ("gauge", "Energy cost of one day per tariff slot (Prometheus: yesterday)"),
    "linky_max_power_va": ("gauge", "Maximum power of one day (Prometheus: yesterday)"),
    "linky_subscribed_power_kva": ("gauge", "Subscribed power of the contract in force"),
    "linky_load_curve_watts": ("gauge", "Average power over a load-curve interval (VictoriaMetrics only)"),
    "linky_last_sync_timestamp_seconds": ("gauge", "When the PDL's data last synced (Unix time)"),
    "linky_sync_ok": ("gauge", "1 when the PDL's last sync succeeded, else 0"),
    "linky_tempo_color": ("gauge", "1 for the Tempo colour of the day (today, tomorrow), else 0"),
    "linky_tempo_days_remaining": ("gauge", "Tempo days of each colour left in the current season"),
    "linky_ecowatt_level": ("gauge", "RTE EcoWatt level of the day: 1 green, 2 orange, 3 red"),
}
