"""Home Assistant MQTT discovery (device-based, HA 2024.12+) built from a batch's snapshot: pure, no broker.

One device per enabled PDL (``Linky <label>``), one for Tempo and one for EcoWatt. Each device is one retained
config on ``<prefix>/device/<device id>/config`` and one retained JSON state on ``<base>/<device>/state`` that
every component reads with its own template. Entity ids are suggested with ``default_entity_id`` from HA 2025.10
and with ``object_id`` before. "Yesterday", week, month and year energies are ``total`` with a last reset (the
start of their period), never ``total_increasing``; a cost is ``monetary``/``total``; the maximum power is an
``apparent_power`` ``measurement`` in VA (the only unit HA accepts for it). Without long-term statistics, no
state class is sent (HA then keeps no statistics of those sensors).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ... import __version__
from ...energy.costs import euros_to_the_cent, kwh_to_the_wh
from ...energy.timeline import PARIS
from ...energy.words import slot_word
from ..batches import PeriodTotals, Snapshot, UsagePointState

ORIGIN = {"name": "MyElectricalData", "sw": __version__, "url": "https://github.com/MyElectricalData/myelectricaldata-local-client"}
DEFAULT_ENTITY_ID_FROM = (2025, 10, 0)
TEMPO_STATES = {"BLUE": "bleu", "WHITE": "blanc", "RED": "rouge"}
PERIODS = {"week": "cette semaine", "month": "ce mois", "year": "cette année"}


@dataclass(frozen=True)
class Device:
    """One device's discovery config and its state (both published retained)."""

    ident: str
    config: dict[str, Any]
    state: dict[str, Any]

    @property
    def components(self) -> set[str]:
        return set(self.config["cmps"])


def slug(text: str) -> str:
    """Lower-case letters, digits and single underscores (entity and statistic ids)."""
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]", "_", text.lower())).strip("_")


def midnight(day: date) -> str:
    """The ISO start of a Paris day (a last reset)."""
    return datetime.combine(day, time(0), PARIS).isoformat()


def kwh(wh: int | None) -> float | None:
    return None if wh is None else round(wh / 1000, 3)


class Discovery:
    """Builds the devices of a snapshot for one HA version and one set of options."""

    def __init__(self, prefix: str, base: str, version: tuple[int, int, int], statistics: bool = True,
                 currency: str = "EUR") -> None:
        self.prefix, self.base, self.version = prefix.strip("/"), base.strip("/"), version
        self.statistics, self.currency = statistics, currency

    def config_topic(self, ident: str) -> str:
        return f"{self.prefix}/device/{ident}/config"

    def state_topic(self, ident: str) -> str:
        return f"{self.base}/{ident}/state"

    @property
    def availability_topic(self) -> str:
        return f"{self.base}/status"

    def devices(self, snapshot: Snapshot) -> list[Device]:
        """Every device the snapshot supports: enabled PDLs, Tempo and EcoWatt."""
        out = [self._usage_point(up, snapshot) for up in snapshot.usage_points if up.enabled]
        return [*out, self._tempo(snapshot), self._ecowatt(snapshot)]

    # -- building blocks ---------------------------------------------------------------------------------------
    def _entity(self, ident: str, key: str, name: str, entity_id: str, **extra: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"p": "sensor", "uniq_id": f"{ident}_{key}", "name": name,
                               "val_tpl": f"{{{{ value_json.{key} }}}}"}
        if self.version >= DEFAULT_ENTITY_ID_FROM:
            out["def_ent_id"] = f"sensor.{entity_id}"
        else:
            out["obj_id"] = entity_id
        for field, value in extra.items():
            if field == "stat_cla" and not self.statistics:
                continue
            out[field] = value
        return out

    def _energy(self, ident: str, key: str, name: str, entity_id: str, reset_key: str) -> dict[str, Any]:
        return self._entity(ident, key, name, entity_id, dev_cla="energy", unit_of_meas="kWh", stat_cla="total",
                            sug_dsp_prc=1, lrst_val_tpl=f"{{{{ value_json.{reset_key} }}}}")

    def _device(self, ident: str, name: str, model: str, components: dict[str, dict], state: dict[str, Any],
                **extra: Any) -> Device:
        config = {"dev": {"ids": [ident], "name": name, "mf": extra.pop("mf", "MyElectricalData"), "mdl": model,
                          "sw": __version__, **extra},
                  "o": ORIGIN, "avty": [{"t": self.availability_topic}], "stat_t": self.state_topic(ident),
                  "qos": 1, "cmps": components}
        return Device(ident, config, state)

    # -- devices -----------------------------------------------------------------------------------------------
    def _usage_point(self, up: UsagePointState, snapshot: Snapshot) -> Device:
        pdl = up.usage_point_id
        ident, stem = f"myelectricaldata_{pdl}", f"linky_{pdl}"
        cmps: dict[str, dict] = {}
        state: dict[str, Any] = {}
        if up.consumption is not None:
            self._totals(cmps, state, ident, stem, "consumption", "Consommation", up.consumption)
        cost = up.yesterday_cost
        if cost is not None and up.has_consumption:
            for slot, wm in sorted(cost.energy.items()):
                if slot == "BASE":
                    continue
                key = f"consumption_yesterday_{slot_key(slot)}"
                cmps[key] = self._energy(ident, key, f"Consommation hier — {slot_word(slot)}", f"{stem}_{key}",
                                         "yesterday_reset")
                state[key] = kwh_to_the_wh(wm)
            state["cost_yesterday"] = euros_to_the_cent(cost.total)
            state["cost_details"] = {"day": cost.day.isoformat(), "energy": euros_to_the_cent(cost.energy_cost),
                                     "subscription": euros_to_the_cent(cost.subscription), "offer": cost.offer_key,
                                     "estimated": cost.estimated}
            state.setdefault("yesterday_reset", midnight(cost.day))
        if up.has_consumption:  # a production-only PDL has no cost nor maximum power
            cmps["cost_yesterday"] = self._entity(
                ident, "cost_yesterday", "Coût hier", f"{stem}_cost_yesterday", dev_cla="monetary",
                unit_of_meas=self.currency, stat_cla="total", lrst_val_tpl="{{ value_json.yesterday_reset }}",
                json_attr_t=self.state_topic(ident), json_attr_tpl="{{ value_json.cost_details | tojson }}")
            power = up.max_power
            cmps["max_power_yesterday"] = self._entity(
                ident, "max_power_yesterday", "Puissance maximale hier", f"{stem}_max_power_yesterday",
                dev_cla="apparent_power", unit_of_meas="VA", stat_cla="measurement",
                json_attr_t=self.state_topic(ident), json_attr_tpl="{{ value_json.max_power_details | tojson }}")
            if power is not None:
                state["max_power_yesterday"] = power.va
                state["max_power_details"] = {"day": power.day.isoformat(), "at": datetime.fromtimestamp(
                    power.at_utc, UTC).astimezone(PARIS).isoformat(), "subscribed_kva": up.subscribed_kva}
        if up.production is not None:
            self._totals(cmps, state, ident, stem, "production", "Production", up.production, periods=False)
        cmps["last_sync"] = self._entity(ident, "last_sync", "Dernière synchronisation", f"{stem}_last_sync",
                                         dev_cla="timestamp", ent_cat="diagnostic")
        state["last_sync"] = iso(up.last_sync_at)
        for key in cmps:
            state.setdefault(key, None)
        for key in ("cost_details", "max_power_details"):
            state.setdefault(key, {})
        for key in ("yesterday_reset", *(f"{p}_reset" for p in PERIODS)):
            state.setdefault(key, None)
        return self._device(ident, f"Linky {up.label or pdl}", "Linky", cmps, state, mf="Enedis", sn=pdl)

    def _totals(self, cmps: dict, state: dict, ident: str, stem: str, kind: str, title: str, totals: PeriodTotals,
                periods: bool = True) -> None:
        key = f"{kind}_yesterday"
        cmps[key] = self._energy(ident, key, f"{title} hier", f"{stem}_{key}", "yesterday_reset")
        state[key] = kwh(totals.yesterday)
        state["yesterday_reset"] = midnight(totals.end)
        for period, label in PERIODS.items() if periods else ():
            key = f"{kind}_{period}"
            cmps[key] = self._energy(ident, key, f"{title} {label}", f"{stem}_{key}", f"{period}_reset")
            state[key] = kwh(getattr(totals, period))
            state[f"{period}_reset"] = midnight(totals.start(period))

    def _tempo(self, snapshot: Snapshot) -> Device:
        ident, stem = "myelectricaldata_tempo", "myelectricaldata_tempo"
        options = list(TEMPO_STATES.values())
        cmps = {key: self._entity(ident, key, f"Tempo {label}", f"{stem}_{key}", dev_cla="enum", ops=options,
                                  ic="mdi:palette")
                for key, label in (("today", "aujourd'hui"), ("tomorrow", "demain"))}
        state: dict[str, Any] = {"today": TEMPO_STATES.get(snapshot.tempo_today or ""),
                                 "tomorrow": TEMPO_STATES.get(snapshot.tempo_tomorrow or "")}
        for colour, french in TEMPO_STATES.items():
            key = f"remaining_{colour.lower()}"
            cmps[key] = self._entity(ident, key, f"Jours {french}s restants", f"{stem}_{key}", unit_of_meas="j",
                                     ic="mdi:calendar-range")
            state[key] = snapshot.tempo_remaining.get(colour)
        if snapshot.tempo_season is not None:
            state["season"] = f"{snapshot.tempo_season}-{snapshot.tempo_season + 1}"
        return self._device(ident, "Tempo (EDF)", "Tempo", cmps, state, mf="RTE")

    def _ecowatt(self, snapshot: Snapshot) -> Device:
        ident, stem = "myelectricaldata_ecowatt", "myelectricaldata_ecowatt"
        today = snapshot.now.astimezone(PARIS).date()
        days = {e.day: e for e in snapshot.ecowatt}
        cmps, state = {}, {}
        for key, label, day in (("today", "aujourd'hui", today), ("tomorrow", "demain", today + timedelta(days=1))):
            cmps[key] = self._entity(ident, key, f"EcoWatt {label}", f"{stem}_{key}", ic="mdi:transmission-tower",
                                     json_attr_t=self.state_topic(ident),
                                     json_attr_tpl=f"{{{{ value_json.{key}_details | tojson }}}}")
            signal = days.get(day)
            state[key] = signal.level if signal else None
            state[f"{key}_details"] = {"day": day.isoformat(), "message": signal.message if signal else None,
                                       "hours": list(signal.hours) if signal else []}
        return self._device(ident, "EcoWatt (RTE)", "EcoWatt", cmps, state, mf="RTE")


def slot_key(slot: str) -> str:
    """``HP`` -> ``hp``, ``BLUE_HC`` -> ``blue_hc``."""
    return slug(slot)


def iso(moment: datetime | None) -> str | None:
    """An aware ISO time (naive times from the database are UTC)."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def payload(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))
