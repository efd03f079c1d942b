"""Dashboard: one card per PDL, and "sync now" with its progress."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, url_for

from ...services.outcome import Outcome
from ...services.overview import dashboard
from ...services.progress import sync_progress
from ..context import app_services
from ..forms import ActionForm

bp = Blueprint("dashboard", __name__)

OUTCOMES = {  # a sync's or a dataset's outcome in plain words
    Outcome.OK: "réussie", Outcome.ERRORS: "terminée avec des erreurs",
    Outcome.QUOTA: "arrêtée : quota de la passerelle atteint", Outcome.AUTH: "refusée : identifiants incorrects",
    Outcome.UNREACHABLE: "impossible : passerelle injoignable", Outcome.STOPPED: "interrompue à l'arrêt",
    Outcome.INTERRUPTED: "interrompue", Outcome.RUNNING: "en cours", Outcome.ERROR: "en erreur",
}


@bp.route("/")
def index() -> Any:
    services = app_services()
    return render_template("dashboard.html", view=dashboard(services.engine, services.clock()),
                           form=ActionForm(), outcomes=OUTCOMES, can_sync=services.runner is not None)


@bp.route("/sync", methods=["POST"])
def sync_now() -> Any:
    form = ActionForm()
    runner = app_services().runner
    if form.validate_on_submit() and runner is not None:
        if runner.start():
            flash("Synchronisation lancée.", "info")
        else:
            flash("Une synchronisation est déjà en cours.", "info")
    return redirect(url_for("dashboard.index"))


@bp.route("/sync/progress")
def progress() -> Any:
    services = app_services()
    runner = services.runner
    return jsonify(asdict(sync_progress(services.engine, runner is not None and runner.running)))
