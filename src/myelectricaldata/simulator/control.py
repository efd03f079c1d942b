"""``/_sim/*`` control routes: steer a simulator running in another process (no authentication)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime

from werkzeug.wrappers import Request, Response

from .responses import encode
from .state import SimulatorState

CONTROL_PREFIXES = ("/_sim/", "/api/_sim/")


def _body(request: Request) -> dict:
    if not request.get_data():
        return {}
    payload = json.loads(request.get_data())
    if not isinstance(payload, dict):
        raise ValueError("expected a JSON object")
    return payload


def _inject(state: SimulatorState, body: dict) -> object:
    state.inject(body["kind"], int(body.get("count", 1)), body.get("path"))
    return {"ok": True, "pending": len(state.faults.pending)}


def _reset(state: SimulatorState, body: dict) -> object:
    state.clear_faults()
    state.reset_quota()
    return {"ok": True}


def _now(state: SimulatorState, body: dict) -> object:
    state.set_now(datetime.fromisoformat(body["now"]) if body.get("now") else None)
    return {"ok": True, "now": state.now().isoformat()}


def _contract(state: SimulatorState, body: dict) -> object:
    changes = {k: body[k] for k in ("offpeak_hours", "subscribed_kva", "pricing_option") if k in body}
    since = date.fromisoformat(body["since"]) if body.get("since") else None
    state.set_contract(body["usage_point_id"], since=since, **changes)
    return {"ok": True}


def _simple(action: Callable[[SimulatorState], None]) -> Callable[[SimulatorState, dict], object]:
    def run(state: SimulatorState, body: dict) -> object:
        action(state)
        return {"ok": True}

    return run


def _consent(action: Callable[[SimulatorState, str], None]) -> Callable[[SimulatorState, dict], object]:
    def run(state: SimulatorState, body: dict) -> object:
        action(state, body["usage_point_id"])
        return {"ok": True}

    return run


ACTIONS: dict[tuple[str, str], Callable[[SimulatorState, dict], object]] = {
    ("POST", "inject"): _inject,
    ("POST", "exhaust-quota"): _simple(SimulatorState.exhaust_quota),
    ("POST", "reset"): _reset,
    ("POST", "expire-tokens"): _simple(SimulatorState.expire_tokens),
    ("POST", "revoke"): _consent(SimulatorState.revoke),
    ("POST", "restore"): _consent(SimulatorState.restore),
    ("POST", "now"): _now,
    ("POST", "contract"): _contract,
    ("GET", "requests"): lambda state, body: [r.as_json() for r in list(state.requests)],
    ("GET", "usage-stats"): lambda state, body: state.usage_stats(),
}


def control(state: SimulatorState, request: Request) -> Response:
    """Run one control action and answer in plain JSON."""
    name = request.path.rstrip("/").rsplit("/", 1)[-1]
    action = ACTIONS.get((request.method, name))
    if action is None:
        return Response(encode({"detail": "Not Found"}), status=404, content_type="application/json")
    try:
        result = action(state, _body(request))
    except (KeyError, ValueError, TypeError) as problem:
        return Response(encode({"detail": str(problem)}), status=400, content_type="application/json")
    return Response(encode(result), status=200, content_type="application/json")
