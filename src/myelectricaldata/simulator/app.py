"""The WSGI application: routing, authentication, injected faults and request records."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from functools import partial

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import account, catalog, curves, customer, daily, zen_flex
from .control import CONTROL_PREFIXES, control
from .readings import CONSUMPTION, PRODUCTION
from .responses import Call, DetailError, GatewayError, encode, envelope
from .state import RequestRecord, SimulatorState

log = logging.getLogger(__name__)
Handler = Callable[[Call], tuple[int, object]]
PUBLIC_ROUTES = frozenset({"ping", "token", "tempo_days", "energy_providers", "energy_offers", "offer_types",
                           "pricing_types", "zen_flex_days", "zen_flex_today"})

ROUTES: dict[str, tuple[str, str, Handler]] = {
    "ping": ("GET", "/api/ping", account.ping),
    "token": ("POST", "/api/accounts/token", account.issue_token),
    "usage_stats": ("GET", "/api/accounts/usage-stats", account.usage_stats),
    "pdl": ("GET", "/api/pdl", account.list_usage_points),
    "tempo_days": ("GET", "/api/tempo/days", account.tempo_days),
    "ecowatt": ("GET", "/api/ecowatt/forecast", account.ecowatt),
    "energy_providers": ("GET", "/api/energy/providers", catalog.providers),
    "energy_offers": ("GET", "/api/energy/offers", catalog.offers),
    "offer_types": ("GET", "/api/energy/offer-types", catalog.offer_types),
    "pricing_types": ("GET", "/api/energy/pricing-types", catalog.offer_types),
    "zen_flex_days": ("GET", "/api/zen-flex/days", zen_flex.zen_flex_days),
    "zen_flex_today": ("GET", "/api/zen-flex/today", zen_flex.zen_flex_today),
    "consumption_daily": ("GET", "/api/enedis/consumption/daily/<usage_point_id>", daily.consumption_daily),
    "production_daily": ("GET", "/api/enedis/production/daily/<usage_point_id>", daily.production_daily),
    "power": ("GET", "/api/enedis/power/<usage_point_id>", daily.max_power),
    "consumption_detail": (
        "GET",
        "/api/enedis/consumption/detail/<usage_point_id>",
        partial(curves.detail, direction=CONSUMPTION),
    ),
    "production_detail": (
        "GET",
        "/api/enedis/production/detail/<usage_point_id>",
        partial(curves.detail, direction=PRODUCTION),
    ),
    "consumption_batch": (
        "GET",
        "/api/enedis/consumption/detail/batch/<usage_point_id>",
        partial(curves.batch, direction=CONSUMPTION),
    ),
    "production_batch": (
        "GET",
        "/api/enedis/production/detail/batch/<usage_point_id>",
        partial(curves.batch, direction=PRODUCTION),
    ),
    "contract": ("GET", "/api/enedis/contract/<usage_point_id>", customer.contract),
    "address": ("GET", "/api/enedis/address/<usage_point_id>", customer.address),
}
URL_MAP = Map(
    [Rule(path, endpoint=name, methods=[method]) for name, (method, path, _) in ROUTES.items()],
    merge_slashes=False,
    redirect_defaults=False,
)


def json_response(status: int, body: object, headers: dict[str, str] | None = None) -> Response:
    """A JSON response with FastAPI's encoding."""
    return Response(encode(body), status=status, headers=headers, content_type="application/json")


class SimulatorApp:
    """WSGI callable serving the simulated gateway from a ``SimulatorState``."""

    def __init__(self, state: SimulatorState) -> None:
        self.state = state

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith(CONTROL_PREFIXES):
            return control(self.state, request)(environ, start_response)
        return self.serve(request)(environ, start_response)

    def serve(self, request: Request) -> Response:
        """Answer one gateway request and record it."""
        adapter = URL_MAP.bind_to_environ(request.environ)
        try:
            route, args = adapter.match()
        except NotFound:
            return self._finish(request, None, json_response(404, {"detail": "Not Found"}))
        except MethodNotAllowed:
            return self._finish(request, None, json_response(405, {"detail": "Method Not Allowed"}))
        call = Call(self.state, request, route, args)
        try:
            if route not in PUBLIC_ROUTES:
                account.authenticate(call)
            with self.state.lock:
                call.fault = self.state.faults.take(request.path, route)
            if call.fault == "timeout":
                time.sleep(self.state.timeout_seconds)
            response = self._handle(call)
        except DetailError as problem:
            response = json_response(problem.status, {"detail": problem.detail}, problem.headers)
        if call.fault == "malformed":
            body = response.get_data()
            response.set_data(body[: len(body) // 2])
        return self._finish(request, call, response)

    def _handle(self, call: Call) -> Response:
        state = self.state
        if call.fault == "server_error":
            return json_response(500, envelope(state, error=("INTERNAL_ERROR", "An internal error occurred")))
        if call.fault == "enedis_unavailable":
            message = "L'API Enedis est temporairement indisponible"
            return json_response(200, envelope(state, error=("ENEDIS_UNAVAILABLE", message)))
        handler = ROUTES[call.route][2]
        try:
            with state.lock:
                status, body = handler(call)
        except GatewayError as failure:
            return json_response(failure.status, envelope(state, error=(failure.code, failure.message)))
        except DetailError:
            raise
        except Exception:
            log.exception("simulated gateway failed on %s", call.request.path)
            return json_response(500, envelope(state, error=("INTERNAL_ERROR", "An internal error occurred")))
        return json_response(status, body)

    def _finish(self, request: Request, call: Call | None, response: Response) -> Response:
        query = {key: request.args.get(key, "") for key in request.args}
        bucket = call.bucket if call is not None else None
        self.state.record(RequestRecord(request.method, request.path, query, bucket, response.status_code))
        return response


def create_simulator_app(state: SimulatorState) -> SimulatorApp:
    """The WSGI application serving ``state``."""
    return SimulatorApp(state)
