"""Tempo and EcoWatt pages."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("calendars", __name__)


@bp.route("/tempo")
def tempo():
    return render_template("error.html", status=503, message="Page en préparation.")


@bp.route("/ecowatt")
def ecowatt():
    return render_template("error.html", status=503, message="Page en préparation.")
