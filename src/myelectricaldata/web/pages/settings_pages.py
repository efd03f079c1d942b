"""Settings: per-PDL preferences, data repair, first run."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("settings", __name__)


@bp.route("/settings")
def index():
    return render_template("error.html", status=503, message="Page en préparation.")
