"""Exporter runs as the exporters page follows them: which run now (in any thread) and since when, how far their
exporter says they are, and runs started in a thread of their own so that a request returns at once."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .base import Progress

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunState:
    """An exporter's run: whether one goes on and since when, what its exporter last said of its progress, and the
    outcome of the last run started in the background."""

    running: bool = False
    since: datetime | None = None
    progress: Progress = field(default_factory=Progress)
    outcome: Any = None


class Runs:
    """The runs of every exporter, by name."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._since: dict[str, datetime] = {}
        self._progress: dict[str, Progress] = {}
        self._done: dict[str, threading.Event] = {}
        self._outcomes: dict[str, Any] = {}

    @contextlib.contextmanager
    def running(self, name: str) -> Iterator[None]:
        """Mark ``name`` as running for the duration of the block."""
        with self._lock:
            outer = name in self._since
            self._since.setdefault(name, datetime.now(UTC))
        try:
            yield
        finally:
            if not outer:
                with self._lock:
                    self._since.pop(name, None)

    def report(self, name: str, progress: Progress) -> None:
        with self._lock:
            self._progress[name] = progress

    def start(self, name: str, work: Callable[[], Any], failed: Callable[[Exception], Any]) -> bool:
        """Run ``work`` in a thread of its own and return at once; False when ``name`` runs already. The outcome is
        what ``work`` returns, or ``failed(exception)``."""
        with self._lock:
            if self._busy(name):
                return False
            done = self._done[name] = threading.Event()
            self._outcomes.pop(name, None)
            self._progress.pop(name, None)

            def target() -> None:
                try:
                    outcome = work()
                except Exception as exc:
                    log.exception("the background run of exporter %s failed", name)
                    outcome = failed(exc)
                with self._lock:
                    self._outcomes[name] = outcome
                    done.set()

            threading.Thread(target=target, name=f"export-{name}", daemon=True).start()
        return True

    def wait(self, name: str, timeout: float) -> tuple[bool, Any]:
        """(True, outcome) once the run ``start`` began has ended, within ``timeout`` seconds; (False, None) else."""
        done = self._done.get(name)
        if done is None or not done.wait(timeout):
            return False, None
        with self._lock:
            return True, self._outcomes.get(name)

    def _busy(self, name: str) -> bool:
        """A run of ``name`` goes on, or one started in the background has not ended (called under the lock)."""
        done = self._done.get(name)
        return name in self._since or (done is not None and not done.is_set())

    def state(self, name: str) -> RunState:
        with self._lock:
            running = self._busy(name)
            return RunState(running, self._since.get(name), self._progress.get(name, Progress()),
                            self._outcomes.get(name))
