"""The Flask application: ``create_app(settings, services)``."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from ..config import Settings
from . import formatting
from .context import WebServices, install
from .ingress import IngressMiddleware

NAV = (  # (endpoint, label) of the main menu, in order
    ("dashboard.index", "Tableau de bord"),
    ("data.consumption", "Consommation kWh"),
    ("money.consumption_euro", "Consommation €"),
    ("data.production", "Production"),
    ("simulation.index", "Simulation"),
    ("balance.index", "Bilan"),
    ("calendars.tempo", "Tempo"),
    ("calendars.ecowatt", "EcoWatt"),
    ("exporters.index", "Exportateurs"),
    ("settings.index", "Réglages"),
)


def _secret_key(data_dir: Path) -> str:
    """A session key kept in the data directory, so sign-ins survive a restart."""
    path = data_dir / "session.key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        path.write_text(key)
        path.chmod(0o600)
        return key


def create_app(settings: Settings, services: WebServices) -> Flask:
    from . import health, plugin_routes, security
    from .api import common as api
    from .api import costs, simulation_api, v1  # noqa: F401  (their routes join the API blueprint)
    from .pages import (  # noqa: F401  (settings, import and migration pages: their routes join settings_common.bp)
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
        simulation,
    )

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=_secret_key(settings.data_dir),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        JSON_SORT_KEYS=False,
    )
    install(app, settings, services)
    formatting.register(app)
    app.before_request(security.check_access)  # before the CSRF check: a refused caller gets 403, not 400
    CSRFProtect(app).exempt(api.bp)  # the JSON API takes no cookies-only form posts
    app.wsgi_app = IngressMiddleware(app.wsgi_app)
    for blueprint in (health.bp, security.bp, dashboard.bp, data.bp, money.bp, simulation.bp, balance.bp,
                      calendars.bp, settings_common.bp, exporters_page.bp, api.bp):
        app.register_blueprint(blueprint)
    plugin_routes.register(app, services)  # after the app's own, so a plugin cannot take one of their paths

    chart_assets = (Path(app.static_folder) / "vendor" / "uPlot.iife.min.js").is_file()

    @app.context_processor
    def frame() -> dict:
        return {"nav": NAV, "demo": services.demo, "supervised": settings.supervised, "chart_assets": chart_assets}

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

    return app
