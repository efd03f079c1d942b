"""How a sync, a dataset's fetch or an export ended: one vocabulary, stored and shown as these strings."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """A ``str``: stored (``sync_runs.outcome``, ``dataset_states.last_outcome``) and written in JSON as its value."""

    OK = "ok"
    ERRORS = "errors"  # the run ended, some steps failed
    ERROR = "error"  # failed (an unexpected error for a run; a failure for a dataset or an export)
    QUOTA = "quota"  # the gateway's daily quota is reached: syncs paused until 00:00 UTC
    AUTH = "auth"  # the gateway refused the credentials
    UNREACHABLE = "unreachable"  # the gateway could not be reached
    STOPPED = "stopped"  # stopped on request (shutdown)
    INTERRUPTED = "interrupted"  # a run left "running" by a process that died
    RUNNING = "running"
    DEFERRED = "deferred"  # an export that sent nothing on purpose (too soon); the same changes come again
    WAITING = "waiting"  # an export not tried: it waits for its retry time after a failure

    @property
    def succeeded(self) -> bool:
        """The run or export did its work (an export deferred on purpose counts)."""
        return self in (Outcome.OK, Outcome.DEFERRED)


OUTCOME_WORDS: dict[str, str] = {  # how an outcome reads in French
    Outcome.OK: "réussie", Outcome.ERRORS: "terminée avec des erreurs",
    Outcome.QUOTA: "arrêtée : quota de la passerelle atteint", Outcome.AUTH: "refusée : identifiants incorrects",
    Outcome.UNREACHABLE: "impossible : passerelle injoignable", Outcome.STOPPED: "interrompue à l'arrêt",
    Outcome.INTERRUPTED: "interrompue", Outcome.RUNNING: "en cours", Outcome.ERROR: "en erreur",
    Outcome.DEFERRED: "reportée", Outcome.WAITING: "en attente d'un nouvel essai",
}


def outcome_word(outcome: str | None) -> str:
    """An outcome in French ("jamais" for None, the code itself when unknown)."""
    return OUTCOME_WORDS.get(outcome, outcome) if outcome else "jamais"
