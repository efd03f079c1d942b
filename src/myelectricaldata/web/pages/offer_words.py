"""French words for the offer types and the slots they bill, shared by the pages."""

from __future__ import annotations

from ..formatting import COLOUR_WORDS, ZEN_FLEX_WORDS

TYPE_WORDS = {
    "BASE": "Base", "BASE_WEEKEND": "Base + week-end", "HPHC": "Heures pleines / heures creuses",
    "HC_HP": "Heures pleines / heures creuses", "HC_WEEKEND": "Heures creuses + week-end",
    "HC_NUIT_WEEKEND": "Nuit & week-end", "WEEKEND": "Week-end", "SEASONAL": "Saisonnière (hiver / été)",
    "ZEN_FLEX": "Zen Flex", "TEMPO": "Tempo", "EJP": "EJP", "CUSTOM": "Personnalisée (plages horaires)",
}
SLOT_WORDS = {
    "BASE": "Base", "BASE_WE": "Base week-end", "HP": "Heures pleines", "HC": "Heures creuses",
    "HP_WE": "Heures pleines week-end", "HC_WE": "Heures creuses week-end", "HP_WINTER": "Hiver HP",
    "HC_WINTER": "Hiver HC", "HP_SUMMER": "Été HP", "HC_SUMMER": "Été HC", "PEAK_DAY": "Jour de pointe",
    "EJP_NORMAL": "EJP normal", "EJP_PEAK": "EJP pointe mobile",
    **{f"{c}_{p}": f"{w} {p}" for c, w in COLOUR_WORDS.items() for p in ("HP", "HC")},
    **{f"{t}_{p}": f"{w} {p}" for t, w in ZEN_FLEX_WORDS.items() for p in ("HP", "HC")},
}


def type_word(kind: str) -> str:
    """An offer type in French (the code itself when unknown)."""
    return TYPE_WORDS.get(kind, kind)


def slot_word(slot: str) -> str:
    """A billed slot in French (a custom offer's own period name as it is)."""
    return SLOT_WORDS.get(slot, slot)
