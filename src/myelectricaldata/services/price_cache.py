"""Priced results kept while what they were computed from is unchanged; one lock, so any thread may use it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class PriceCache(Generic[V]):
    """The newest ``size`` results by key, each with the fingerprint of its inputs (least recently used dropped first).

    A result is served only while the caller's fingerprint equals the one it was computed with, so a change made by
    another process (a ``sync`` command beside ``serve``) is seen too; the services that change pricing inputs in
    this process also ``clear()`` it at once. Computing happens outside the lock: two threads missing the same key
    both compute, and the last one stored wins (both are right); a result computed across a ``clear()`` is not kept."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._base = size
        self._entries: OrderedDict[Hashable, tuple[Hashable, V]] = OrderedDict()
        self._lock = threading.Lock()
        self._generation = 0  # bumped by clear()

    def get(self, key: Hashable, fingerprint: Hashable, compute: Callable[[], V]) -> V:
        """The result kept for ``key`` if computed with ``fingerprint``, else ``compute()``, kept for next time."""
        with self._lock:
            held = self._entries.get(key)
            if held is not None and held[0] == fingerprint:
                self._entries.move_to_end(key)
                return held[1]
            generation = self._generation
        value = compute()
        with self._lock:
            if generation == self._generation:
                self._entries[key] = (fingerprint, value)
                self._entries.move_to_end(key)
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        return value

    def reserve(self, count: int) -> None:
        """Make room for ``count`` results asked in turn (one per PDL at each /metrics scrape) beside the others:
        at least the initial size plus ``count``, so asking them again finds each one still there."""
        with self._lock:
            self.size = max(self.size, self._base + count)

    def clear(self) -> None:
        """Forget every result (the inputs of some changed)."""
        with self._lock:
            self._entries.clear()
            self._generation += 1

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
