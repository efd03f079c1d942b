"""``/metrics``: the Prometheus exposition while that exporter is enabled, else 404 with the reason in plain text."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

bp = Blueprint("metrics", __name__)

EXPORTER = "prometheus"
TEXT = "text/plain; charset=utf-8"


@bp.route("/metrics")
def metrics():
    services = current_app.extensions["med"]
    manager = services.exporters
    if manager is None or EXPORTER not in manager.classes:
        return Response("exportateur Prometheus non chargé : /metrics n'est pas disponible\n", 404, content_type=TEXT)
    settings = manager.settings(EXPORTER)
    if not settings.enabled:
        return Response("exportateur Prometheus désactivé : activez-le dans la page Exportateurs pour que "
                        "/metrics réponde\n", 404, content_type=TEXT)
    from ..exporters._metric_names import parse_labels
    from ..exporters.prometheus import exposition, registry

    try:
        labels = parse_labels((settings.config or {}).get("extra_labels"))
    except ValueError as exc:
        return Response(f"étiquettes de l'exportateur Prometheus invalides : {exc}\n", 500, content_type=TEXT)
    body, content_type = exposition(registry(services.engine, services.clock, labels), request.headers.get("Accept"))
    return Response(body, 200, content_type=content_type, headers={"Cache-Control": "no-store"})
