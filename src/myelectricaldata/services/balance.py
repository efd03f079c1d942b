"""The energy balance of a PDL over a range, and its settings: which PDLs have a balance, their peak power (kWc) and
the Home Assistant sensor of their total production."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import Engine

from ..database import repository as repo
from ..energy.balance import BalanceRow, balance_days, by_month, summed
from ..supervisor import SupervisorError, ha_daily_energy
from . import series
from .errors import FieldError, refuse_control_characters
from .preferences import all_preferences
from .pricing import buyback_price
from .usage_points import read_usage_points

MAX_KWC = Decimal(36)


@dataclass(frozen=True)
class BalancePoint:
    """A PDL with a balance: its import comes from ``consumption`` ("" when it has none), its injection from
    ``production`` (itself, or the production PDL linked to it: ``linked``)."""

    usage_point_id: str
    label: str
    consumption: str
    production: str
    linked: str


@dataclass(frozen=True)
class BalanceSettings:
    kwc: Decimal | None  # peak power of the panels, for an estimate of the total production
    sensor: str  # Home Assistant sensor of the total production ("" when none)


def kwc_key(pdl: str) -> str:
    return f"balance_kwc:{pdl}"


def sensor_key(pdl: str) -> str:
    return f"balance_sensor:{pdl}"


def balance_points(engine: Engine) -> list[BalancePoint]:
    """PDLs with a balance: those with production, or whose linked production PDL is known; sorted by label."""
    with engine.connect() as conn:
        prefs = all_preferences(conn)
        points = read_usage_points(conn)
    known = {up.usage_point_id for up in points}
    out = []
    for up in points:
        pdl = up.usage_point_id
        linked = up.linked_production_pdl_id if up.linked_production_pdl_id in known - {pdl} else ""
        if not (up.has_production or linked):
            continue
        out.append(BalancePoint(pdl, up.label(prefs[pdl].display_name if pdl in prefs else ""),
                                pdl if up.has_consumption else "", linked or pdl, linked))
    return sorted(out, key=lambda p: (p.label.casefold(), p.usage_point_id))


def balance_settings(engine: Engine, pdl: str) -> BalanceSettings:
    with engine.connect() as conn:
        kwc = repo.get_state(conn, kwc_key(pdl)) or ""
        sensor = repo.get_state(conn, sensor_key(pdl)) or ""
    return BalanceSettings(Decimal(kwc) if kwc else None, sensor)


def parse_kwc(text: str) -> Decimal:
    """A peak power in kWc, decimal point or comma, spaces tolerated; FieldError (in French) when unusable."""
    cleaned = text.replace("\xa0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise FieldError("kwc", f"« {text} » n'est pas un nombre : écrivez par exemple 3 ou 4,5.") from None
    if not value.is_finite() or not 0 < value <= MAX_KWC:
        raise FieldError("kwc", f"La puissance crête doit être supérieure à 0 et au plus {MAX_KWC} kWc.")
    return value


def save_kwc(engine: Engine, pdl: str, text: str) -> None:
    """Keep the peak power typed ("" removes it); raises FieldError and keeps nothing when it is unusable."""
    value = str(parse_kwc(text.strip())) if text.strip() else ""
    with engine.begin() as conn:
        repo.set_state(conn, kwc_key(pdl), value)


def save_sensor(engine: Engine, pdl: str, entity_id: str) -> None:
    """Keep the Home Assistant sensor of the total production ("" removes it); the form checks its shape."""
    refuse_control_characters({"sensor": entity_id})
    with engine.begin() as conn:
        repo.set_state(conn, sensor_key(pdl), entity_id.strip())


@dataclass(frozen=True)
class Balance:
    """A balance point over a range: its rows (per day or per month), their total, and where the figures come from."""

    rows: list[BalanceRow]
    total: BalanceRow
    source: str  # the total production: "sensor" (measured), "kwc" (estimated) or "" (none)
    settings: BalanceSettings
    buyback: Decimal | None  # EUR/kWh, None when no buy-back price is set
    sensor_error: str  # why the sensor could not be read ("" when it was, or when none is read)
    days_with_data: tuple[date, ...] = ()  # the days with an import or an injection stored, in order


def balance(engine: Engine, point: BalancePoint, start: date, end: date, step: str = "day",
            read_sensor: bool = False) -> Balance:
    """The balance of ``point`` over [start, end] per ``step`` ("day" or "month"); the total production is the
    Home Assistant sensor's when ``read_sensor`` (under the Supervisor) and it can be read, else estimated from the
    peak power when one is set."""
    imported = dict(series.daily(engine, point.consumption, "consumption", start, end)) if point.consumption else {}
    injected = dict(series.daily(engine, point.production, "production", start, end))
    stored = balance_settings(engine, point.usage_point_id)
    buyback = buyback_price(engine, [point.production, point.consumption])
    measured, sensor_error = None, ""
    if read_sensor and stored.sensor:
        try:
            measured = ha_daily_energy(stored.sensor, start, end)
        except SupervisorError as exc:
            sensor_error = str(exc)
    days = balance_days(imported, injected, stored.kwc, buyback, measured)
    rows = days if step == "day" else by_month(days)
    source = "sensor" if measured is not None else "kwc" if stored.kwc is not None else ""
    return Balance(rows, summed(rows), source, stored, buyback, sensor_error,
                   tuple(sorted(set(imported) | set(injected))))
