"""The user's own offers, on the simulation pages: listed, added, edited and deleted by form."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from ...energy.offers import Offer
from ...services import pricing_settings
from ...services.errors import FieldError
from ...services.usage_points import labels
from ..context import app_services
from ..formatting import decimal_text
from ..forms import ActionForm
from .offer_form import (
    KIND_LABELS,
    SLOT_LABELS,
    OfferForm,
    add_errors,
    custom_rows,
    form_data,
    price_fields,
    raw_offer,
    subscription_fields,
)
from .simulation import bp


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
                           prices=price_fields(form), subscriptions=subscription_fields(form), custom=custom_rows(form),
                           delete_form=ActionForm()), status


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
    """Delete at once an offer no PDL uses; one in use is deleted only after a confirmation page (a second POST)."""
    offer = _stored(offer_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    services = app_services()
    users = pricing_settings.offer_users(services.engine, offer.key)
    if users and request.form.get("confirm") != "oui":
        names = {p.usage_point_id: p.label for side in ("production", "consumption")
                 for p in labels(services.engine, side)}
        return render_template(
            "confirm.html", title=f"Supprimer l'offre « {offer.name} » ?", form=form,
            lines=["Ces points de livraison sont chiffrés avec cette offre. Si vous la supprimez, ils reviennent au "
                   "tarif réglementé de leur contrat (ou à l'offre indiquée sur la passerelle) et tout leur "
                   "historique est recalculé :"],
            items=[f"{names.get(pdl, pdl)} (PDL {pdl})" for pdl in users],
            action=url_for("simulation.delete_offer", offer_id=offer_id), button="Supprimer l'offre",
            back=url_for("simulation.offers"))
    pricing_settings.delete_offer(services.engine, offer_id, prices=services.prices)
    flash(f"Offre « {offer.name} » supprimée ; les PDL qui l'avaient choisie reviennent au tarif réglementé.", "info")
    return redirect(url_for("simulation.offers"))
