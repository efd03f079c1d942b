"""REST API v1: read-only GETs over the stored data, plus ``POST /api/v1/sync`` to start a sync.

Every answer is JSON; refusals are ``{"error": {"code", "message"}}`` with their HTTP status. The
OpenAPI 3.1 document describing all of it is served at ``/api/openapi.json``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import jsonify, request

from ...energy.tempo import season_of
from ..context import app_services
from ..security import bearer_given
from . import resources, tables
from .common import bp, yesterday
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


def _answer(answer: dict[str, Any], what: str, pdl: str | None, table: Callable[[dict[str, Any]], tables.Table]) -> Any:
    """The answer as JSON, or as a CSV file with ``format=csv``."""
    if tables.wants_csv():
        return tables.download(app_services(), what, pdl, answer, table(answer))
    return jsonify(answer)


def _direction() -> str:
    return choice(request.args, "direction", DIRECTIONS, "consumption")


@bp.get("/openapi.json")
def openapi() -> Any:
    return jsonify(document(request.script_root or "/"))


@bp.get("/v1/usage_points")
def usage_points() -> Any:
    return jsonify(usage_points=resources.usage_points(app_services()))


@bp.get("/v1/usage_points/<pdl>")
def usage_point(pdl: str) -> Any:
    return jsonify(resources.usage_point(app_services(), check_pdl(pdl)))


@bp.get("/v1/usage_points/<pdl>/daily")
def daily(pdl: str) -> Any:
    check_pdl(pdl)
    direction, step = _direction(), choice(request.args, "step", DAILY_STEPS, "day")
    span = date_range(request.args, yesterday())
    answer = resources.daily(app_services(), pdl, direction, span, step)
    return _answer(answer, tables.DIRECTION_WORDS[direction], pdl, tables.daily)


@bp.get("/v1/usage_points/<pdl>/load_curve")
def load_curve(pdl: str) -> Any:
    check_pdl(pdl)
    direction, step = _direction(), choice(request.args, "step", CURVE_STEPS, "raw")
    span = date_range(request.args, yesterday())
    answer = resources.load_curve(app_services(), pdl, direction, span, step)
    return _answer(answer, f"courbe-{tables.DIRECTION_WORDS[direction]}", pdl, tables.load_curve)


@bp.get("/v1/usage_points/<pdl>/max_power")
def max_power(pdl: str) -> Any:
    check_pdl(pdl)
    span = date_range(request.args, yesterday())
    answer = resources.max_power(app_services(), pdl, span)
    return _answer(answer, "puissance-max", pdl, tables.max_power)


@bp.get("/v1/tempo")
def tempo() -> Any:
    span = date_range(request.args, app_services().today() + timedelta(days=1))  # tomorrow's colour is known
    answer = resources.tempo_days(app_services(), span)
    return _answer(answer, "tempo", None, tables.tempo)


@bp.get("/v1/tempo/season")
def tempo_season() -> Any:
    year = season(request.args, season_of(app_services().today()))
    return jsonify(resources.tempo_season(app_services(), year))


@bp.get("/v1/ecowatt")
def ecowatt() -> Any:
    return jsonify(resources.ecowatt(app_services()))


@bp.get("/v1/sync")
def sync_state() -> Any:
    return jsonify(resources.sync_state(app_services()))


@bp.post("/v1/sync")
def start_sync() -> Any:
    # A JSON body (or the bearer token) cannot come from another site's form without the browser asking first:
    # a text/plain or form post from a page elsewhere starts nothing.
    if not (request.is_json or bearer_given()):
        raise ApiError(415, "json_required", "send a JSON body (Content-Type: application/json), for instance {}, "
                                             "or the API bearer token")
    if request.get_data() and not isinstance(request.get_json(silent=True), dict):
        raise ApiError(400, "bad_request", "the body must be a JSON object, for instance {}")
    runner = app_services().runner
    if runner is None:
        raise ApiError(409, "no_gateway", "no gateway is configured: set CLIENT_ID and CLIENT_SECRET, or use demo mode")
    return jsonify(started=runner.start()), 202

