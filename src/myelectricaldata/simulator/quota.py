"""Per-account daily request counters and the record of days already served from the gateway cache."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

CACHE = "cache"
NO_CACHE = "no_cache"


def bucket_for(use_cache: bool) -> str:
    """Which counter a request uses, given its ``use_cache`` flag."""
    return CACHE if use_cache else NO_CACHE


@dataclass
class QuotaLedger:
    """Two daily counters that start afresh at 00:00 UTC, and the per-day cache they protect."""

    no_cache_limit: int
    cache_limit: int
    day: date | None = None
    used: dict[str, int] = field(default_factory=lambda: {CACHE: 0, NO_CACHE: 0})
    served: set[tuple[str, str, date]] = field(default_factory=set)

    def roll(self, utc_day: date) -> None:
        """Start a new quota day when the UTC date has moved on."""
        if self.day != utc_day:
            self.reset()
            self.day = utc_day

    def limit(self, bucket: str) -> int:
        """Daily allowance of the bucket."""
        return self.cache_limit if bucket == CACHE else self.no_cache_limit

    def exhausted(self, bucket: str) -> bool:
        """Whether the bucket has no request left today."""
        return self.used[bucket] >= self.limit(bucket)

    def charge(self, bucket: str) -> None:
        """Count one request against the bucket."""
        self.used[bucket] += 1

    def exhaust(self) -> None:
        """Use up both buckets until the next reset."""
        self.used = {CACHE: self.cache_limit, NO_CACHE: self.no_cache_limit}

    def reset(self) -> None:
        """Zero both counters and forget what was served."""
        self.used = {CACHE: 0, NO_CACHE: 0}
        self.served = set()

    def missing(self, usage_point_id: str, kind: str, days: Iterable[date]) -> list[date]:
        """Days not yet served to this account today for that usage point and kind of data."""
        return [d for d in days if (usage_point_id, kind, d) not in self.served]

    def remember(self, usage_point_id: str, kind: str, days: Iterable[date]) -> None:
        """Note days now held in the account's cache."""
        self.served.update((usage_point_id, kind, d) for d in days)

    def stats(self) -> dict:
        """Counters as ``/accounts/usage-stats`` reports them."""
        return {
            "cached_requests": self.used[CACHE],
            "no_cache_requests": self.used[NO_CACHE],
            "cached_limit": self.cache_limit,
            "no_cache_limit": self.no_cache_limit,
            "date": self.day.isoformat() if self.day else None,
        }
