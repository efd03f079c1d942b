"""Prometheus exporter: nothing is pushed; its route ``/metrics`` reads the latest values from the database at each
scrape."""

from __future__ import annotations

from ..base import BaseExporter, ExportResult
from ..batches import ExportBatch
from ..hookspecs import hookimpl
from ..metric_names import parse_labels
from ..routes import Route, RouteRequest, RouteResponse
from ..schema import ConfigField
from .collector import scrape_body

NAME = "prometheus"
INGRESS = "/api/hassio_ingress/"
DIRECT_PORT = 8081  # the add-on's direct-access listener


class PrometheusExporter(BaseExporter):
    name = NAME
    title = "Prometheus"
    description = ("Valeurs actuelles (énergie, HP/HC ou Tempo, coût, puissance max, Tempo, EcoWatt) exposées sur "
                   "/metrics : Prometheus vient les lire, rien n'est envoyé")
    version = "1.0.0"
    pushes = False  # Prometheus reads /metrics (the database at each scrape): nothing to test, send or collect
    config_schema = (
        ConfigField("extra_labels", "Étiquettes ajoutées", check=parse_labels,
                    help="clé=valeur séparées par des virgules, ajoutées à chaque mesure ; par exemple site=maison"),
    )

    def export(self, batch: ExportBatch) -> ExportResult:
        """Nothing to send: Prometheus reads /metrics when it scrapes."""
        return ExportResult(0, "rien à envoyer : les valeurs sont exposées sur /metrics, où Prometheus vient les lire")

    def test_connection(self) -> tuple[bool, str]:
        """Nothing to reach: checks the labels only."""
        labels = parse_labels(self.config.get("extra_labels"))
        shown = ", ".join(f"{k}={v}" for k, v in labels.items()) or "aucune"
        return True, f"rien à joindre : Prometheus vient lire /metrics (étiquettes ajoutées : {shown})"

    def notes(self, app_url: str) -> list[str]:
        """Where Prometheus scrapes: the direct-access port under Home Assistant, the app's own /metrics otherwise."""
        token = "avec l'en-tête « Authorization: Bearer <jeton> » si un jeton d'API est défini"
        if INGRESS in app_url:
            return [
                "L'adresse de l'interface dans Home Assistant (ingress) ne peut pas être lue par Prometheus.",
                f"Dans l'onglet Réseau de l'add-on, associez le port {DIRECT_PORT} à un port de l'hôte ({DIRECT_PORT} "
                f"par exemple) et redémarrez l'add-on, puis faites lire http://<hôte>:{DIRECT_PORT}/metrics (le port "
                f"de l'hôte choisi) par Prometheus, {token} (option api_token).",
                f"Par exemple : scrape_configs: [{{job_name: linky, static_configs: [{{targets: "
                f"['<hôte>:{DIRECT_PORT}']}}], authorization: {{credentials: <jeton>}}}}]",
                "/metrics ne répond que lorsque cet exportateur est activé.",
            ]
        return [
            f"Adresse à faire lire par Prometheus : {app_url}metrics",
            "Avec le port d'accès direct (DIRECT_PORT), aussi http://<hôte>:<DIRECT_PORT>/metrics, "
            f"{token} (API_TOKEN).",
            "Sur le port de l'application, /metrics suit les règles de l'interface : ouvert depuis cette machine et "
            "les réseaux de TRUSTED_NETWORKS, refusé (401) ailleurs quand un mot de passe protège l'interface.",
            "/metrics ne répond que lorsque cet exportateur est activé.",
        ]


def scrape(request: RouteRequest) -> RouteResponse:
    """``/metrics``: the exposition in the format the scraper asks for, never cached by HTTP (yesterday's costs are
    kept in the app's price cache); 500 naming bad extra labels."""
    try:
        labels = parse_labels(request.config.get("extra_labels"))
    except ValueError as exc:
        return RouteResponse(f"étiquettes de l'exportateur Prometheus invalides : {exc}\n", 500)
    body, content_type = scrape_body(request.engine, request.now, labels, request.header("Accept"), request.prices)
    return RouteResponse(body, 200, content_type, {"Cache-Control": "no-store"})


@hookimpl
def exporter_routes() -> list[Route]:
    """``/metrics``, served while the exporter is enabled, on the direct-access port too."""
    return [Route("/metrics", scrape, exporter=PrometheusExporter, direct=True)]
