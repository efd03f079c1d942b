"""The French words and the Paris time a person reads, shared by the pages, the terminal and the exporters (pure).

The rules are written out in ``docs/words.md``: times in Europe/Paris, with the UTC offset only in the hour that
repeats when clocks go back; codes (datasets, options, colours, slots) never shown raw; energy with one decimal."""

from __future__ import annotations

from datetime import UTC, datetime

from .timeline import PARIS

COLOUR_WORDS = {"BLUE": "Bleu", "WHITE": "Blanc", "RED": "Rouge"}  # Tempo colours
ZEN_FLEX_WORDS = {"ECO": "Éco", "SOBRIETE": "Sobriété", "BONUS": "Bonus"}
SLOT_WORDS = {
    "BASE": "Base", "BASE_WE": "Base week-end", "HP": "Heures pleines", "HC": "Heures creuses",
    "HP_WE": "Heures pleines week-end", "HC_WE": "Heures creuses week-end", "HP_WINTER": "Hiver HP",
    "HC_WINTER": "Hiver HC", "HP_SUMMER": "Été HP", "HC_SUMMER": "Été HC", "PEAK_DAY": "Jour de pointe",
    "EJP_NORMAL": "EJP normal", "EJP_PEAK": "EJP pointe mobile",
    **{f"{c}_{p}": f"{w} {p}" for c, w in COLOUR_WORDS.items() for p in ("HP", "HC")},
    **{f"{t}_{p}": f"{w} {p}" for t, w in ZEN_FLEX_WORDS.items() for p in ("HP", "HC")},
}
OPTION_WORDS = {  # the regulated option of an Enedis contract
    "BASE": "Base", "HC_HP": "Heures creuses", "HPHC": "Heures creuses", "TEMPO": "Tempo", "EJP": "EJP",
}
DATASET_WORDS = {
    "consumption_daily": "Consommation journalière", "consumption_load_curve": "Courbe de charge (consommation)",
    "consumption_max_power": "Puissance maximale journalière", "production_daily": "Production journalière",
    "production_load_curve": "Courbe de charge (production)",
}
KWH_DECIMALS = 1  # every kWh a person reads: one decimal, on cards and in tables alike


def slot_word(slot: str) -> str:
    """A billed slot in French (a custom offer's own period name as it is)."""
    return SLOT_WORDS.get(slot, slot)


def option_word(option: str | None) -> str:
    """A contract's regulated option in French ("?" when unknown, the code itself when new)."""
    return OPTION_WORDS.get(option or "", option or "?")


def dataset_word(name: str) -> str:
    """A dataset's name in French (the code with spaces when unknown)."""
    return DATASET_WORDS.get(name, name.replace("_", " "))


def yes_no(value: object) -> str:
    """A boolean as a person says it."""
    return "oui" if value else "non"


def paris_clock(moment: datetime, pattern: str = "%d/%m/%Y %H:%M") -> str:
    """An instant (naive times are UTC, as the database stores them) as Paris wall-clock time; in the hour that
    repeats when clocks go back, with its UTC offset (``02:30 (UTC+2)`` then ``02:30 (UTC+1)``)."""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(PARIS)
    text = local.strftime(pattern)
    twin = local.replace(fold=1 - local.fold)
    offset = local.utcoffset()
    if twin.utcoffset() != offset and offset is not None and "%H" in pattern:
        text += f" (UTC{int(offset.total_seconds()) // 3600:+d})"
    return text


def kwh_text(kwh: float) -> str:
    """Energy as read on every page: ``1 234,5 kWh`` (``KWH_DECIMALS``)."""
    return f"{kwh:,.{KWH_DECIMALS}f}".replace(",", "\xa0").replace(".", ",") + "\xa0kWh"


def of_name(name: str) -> str:
    """``de`` before a name, elided before a vowel: ``d'Appartement``, ``de Maison``."""
    return f"d'{name}" if name[:1].lower() in "aàâeéèêëiîïoôuùûy" else f"de {name}"
