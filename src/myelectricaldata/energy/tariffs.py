"""Regulated tariffs (Tarif Bleu) as versioned data read from the package's JSON file."""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources

OPTIONS = ("BASE", "HPHC", "TEMPO")
TEMPO_SLOTS = ("BLUE_HP", "BLUE_HC", "WHITE_HP", "WHITE_HC", "RED_HP", "RED_HC")
SLOTS = {"BASE": ("BASE",), "HPHC": ("HP", "HC"), "TEMPO": TEMPO_SLOTS}
KVA_LEVELS = (3, 6, 9, 12, 15, 18, 24, 30, 36)


@dataclass(frozen=True)
class PriceVersion:
    """Prices in force from ``valid_from``: EUR/kWh per slot, EUR/month per kVA (key 0: any kVA)."""

    valid_from: date
    energy: Mapping[str, Decimal]
    subscription: Mapping[int, Decimal] = field(default_factory=dict)
    energy_by_kva: tuple[tuple[int, int, Mapping[str, Decimal]], ...] = ()
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    valid_to: date | None = None  # the first day no longer covered (None: still in force)

    def energy_for(self, kva: int | None) -> Mapping[str, Decimal]:
        """Per-slot EUR/kWh for a subscribed power (kVA-banded prices first, then the general ones)."""
        for low, high, prices in self.energy_by_kva:
            if kva is not None and low <= kva <= high:
                return {**self.energy, **prices}
        return self.energy

    def monthly(self, kva: int | None) -> Decimal | None:
        """EUR/month of the subscription at ``kva``; None when no figure is known for that level."""
        if 0 in self.subscription:
            return self.subscription[0]
        return self.subscription.get(kva) if kva is not None else None


def version_on(versions: Sequence[PriceVersion], day: date) -> PriceVersion:
    """The version in force on ``day`` (the earliest one for days before every version)."""
    index = bisect_right([v.valid_from for v in versions], day) - 1
    return versions[max(index, 0)]


def grid_on(versions: Sequence[PriceVersion], day: date,
            starts: Sequence[date] | None = None) -> tuple[PriceVersion, bool]:
    """The version in force on ``day`` and True; when none covers it, the nearest one in time and False (a tie
    goes to the earlier one). ``starts`` (the versions' ``valid_from``) can be given to save rebuilding it."""
    index = bisect_right(starts if starts is not None else [v.valid_from for v in versions], day) - 1
    for i in range(index, -1, -1):
        end = versions[i].valid_to
        if end is None or day < end:
            return versions[i], True
    if index < 0:
        return versions[0], False
    ended = max(versions[:index + 1], key=lambda v: v.valid_to or v.valid_from)
    following = versions[index + 1] if index + 1 < len(versions) else None
    since = (day - (ended.valid_to or day)).days + 1
    if following is not None and (following.valid_from - day).days < since:
        return following, False
    return ended, False


def _prices(raw: Mapping[str, str]) -> dict[str, Decimal]:
    return {slot: Decimal(value) for slot, value in raw.items()}


def parse_tariffs(document: Mapping) -> dict[str, tuple[PriceVersion, ...]]:
    """Versions per option (BASE, HPHC, TEMPO), oldest first, from the tariff document."""
    sources = document.get("sources", {})
    out: dict[str, list[PriceVersion]] = {option: [] for option in OPTIONS}
    for raw in document["versions"]:
        out[raw["option"]].append(PriceVersion(
            valid_from=date.fromisoformat(raw["valid_from"]),
            energy=_prices(raw["energy"]),
            subscription={int(kva): Decimal(v) for kva, v in raw.get("subscription", {}).items()},
            energy_by_kva=tuple((b["kva"][0], b["kva"][1], _prices(b["energy"])) for b in raw.get("energy_by_kva", ())),
            sources=tuple(sources.get(s, s) for s in raw.get("sources", ())),
            notes=tuple(raw.get("notes", ())),
        ))
    return {option: tuple(sorted(vs, key=lambda v: v.valid_from)) for option, vs in out.items()}


@cache
def regulated_tariffs() -> dict[str, tuple[PriceVersion, ...]]:
    """The regulated versions shipped with the package (read once)."""
    text = resources.files(__package__).joinpath("regulated_tariffs.json").read_text(encoding="utf-8")
    return parse_tariffs(json.loads(text))
