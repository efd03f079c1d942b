"""Migrating from the legacy client: its readings (marked ``legacy_client``, the gateway's kept), its contract, its
plan and prices (a user offer chosen for the PDL) and off-peak hours, its Tempo days; a dry-run report first, then
everything in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select

from ..database import models as m
from ..database import repository as repo
from ..energy import legacy_rows
from ..energy.offers import offer_from_dict, offer_to_dict
from ..energy.offpeak import format_windows, parse_windows
from ..energy.timeline import PARIS
from ..gateway.parse import PRICING_OPTIONS
from . import history_plan
from . import pricing_store as store
from .history_plan import DatasetPlan
from .legacy_source import LegacyData, LegacyPdl, read
from .lock import sync_lock
from .price_cache import PriceCache

SOURCE = "legacy_client"


@dataclass(frozen=True)
class LostHour:
    """Autumn half-hours the legacy client overwrote with their winter-time twin: left missing, never zero."""

    day: date
    start: datetime  # local, aware
    end: datetime
    slots: int


@dataclass(frozen=True)
class PdlMigration:
    pdl: str
    name: str
    known: bool  # already here (synced from the gateway)
    datasets: tuple[DatasetPlan, ...]
    lost: tuple[LostHour, ...] = ()
    unplaced: int = 0  # times that never occur in Paris, left out
    contract: str = ""  # what happens to the contract, in French
    offer: str = ""  # the user offer made of the legacy plan and prices ("" when none)
    pricing: str = ""  # what happens to the PDL's pricing choice, in French
    overrides: dict[int, str] = field(default_factory=dict)  # weekday -> off-peak windows taken over


@dataclass(frozen=True)
class MigrationReport:
    shown: str
    version: str
    pdls: tuple[PdlMigration, ...]
    tempo_days: int = 0  # Tempo colours not known here yet
    written: int = 0  # readings written (0 for the dry run)

    @property
    def ready(self) -> bool:
        return bool(self.tempo_days) or any(d.writes for p in self.pdls for d in p.datasets)


def _readings(legacy: LegacyPdl) -> tuple[dict[str, list], dict[str, int]]:
    readings: dict[str, list] = {f"{d}_daily": v for d, v in legacy.daily.items()}
    readings |= {f"{d}_load_curve": list(c.points) for d, c in legacy.curve.items()}
    readings["consumption_max_power"] = legacy.max_power
    return {k: v for k, v in readings.items() if v}, {k: v for k, v in legacy.placeholders.items() if v}


def _lost(legacy: LegacyPdl) -> tuple[LostHour, ...]:
    by_day: dict[date, list[tuple[datetime, datetime]]] = {}
    for found in legacy.curve.values():
        for start, minutes in found.lost:
            begin = datetime.fromtimestamp(start, PARIS)
            by_day.setdefault(begin.date(), []).append((begin, begin + timedelta(minutes=minutes)))
    return tuple(LostHour(day, min(s for s, _ in spans), max(e for _, e in spans), len(spans))
                 for day, spans in sorted(by_day.items()))


def _first_day(legacy: LegacyPdl) -> date:
    days = [v.day for values in legacy.daily.values() for v in values[:1]]
    days += [p.day for c in legacy.curve.values() for p in c.points[:1]]
    return min(days, default=date(2000, 1, 1))


def _contract_facts(legacy: LegacyPdl) -> dict[str, Any] | None:
    row = legacy.contract
    if not row:
        return None
    power = str(row.get("subscribed_power") or "").upper().replace("KVA", "").strip()
    hours = next((str(row.get(f"offpeak_hours_{d}")) for d in range(7) if row.get(f"offpeak_hours_{d}")), "")
    try:
        canonical = format_windows(parse_windows(hours))
    except ValueError:
        canonical = ""
    plan = legacy.plan.strip().upper()
    return {"subscribed_kva": int(power) if power.isdigit() else None,
            "pricing_option": PRICING_OPTIONS.get(plan, ""), "offpeak_hours": canonical, "offpeak_raw": hours[:200],
            "distribution_tariff": str(row.get("distribution_tariff") or "")[:20],
            "contract_status": str(row.get("contract_status") or "")[:20],
            "last_activation_date": _day(row.get("last_activation_date")),
            "last_tariff_change_date": _day(row.get("last_distribution_tariff_change_date"))}


def _day(raw: Any) -> date | None:
    return legacy_rows.local_day(raw) if raw else None


def _choice_saved(conn: Connection, pdl: str) -> bool:
    t = m.pdl_pricing
    return conn.scalar(select(t.c.usage_point_id).where(t.c.usage_point_id == pdl)) is not None


def _same_offer(conn: Connection, raw: dict) -> str:
    """The key of a user offer equal to ``raw`` (a migration run twice), or ""."""
    wanted = offer_to_dict(offer_from_dict(raw))
    return next((o.key for o in store.user_offers(conn) if offer_to_dict(o) == wanted), "")


def _settings(conn: Connection, legacy: LegacyPdl, tempo_prices: dict[str, Any], write: bool,
              today: date) -> dict[str, Any]:
    """The contract, offer, pricing choice and off-peak overrides taken over (stored when ``write``)."""
    out: dict[str, Any] = {}
    facts = _contract_facts(legacy)
    history = repo.contract_history(conn, legacy.pdl)
    if history:
        out["contract"] = "déjà connu ici : inchangé"
    elif facts:
        out["contract"] = (f"repris de l'ancien client : {facts['subscribed_kva'] or '?'} kVA, heures creuses "
                           f"{facts['offpeak_hours'] or 'aucune'}")
        if write:
            repo.record_contract(conn, legacy.pdl, today, facts)
    contract_hours = history[-1]["offpeak_hours"] if history else (facts or {}).get("offpeak_hours", "")
    name = f"Ancien client · {legacy.name or legacy.pdl}"
    raw = legacy_rows.offer(name, legacy.plan, legacy.prices, tempo_prices, _first_day(legacy))
    if raw:
        prices = ", ".join(f"{slot} {price.replace('.', ',')} €/kWh"
                           for slot, price in raw["versions"][0]["energy"].items())
        out["offer"] = f"« {name} » ({prices})"
    overrides = legacy_rows.offpeak_overrides(legacy.offpeak, contract_hours) if "HC" in legacy.plan.upper() else {}
    if _choice_saved(conn, legacy.pdl):
        out["pricing"] = "déjà réglée ici : inchangée"
        return out
    out["overrides"] = overrides
    out["pricing"] = f"l'offre « {name} »" if raw else "le tarif réglementé de son contrat"
    if write and (raw or overrides):
        key = (_same_offer(conn, raw) or f"user:{store.save_offer(conn, raw)}") if raw else ""
        store.save_choice(conn, legacy.pdl, key, overrides, legacy_rows.buyback(legacy.production_price))
    return out


def _plan_pdl(conn: Connection, legacy: LegacyPdl, tempo_prices: dict[str, Any], today: date, write: bool,
              now: datetime) -> tuple[PdlMigration, int]:
    known = any(up["usage_point_id"] == legacy.pdl for up in repo.usage_point_rows(conn))
    if write and not known:
        production = legacy.curve.get("production")
        repo.save_usage_point(conn, legacy.pdl, name=(legacy.name or legacy.pdl)[:100],
                              has_production=bool(legacy.daily.get("production") or (production and production.points)),
                              pricing_option=PRICING_OPTIONS.get(legacy.plan.strip().upper(), ""))
    readings, empty = _readings(legacy)
    planned = history_plan.plan(conn, legacy.pdl, SOURCE, readings, empty)
    written = history_plan.write(conn, planned, now) if write else 0
    settings = _settings(conn, legacy, tempo_prices, write, today)
    return PdlMigration(legacy.pdl, legacy.name, known, tuple(planned.datasets), _lost(legacy),
                        sum(c.unplaced for c in legacy.curve.values()), **settings), written


def _tempo(conn: Connection, days: Iterable[tuple[date, str]], write: bool) -> int:
    days = list(days)
    if not days:
        return 0
    known = repo.tempo_known_days(conn, days[0][0], days[-1][0])
    new = [(d, c) for d, c in days if d not in known]
    if write and new:
        repo.upsert_rows(conn, m.tempo_days, ("day", "color"), new, update=())
    return len(new)


def _run(conn: Connection, data: LegacyData, today: date, write: bool, now: datetime) -> MigrationReport:
    pdls, written = [], 0
    for legacy in data.pdls:
        report, count = _plan_pdl(conn, legacy, data.tempo_prices, today, write, now)
        pdls.append(report)
        written += count
    return MigrationReport(data.shown, data.version, tuple(pdls), _tempo(conn, data.tempo, write), written)


def preview(engine: Engine, source: str, today: date) -> MigrationReport:
    """The dry run: what migrating from the legacy database at ``source`` would bring; writes nothing.
    LegacyError when the source cannot be read."""
    data = read(source)
    with engine.connect() as conn:
        return _run(conn, data, today, False, datetime.now(PARIS))


def migrate(engine: Engine, source: str, lock_path: Path, today: date, *, prices: PriceCache[Any] | None = None,
            now: datetime | None = None) -> MigrationReport:
    """Write what ``preview`` reports, in one transaction, while no sync runs (SyncBusy otherwise)."""
    data = read(source)
    with sync_lock(lock_path), engine.begin() as conn:
        report = _run(conn, data, today, True, now or datetime.now(PARIS))
    if prices is not None:
        prices.clear()
    return report

