"""What the settings pages share: their blueprint, the PDL a page is about, the words of the datasets."""

from __future__ import annotations

from flask import Blueprint, abort

from ...services.datasets import datasets_for
from ...services.usage_points import UsagePoint, usage_point
from ..context import app_services

bp = Blueprint("settings", __name__)

DATASET_WORDS = {
    "consumption_daily": "Consommation journalière", "consumption_load_curve": "Courbe de charge (consommation)",
    "consumption_max_power": "Puissance maximale journalière", "production_daily": "Production journalière",
    "production_load_curve": "Courbe de charge (production)",
}


def usage_point_or_404(pdl: str) -> UsagePoint:
    """The stored PDL of the URL; 404 when it is not known here."""
    up = usage_point(app_services().engine, pdl)
    if up is None:
        abort(404)
    return up


def dataset_choices(up: UsagePoint) -> list[tuple[str, str]]:
    """(name, French words) of the datasets a PDL may sync."""
    return [(d.name, DATASET_WORDS.get(d.name, d.name)) for d in datasets_for(True, up.has_production)]
