"""The application's stop as the exports see it: once asked, no export starts, and the HTTP calls of a running one
end after a short grace, so a target that never answers cannot hold the process past its stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import requests

from ..gateway.transport import Deadline, DeadlineAdapter


class ExportStop:
    """Asked once by whoever stops the application (``serve`` on SIGTERM); the manager checks it between exporters
    and runs each export under ``cuttable()``."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._running: set[Deadline] = set()
        self._cut_at: float | None = None

    def is_set(self) -> bool:
        return self._event.is_set()

    def request(self, grace: float) -> None:
        """Start no more exports; cut the HTTP calls of running ones after ``grace`` seconds."""
        with self._lock:
            if self._event.is_set():
                return
            self._event.set()
            self._cut_at = time.monotonic() + grace
        timer = threading.Timer(grace, self._cut)
        timer.daemon = True
        timer.start()

    def _cut(self) -> None:
        with self._lock:
            running = list(self._running)
        for deadline in running:
            deadline.expire()

    @contextmanager
    def cuttable(self) -> Iterator[None]:
        """Run an export whose HTTP calls (through sessions made by ``http_session``) end at the stop's cut."""
        with Deadline(None) as deadline:
            with self._lock:
                self._running.add(deadline)
                cut = self._cut_at is not None and time.monotonic() >= self._cut_at
            if cut:
                deadline.expire()
            try:
                yield
            finally:
                with self._lock:
                    self._running.discard(deadline)


def http_session() -> requests.Session:
    """A requests session whose calls an application's stop can cut (the exporters' HTTP clients use it)."""
    session = requests.Session()
    for scheme in ("http://", "https://"):
        session.mount(scheme, DeadlineAdapter())
    return session
