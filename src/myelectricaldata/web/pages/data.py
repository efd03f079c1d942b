"""Consumption and production pages."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("data", __name__)


@bp.route("/consumption_kwh")
def consumption():
    return render_template("error.html", status=503, message="Page en préparation.")


@bp.route("/production")
def production():
    return render_template("error.html", status=503, message="Page en préparation.")
