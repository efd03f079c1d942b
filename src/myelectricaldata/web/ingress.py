"""Home Assistant ingress: the proxy strips its prefix and names it in ``X-Ingress-Path``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

SUPERVISOR_PREFIX = re.compile(r"/api/hassio_ingress/[A-Za-z0-9_-]+")  # the only prefix HA's ingress sends
PLAIN_PREFIX = re.compile(r"(/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+")  # path segments, none of them "." or ".."


class IngressMiddleware:
    """Sets ``SCRIPT_NAME`` from ``X-Ingress-Path`` so ``url_for`` and redirects carry the prefix. Under the
    Supervisor only HA's ``/api/hassio_ingress/<token>`` is taken, elsewhere plain path segments (a reverse proxy's
    sub-path); anything else (a backslash, ``//``, ``..``, an encoded character) is ignored."""

    def __init__(self, app: Callable[..., Iterable[bytes]], supervised: bool = False) -> None:
        self.app = app
        self.pattern = SUPERVISOR_PREFIX if supervised else PLAIN_PREFIX

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        prefix = environ.get("HTTP_X_INGRESS_PATH", "").rstrip("/")
        if self.pattern.fullmatch(prefix):
            environ["SCRIPT_NAME"] = prefix
        return self.app(environ, start_response)
