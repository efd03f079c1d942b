"""Security headers on every answer: what a page may load and run, who may frame it, what it tells other sites."""

from __future__ import annotations

from flask import Flask, Response

# Scripts, styles and pictures from this app only: no inline script or style attribute runs (the pages keep theirs
# in static/app.js and app.css), the favicon is a data: URL, charts fetch the app's own API. Home Assistant's panel
# frames the pages from the same origin (the ingress), so 'self' may frame them and nothing else.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
                           "frame-ancestors 'self'")
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",  # for browsers without frame-ancestors
}


def install(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
