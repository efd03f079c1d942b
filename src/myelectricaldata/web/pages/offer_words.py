"""French words for the offer types and the slots they bill, shared by the pages."""

from __future__ import annotations

from ...energy.words import SLOT_WORDS, slot_word

__all__ = ["SLOT_WORDS", "TYPE_WORDS", "slot_word", "type_word"]

TYPE_WORDS = {
    "BASE": "Base", "BASE_WEEKEND": "Base + week-end", "HPHC": "Heures pleines / heures creuses",
    "HC_HP": "Heures pleines / heures creuses", "HC_WEEKEND": "Heures creuses + week-end",
    "HC_NUIT_WEEKEND": "Nuit & week-end", "WEEKEND": "Week-end", "SEASONAL": "Saisonnière (hiver / été)",
    "ZEN_FLEX": "Zen Flex", "TEMPO": "Tempo", "EJP": "EJP", "CUSTOM": "Personnalisée (plages horaires)",
}


def type_word(kind: str) -> str:
    """An offer type in French (the code itself when unknown)."""
    return TYPE_WORDS.get(kind, kind)
