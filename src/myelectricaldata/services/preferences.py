"""Per-PDL preferences edited in the UI: display name, enabled, which datasets to sync."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select

from ..database import models as m
from ..database import repository as repo
from .datasets import DATASETS
from .errors import FieldError, refuse_control_characters


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
    """Store the preferences; raises FieldError naming an unknown dataset or a name too long, and stores nothing."""
    unknown = prefs.datasets - {d.name for d in DATASETS}
    if unknown:
        raise FieldError("datasets", f"Donnée inconnue : {', '.join(sorted(unknown))} ; attendu parmi "
                                     f"{', '.join(d.name for d in DATASETS)}.")
    refuse_control_characters({"display_name": prefs.display_name})
    if len(prefs.display_name) > 100:
        raise FieldError("display_name", "Au plus 100 caractères.")
    repo.upsert(conn, m.pdl_preferences, [{
        "usage_point_id": prefs.usage_point_id, "display_name": prefs.display_name.strip(),
        "enabled": prefs.enabled, "datasets": ",".join(sorted(prefs.datasets)), "updated_at": repo.utcnow()}])


def load(engine: Engine, pdl: str) -> PdlPreferences:
    """The PDL's preferences (the defaults when none were saved)."""
    with engine.connect() as conn:
        return get_preferences(conn, pdl)


def load_all(engine: Engine) -> dict[str, PdlPreferences]:
    """The saved preferences by PDL (a PDL without any is left out)."""
    with engine.connect() as conn:
        return all_preferences(conn)


def save(engine: Engine, prefs: PdlPreferences) -> None:
    """Store the preferences in their own transaction; raises FieldError as ``save_preferences``."""
    with engine.begin() as conn:
        save_preferences(conn, prefs)
