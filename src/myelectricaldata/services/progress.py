"""Where a running sync stands, summed over the datasets (for the progress bar), and how the last one ended."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from ..database import models as m
from .outcome import Outcome

ENDED = {  # how the last sync ended, in French, for the bar once it stops
    Outcome.OK: "terminée", Outcome.ERRORS: "terminée avec des erreurs",
    Outcome.QUOTA: "échec : quota journalier de la passerelle atteint",
    Outcome.AUTH: "échec : identifiants refusés par la passerelle",
    Outcome.UNREACHABLE: "échec : passerelle injoignable", Outcome.STOPPED: "interrompue à l'arrêt",
    Outcome.INTERRUPTED: "interrompue", Outcome.ERROR: "échec : erreur inattendue",
}
FAILURES = frozenset({Outcome.QUOTA, Outcome.AUTH, Outcome.UNREACHABLE, Outcome.ERROR, Outcome.INTERRUPTED})


@dataclass(frozen=True)
class SyncProgress:
    running: bool
    done: int  # days fetched so far, over the datasets being fetched
    total: int
    message: str  # in French, for the progress bar
    run_id: int | None = None  # the latest run: a page seeing it change knows a sync ended since it was drawn
    outcome: str = ""  # the latest run's outcome ("running" while it goes on)
    failed: bool = False  # the latest run ended in a failure (credentials, gateway, quota, unexpected error)


def sync_progress(engine: Engine, running_here: bool) -> SyncProgress:
    t = m.dataset_states
    runs = m.sync_runs
    with engine.connect() as conn:
        running = conn.scalar(select(func.count()).select_from(runs)
                              .where(runs.c.outcome == Outcome.RUNNING.value)) or 0
        done, total = conn.execute(select(func.coalesce(func.sum(t.c.progress_done), 0),
                                          func.coalesce(func.sum(t.c.progress_total), 0))
                                   .where(t.c.last_outcome == Outcome.RUNNING.value)).one()
        last = conn.execute(select(runs.c.id, runs.c.outcome).order_by(runs.c.id.desc()).limit(1)).first()
    active = running_here or running > 0
    outcome = Outcome(last.outcome) if last is not None else None
    if active:
        message = f"{done} / {total} jours" if total else "en cours…"
    else:
        message = ENDED.get(outcome, "terminée") if outcome is not None else "aucune synchronisation"
    failed = not active and outcome in FAILURES
    return SyncProgress(active, int(done), int(total), message, last.id if last is not None else None,
                        outcome.value if outcome is not None else "", failed)
