"""How web code reaches what the composition root shares: ``app_services()`` and ``app_settings()``, one accessor each.

The web layer sits below the composition root and never imports ``myelectricaldata.app``: ``WebServices`` is a
Protocol of what the web needs, which the root's ``AppServices`` satisfies; ``create_app`` keeps it in the app."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from flask import Flask, current_app

from ..config import Settings

if TYPE_CHECKING:
    from ..exporters.manager import ExporterManager
    from ..services.background import BackgroundSync
    from ..services.health import Database
    from ..services.price_cache import PriceCache
    from ..services.sync import SyncService

KEY = "med"


class WebServices(Protocol):
    engine: Database  # handed to the services, never opened here
    sync: SyncService | None  # None: no gateway configured
    runner: BackgroundSync | None
    exporters: ExporterManager | None
    prices: PriceCache[Any]  # handed to pricing reads and to the services that change their inputs
    demo: bool
    clock: Callable[[], datetime]

    def today(self) -> date: ...


def install(app: Flask, settings: Settings, services: WebServices) -> None:
    """Keep the settings and the shared services in ``app`` (``create_app`` does it once)."""
    app.config["MED_SETTINGS"] = settings
    app.extensions[KEY] = services


def app_services() -> WebServices:
    """The shared services of the app handling the request."""
    services: WebServices = current_app.extensions[KEY]
    return services


def app_settings() -> Settings:
    """The deployment settings of the app handling the request."""
    settings: Settings = current_app.config["MED_SETTINGS"]
    return settings
