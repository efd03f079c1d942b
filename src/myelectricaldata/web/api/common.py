"""The API's blueprint, which ``v1``, ``costs`` and ``simulation_api`` add their routes to, and what they share."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, jsonify

from ..context import app_services
from .params import ApiError

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.errorhandler(ApiError)
def refused(exc: ApiError) -> Any:
    return jsonify(error={"code": exc.code, "message": exc.message}), exc.status


def yesterday() -> date:
    """The default end of a range: the last day the gateway may have served."""
    return app_services().today() - timedelta(days=1)
