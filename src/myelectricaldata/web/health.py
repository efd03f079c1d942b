"""``/healthz``: cheap liveness for Docker's HEALTHCHECK and the Supervisor's watchdog."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from ..services.health import database_answers
from .context import app_services

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz() -> Any:
    if not database_answers(app_services().engine):
        return jsonify(status="database unavailable"), 503
    return jsonify(status="ok")
