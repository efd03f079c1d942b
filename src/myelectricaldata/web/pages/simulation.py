"""Simulation pages: every offer ranked on the stored load curve, one offer's breakdown, choosing an offer, the
pricing rules explained, and the max power advisor. The user's own offers are in ``user_offers``."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ...energy.offers import Offer
from ...energy.simulation import PowerAdvice
from ...energy.tariffs import version_on
from ...services import pricing, pricing_settings, ranking
from ...services.errors import FieldError
from ...services.usage_points import labels
from ..context import app_services
from ..formatting import money, num
from ..forms import ActionForm
from . import ranking_view as view
from .periods import chosen_pdl

bp = Blueprint("simulation", __name__)


def advice_text(advice: PowerAdvice, offer: Offer, today: date) -> str:
    """What the advisor says, in French."""
    kva = advice.subscribed_kva
    if not advice.days:
        return "Aucune puissance maximale enregistrée sur les 12 derniers mois : rien à conseiller."
    if not kva:
        return "Puissance souscrite inconnue : impossible de comparer les puissances maximales à l'abonnement."
    peak = f"pic de {num(advice.peak_va / 1000, 2)} kVA"
    if advice.over_days:
        return (f"La puissance maximale a dépassé {kva} kVA pendant {advice.over_days} jour(s) ({peak}) : "
                "une puissance plus basse n'aurait pas suffi.")
    if advice.lower_kva is None:
        return f"{kva} kVA est la plus petite puissance qui a couvert les 12 derniers mois ({peak})."
    lower = advice.lower_kva
    text = (f"{lower} kVA aurait suffi sur les 12 derniers mois ({peak} ; {advice.lower_close_days} jour(s) à 90 % "
            f"ou plus de {lower} kVA)")
    if advice.yearly_saving is None:
        version = version_on(offer.versions, today)
        missing = kva if version.monthly(kva) is None else lower
        return (f"{text}, mais aucun prix d'abonnement n'est connu pour {missing} kVA avec « {offer.name} » : "
                "l'économie ne peut pas être chiffrée.")
    return f"{text} : environ {money(advice.yearly_saving)} d'abonnement en moins par an."


def power_view(advice: PowerAdvice, offer: Offer, today: date) -> dict:
    """The advisor's distribution table and text."""
    rows = [{"level": f"{k} kVA", "days": n, "subscribed": k == advice.subscribed_kva}
            for k, n in advice.distribution.items()]
    return {"text": advice_text(advice, offer, today), "rows": rows, "advice": advice,
            "peak": num(advice.peak_va / 1000, 2)}


def _ranking(pdl: str) -> ranking.Ranking:
    services = app_services()
    return ranking.rank(services.engine, pdl, services.today(), services.prices)


@bp.route("/simulation")
def index() -> Any:
    services = app_services()
    points = labels(services.engine, "consumption")
    if not points:
        return render_template("simulation.html", points=points)
    pdl = chosen_pdl(points)
    today = services.today()
    ranked = _ranking(pdl)
    chosen_supplier = request.args.get("fournisseur", "").strip()
    chosen_type = request.args.get("type", "").strip()
    period = request.args.get("periode", "").strip()
    year = int(period) if period.isdigit() and int(period) in ranked.days_by_year else None
    periods = view.periods(ranked)
    advice = pricing.max_power_advice(services.engine, pdl, today)
    return render_template(
        "simulation.html", points=points, pdl=pdl, ranking=ranked, source=view.SOURCES[ranked.source],
        rows=view.rows(ranked, today, chosen_supplier, chosen_type, year), years=view.year_heads(ranked),
        filters=view.filters(ranked), periods=periods,
        chosen={"supplier": chosen_supplier, "type": chosen_type, "period": str(year or ""),
                "period_label": dict(periods)[str(year or "")], "year": year,
                "total_head": view.total_head(ranked, year)},
        freshness=view.freshness(ranked), current_sold=ranked.still_offered(ranked.current.key, today),
        empty=not ranked.days_by_year, power=power_view(advice, ranked.current, today))


@bp.route("/simulation/offre")
def offer_detail() -> Any:
    services = app_services()
    points = labels(services.engine, "consumption")
    if not points:
        abort(404)
    pdl = chosen_pdl(points)
    ranked = _ranking(pdl)
    result = next((r for r in ranked.results if r.key == request.args.get("offre", "")), None)
    if result is None:
        abort(404)
    return render_template("simulation_offer.html", pdl=pdl, ranking=ranked, form=ActionForm(),
                           offer=view.detail(ranked, result, services.today()))


@bp.route("/simulation/choisir", methods=["POST"])
def choose() -> Any:
    services = app_services()
    points = labels(services.engine, "consumption")
    pdl = request.form.get("pdl", "")
    if pdl not in {p.usage_point_id for p in points} or not ActionForm().validate_on_submit():
        abort(400)
    try:
        pricing_settings.choose_offer(services.engine, pdl, request.form.get("offre", ""), prices=services.prices)
    except FieldError as exc:
        flash(" ".join(exc.errors.values()), "error")
        return redirect(url_for("simulation.index", pdl=pdl))
    chosen = pricing_settings.offer(services.engine, request.form.get("offre", ""))
    flash(f"« {chosen.name if chosen else ''} » est maintenant votre offre : les pages en euros et les statistiques "
          "de coût l'utilisent.", "info")
    return redirect(url_for("simulation.index", pdl=pdl))


@bp.route("/simulation/regles")
def rules() -> Any:
    return render_template("offer_rules.html")
