"""The stored usage points (PDL) and their contract versions, as typed values; how a PDL is named on pages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine

from ..database import repository as repo
from ..energy.offers import option_of_contract
from .preferences import PdlPreferences, all_preferences


@dataclass(frozen=True)
class UsagePoint:
    """A PDL as the gateway describes it (fields in the order of the ``usage_points`` table)."""

    usage_point_id: str
    name: str = ""
    pricing_option: str = ""
    has_consumption: bool = True
    has_production: bool = False
    is_active: bool = True
    activation_date: date | None = None
    attention: str = ""  # why the PDL needs the user's attention ("" when it does not)
    street: str = ""
    locality: str = ""
    postal_code: str = ""
    insee_code: str = ""
    city: str = ""
    country: str = ""
    latitude: str = ""
    longitude: str = ""
    contract_checked_on: date | None = None
    address_checked_on: date | None = None
    updated_at: datetime | None = None
    linked_production_pdl_id: str = ""
    selected_offer_id: str = ""  # the catalog row the gateway names as the PDL's offer ("" when none)

    @property
    def address(self) -> str:
        """Street, postal code and city on one line ("" when unknown)."""
        return " ".join(filter(None, (self.street, self.postal_code, self.city)))

    def label(self, display_name: str = "") -> str:
        """How the PDL is named on pages: the user's name, else the gateway's, else its id."""
        return display_name or self.name or self.usage_point_id


@dataclass(frozen=True)
class Contract:
    """One version of a PDL's contract, in force from ``valid_from`` (fields in the order of ``contract_versions``)."""

    usage_point_id: str
    valid_from: date
    first_seen_on: date
    subscribed_kva: int | None = None
    pricing_option: str = ""
    offpeak_hours: str = ""  # "HC (22H00-6H00;12H00-14H00)" as the gateway words it
    offpeak_raw: str = ""
    distribution_tariff: str = ""
    contract_status: str = ""
    last_activation_date: date | None = None
    last_tariff_change_date: date | None = None


@dataclass(frozen=True)
class UsagePointOnDay:
    """A PDL with its preferences and the contract version in force on a day (None when no contract is known)."""

    usage_point: UsagePoint
    preferences: PdlPreferences
    contract: Contract | None


@dataclass(frozen=True)
class UsagePointLabel:
    """A PDL and its label, for the lists pages choose from."""

    usage_point_id: str
    label: str


@cache
def _field_names(cls: Any) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _typed(cls: Any, row: Mapping[str, Any]) -> Any:
    return cls(**{name: row[name] for name in _field_names(cls) if name in row})


def read_usage_points(conn: Connection) -> list[UsagePoint]:
    """Every stored PDL, by id (inside a connection another service holds)."""
    return [_typed(UsagePoint, row) for row in repo.usage_point_rows(conn)]


def read_contracts(conn: Connection, pdl: str) -> list[Contract]:
    """The PDL's contract versions, oldest first."""
    return [_typed(Contract, row) for row in repo.contract_history(conn, pdl)]


def read_all_contracts(conn: Connection) -> dict[str, list[Contract]]:
    """PDL -> its contract versions, oldest first, for every PDL, in one query."""
    return {pdl: [_typed(Contract, row) for row in rows] for pdl, rows in repo.contract_histories(conn).items()}


def in_force(history: list[Contract], day: date) -> Contract | None:
    """The version ``day`` is priced with: the last one starting on or before it, else the earliest one."""
    chosen = history[0] if history else None
    for contract in history:
        if contract.valid_from <= day:
            chosen = contract
    return chosen


def usage_points(engine: Engine) -> list[UsagePoint]:
    """Every stored PDL, by id."""
    with engine.connect() as conn:
        return read_usage_points(conn)


def usage_points_on(engine: Engine, day: date) -> list[UsagePointOnDay]:
    """Every stored PDL by id, with its preferences (the defaults when none were saved) and the contract in force on
    ``day``, read in one connection."""
    with engine.connect() as conn:
        prefs = all_preferences(conn)
        return [UsagePointOnDay(up, prefs.get(up.usage_point_id) or PdlPreferences(up.usage_point_id),
                                in_force(read_contracts(conn, up.usage_point_id), day))
                for up in read_usage_points(conn)]


def usage_point(engine: Engine, pdl: str) -> UsagePoint | None:
    """The stored PDL, or None when it is not known here."""
    return next((up for up in usage_points(engine) if up.usage_point_id == pdl), None)


def contracts(engine: Engine, pdl: str) -> list[Contract]:
    """The PDL's contract versions, oldest first."""
    with engine.connect() as conn:
        return read_contracts(conn, pdl)


def contract_on(engine: Engine, pdl: str, day: date) -> Contract | None:
    """The contract version ``day`` is priced with (the earliest one for days before it), None when none is known."""
    return in_force(contracts(engine, pdl), day)


def labels(engine: Engine, direction: str) -> list[UsagePointLabel]:
    """The PDLs that have ``direction`` data (consumption or production), sorted by label."""
    with engine.connect() as conn:
        prefs = all_preferences(conn)
        points = read_usage_points(conn)
    out = [UsagePointLabel(up.usage_point_id, up.label(_display_name(prefs, up.usage_point_id)))
           for up in points if (up.has_production if direction == "production" else up.has_consumption)]
    return sorted(out, key=lambda p: (p.label.casefold(), p.usage_point_id))


def _display_name(prefs: Mapping[str, PdlPreferences], pdl: str) -> str:
    return prefs[pdl].display_name if pdl in prefs else ""


def first_with_option(engine: Engine, pdls: list[str], option: str, day: date) -> str | None:
    """The first of ``pdls`` whose contract in force on ``day`` has the regulated ``option`` (e.g. TEMPO)."""
    with engine.connect() as conn:
        for pdl in pdls:
            contract = in_force(read_contracts(conn, pdl), day)
            if contract and option_of_contract(contract.pricing_option) == option:
                return pdl
    return None
