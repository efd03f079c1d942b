"""The energy balance's settings and points: which PDLs have a balance, their peak power (kWc) and HA sensor."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import Engine

from ..database import repository as repo
from .errors import FieldError, refuse_control_characters
from .preferences import all_preferences
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
