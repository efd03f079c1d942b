"""Faults queued by tests: which requests they hit and in what order they are used up."""

from __future__ import annotations

from dataclasses import dataclass

BATCH_ROUTES = frozenset({"consumption_batch", "production_batch"})
CURVE_ROUTES = frozenset({"consumption_detail", "production_detail"}) | BATCH_ROUTES
DAILY_ROUTES = frozenset({"consumption_daily", "production_daily", "power"})
ENEDIS_ROUTES = DAILY_ROUTES | CURVE_ROUTES | frozenset({"contract", "address"})

FAULT_TARGETS: dict[str, frozenset[str] | None] = {
    "server_error": None,
    "enedis_unavailable": ENEDIS_ROUTES,
    "timeout": None,
    "malformed": None,
    "rate_limit": ENEDIS_ROUTES | frozenset({"ecowatt"}),
    "partial": BATCH_ROUTES,
    "no_data": DAILY_ROUTES | CURVE_ROUTES,
}
FAULT_KINDS = tuple(FAULT_TARGETS)


@dataclass
class Fault:
    """A fault waiting for ``remaining`` more requests whose path contains ``path``."""

    kind: str
    remaining: int
    path: str | None = None

    def hits(self, path: str, route: str) -> bool:
        """Whether this fault applies to a request on ``path`` served by ``route``."""
        targets = FAULT_TARGETS[self.kind]
        on_route = targets is None or route in targets
        return on_route and (self.path is None or self.path in path)


class FaultQueue:
    """Faults in the order they were injected."""

    def __init__(self) -> None:
        self.pending: list[Fault] = []

    def inject(self, kind: str, count: int = 1, path: str | None = None) -> None:
        """Queue ``kind`` for the next ``count`` matching requests."""
        if kind not in FAULT_TARGETS:
            raise ValueError(f"unknown fault {kind!r}: expected one of {', '.join(FAULT_KINDS)}")
        if count < 1:
            raise ValueError("count must be at least 1")
        self.pending.append(Fault(kind, count, path))

    def take(self, path: str, route: str) -> str | None:
        """Use up one hit of the first fault that applies to this request."""
        for fault in self.pending:
            if fault.hits(path, route):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self.pending.remove(fault)
                return fault.kind
        return None

    def clear(self) -> None:
        """Drop every pending fault."""
        self.pending.clear()
