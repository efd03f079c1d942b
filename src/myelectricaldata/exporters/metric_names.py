"""Metric names shared by the Prometheus and VictoriaMetrics exporters and the Grafana dashboards.

Prometheus exposes the current values (no timestamps); VictoriaMetrics receives the history under the same
names, each sample at its own time, so one dashboard serves both. Energy in kWh, power in VA or W, money in
euros; labels: ``pdl`` (14 digits), ``direction`` (consumption, production), ``slot`` (base, hp, hc,
blue_hp ... red_hc), ``color`` (blue, white, red), ``day`` (today, tomorrow: never a date).
"""

from __future__ import annotations

import re

PREFIX = "linky"
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
OWN_LABELS = frozenset({"pdl", "direction", "slot", "color", "day"})

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
    "linky_tempo_remaining": ("gauge", "Tempo days of each colour left in the current season"),
    "linky_ecowatt_level": ("gauge", "RTE EcoWatt level of the day: 1 green, 2 orange, 3 red"),
}


def parse_labels(text: str | None) -> dict[str, str]:
    """The user's extra labels, ``clé=valeur, clé2=valeur2``, as a dict; a ValueError (in French) names the first
    bad pair: not ``key=value``, not a label name, one of ours, given twice or empty."""
    labels: dict[str, str] = {}
    for pair in (text or "").split(","):
        if not pair.strip():
            continue
        key, sep, value = (part.strip() for part in pair.partition("="))
        value = value.strip('"').strip()
        where = f"« {pair.strip()} »"
        if not sep or not key:
            raise ValueError(f"{where} : écrivez clé=valeur, les paires séparées par des virgules")
        if not LABEL_NAME.fullmatch(key) or key.startswith("__"):
            raise ValueError(f"{where} : « {key} » n'est pas un nom d'étiquette valide (lettres sans accent, "
                             "chiffres et _, sans commencer par un chiffre ni par __)")
        if key in OWN_LABELS:
            raise ValueError(f"{where} : l'étiquette « {key} » est réservée, déjà posée par l'exportateur")
        if key in labels:
            raise ValueError(f"{where} : l'étiquette « {key} » est donnée deux fois")
        if not value:
            raise ValueError(f"{where} : valeur vide")
        labels[key] = value
    return labels
