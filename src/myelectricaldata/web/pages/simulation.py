"""Simulation page: every known offer replayed on the stored load curve, the max power advisor, user offers."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ...energy.offers import Offer
from ...energy.simulation import OfferResult, PowerAdvice
from ...energy.tariffs import version_on
from ...services import comparisons, pricing, pricing_settings
from ...services.comparisons import Simulation
from ...services.errors import FieldError
from ...services.usage_points import labels
from ..context import app_services
from ..formatting import decimal_text, money, num
from ..forms import ActionForm
from .offer_form import KIND_LABELS, SLOT_LABELS, OfferForm, add_errors, form_data, price_fields, raw_offer
from .periods import chosen_pdl

bp = Blueprint("simulation", __name__)


def _reason(result: OfferResult) -> str:
    days = result.subscription_unknown_days
    return (f"Prix de l'abonnement inconnu pour {days} jour(s) à la puissance souscrite : le total ne compte pas "
            "l'abonnement de ces jours, l'offre est classée à part.")


def ranking(simulation: Simulation) -> dict:
    """Rows of the ranking table: ranked offers first, then those without a known subscription price."""
    results, current_key = simulation.results, simulation.current.key
    years = sorted({y for r in results for y in r.by_year})
    rows = []
    for rank, r in enumerate(results, 1):
        notes = [] if r.complete else [_reason(r)]
        if r.estimated_days:
            notes.append(f"{r.estimated_days} jour(s) estimé(s) (couleur Tempo inconnue).")
        saved = simulation.saving(r)
        saving = "—" if saved is None else "offre actuelle" if r.key == current_key else (
            f"{'+' if saved >= 0 else '−'}{money(abs(saved))}")
        rows.append({"rank": rank if r.complete else "—", "name": r.name, "kind": KIND_LABELS.get(r.kind, r.kind),
                     "current": r.key == current_key, "total": money(r.last_12_months),
                     "energy": money(r.energy_12_months), "subscription": money(r.subscription_12_months),
                     "saving": saving, "years": [money(r.by_year[y]) if y in r.by_year else "—" for y in years],
                     "notes": notes})
    return {"years": years, "rows": rows, "comparable": simulation.comparable,
            "empty": all(not r.last_12_months for r in results)}


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


@bp.route("/simulation")
def index() -> Any:
    services = app_services()
    points = labels(services.engine, "consumption")
    if not points:
        return render_template("simulation.html", points=points)
    pdl = chosen_pdl(points)
    today = services.today()
    simulated = comparisons.simulation(services.engine, pdl, today)
    advice = pricing.max_power_advice(services.engine, pdl, today)
    return render_template("simulation.html", points=points, pdl=pdl, current=simulated.current,
                           first=simulated.first, last=simulated.last, table=ranking(simulated),
                           power=power_view(advice, simulated.current, today))


def _offer_rows() -> list[dict]:
    rows = []
    for offer in pricing_settings.user_offers(app_services().engine):
        version = offer.versions[-1]
        prices = [f"{SLOT_LABELS.get(s, s)} {decimal_text(p)}" for s, p in version.energy.items()]
        subs = ", ".join(f"{decimal_text(v)} €/mois" + (f" ({k} kVA)" if k else "")
                         for k, v in sorted(version.subscription.items())) or "inconnu"
        rows.append({"id": int(offer.key.split(":")[1]), "name": offer.name,
                     "kind": KIND_LABELS.get(offer.kind, offer.kind), "prices": ", ".join(prices) + " €/kWh",
                     "subscription": subs, "since": f"{version.valid_from:%d/%m/%Y}"})
    return rows


def _offers_page(form: OfferForm, status: int = 200, offer_id: int | None = None) -> Any:
    return render_template("offers.html", form=form, offer_id=offer_id, offers=[] if offer_id else _offer_rows(),
                           prices=price_fields(form), delete_form=ActionForm()), status


def _save(form: OfferForm, offer_id: int | None) -> int | None:
    """Validate and store; None (the field errors put on the form) when anything is wrong."""
    if not form.validate_on_submit():
        return None
    services = app_services()
    try:
        return pricing_settings.save_offer(services.engine, raw_offer(form), offer_id, prices=services.prices)
    except FieldError as exc:
        add_errors(form, exc)
        return None


@bp.route("/simulation/offers")
def offers() -> Any:
    return _offers_page(OfferForm(formdata=None))


@bp.route("/simulation/offers", methods=["POST"])
def new_offer() -> Any:
    form = OfferForm()
    saved = _save(form, None)
    if saved is None:
        return _offers_page(form, 400)
    flash(f"Offre « {form.name.data.strip()} » ajoutée : elle est comparée sur la page Simulation.", "info")
    return redirect(url_for("simulation.offers"))


def _stored(offer_id: int) -> Offer:
    offer = pricing_settings.offer(app_services().engine, f"user:{offer_id}")
    if offer is None:
        abort(404)
    return offer


@bp.route("/simulation/offers/<int:offer_id>", methods=["GET", "POST"])
def edit_offer(offer_id: int) -> Any:
    offer = _stored(offer_id)
    if request.method == "GET":
        return _offers_page(OfferForm(formdata=None, data=form_data(offer)), offer_id=offer_id)
    form = OfferForm()
    if _save(form, offer_id) is None:
        return _offers_page(form, 400, offer_id)
    flash(f"Offre « {form.name.data.strip()} » enregistrée.", "info")
    return redirect(url_for("simulation.offers"))


@bp.route("/simulation/offers/<int:offer_id>/delete", methods=["POST"])
def delete_offer(offer_id: int) -> Any:
    offer = _stored(offer_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    services = app_services()
    pricing_settings.delete_offer(services.engine, offer_id, prices=services.prices)
    flash(f"Offre « {offer.name} » supprimée ; les PDL qui l'avaient choisie reviennent au tarif réglementé.", "info")
    return redirect(url_for("simulation.offers"))
