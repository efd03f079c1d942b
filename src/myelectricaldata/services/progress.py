"""Where a running sync stands, summed over the datasets (for the progress bar)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from ..database import models as m


def sync_progress(engine: Engine, running_here: bool) -> dict[str, Any]:
    t = m.dataset_states
    with engine.connect() as conn:
        running = conn.scalar(select(func.count()).select_from(m.sync_runs)
                              .where(m.sync_runs.c.outcome == "running")) or 0
        done, total = conn.execute(select(func.coalesce(func.sum(t.c.progress_done), 0),
                                          func.coalesce(func.sum(t.c.progress_total), 0))
                                   .where(t.c.last_outcome == "running")).one()
    active = running_here or running > 0
    message = f"{done} / {total} jours" if active and total else ("en cours…" if active else "terminée")
    return {"running": active, "done": int(done), "total": int(total), "message": message}
