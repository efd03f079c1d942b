"""REST API v1: read-only GETs over the stored data, plus ``POST /api/v1/sync`` to start a sync.

Every answer is JSON; refusals are ``{"error": {"code", "message"}}`` with their HTTP status. The
OpenAPI 3.1 document describing all of it is served at ``/api/openapi.json``.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, current_app, jsonify, request

from ...energy.tempo import season_of
from ...services.runtime import AppServices
from . import resources
from .openapi import document
from .params import (
    CURVE_STEPS,
    DAILY_STEPS,
    DIRECTIONS,
    ApiError,
    check_pdl,
    choice,
    date_range,
    season,
)

bp = Blueprint("api", __name__, url_prefix="/api")


def _services() -> AppServices:
    return current_app.extensions["med"]


def _yesterday() -> date:
    return _services().today() - timedelta(days=1)


def _direction() -> str:
    return choice(request.args, "direction", DIRECTIONS, "consumption")


@bp.errorhandler(ApiError)
def refused(exc: ApiError):
    return jsonify(error={"code": exc.code, "message": exc.message}), exc.status


@bp.get("/openapi.json")
def openapi():
    return jsonify(document(request.script_root or "/"))


@bp.get("/v1/usage_points")
def usage_points():
    return jsonify(usage_points=resources.usage_points(_services()))


@bp.get("/v1/usage_points/<pdl>")
def usage_point(pdl: str):
    return jsonify(resources.usage_point(_services(), check_pdl(pdl)))


@bp.get("/v1/usage_points/<pdl>/daily")
def daily(pdl: str):
    check_pdl(pdl)
    direction, step = _direction(), choice(request.args, "step", DAILY_STEPS, "day")
    span = date_range(request.args, _yesterday())
    return jsonify(resources.daily(_services(), pdl, direction, span, step))


@bp.get("/v1/usage_points/<pdl>/load_curve")
def load_curve(pdl: str):
    check_pdl(pdl)
    direction, step = _direction(), choice(request.args, "step", CURVE_STEPS, "raw")
    span = date_range(request.args, _yesterday())
    return jsonify(resources.load_curve(_services(), pdl, direction, span, step))


@bp.get("/v1/usage_points/<pdl>/max_power")
def max_power(pdl: str):
    check_pdl(pdl)
    span = date_range(request.args, _yesterday())
    return jsonify(resources.max_power(_services(), pdl, span))


@bp.get("/v1/tempo")
def tempo():
    span = date_range(request.args, _services().today() + timedelta(days=1))  # tomorrow's colour is known
    return jsonify(resources.tempo_days(_services(), span))


@bp.get("/v1/tempo/season")
def tempo_season():
    year = season(request.args, season_of(_services().today()))
    return jsonify(resources.tempo_season(_services(), year))


@bp.get("/v1/ecowatt")
def ecowatt():
    return jsonify(resources.ecowatt(_services()))


@bp.get("/v1/sync")
def sync_state():
    return jsonify(resources.sync_state(_services()))


@bp.post("/v1/sync")
def start_sync():
    runner = _services().runner
    if runner is None:
        raise ApiError(409, "no_gateway", "no gateway is configured: set CLIENT_ID and CLIENT_SECRET, or use demo mode")
    return jsonify(started=runner.start()), 202


from . import costs, simulation_api  # noqa: E402, F401  (their routes join bp)
