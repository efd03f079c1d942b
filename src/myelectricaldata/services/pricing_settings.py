"""What the pricing settings change, each in its own transaction: a PDL's pricing choice and the user offers.

Refusals come as FieldError with French messages, keyed like the energy rules' own (``versions[0].energy.HP``);
every change forgets the priced results kept in ``prices``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import Engine

from ..energy.offers import Offer, OfferError
from ..energy.offpeak import format_windows
from ..energy.tariffs import KVA_LEVELS
from . import pricing_store as store
from .errors import FieldError, refuse_control_characters
from .price_cache import PriceCache
from .pricing import read_offer_in_force
from .pricing_store import PricingChoice

WINDOWS_HINT = "écrivez par exemple 22:00-06:00;12:00-14:00 (journée entière : 00:00-24:00)"
CHOICE_MESSAGES = {  # what store.save_choice refuses, in French (the off-peak fields: "offpeak_<weekday>")
    "offer_key": "Offre inconnue : choisissez-en une dans la liste.",
    "kva": f"Puissance inconnue : indiquez l'un des niveaux {', '.join(map(str, KVA_LEVELS))} kVA.",
    "buyback": "Prix de rachat invalide : écrivez par exemple 0,1276.",
}
OFFER_MESSAGES = (  # what energy.offers and energy.offpeak refuse, in French
    (r"^(None|'') is not a price$", "Indiquez ce prix."),
    (r"cannot be negative", "Un prix ne peut pas être négatif."),
    (r"^'?(.*?)'? is not a price$", r"« \1 » n'est pas un prix : écrivez par exemple 0,2516."),
    (r"^expected windows like .*, got '?(.*?)'?$",
     r"Plage illisible « \1 » : écrivez par exemple 22:00-06:00;12:00-14:00."),
    (r"^(.*) is not a time of day$", r"\1 n'est pas une heure de la journée."),
    (r"^give at least one window.*", "Donnez au moins une plage, par exemple 22:00-06:00."),
    (r"^a period name like.*", "Un nom de période en majuscules, par exemple HC ou WEEKEND."),
    (r"^weekdays are.*", "Jours attendus : lun, mar, mer, jeu, ven, sam, dim (ou lun-ven)."),
    (r"^a custom offer needs.*", "Une offre personnalisée demande au moins une plage horaire."),
    (r"^a name of 1 to 100.*", "Un nom de 1 à 100 caractères."),
    (r"^unknown option '?(.*?)'?; .*", r"Option inconnue « \1 »."),
    (r"^unknown unit '?(.*?)'?; .*", r"Unité inconnue « \1 »."),
    (r"is not a date", "Date invalide (AAAA-MM-JJ)."),
    (r"^at least one dated set of prices$", "Indiquez les prix."),
    (r"^no offer (\d+)$", r"Offre \1 inconnue."),
)


def french(message: str) -> str:
    """A message of the offer rules in French (unchanged when not known)."""
    for pattern, text in OFFER_MESSAGES:
        match = re.search(pattern, message)
        if match:
            return match.expand(text)
    return message


def choice(engine: Engine, pdl: str) -> PricingChoice:
    """The PDL's pricing choice (the defaults when none was saved)."""
    with engine.connect() as conn:
        return store.get_choice(conn, pdl)


def offers_for(engine: Engine, pdl: str, today: date) -> list[Offer]:
    """Every offer the PDL may choose: the regulated ones, the user's, the catalog's at its subscribed power still
    sold, and the one pricing it now."""
    with engine.connect() as conn:
        in_force = read_offer_in_force(conn, pdl, today)
        return store.comparable_offers(conn, in_force.kva, in_force.offer, today)


def user_offers(engine: Engine) -> list[Offer]:
    """The offers users defined, oldest first."""
    with engine.connect() as conn:
        return store.user_offers(conn)


def offer(engine: Engine, key: str) -> Offer | None:
    """The offer of a key ``regulated:OPTION``, ``user:ID`` or ``catalog:...``, or None when unknown."""
    with engine.connect() as conn:
        return store.offer_by_key(conn, key)


def save_choice(engine: Engine, pdl: str, offer_key: str = "", overrides: Mapping[int, str] | None = None,
                buyback: str = "", kva: int | str | None = None, unit: str = "€/kWh", *,
                prices: PriceCache[Any] | None = None) -> PricingChoice:
    """Validate and store a PDL's pricing choice; raises FieldError naming each bad field and stores nothing."""
    refuse_control_characters({"offer_key": offer_key, "buyback": buyback, "kva": kva, "unit": unit,
                               **{f"offpeak_{day}": text for day, text in (overrides or {}).items()}})
    try:
        with engine.begin() as conn:
            saved = store.save_choice(conn, pdl, offer_key, overrides, buyback, kva, unit)
    except OfferError as exc:
        raise FieldError({key: CHOICE_MESSAGES.get(key, f"Plages illisibles : {WINDOWS_HINT}.")
                          for key in exc.errors}) from None
    _forget(prices)
    return saved


def choose_offer(engine: Engine, pdl: str, offer_key: str, *, prices: PriceCache[Any] | None = None) -> PricingChoice:
    """Make ``offer_key`` (any offer: regulated, the user's or from the catalog) the offer pricing the PDL, its
    other settings kept; raises FieldError when the offer is unknown."""
    current = choice(engine, pdl)
    overrides = {day: format_windows(spans) for day, spans in current.overrides.items()}
    buyback = str(current.buyback) if current.buyback is not None else ""
    return save_choice(engine, pdl, offer_key, overrides, buyback, current.kva, prices=prices)


def save_offer(engine: Engine, raw: Mapping[str, Any], offer_id: int | None = None, *,
               prices: PriceCache[Any] | None = None) -> int:
    """Validate and store a user offer (new, or replacing ``offer_id``); raises FieldError and stores nothing."""
    refuse_control_characters(raw)
    try:
        with engine.begin() as conn:
            saved = store.save_offer(conn, raw, offer_id)
    except OfferError as exc:
        raise FieldError({key: french(message) for key, message in exc.errors.items()}) from None
    _forget(prices)
    return saved


def offer_users(engine: Engine, offer_key: str) -> list[str]:
    """The PDLs priced with ``offer_key`` by their choice (deleting a user offer they use asks for a confirmation)."""
    with engine.connect() as conn:
        return store.offer_users(conn, offer_key)


def delete_offer(engine: Engine, offer_id: int, *, prices: PriceCache[Any] | None = None) -> None:
    """Remove a user offer; PDLs that chose it go back to their regulated tariff."""
    with engine.begin() as conn:
        store.delete_offer(conn, offer_id)
    _forget(prices)


def _forget(prices: PriceCache[Any] | None) -> None:
    if prices is not None:
        prices.clear()
