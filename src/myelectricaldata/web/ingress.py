"""Home Assistant ingress: the proxy strips its prefix and names it in ``X-Ingress-Path``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


class IngressMiddleware:
    """Sets ``SCRIPT_NAME`` from ``X-Ingress-Path`` so ``url_for`` and redirects carry the prefix."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        prefix = environ.get("HTTP_X_INGRESS_PATH", "").rstrip("/")
        if prefix.startswith("/") and "//" not in prefix:
            environ["SCRIPT_NAME"] = prefix
        return self.app(environ, start_response)
