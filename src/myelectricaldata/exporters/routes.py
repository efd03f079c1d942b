"""HTTP routes a plugin adds to the app (hook ``exporter_routes``), described in plain data: no web framework here."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .base import BaseExporter

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from ..services.price_cache import PriceCache
    from .store import ExporterSettings

TEXT = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class RouteRequest:
    """What a route's view is handed: the GET request, the app's database and clock, the config of the exporter the
    route belongs to (its schema's defaults overlaid with what the user saved; empty for a route of none), and the
    app's price cache (hand it to the pricing services, which keep priced days there until their inputs change)."""

    path: str
    headers: Mapping[str, str]  # names in lower case, first value of each
    args: Mapping[str, str]  # the query string, first value of each name
    now: datetime
    engine: Engine
    config: Mapping[str, Any] = field(default_factory=dict)
    prices: PriceCache[Any] | None = None

    def header(self, name: str, default: str | None = None) -> str | None:
        """A request header, whatever the case of its name."""
        return self.headers.get(name.lower(), default)


@dataclass(frozen=True)
class RouteResponse:
    """What a route's view returns."""

    body: bytes | str
    status: int = 200
    content_type: str = TEXT
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    """A GET route a plugin adds to the app.

    ``path`` is fixed (``/metrics``, no variable part). With ``exporter`` set, the route is served only while that
    exporter class is loaded and enabled; otherwise it answers 404 with the reason in plain text. ``direct``: also
    served on the direct-access port (``DIRECT_PORT``, bearer ``API_TOKEN``), which is read-only.
    """

    path: str
    view: Callable[[RouteRequest], RouteResponse]
    exporter: type[BaseExporter] | None = None
    direct: bool = False


def check_route(route: Any) -> Route:
    """``route`` once checked; TypeError when it cannot be served."""
    if not isinstance(route, Route):
        raise TypeError(f"{route!r} is not a Route")
    path = route.path
    if not isinstance(path, str) or not path.startswith("/") or path.startswith("//") or any(
            c in path for c in "<> ?#\\") or path.strip() != path:
        raise TypeError(f"route {path!r}: a path is fixed and starts with a single /")
    if not callable(route.view):
        raise TypeError(f"route {path}: its view is not callable")
    if route.exporter is not None and not (inspect.isclass(route.exporter)
                                           and issubclass(route.exporter, BaseExporter)):
        raise TypeError(f"route {path}: exporter must be a BaseExporter subclass")
    return route


def refusal(route: Route, loaded: bool, settings: ExporterSettings | None) -> RouteResponse | None:
    """The 404 a route bound to an exporter answers while that exporter is not loaded or disabled, else None."""
    cls = route.exporter
    if cls is None:
        return None
    title = cls.title or cls.name
    if not loaded:
        return RouteResponse(f"exportateur {title} non chargé : {route.path} n'est pas disponible\n", 404)
    if settings is None or not settings.enabled:
        return RouteResponse(f"exportateur {title} désactivé : activez-le dans la page Exportateurs pour que "
                             f"{route.path} réponde\n", 404)
    return None
