"""The legacy client's Energy statistics in Home Assistant, and the two clean hand-overs from them (pure).

The legacy client (MyElectricalData import 0.x and 1.0) wrote ``myelectricaldata:<pdl>_<slot>_consumption`` (slot
``base``, ``hc``/``hp`` or ``bluehc``...), each with a ``_cost`` twin in ``EURO``, and
``myelectricaldata:<pdl>_production`` with ``_production_revenue``; none of our ids has those shapes. Either we
**continue** its ids: rows only after its last hour, summed on from its last sum, so the Energy dashboard stays as it
is; or we start **after** it: our own ids from the hour that follows its last one, summed from 0, so both sit side by
side in the dashboard without overlap. The hour where ours begin is the *junction*.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .statistics import SOURCE, Naming, Role, Statistic, slot_words

CONTINUE, AFTER = "continue", "after"
CONSUMPTION = re.compile(rf"^{SOURCE}:(\d{{14}})_(base|hc|hp|(?:blue|white|red)(?:hc|hp))_consumption(_cost)?$")
INJECTION = re.compile(rf"^{SOURCE}:(\d{{14}})_production(_revenue)?$")
TEMPO_KEYS = frozenset(f"{c}{p}" for c in ("blue", "white", "red") for p in ("hc", "hp"))
PLANS = {"BASE": frozenset({"base"}), "HC/HP": frozenset({"hc", "hp"}), "TEMPO": TEMPO_KEYS}


@dataclass
class Legacy:
    """The legacy statistics of one PDL found in HA (id -> name and unit as HA lists them), and the UTC start of
    their newest hour once read."""

    pdl: str
    statistics: dict[str, Statistic] = field(default_factory=dict)
    last_hour: int | None = None

    @property
    def keys(self) -> set[str]:
        """The slot keys of its consumption statistics (``base``, ``hc``, ``bluehc``...)."""
        return {m[2] for sid in self.statistics if (m := CONSUMPTION.match(sid))}

    @property
    def plan(self) -> str:
        """BASE, HC/HP or TEMPO from its consumption ids; empty for production alone."""
        keys = self.keys
        return next((plan for plan, allowed in PLANS.items() if keys and keys <= allowed), "")

    @property
    def energy_ids(self) -> list[str]:
        """Its kWh statistics (the money ones end at the same hour)."""
        return sorted(sid for sid in self.statistics if not sid.endswith(("_cost", "_revenue")))

    @property
    def junction(self) -> int | None:
        """The hour after its newest one."""
        return None if self.last_hour is None else self.last_hour + 3600


def find_legacy(listed: Iterable[Mapping[str, Any]]) -> dict[str, Legacy]:
    """The legacy statistics among HA's ``recorder/list_statistic_ids`` items, by PDL."""
    found: dict[str, Legacy] = {}
    for item in listed:
        sid = str(item.get("statistic_id") or "")
        match = CONSUMPTION.match(sid) or INJECTION.match(sid)
        if match is None or item.get("source", SOURCE) != SOURCE:
            continue
        unit = str(item.get("statistics_unit_of_measurement") or item.get("display_unit_of_measurement") or "")
        found.setdefault(match[1], Legacy(match[1])).statistics[sid] = Statistic(sid, str(item.get("name") or sid),
                                                                                 unit)
    return found


def legacy_key(slot: str | None) -> str:
    """Our slot (``None`` for the total, ``hp``, ``blue_hc``) as the legacy client spelled it."""
    return "base" if slot is None else slot.replace("_", "")


def fits(legacy: Legacy, slots: Iterable[str]) -> bool:
    """Whether our hours, priced in ``slots`` (``BASE``, ``HP``, ``BLUE_HC``...), can go into its statistics: any
    split fits a BASE plan (it gets the total); HC/HP and Tempo plans need the same slots."""
    plan = legacy.plan
    if plan in ("BASE", ""):
        return True
    return {legacy_key(s.lower()) for s in slots} <= PLANS[plan]


def legacy_naming(legacy: Legacy, currency: str) -> Naming:
    """The legacy ids for our roles, with the names and units HA holds for them (the legacy's spelling for those it
    never wrote)."""

    def naming(role: Role) -> Statistic:
        if role.kind == "injection":
            sid = f"{SOURCE}:{legacy.pdl}_production" + ("_revenue" if role.money else "")
            words = "production" + (" revenue" if role.money else "")
        else:
            key = legacy_key(role.slot)
            sid = f"{SOURCE}:{legacy.pdl}_{key}_consumption" + ("_cost" if role.money else "")
            words = f"{key.upper()} consumption" + (" Cost" if role.money else "")
        found = legacy.statistics.get(sid)
        if found is not None:
            return found
        unit = next((s.unit for s in legacy.statistics.values() if s.statistic_id.endswith(("_cost", "_revenue"))),
                    currency) if role.money else "kWh"
        return Statistic(sid, f"MyElectricalData - {legacy.pdl} {words}", unit)

    return naming


def plan_words(legacy: Legacy) -> str:
    """Its statistics in French for the tab: ``HC/HP (2 statistiques d'énergie et leurs coûts)``."""
    keys = sorted(legacy.keys)
    slots = ", ".join("Base" if k == "base" else slot_words(k[:-2] + "_" + k[-2:]) if k in TEMPO_KEYS
                      else k.upper() for k in keys)
    production = any(INJECTION.match(sid) for sid in legacy.statistics)
    parts = [f"consommation {slots}"] if keys else []
    if production:
        parts.append("production")
    return " et ".join(parts) or "aucune"
