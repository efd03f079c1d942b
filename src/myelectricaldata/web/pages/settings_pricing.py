"""Settings: which offer prices a PDL, the kVA to assume, the buy-back price and weekday off-peak overrides."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import flash, redirect, url_for
from wtforms import SelectField, StringField
from wtforms.validators import ValidationError

from ...database import repository as repo
from ...energy.offers import UNITS, OfferError, parse_price
from ...energy.offpeak import WHOLE_DAY, Spans, format_windows, parse_windows
from ...energy.tariffs import KVA_LEVELS
from ...services import pricing
from ...services.pricing_store import WEEKDAYS, all_offers, get_choice, save_choice
from .settings_pages import FrenchForm, _refetch_form, _repair_page, _services, _usage_point, bp

DEFAULT_LABEL = "Tarif réglementé selon le contrat (par défaut)"
WINDOWS_HINT = "écrivez par exemple 22:00-06:00;12:00-14:00 (journée entière : 00:00-24:00)"
KVA_TEXT = ", ".join(map(str, KVA_LEVELS))
MESSAGES = {  # what pricing_store.save_choice may still refuse, in French
    "offer_key": "Offre inconnue : choisissez-en une dans la liste.",
    "kva": f"Puissance inconnue : indiquez l'un des niveaux {KVA_TEXT} kVA.",
    "buyback": "Prix de rachat invalide : écrivez par exemple 0,1276.",
}


def windows_text(spans: Spans | None) -> str:
    """``HH:MM-HH:MM;...`` of spans, the whole day written 00:00-24:00."""
    if not spans:
        return ""
    return "00:00-24:00" if tuple(spans) == WHOLE_DAY else format_windows(spans)


def price_text(value: Decimal | None) -> str:
    """A price in €/kWh with a decimal comma and no trailing zeros."""
    return "" if value is None else format(value.normalize(), "f").replace(".", ",")


def _check_windows(form: PricingForm, field) -> None:
    text = (field.data or "").strip()
    if not text:
        return
    try:
        spans = parse_windows(text, field.name)
    except ValueError:
        raise ValidationError(f"Plages illisibles « {text} » : {WINDOWS_HINT}.") from None
    if not spans:
        raise ValidationError(f"Aucune plage dans « {text} » : {WINDOWS_HINT}.")


class PricingForm(FrenchForm):
    offer_key = SelectField("Offre qui chiffre ce PDL", validate_choice=False)
    kva = StringField("Puissance souscrite à retenir (kVA ; vide : celle du contrat)",
                      render_kw={"inputmode": "numeric", "size": 4})
    buyback = StringField("Prix de rachat de la production (facultatif)", render_kw={"inputmode": "decimal"})
    unit = SelectField("Unité du prix de rachat", choices=list(UNITS), default="€/kWh")

    def validate_offer_key(self, field) -> None:
        if field.data and field.data not in {key for key, _ in field.choices}:
            raise ValidationError(f"Offre inconnue « {field.data} » : choisissez-en une dans la liste.")

    def validate_kva(self, field) -> None:
        text = (field.data or "").strip()
        if not text:
            return
        if not text.isdigit():
            raise ValidationError(f"« {text} » n'est pas une puissance : indiquez un nombre de kVA, par exemple 9.")
        if not 3 <= int(text) <= 36:
            raise ValidationError(f"Puissance hors limites ({text} kVA) : entre 3 et 36 kVA.")
        if int(text) not in KVA_LEVELS:
            raise ValidationError(f"{text} kVA n'est pas une puissance souscrite possible : {KVA_TEXT} kVA.")

    def validate_buyback(self, field) -> None:
        text = (field.data or "").strip()
        if not text:
            return
        try:
            parse_price(text, "buyback", self.unit.data if self.unit.data in UNITS else "€/kWh")
        except ValueError as exc:
            if "negative" in str(exc):
                raise ValidationError("Un prix ne peut pas être négatif.") from None
            raise ValidationError(f"« {text} » n'est pas un prix : écrivez par exemple 0,1276.") from None

    def overrides(self) -> dict[int, str]:
        """The weekday (Monday 0) windows typed, empty ones left out."""
        return {day: text for day in range(7) if (text := (self[f"offpeak_{day}"].data or "").strip())}


for _day, _name in enumerate(WEEKDAYS):
    setattr(PricingForm, f"offpeak_{_day}", StringField(_name.capitalize(), validators=[_check_windows],
                                                        render_kw={"placeholder": "celles du contrat"}))


def offer_choices() -> list[tuple[str, str]]:
    """The default, then every regulated option and every user offer."""
    with _services().engine.connect() as conn:
        offers = all_offers(conn)
    return [("", DEFAULT_LABEL)] + [
        (o.key, f"{o.name} ({'réglementé' if o.regulated else 'offre personnelle'})") for o in offers]


def pricing_form(pdl: str, bound: bool = False) -> PricingForm:
    """The form, filled from the saved choice (or from the request when ``bound``)."""
    with _services().engine.connect() as conn:
        choice = get_choice(conn, pdl)
    data: dict[str, Any] = {"offer_key": choice.offer_key, "kva": str(choice.kva or ""),
                            "buyback": price_text(choice.buyback), "unit": "€/kWh"}
    data |= {f"offpeak_{day}": windows_text(spans) for day, spans in choice.overrides.items()}
    form = PricingForm(prefix="pricing", data=data, **({} if bound else {"formdata": None}))
    form.offer_key.choices = offer_choices()
    return form


def section(up: dict[str, Any], form: PricingForm | None = None) -> dict[str, Any]:
    """What the "Tarification" section shows: the form, the effective choice, the contract's own windows."""
    pdl = up["usage_point_id"]
    services = _services()
    today = services.today()
    with services.engine.connect() as conn:
        choice = get_choice(conn, pdl)
        contract = repo.contract_in_force(conn, pdl, today) or {}
    offer = pricing.current_offer(services.engine, pdl, today)
    try:
        contract_windows = windows_text(parse_windows(contract.get("offpeak_hours")))
    except ValueError:
        contract_windows = ""
    return {"form": form or pricing_form(pdl), "offer": offer, "chosen": bool(choice.offer_key), "choice": choice,
            "kva": choice.kva or contract.get("subscribed_kva"), "contract": contract,
            "contract_windows": contract_windows, "offer_windows": windows_text(offer.offpeak),
            "overrides": {WEEKDAYS[d]: windows_text(s) for d, s in sorted(choice.overrides.items())},
            "buyback": price_text(choice.buyback)}


@bp.route("/settings/<pdl>/pricing", methods=["POST"])
def pricing_save(pdl: str):
    up = _usage_point(pdl)
    form = pricing_form(pdl, bound=True)
    if not form.validate_on_submit():
        return _repair_page(up, _refetch_form(up), 400, pricing_form=form)
    try:
        with _services().engine.begin() as conn:
            choice = save_choice(conn, pdl, form.offer_key.data or "", form.overrides(), form.buyback.data or "",
                                 (form.kva.data or "").strip() or None, form.unit.data)
    except OfferError as exc:
        for key in exc.errors:
            field = form._fields.get(key, form.offer_key)
            field.errors = [*field.errors, MESSAGES.get(key, f"Plages illisibles : {WINDOWS_HINT}.")]
        return _repair_page(up, _refetch_form(up), 400, pricing_form=form)
    pricing.clear_cache()
    name = dict(form.offer_key.choices).get(choice.offer_key, DEFAULT_LABEL)
    flash(f"Tarification enregistrée : {name}. Tout l'historique est recalculé avec ces réglages.", "info")
    return redirect(url_for("settings.pdl", pdl=pdl, _anchor="tarification"))
