"""``/healthz``: cheap liveness for Docker's HEALTHCHECK and the Supervisor's watchdog."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    try:
        with current_app.extensions["med"].engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # any database failure means unhealthy
        return jsonify(status="database unavailable"), 503
    return jsonify(status="ok")
