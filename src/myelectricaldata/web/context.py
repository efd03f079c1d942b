"""How web code reaches what the composition root shares: ``app_services()`` and ``app_settings()``, one accessor each.

The web layer sits below the composition root and never imports ``myelectricaldata.app``: ``WebServices`` is a
Protocol of what the web needs, which the root's ``AppServices`` satisfies; ``create_app`` keeps it in the app."""

from __future__ import annotations

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
    """What the web reads of the shared objects (all read-only here)."""

    @property
    def engine(self) -> Database: ...  # handed to the services, never opened here

    @property
    def sync(self) -> SyncService | None: ...  # None: no gateway configured

    @property
    def runner(self) -> BackgroundSync | None: ...

    @property
    def exporters(self) -> ExporterManager | None: ...

    @property
    def prices(self) -> PriceCache[Any]: ...  # handed to pricing reads and to the services changing their inputs

    @property
    def demo(self) -> bool: ...

    def clock(self) -> datetime: ...

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
