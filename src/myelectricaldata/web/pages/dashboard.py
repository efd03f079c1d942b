"""Dashboard: one card per PDL, and "sync now" with its progress."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, url_for
from flask_wtf import FlaskForm

from ...services.overview import dashboard
from ...services.progress import sync_progress

bp = Blueprint("dashboard", __name__)

OUTCOMES = {  # a sync outcome in plain words
    "ok": "réussie", "errors": "terminée avec des erreurs", "quota": "arrêtée : quota de la passerelle atteint",
    "auth": "refusée : identifiants incorrects", "unreachable": "impossible : passerelle injoignable",
    "stopped": "interrompue à l'arrêt", "interrupted": "interrompue", "running": "en cours", "error": "en erreur",
}


class SyncForm(FlaskForm):
    """An empty form: it carries the CSRF token of the "sync now" button."""


@bp.route("/")
def index():
    services = current_app.extensions["med"]
    return render_template("dashboard.html", view=dashboard(services.engine, services.clock()),
                           form=SyncForm(), outcomes=OUTCOMES, can_sync=services.runner is not None)


@bp.route("/sync", methods=["POST"])
def sync_now():
    form = SyncForm()
    services = current_app.extensions["med"]
    if form.validate_on_submit() and services.runner is not None:
        if services.runner.start():
            flash("Synchronisation lancée.", "info")
        else:
            flash("Une synchronisation est déjà en cours.", "info")
    return redirect(url_for("dashboard.index"))


@bp.route("/sync/progress")
def progress():
    services = current_app.extensions["med"]
    return jsonify(sync_progress(services.engine, services.runner is not None and services.runner.running))
