"""The offer form of the simulation pages: fields, the raw offer they make, and where each refusal is shown."""

from __future__ import annotations

import re
from typing import Any

from wtforms import DateField, Field, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ...energy.offers import KINDS, UNITS, Offer
from ...energy.offpeak import WHOLE_DAY, format_windows
from ...energy.tariffs import KVA_LEVELS, SLOTS, TEMPO_SLOTS
from ...services.errors import FieldError
from ..formatting import decimal_text
from ..forms import FrenchForm, add_field_errors
from .offer_words import slot_word, type_word

KIND_LABELS = {kind: type_word(kind) for kind in KINDS}
PRICE_SLOTS = ("BASE", "HP", "HC", *TEMPO_SLOTS)
SLOT_LABELS = {slot: slot_word(slot) for slot in PRICE_SLOTS} | {"BASE": "Prix du kWh"}
DAY_NAMES = ("lun", "mar", "mer", "jeu", "ven", "sam", "dim")
RULE_ROWS = 6  # rows of the custom offer's time-range table (more ranges: the text field below it)
PRICE_ROWS = 6
class OfferForm(FrenchForm):
    name = StringField("Nom de l'offre", validators=[InputRequired("Donnez un nom à l'offre."), Length(max=100)])
    kind = SelectField("Option", choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()], default="BASE")
    unit = SelectField("Unité des prix", choices=[SelectChoice(u) for u in UNITS], default="€/kWh")
    offpeak = StringField("Heures creuses (HP/HC ; vide : celles du contrat)")
    rules = TextAreaField("Plages horaires (personnalisée) : une par ligne, « jours | plages | période »")
    default_period = StringField("Période hors plages (personnalisée)", default="HP")
    custom_prices = TextAreaField("Prix par période (personnalisée) : « PÉRIODE = prix », une par ligne")
    subscription = StringField("Abonnement (€ par mois), le même à toutes les puissances")
    buyback = StringField("Prix de rachat de la production (même unité ; facultatif)")
    valid_from = DateField("Prix en vigueur depuis", validators=[Optional()])


for _slot in PRICE_SLOTS:
    setattr(OfferForm, f"price_{_slot.lower()}", StringField(SLOT_LABELS[_slot]))
for _kva in KVA_LEVELS:
    setattr(OfferForm, f"sub_{_kva}", StringField(f"{_kva} kVA"))
for _row in range(RULE_ROWS):
    setattr(OfferForm, f"rule_days_{_row}", StringField(f"Jours (plage {_row + 1})"))
    setattr(OfferForm, f"rule_hours_{_row}", StringField(f"Heures (plage {_row + 1})"))
    setattr(OfferForm, f"rule_period_{_row}", StringField(f"Période (plage {_row + 1})"))
for _row in range(PRICE_ROWS):
    setattr(OfferForm, f"period_name_{_row}", StringField(f"Période (prix {_row + 1})"))
    setattr(OfferForm, f"period_price_{_row}", StringField(f"Prix (prix {_row + 1})"))


def custom_rows(form: OfferForm) -> dict[str, list[list[Field]]]:
    """The custom offer's tables, for the template: its time ranges and its prices, one row each."""
    return {"rules": [[form[f"rule_{part}_{row}"] for part in ("days", "hours", "period")] for row in range(RULE_ROWS)],
            "prices": [[form[f"period_{part}_{row}"] for part in ("name", "price")] for row in range(PRICE_ROWS)]}


def _text(field: Field) -> str:
    return (field.data or "").strip()


def _rule_rows(form: OfferForm) -> list[int]:
    """The rows of the time-range table that hold something, in order (the offer's first rules)."""
    return [row for row in range(RULE_ROWS) if any(_text(form[f"rule_{p}_{row}"]) for p in ("days", "hours", "period"))]


def subscription_fields(form: OfferForm) -> list[Field]:
    """The per-kVA subscription fields, for the template's table (one row per subscribed power)."""
    return [form[f"sub_{kva}"] for kva in KVA_LEVELS]


def price_fields(form: OfferForm) -> dict[str, list]:
    """The price fields of each kind, for the template."""
    return {kind: [form[f"price_{s.lower()}"] for s in slots] for kind, slots in SLOTS.items()}


def _weekdays(text: str) -> list[int]:
    """Weekday numbers of ``lun-ven,dim`` or ``tous`` (``[-1]`` when a name is unknown)."""
    if text.strip().lower() == "tous":
        return list(range(7))
    days: list[int] = []
    for part in filter(None, (p.strip().lower() for p in text.split(","))):
        first, sep, last = part.partition("-")
        a, b = first.strip()[:3], (last if sep else first).strip()[:3]
        if a not in DAY_NAMES or b not in DAY_NAMES:
            return [-1]
        i, j = DAY_NAMES.index(a), DAY_NAMES.index(b)
        days += list(range(i, j + 1)) if i <= j else [*range(i, 7), *range(0, j + 1)]
    return days


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def raw_offer(form: OfferForm) -> dict[str, Any]:
    """The plain offer data of the form (for ``offer_from_dict``); FieldError for the lines it cannot even split."""
    problems: dict[str, str] = {}
    kind = form.kind.data
    if kind == "CUSTOM":
        energy = {}
        for row in range(PRICE_ROWS):
            name, price = _text(form[f"period_name_{row}"]), _text(form[f"period_price_{row}"])
            if name or price:
                if not name:
                    problems[f"period_name_{row}"] = "Nommez la période de ce prix, par exemple HC."
                energy[name.upper()] = price
        for n, line in enumerate(_lines(form.custom_prices.data), 1):
            period, sep, price = line.partition("=")
            if not sep:
                problems["custom_prices"] = f"Ligne {n} : écrivez « PÉRIODE = prix », par exemple HC = 0,18."
            energy[period.strip().upper()] = price.strip()
    else:
        energy = {s: form[f"price_{s.lower()}"].data for s in SLOTS.get(kind, ())}
    rules = []
    for row in _rule_rows(form):
        days, hours, period = (_text(form[f"rule_{p}_{row}"]) for p in ("days", "hours", "period"))
        for part, value in (("days", days), ("hours", hours), ("period", period)):
            if not value:
                problems[f"rule_{part}_{row}"] = "À remplir : les jours, les heures et la période de la plage."
        rules.append({"weekdays": _weekdays(days) or [-1], "hours": hours, "period": period})
    for n, line in enumerate(_lines(form.rules.data), 1):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3:
            problems["rules"] = (f"Ligne {n} : écrivez « jours | plages | période », par exemple "
                                 "sam-dim | 0:00-24:00 | WE.")
            continue
        rules.append({"weekdays": _weekdays(parts[0]) or [-1], "hours": parts[1], "period": parts[2]})
    text = (form.subscription.data or "").strip()
    subscription: Any = text
    per_kva = {str(kva): amount for kva in KVA_LEVELS if (amount := (form[f"sub_{kva}"].data or "").strip())}
    if per_kva and text:
        problems["subscription"] = ("Un seul abonnement pour toutes les puissances, ou un par puissance dans le "
                                    "tableau : pas les deux.")
    elif per_kva:
        subscription = per_kva
    elif "=" in text:  # the written form of earlier versions, "6=12,44;9=15,47", still read
        subscription = {}
        for part in filter(None, (p.strip() for p in text.split(";"))):
            kva, sep, amount = part.partition("=")
            if not sep or not kva.strip().isdigit():
                problems["subscription"] = f"« {part} » : écrivez kVA=montant, par exemple 6=12,44."
                continue
            subscription[kva.strip()] = amount.strip()
    version = {"valid_from": form.valid_from.data.isoformat() if form.valid_from.data else "",
               "energy": energy, "subscription": subscription}
    raw = {"name": form.name.data, "kind": kind, "unit": form.unit.data, "offpeak": form.offpeak.data,
           "rules": rules, "default_period": form.default_period.data or "HP", "versions": [version],
           "buyback": form.buyback.data}
    if problems:
        raise FieldError(problems)
    return raw


def _field_of(form: OfferForm, key: str) -> tuple[Field, str]:
    """The form field a refusal's key belongs to, and a prefix naming the line or slot."""
    match = re.fullmatch(r"versions\[\d+\]\.(\w+)(?:\.(\w+))?", key)
    if match and match.group(1) == "energy":
        slot = match.group(2) or ""
        if form.kind.data == "CUSTOM":
            row = next((r for r in range(PRICE_ROWS) if _text(form[f"period_name_{r}"]).upper() == slot), None)
            return (form[f"period_price_{row}"], "") if row is not None else (form.custom_prices, f"{slot} : ")
        if f"price_{slot.lower()}" not in form:
            return form.custom_prices, f"{slot} : "
        return form[f"price_{slot.lower()}"], ""
    if match and match.group(1) == "subscription" and f"sub_{match.group(2)}" in form:
        return form[f"sub_{match.group(2)}"], ""
    if match:
        return {"subscription": form.subscription, "valid_from": form.valid_from}.get(match.group(1), form.name), ""
    rule = re.fullmatch(r"rules\[(\d+)\]\.(\w+)", key)
    if rule:
        n, rows = int(rule.group(1)), _rule_rows(form)
        if n < len(rows):
            part = {"weekdays": "days", "hours": "hours"}.get(rule.group(2), "period")
            return form[f"rule_{part}_{rows[n]}"], ""
        return form.rules, f"Ligne {n - len(rows) + 1} : "
    if key == "versions":
        return (form.custom_prices if form.kind.data == "CUSTOM" else form.name), ""
    return form._fields.get(key, form.name), ""


def add_errors(form: OfferForm, error: FieldError) -> None:
    """Put each message next to its field."""
    add_field_errors(form, error, lambda key: _field_of(form, key))


def form_data(offer: Offer) -> dict[str, Any]:
    """The form's data of a stored offer (its latest prices, in €/kWh)."""
    version = offer.versions[-1]
    subs = version.subscription
    data = {"name": offer.name, "kind": offer.kind, "unit": "€/kWh", "valid_from": version.valid_from,
            "offpeak": format_windows(offer.offpeak) if offer.offpeak else "",
            "default_period": offer.default_period,
            "subscription": decimal_text(subs[0]) if list(subs) == [0] else "",
            "buyback": decimal_text(offer.buyback) if offer.buyback is not None else ""}
    if list(subs) != [0]:
        data.update({f"sub_{kva}": decimal_text(amount) for kva, amount in subs.items() if kva in KVA_LEVELS})
    if offer.kind == "CUSTOM":
        prices = list(version.energy.items())
        for row, (slot, price) in enumerate(prices[:PRICE_ROWS]):
            data |= {f"period_name_{row}": slot, f"period_price_{row}": decimal_text(price)}
        data["custom_prices"] = "\n".join(f"{s} = {decimal_text(p)}" for s, p in prices[PRICE_ROWS:])
        ranges = [(",".join(DAY_NAMES[d] for d in sorted(r.weekdays)),
                   "00:00-24:00" if tuple(r.spans) == WHOLE_DAY else format_windows(r.spans), r.period)
                  for r in offer.rules]
        for row, (days, hours, period) in enumerate(ranges[:RULE_ROWS]):
            data |= {f"rule_days_{row}": days, f"rule_hours_{row}": hours, f"rule_period_{row}": period}
        data["rules"] = "\n".join(" | ".join(r) for r in ranges[RULE_ROWS:])
    else:
        data.update({f"price_{s.lower()}": decimal_text(p) for s, p in version.energy.items()})
    return data
