"""What ``serve`` builds once and shares between the web app and the scheduler (built by ``cli``, the root)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from .energy.timeline import PARIS
from .exporters.manager import ExporterManager
from .services.background import BackgroundSync
from .services.price_cache import PriceCache
from .services.sync import SyncService


@dataclass
class AppServices:
    """The database, the sync and its background runner, the exporters, the priced days kept, the clock.

    The web layer reaches it through ``web.context`` (typed by a Protocol there), never by importing this module."""

    engine: Engine
    sync: SyncService | None = None
    runner: BackgroundSync | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(PARIS))
    demo: bool = False
    exporters: ExporterManager | None = None
    prices: PriceCache[Any] = field(default_factory=PriceCache)  # priced days and offer rankings

    def today(self) -> date:
        return self.clock().astimezone(PARIS).date()


if TYPE_CHECKING:
    from .web.context import WebServices

    def _shared_with_the_web(services: AppServices) -> WebServices:
        """Never called: mypy checks here that ``AppServices`` satisfies the web layer's ``WebServices``."""
        return services
