"""The "Tarification" page of a PDL (in the menu): which offer prices it, the kVA to assume, the buy-back price and
weekday off-peak overrides."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from wtforms import Field, SelectField, StringField
from wtforms.validators import ValidationError

from ...energy.offers import UNITS, Offer, parse_price
from ...energy.offpeak import WHOLE_DAY, Spans, format_windows, parse_windows
from ...energy.tariffs import KVA_LEVELS
from ...services import preferences, pricing, pricing_settings
from ...services.errors import FieldError
from ...services.pricing_settings import WINDOWS_HINT
from ...services.usage_points import UsagePoint, usage_points
from ..context import app_services
from ..formatting import WEEKDAYS, decimal_text
from ..forms import FrenchForm, add_field_errors
from .offer_words import type_word
from .settings_common import bp, usage_point_or_404

DEFAULT_LABEL = "Par défaut : l'offre indiquée sur la passerelle, sinon le tarif réglementé selon le contrat"
KVA_TEXT = ", ".join(map(str, KVA_LEVELS))


def windows_text(spans: Spans | None) -> str:
    """``HH:MM-HH:MM;...`` of spans, the whole day written 00:00-24:00."""
    if not spans:
        return ""
    return "00:00-24:00" if tuple(spans) == WHOLE_DAY else format_windows(spans)


def _check_windows(form: PricingForm, field: Field) -> None:
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

    def validate_offer_key(self, field: Field) -> None:
        if field.data and field.data not in {key for key, _ in field.choices}:
            raise ValidationError(f"Offre inconnue « {field.data} » : choisissez-en une dans la liste.")

    def validate_kva(self, field: Field) -> None:
        text = (field.data or "").strip()
        if not text:
            return
        if not text.isdigit():
            raise ValidationError(f"« {text} » n'est pas une puissance : indiquez un nombre de kVA, par exemple 9.")
        if not 3 <= int(text) <= 36:
            raise ValidationError(f"Puissance hors limites ({text} kVA) : entre 3 et 36 kVA.")
        if int(text) not in KVA_LEVELS:
            raise ValidationError(f"{text} kVA n'est pas une puissance souscrite possible : {KVA_TEXT} kVA.")

    def validate_buyback(self, field: Field) -> None:
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


def offer_label(offer: Offer) -> str:
    """How an offer is named in the list: a catalog offer by supplier, name and type."""
    if offer.regulated:
        return f"{offer.name} (réglementé)"
    if offer.key.startswith("catalog:"):
        return f"{offer.provider} · {offer.name} ({type_word(offer.kind)}, catalogue)"
    return f"{offer.name} (offre personnelle)"


def offer_choices(pdl: str) -> list[tuple[str, str]]:
    """The default, then every regulated option, every user offer and the catalog's offers at the PDL's power."""
    services = app_services()
    offers = pricing_settings.offers_for(services.engine, pdl, services.today())
    return [("", DEFAULT_LABEL)] + [(o.key, offer_label(o)) for o in offers]


def pricing_form(pdl: str, bound: bool = False) -> PricingForm:
    """The form, filled from the saved choice (or from the request when ``bound``)."""
    choice = pricing_settings.choice(app_services().engine, pdl)
    data: dict[str, Any] = {"offer_key": choice.offer_key, "kva": str(choice.kva or ""),
                            "buyback": decimal_text(choice.buyback), "unit": "€/kWh"}
    data |= {f"offpeak_{day}": windows_text(spans) for day, spans in choice.overrides.items()}
    form = PricingForm(prefix="pricing", data=data, **({} if bound else {"formdata": None}))
    form.offer_key.choices = offer_choices(pdl)
    return form


def section(up: UsagePoint, form: PricingForm | None = None) -> dict[str, Any]:
    """What the "Tarification" page shows: the form, the effective choice, the contract's own windows."""
    services = app_services()
    in_force = pricing.offer_in_force(services.engine, up.usage_point_id, services.today())
    choice, contract, offer = in_force.choice, in_force.contract, in_force.offer
    try:
        contract_windows = windows_text(parse_windows(contract.offpeak_hours if contract else ""))
    except ValueError:
        contract_windows = ""
    return {"form": form or pricing_form(up.usage_point_id), "offer": offer, "source": in_force.source,
            "choice": choice, "kva": in_force.kva, "contract": contract,
            "contract_option": type_word(contract.pricing_option) if contract and contract.pricing_option else "",
            "contract_windows": contract_windows, "offer_windows": windows_text(offer.offpeak),
            "overrides": {WEEKDAYS[d]: windows_text(s) for d, s in sorted(choice.overrides.items())},
            "buyback": decimal_text(choice.buyback)}


def _points() -> list[tuple[str, str]]:
    """(PDL, label) of every stored PDL, sorted by label: the page's selector."""
    engine = app_services().engine
    prefs = preferences.load_all(engine)
    named = [(up.usage_point_id, up.label(prefs[up.usage_point_id].display_name if up.usage_point_id in prefs else ""))
             for up in usage_points(engine)]
    return sorted(named, key=lambda point: (point[1].casefold(), point[0]))


def _page(up: UsagePoint, form: PricingForm | None = None, status: int = 200) -> Any:
    points = _points()
    return render_template("settings_pricing.html", up=up, label=dict(points).get(up.usage_point_id, ""),
                           points=points, pricing=section(up, form)), status


@bp.route("/pricing", defaults={"pdl": None})
@bp.route("/settings/<pdl>/pricing")
def pricing_page(pdl: str | None) -> Any:
    """The page of ``pdl`` (from the path, or the ``pdl`` query of the selector); from the menu, the first PDL's."""
    pdl = pdl or request.args.get("pdl", "").strip() or None
    if pdl is None:
        points = _points()
        if not points:
            return render_template("settings_pricing.html", up=None, points=[])
        pdl = points[0][0]
    return _page(usage_point_or_404(pdl))


@bp.route("/settings/<pdl>/pricing", methods=["POST"])
def pricing_save(pdl: str) -> Any:
    up = usage_point_or_404(pdl)
    form = pricing_form(pdl, bound=True)
    if not form.validate_on_submit():
        return _page(up, form, 400)
    services = app_services()
    try:
        choice = pricing_settings.save_choice(
            services.engine, pdl, form.offer_key.data or "", form.overrides(), form.buyback.data or "",
            (form.kva.data or "").strip() or None, form.unit.data, prices=services.prices)
    except FieldError as exc:
        add_field_errors(form, exc, fallback="offer_key")
        return _page(up, form, 400)
    name = dict(form.offer_key.choices).get(choice.offer_key, DEFAULT_LABEL)
    flash(f"Tarification enregistrée : {name}. Tout l'historique est recalculé avec ces réglages.", "info")
    return redirect(url_for("settings.pricing_page", pdl=pdl))
