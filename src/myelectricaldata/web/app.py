"""The Flask application: ``create_app(settings, services)``."""

from __future__ import annotations

import logging
import os
import secrets
import sys
from pathlib import Path

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from ..config import Settings
from ..services.health import database_problem
from . import formatting
from .context import WebServices, install
from .ingress import IngressMiddleware

log = logging.getLogger(__name__)
NAV = (  # (endpoint, label) of the main menu, in order
    ("dashboard.index", "Tableau de bord"),
    ("data.consumption", "Consommation kWh"),
    ("money.consumption_euro", "Consommation €"),
    ("data.production", "Production"),
    ("simulation.index", "Simulation"),
    ("balance.index", "Bilan"),
    ("settings.pricing_page", "Tarification"),
    ("calendars.tempo", "Tempo"),
    ("calendars.ecowatt", "EcoWatt"),
    ("exporters.index", "Exportateurs"),
    ("settings.index", "Réglages"),
)


def _secret_key(data_dir: Path) -> str:
    """A session key kept in the data directory (readable by its owner only, from its creation), so sign-ins
    survive a restart."""
    path = data_dir / "session.key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as out:
            out.write(key)
        return key


def create_app(settings: Settings, services: WebServices) -> Flask:
    from ..services.access import SESSION_LIFETIME
    from . import first_run, headers, health, plugin_routes, security
    from .api import common as api
    from .api import costs, offers_api, simulation_api, v1  # noqa: F401  (their routes join the API blueprint)
    from .pages import (  # noqa: F401  (settings, user offers, import and migration pages: their routes join another bp)
        balance,
        calendars,
        dashboard,
        data,
        exporters_page,
        import_page,
        migration_page,
        money,
        settings_common,
        settings_pages,
        settings_pdl,
        settings_pricing,
        simulation,
        user_offers,
    )

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=_secret_key(settings.data_dir),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        WTF_CSRF_TIME_LIMIT=None,
        JSON_SORT_KEYS=False,
    )
    install(app, settings, services)
    first_run.install(app, settings, services)
    formatting.register(app)
    headers.install(app)
    app.before_request(security.check_access)  # before the CSRF check: a refused caller gets 403, not 400
    CSRFProtect(app).exempt(api.bp)  # the JSON API takes no cookies-only form posts
    app.wsgi_app = IngressMiddleware(app.wsgi_app, supervised=settings.supervised)
    for blueprint in (health.bp, security.bp, first_run.bp, dashboard.bp, data.bp, money.bp, simulation.bp, balance.bp,
                      calendars.bp, settings_common.bp, exporters_page.bp, api.bp):
        app.register_blueprint(blueprint)
    plugin_routes.register(app, services)  # after the app's own, so a plugin cannot take one of their paths

    chart_assets = (Path(app.static_folder) / "vendor" / "uPlot.iife.min.js").is_file()

    def show_logout() -> bool:
        """A sign-out button while a password protects the standalone UI and this browser is signed in (none for a
        trusted address that never signed in, none on a page about a failed database)."""
        if settings.supervised:
            return False
        try:
            return security.current_access().protected and security.signed_in()
        except Exception:
            return False

    @app.context_processor
    def frame() -> dict:
        return {"nav": NAV, "demo": services.demo, "supervised": settings.supervised, "chart_assets": chart_assets,
                "show_logout": show_logout()}

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render_template("error.html", status=400, message="Le formulaire a expiré : rechargez la page."), 400

    @app.errorhandler(404)
    def not_found(exc: Exception):
        if request.path.startswith("/api/"):
            return jsonify(error={"code": "not_found", "message": "no such resource"}), 404
        return render_template("error.html", status=404, message="Page introuvable."), 404

    @app.errorhandler(405)
    def not_allowed(exc: Exception):
        allow = {"Allow": ", ".join(getattr(exc, "valid_methods", None) or [])}
        return jsonify(error={"code": "method_not_allowed", "message": "method not allowed here"}), 405, allow

    @app.errorhandler(500)
    def server_error(exc: Exception):
        if request.path.startswith("/api/"):
            return jsonify(error={"code": "internal_error", "message": "internal error"}), 500
        return render_template("error.html", status=500, message="Erreur interne ; voir le journal."), 500

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        """A database that cannot be written or read says why in plain words (page and log, no traceback)."""
        if isinstance(exc, HTTPException):
            return exc
        problem = database_problem(exc)
        if problem is None:
            app.log_exception(sys.exc_info())
            return server_error(exc)
        log.error("%s %s: %s", request.method, request.path, problem)
        if request.path.startswith("/api/"):
            return jsonify(error={"code": "database_unavailable", "message": problem}), 503
        return render_template("error.html", status=503, message=problem), 503

    return app
