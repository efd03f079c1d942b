"""Everything the simulated gateway remembers: clock, account, quotas, faults, consents and requests."""

from __future__ import annotations

import dataclasses
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from myelectricaldata.energy.timeline import PARIS

from .faults import FaultQueue
from .households import DEMO_HOUSEHOLDS, Household
from .quota import QuotaLedger

CLIENT_ID = "demo"
CLIENT_SECRET = "demo"
TOKEN_LIFETIME = timedelta(days=30)
PUBLICATION_HOUR = 8
CONTRACT_FIELDS = frozenset({"offpeak_hours", "subscribed_kva", "pricing_option"})


@dataclass(frozen=True)
class RequestRecord:
    """One request served by the simulator."""

    method: str
    path: str
    query: dict[str, str]
    bucket: str | None
    status: int

    def as_json(self) -> dict:
        """The record as plain JSON values."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class ContractChange:
    """A contract amendment that applies from ``since`` onwards."""

    since: date
    household: Household


class SimulatorState:
    """Mutable state of one simulated gateway account."""

    def __init__(
        self,
        households: Iterable[Household] = DEMO_HOUSEHOLDS,
        today: date | None = None,
        now: datetime | None = None,
        quota_no_cache: int = 50,
        quota_cache: int = 1000,
        timeout_seconds: float = 5.0,
    ) -> None:
        self.households: dict[str, Household] = {h.usage_point_id: h for h in households}
        self.timeout_seconds = timeout_seconds
        self.daily_end_lag = 0  # days before today at which daily routes cap ``end`` (1: J-1 comes a day late)
        self.lock = threading.RLock()
        self.quota = QuotaLedger(no_cache_limit=quota_no_cache, cache_limit=quota_cache)
        self.faults = FaultQueue()
        self.requests: list[RequestRecord] = []
        self.revoked: set[str] = set()
        self.contract_changes: dict[str, ContractChange] = {}
        self.tokens: dict[str, datetime] = {}
        self._now: datetime | None = None
        self.set_now(now if now is not None else _noon(today) if today is not None else None)

    def now(self) -> datetime:
        """Current simulator time, aware, in Europe/Paris."""
        return self._now if self._now is not None else datetime.now(PARIS)

    def today(self) -> date:
        """Local (Paris) date of ``now()``."""
        return self.now().date()

    def set_now(self, moment: datetime | None) -> None:
        """Freeze the clock at ``moment`` (naive means Paris time); None follows the real clock."""
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=PARIS)
        self._now = moment.astimezone(PARIS) if moment is not None else None

    def set_today(self, day: date) -> None:
        """Freeze the clock at noon, Paris time, on ``day``."""
        self.set_now(_noon(day))

    def is_published(self, day: date) -> bool:
        """Whether Enedis has published the meter data of ``day`` yet (J-1 from 08:00 Paris)."""
        now = self.now()
        yesterday = now.date() - timedelta(days=1)
        return day < yesterday or (day == yesterday and now.hour >= PUBLICATION_HOUR)

    def ledger(self) -> QuotaLedger:
        """The quota ledger, started afresh if the UTC day has changed."""
        self.quota.roll(self.now().astimezone(UTC).date())
        return self.quota

    def exhaust_quota(self) -> None:
        """Use up both daily buckets until the next reset."""
        with self.lock:
            self.ledger().exhaust()

    def reset_quota(self) -> None:
        """Zero both counters and forget what the account's cache holds."""
        with self.lock:
            self.ledger().reset()

    def usage_stats(self) -> dict:
        """Counters as ``/accounts/usage-stats`` reports them."""
        with self.lock:
            return self.ledger().stats()

    def inject(self, kind: str, count: int = 1, path: str | None = None) -> None:
        """Make the next ``count`` requests whose path contains ``path`` suffer the fault ``kind``."""
        with self.lock:
            self.faults.inject(kind, count, path)

    def clear_faults(self) -> None:
        """Drop every pending fault."""
        with self.lock:
            self.faults.clear()

    def revoke(self, usage_point_id: str) -> None:
        """Withdraw the consent for a usage point (its routes answer ACCESS_DENIED)."""
        with self.lock:
            self.revoked.add(usage_point_id)

    def restore(self, usage_point_id: str) -> None:
        """Give back a revoked consent."""
        with self.lock:
            self.revoked.discard(usage_point_id)

    def is_active(self, usage_point_id: str) -> bool:
        """Whether the usage point is on the account and its consent stands."""
        return usage_point_id in self.households and usage_point_id not in self.revoked

    def set_contract(self, usage_point_id: str, since: date | None = None, **changes: object) -> Household:
        """Amend a contract (offpeak_hours, subscribed_kva, pricing_option) from ``since`` (default today)."""
        unknown = set(changes) - CONTRACT_FIELDS
        if unknown:
            raise ValueError(f"cannot change {', '.join(sorted(unknown))}: only {sorted(CONTRACT_FIELDS)}")
        with self.lock:
            amended = dataclasses.replace(self.households[usage_point_id], **changes)
            self.contract_changes[usage_point_id] = ContractChange(since or self.today(), amended)
            return amended

    def household_on(self, usage_point_id: str, day: date) -> Household:
        """The household with the contract in force on ``day``."""
        change = self.contract_changes.get(usage_point_id)
        if change is not None and day >= change.since:
            return change.household
        return self.households[usage_point_id]

    def contract_since(self, usage_point_id: str) -> date | None:
        """Date the current contract amendment took effect, if any."""
        change = self.contract_changes.get(usage_point_id)
        return change.since if change is not None and change.since <= self.today() else None

    def issue_token(self) -> str:
        """A new opaque access token for the account."""
        with self.lock:
            token = secrets.token_urlsafe(32)
            self.tokens[token] = self.now()
            return token

    def accepts_token(self, token: str) -> bool:
        """Whether a Bearer token opens the account: a live issued token or the client secret."""
        if secrets.compare_digest(token.encode(), CLIENT_SECRET.encode()):
            return True
        with self.lock:
            issued = self.tokens.get(token)
        return issued is not None and self.now() - issued < TOKEN_LIFETIME

    def expire_tokens(self) -> None:
        """Invalidate every token issued so far (the client secret keeps working)."""
        with self.lock:
            self.tokens.clear()

    def record(self, record: RequestRecord) -> None:
        """Append a served request to ``requests``."""
        with self.lock:
            self.requests.append(record)

    def calls(self, route_fragment: str) -> list[RequestRecord]:
        """Requests served whose path contains ``route_fragment``."""
        with self.lock:
            return [r for r in self.requests if route_fragment in r.path]


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), PARIS)
