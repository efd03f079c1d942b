"""Per-PDL preferences edited in the UI: display name, enabled, which datasets to sync."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from ..database import models as m
from ..database import repository as repo
from .datasets import DATASETS


@dataclass(frozen=True)
class PdlPreferences:
    usage_point_id: str
    display_name: str = ""
    enabled: bool = True
    datasets: frozenset[str] = frozenset()  # empty: every dataset the PDL has

    def syncs(self, dataset: str) -> bool:
        return not self.datasets or dataset in self.datasets


def get_preferences(conn: Connection, pdl: str) -> PdlPreferences:
    t = m.pdl_preferences
    row = conn.execute(select(t).where(t.c.usage_point_id == pdl)).first()
    if row is None:
        return PdlPreferences(pdl)
    return PdlPreferences(pdl, row.display_name, row.enabled, frozenset(filter(None, row.datasets.split(","))))


def all_preferences(conn: Connection) -> dict[str, PdlPreferences]:
    t = m.pdl_preferences
    return {r.usage_point_id: PdlPreferences(r.usage_point_id, r.display_name, r.enabled,
                                             frozenset(filter(None, r.datasets.split(","))))
            for r in conn.execute(select(t))}


def save_preferences(conn: Connection, prefs: PdlPreferences) -> None:
    """Store the preferences; unknown dataset names are refused with a message naming them."""
    unknown = prefs.datasets - {d.name for d in DATASETS}
    if unknown:
        raise ValueError(f"datasets: unknown {', '.join(sorted(unknown))}; expected some of "
                         f"{', '.join(d.name for d in DATASETS)}")
    if len(prefs.display_name) > 100:
        raise ValueError("display_name: at most 100 characters")
    repo.upsert(conn, m.pdl_preferences, [{
        "usage_point_id": prefs.usage_point_id, "display_name": prefs.display_name.strip(),
        "enabled": prefs.enabled, "datasets": ",".join(sorted(prefs.datasets)), "updated_at": repo.utcnow()}])
