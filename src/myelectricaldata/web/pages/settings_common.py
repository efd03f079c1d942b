"""What the settings pages share: their blueprint, the PDL a page is about, the words of the datasets."""

from __future__ import annotations

from flask import Blueprint, abort

from ...energy.words import DATASET_WORDS
from ...services.datasets import datasets_for
from ...services.usage_points import UsagePoint, usage_point
from ..context import app_services

bp = Blueprint("settings", __name__)
__all__ = ["DATASET_WORDS", "bp", "dataset_choices", "usage_point_or_404"]


def usage_point_or_404(pdl: str) -> UsagePoint:
    """The stored PDL of the URL; 404 when it is not known here."""
    up = usage_point(app_services().engine, pdl)
    if up is None:
        abort(404)
    return up


def dataset_choices(up: UsagePoint) -> list[tuple[str, str]]:
    """(name, French words) of the datasets a PDL may sync."""
    return [(d.name, DATASET_WORDS.get(d.name, d.name)) for d in datasets_for(True, up.has_production)]
