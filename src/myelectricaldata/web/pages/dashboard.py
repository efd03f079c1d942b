"""Dashboard: one card per PDL, and "sync now" with its progress."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, url_for

from ...energy.timeline import next_utc_midnight
from ...services.outcome import OUTCOME_WORDS, Outcome
from ...services.overview import dashboard
from ...services.progress import ENDED, FAILURES, sync_progress
from ..context import app_services
from ..formatting import paris_time
from ..forms import ActionForm

bp = Blueprint("dashboard", __name__)

FIXES = {  # what to do after a failed sync: (words, endpoint and anchor of the page that fixes it, link text)
    Outcome.AUTH: ("La passerelle refuse le client_id ou le client_secret : recopiez-les depuis votre compte "
                   "MyElectricalData (Paramètres › API), puis redémarrez l'application.",
                   ("settings.setup", "put"), "Corriger les identifiants"),
    Outcome.UNREACHABLE: ("La passerelle MyElectricalData n'a pas répondu : vérifiez la connexion Internet de la "
                          "machine, ou l'adresse GATEWAY_URL si vous l'avez changée. Rien n'est perdu : les jours "
                          "manquants sont demandés au prochain essai.", ("settings.index", "deploiement"),
                          "Voir l'adresse de la passerelle"),
    Outcome.QUOTA: ("Le quota journalier de requêtes de votre compte est atteint : rien à corriger, la "
                    "synchronisation reprend après sa remise à zéro (01:00 ou 02:00 à Paris selon la saison).",
                    None, ""),
    Outcome.ERROR: ("Une erreur inattendue a arrêté la synchronisation : le journal de l'application en donne le "
                    "détail ; réessayez, et signalez-la si elle revient.", None, ""),
    Outcome.INTERRUPTED: ("La synchronisation a été interrompue (arrêt de l'application) : ce qui avait été reçu "
                          "est enregistré, le reste est demandé au prochain essai.", None, ""),
}


@bp.route("/")
def index() -> Any:
    services = app_services()
    view = dashboard(services.engine, services.clock(), services.prices)
    run = view.last_run
    failure = None
    if run is not None and run.outcome in FAILURES:
        words, target, link = FIXES[run.outcome]
        ended = ENDED[run.outcome]
        title = (f"Échec de la synchronisation : {ended.removeprefix('échec : ')}" if ended.startswith("échec")
                 else f"Synchronisation {ended}")
        failure = {"title": title, "words": words, "link": link,
                   "url": url_for(target[0], _anchor=target[1]) if target else ""}
    return render_template("dashboard.html", view=view, form=ActionForm(), outcomes=OUTCOME_WORDS, failure=failure,
                           next_sync=_paris(view.next_sync_at), paused_until=_paris(view.quota_paused_until),
                           counter_reset=_paris(next_utc_midnight(services.clock()))[-5:],
                           can_sync=services.runner is not None)


def _paris(moment: datetime | None) -> str:
    """An aware time as Paris time, ``05/11/2025 14:30`` ("" for None)."""
    return paris_time(moment.astimezone(UTC).replace(tzinfo=None)) if moment else ""


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
