"""Failed sign-ins slowed down per client: a few tries are free, then each failure makes the client wait before its
next try, twice as long each time. Every failure is logged with the client's address, never with what was typed."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)
FREE_TRIES = 5  # failures in a row before the first wait
FIRST_WAIT_S = 2.0
MAX_WAIT_S = 15 * 60.0
FORGET_AFTER_S = 3600.0  # a client quiet this long after its last failure starts afresh
MAX_CLIENTS = 10_000  # the oldest are forgotten beyond this


@dataclass
class _Record:
    failures: int
    last: float
    until: float  # monotonic time before which the client may not try again


class LoginThrottle:
    """Per-client failures of a secret check (the UI password, the first-run code); safe for waitress's threads."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._clients: OrderedDict[str, _Record] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, client: str) -> float:
        """Seconds before ``client`` may try again (0: now)."""
        now = self.clock()
        with self._lock:
            record = self._current(client, now)
            return max(0.0, record.until - now) if record else 0.0

    def failed(self, client: str, what: str = "sign-in") -> float:
        """Count a failure of ``client``; the seconds it must now wait (logged)."""
        now = self.clock()
        with self._lock:
            record = self._current(client, now) or _Record(0, now, now)
            record.failures += 1
            record.last = now
            extra = record.failures - FREE_TRIES
            wait = min(FIRST_WAIT_S * 2 ** (extra - 1), MAX_WAIT_S) if extra > 0 else 0.0
            record.until = now + wait
            self._clients[client] = record
            self._clients.move_to_end(client)
            while len(self._clients) > MAX_CLIENTS:
                self._clients.popitem(last=False)
        log.warning("failed %s from %s (%d in a row)%s", what, client, record.failures,
                    f"; next try allowed in {wait:.0f} s" if wait else "")
        return wait

    def succeeded(self, client: str) -> None:
        """Forget the failures of ``client``."""
        with self._lock:
            self._clients.pop(client, None)

    def _current(self, client: str, now: float) -> _Record | None:
        record = self._clients.get(client)
        if record is not None and now - record.last > FORGET_AFTER_S and now >= record.until:
            del self._clients[client]
            return None
        return record
