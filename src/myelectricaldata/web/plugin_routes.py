"""The GET routes exporter plugins add (hook ``exporter_routes``), served without the web layer naming any plugin."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException, NotFound

from ..exporters import Route, RouteRequest
from .context import WebServices

if TYPE_CHECKING:
    from ..exporters.manager import ExporterManager

log = logging.getLogger(__name__)

EXTENSION = "med_plugin_routes"


def register(app: Flask, services: WebServices) -> None:
    """Add every route of the loaded plugins to ``app``; a path the app already serves is refused (logged)."""
    served: dict[str, Route] = {}
    app.extensions[EXTENSION] = served
    manager = services.exporters
    if manager is None:
        return
    for route in manager.routes():
        if _taken(app, route.path):
            log.error("plugin route %s refused: the app already serves that path", route.path)
            continue
        app.add_url_rule(route.path, f"plugin_route_{len(served)}", _view(route, manager, services), methods=["GET"])
        served[route.path] = route


def _taken(app: Flask, path: str) -> bool:
    try:
        app.url_map.bind("localhost").match(path, method="GET")
    except NotFound:
        return False
    except HTTPException:  # another method only, or a redirect: the path is the app's
        return True
    return True


def route_at(path: str) -> Route | None:
    """The plugin route served at ``path`` by the current app, if any (for the access rules)."""
    return current_app.extensions.get(EXTENSION, {}).get(path)


def _view(route: Route, manager: ExporterManager, services: WebServices) -> Callable[[], Response]:
    def view() -> Response:
        headers: dict[str, str] = {}
        for name, value in request.headers.items():
            headers.setdefault(name.lower(), value)
        asked = RouteRequest(request.path, headers, request.args.to_dict(), services.clock(), services.engine,
                             prices=services.prices)
        answer = manager.answer(route, asked)
        return Response(answer.body, answer.status, headers=dict(answer.headers), content_type=answer.content_type)

    return view
