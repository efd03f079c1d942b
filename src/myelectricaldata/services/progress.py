"""Where a running sync stands, summed over the datasets (for the progress bar)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from ..database import models as m
from .outcome import Outcome


@dataclass(frozen=True)
class SyncProgress:
    running: bool
    done: int  # days fetched so far, over the datasets being fetched
    total: int
    message: str  # in French, for the progress bar


def sync_progress(engine: Engine, running_here: bool) -> SyncProgress:
    t = m.dataset_states
    with engine.connect() as conn:
        running = conn.scalar(select(func.count()).select_from(m.sync_runs)
                              .where(m.sync_runs.c.outcome == Outcome.RUNNING.value)) or 0
        done, total = conn.execute(select(func.coalesce(func.sum(t.c.progress_done), 0),
                                          func.coalesce(func.sum(t.c.progress_total), 0))
                                   .where(t.c.last_outcome == Outcome.RUNNING.value)).one()
    active = running_here or running > 0
    message = f"{done} / {total} jours" if active and total else ("en cours…" if active else "terminée")
    return SyncProgress(active, int(done), int(total), message)
