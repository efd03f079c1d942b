"""HTTP client of the MyElectricalData v2 gateway: auth, envelope, retries, quota."""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode, urlparse

import requests

from .. import __version__
from .errors import (
    AuthError,
    GatewayError,
    GatewayUnreachable,
    MalformedReply,
    QuotaExceeded,
    RequestRejected,
    TransientError,
    classify,
)

log = logging.getLogger(__name__)

DAILY_WINDOW_DAYS = 365
BATCH_WINDOW_DAYS = 729


@dataclass(frozen=True)
class Reply:
    """A successful envelope: its data, and the PARTIAL_DATA warning when the gateway sent one."""

    data: Any
    partial: str = ""


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off with full jitter, bounded in attempts."""

    attempts: int = 4
    base: float = 1.0
    cap: float = 30.0

    def delay(self, attempt: int, rng: Callable[[], float]) -> float:
        return rng() * min(self.cap, self.base * 2 ** attempt)


class GatewayClient:
    """One account on the gateway. ``counts`` tallies the requests sent, per dataset label."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: tuple[float, float] = (10.0, 90.0),
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client_id = client_id
        self._secret = client_secret
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.session = session or requests.Session()
        self.session.headers.update({"Accept": "application/json",
                                     "User-Agent": f"myelectricaldata-local/{__version__}"})
        self._sleep = sleep
        self._rng = rng
        self._token: str | None = None
        self._token_route_missing = False
        self.counts: Counter[str] = Counter()

    # -- auth ---------------------------------------------------------------------------------
    def _bearer(self) -> str:
        if self._token is None and not self._token_route_missing:
            self._token = self._fetch_token()
        return self._token or self._secret

    def _fetch_token(self) -> str | None:
        """Client-credentials token from ``POST /accounts/token``; None when the route does not exist."""
        url = f"{self.base_url}/accounts/token"
        form = {"grant_type": "client_credentials", "client_id": self._client_id,
                "client_secret": self._secret}
        resp = self._send("POST", url, "POST /accounts/token", data=form, label="token")
        if resp.status_code in (404, 405):
            log.info("gateway has no token route; using the client secret as bearer token")
            self._token_route_missing = True
            return None
        if resp.status_code in (401, 403, 422):
            raise AuthError(f"the gateway refused CLIENT_ID/CLIENT_SECRET (HTTP {resp.status_code}: "
                            f"{_detail(resp)}); check them on the gateway's API settings page",
                            code=f"HTTP_{resp.status_code}", request="POST /accounts/token")
        _raise_for_status(resp, "POST /accounts/token")
        body = self._json(resp, "POST /accounts/token")
        token = body.get("access_token") if isinstance(body, dict) else None
        if not token:
            raise MalformedReply("token reply has no access_token", request="POST /accounts/token")
        return str(token)

    # -- transport ----------------------------------------------------------------------------
    def _send(self, method: str, url: str, what: str, label: str, **kwargs: Any) -> requests.Response:
        self.counts[label] += 1
        try:
            return self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.ConnectTimeout:
            raise GatewayUnreachable(f"cannot reach the gateway at {urlparse(url).netloc} (no connection within "
                                     f"{self.timeout[0]:g} s)", code="UNREACHABLE", request=what) from None
        except requests.Timeout:
            raise GatewayUnreachable(f"no answer from the gateway within {self.timeout[1]:g} s",
                                     code="TIMEOUT", request=what) from None
        except requests.ConnectionError as exc:
            raise GatewayUnreachable(f"cannot reach the gateway at {urlparse(url).netloc} ({_reason(exc)})",
                                     code="UNREACHABLE", request=what) from None
        except requests.RequestException as exc:  # a reply cut short, too many redirects...
            raise TransientError(f"the exchange with the gateway failed ({type(exc).__name__})",
                                 code="TRANSFER", request=what) from None

    @staticmethod
    def _json(resp: requests.Response, what: str) -> Any:
        try:
            return resp.json()
        except (ValueError, json.JSONDecodeError):
            raise MalformedReply(f"HTTP {resp.status_code} with a body that is not JSON "
                                 f"({len(resp.content)} bytes)", code="MALFORMED", request=what) from None

    def call(self, route: str, params: dict[str, Any] | None = None, *, label: str,
             auth: bool = True) -> Reply:
        """GET ``route``, check the envelope and return its data; retries transient faults."""
        params = {k: v for k, v in (params or {}).items() if v is not None}
        what = f"GET {route}" + (f"?{urlencode(params)}" if params else "")
        last: GatewayError | None = None
        for attempt in range(self.retry.attempts):
            if attempt:
                pause = self.retry.delay(attempt - 1, self._rng)
                log.info("retrying %s in %.1f s after %s", what, pause, last)
                self._sleep(pause)
            try:
                return self._call_once(route, params, what, label, auth)
            except TransientError as exc:
                last = exc
        assert last is not None
        raise last

    def _call_once(self, route: str, params: dict, what: str, label: str, auth: bool) -> Reply:
        url = f"{self.base_url}{route}"
        for renewed in (False, True):
            headers = {"Authorization": f"Bearer {self._bearer()}"} if auth else {}
            resp = self._send("GET", url, what, label, params=params, headers=headers)
            if resp.status_code == 401 and auth and not renewed and self._token is not None:
                log.info("gateway token refused; requesting a new one")
                self._token = None
                continue
            break
        return self._envelope(resp, what)

    def _envelope(self, resp: requests.Response, what: str) -> Reply:
        if resp.status_code == 401:
            raise AuthError(f"the gateway refused our credentials ({_detail(resp)}); "
                            "check CLIENT_ID and CLIENT_SECRET", code="HTTP_401", request=what)
        _raise_for_status(resp, what)
        status = resp.status_code
        body = self._json(resp, what)
        if not isinstance(body, dict) or "success" not in body:
            raise MalformedReply(f"HTTP {status} without the success/data envelope", code="MALFORMED",
                                 request=what)
        error: dict[str, Any] = body["error"] if isinstance(body.get("error"), dict) else {}
        if not body["success"]:
            raise classify(str(error.get("code") or ""), str(error.get("message") or ""), what)
        partial = ""
        if error.get("code") == "PARTIAL_DATA":
            partial = str(error.get("message") or "partial data")
            log.warning("%s: gateway sent partial data (%s)", what, partial)
        return Reply(body.get("data"), partial)

    # -- routes -------------------------------------------------------------------------------
    def usage_points(self) -> Reply:
        return self.call("/pdl", label="pdl")

    def daily(self, direction: str, pdl: str, start: date, end: date) -> Reply:
        """Daily Wh for [start, end) (end exclusive)."""
        return self.call(f"/enedis/{direction}/daily/{pdl}", _window(start, end),
                         label=f"{direction}_daily")

    def load_curve(self, direction: str, pdl: str, start: date, last: date) -> Reply:
        """Load curve for the days start..last INCLUSIVE, through the batch route."""
        return self.call(f"/enedis/{direction}/detail/batch/{pdl}", _window(start, last),
                         label=f"{direction}_load_curve")

    def max_power(self, pdl: str, start: date, end: date) -> Reply:
        """Daily maximum power for [start, end)."""
        return self.call(f"/enedis/power/{pdl}", _window(start, end), label="consumption_max_power")

    def contract(self, pdl: str) -> Reply:
        return self.call(f"/enedis/contract/{pdl}", {"use_cache": "true"}, label="contract")

    def address(self, pdl: str) -> Reply:
        return self.call(f"/enedis/address/{pdl}", {"use_cache": "true"}, label="address")

    def tempo_days(self, start: date, end: date) -> Reply:
        """Tempo colours for start..end inclusive (public route)."""
        return self.call("/tempo/days", {"start_date": start.isoformat(), "end_date": end.isoformat()},
                         label="tempo", auth=False)

    def ecowatt_forecast(self, days: int = 4) -> Reply:
        return self.call("/ecowatt/forecast", {"days": days}, label="ecowatt")

    def usage_stats(self) -> Reply:
        return self.call("/accounts/usage-stats", label="usage_stats")


def _raise_for_status(resp: requests.Response, what: str) -> None:
    """Turn an HTTP error status into the matching GatewayError (the envelope's own errors come with 200)."""
    status = resp.status_code
    if status == 403:
        raise AuthError(f"the gateway refused access ({_detail(resp)})", code="HTTP_403", request=what)
    if status == 429:
        raise QuotaExceeded(_detail(resp), code="RATE_LIMIT_EXCEEDED", request=what)
    if status == 404:
        raise RequestRejected("route not found: is GATEWAY_URL the base ending in /api?", code="HTTP_404",
                              request=what)
    if status == 422:
        raise RequestRejected(f"request refused: {_detail(resp)}", code="HTTP_422", request=what)
    if status >= 500:
        body = _safe_json(resp)
        error = body.get("error") if isinstance(body, dict) else None
        code = error.get("code") if isinstance(error, dict) else None
        raise TransientError(f"HTTP {status}", code=code or f"HTTP_{status}", request=what)
    if status >= 400:
        raise GatewayError(f"HTTP {status}: {_detail(resp)}", code=f"HTTP_{status}", request=what)


def _reason(exc: Exception) -> str:
    """The root cause of a connection failure, e.g. 'Connection refused'."""
    found = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", str(exc))
    return found.group(1).strip() if found else type(exc).__name__


def _window(start: date, end: date) -> dict[str, str]:
    return {"start": start.isoformat(), "end": end.isoformat(), "use_cache": "true"}


def _safe_json(resp: requests.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return None


def _detail(resp: requests.Response) -> str:
    body = _safe_json(resp)
    if isinstance(body, dict) and body.get("detail"):
        return str(body["detail"])[:200]
    return f"HTTP {resp.status_code}"
