"""The API's answers as CSV tables (``format=csv``): the same figures as the JSON, with French headers, Paris
dates and times, kWh and euros with a decimal comma (written by ``web/csv_files``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Response, request

from ...energy.timeline import PARIS
from ...services import preferences
from ...services import usage_points as stored
from ..context import WebServices
from ..csv_files import csv_response, file_name
from ..formatting import COLOUR_WORDS, num
from ..pages.offer_words import slot_word
from .params import choice

FORMATS = ("json", "csv")
DIRECTION_WORDS = {"consumption": "consommation", "production": "production"}
STEP_WORDS = {"day": "Jour", "week": "Semaine (lundi)", "month": "Mois (1er jour)", "year": "Année (1er jour)"}
Table = tuple[list[str], list[list[str]]]


def wants_csv() -> bool:
    """``format=csv`` asked (a value other than json or csv is refused, naming the parameter)."""
    return choice(request.args, "format", FORMATS, "json") == "csv"


def _day(text: str) -> str:
    return f"{date.fromisoformat(text):%d/%m/%Y}"


def _local(text: str) -> str:
    """An ISO instant as Paris wall-clock time with its offset: ``26/10/2025 02:30 (UTC+1)``."""
    local = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(PARIS)
    offset = local.utcoffset()
    hours = int(offset.total_seconds()) // 3600 if offset is not None else 0
    return f"{local:%d/%m/%Y %H:%M} (UTC{hours:+d})"


def daily(answer: dict[str, Any]) -> Table:
    word = DIRECTION_WORDS[answer["direction"]].capitalize()
    return ([STEP_WORDS[answer["step"]], f"{word} (kWh)"],
            [[_day(v["date"]), num(v["wh"] / 1000, 3)] for v in answer["values"]])


def load_curve(answer: dict[str, Any]) -> Table:
    raw = answer["step"] == "raw"
    head = ["Début (heure de Paris)", "Durée (minutes)", "Puissance moyenne (W)" if raw else "Énergie (Wh)"]
    return head, [[_local(p["start"]), str(p["minutes"]), num(p["value"], 0 if raw else 3)] for p in answer["points"]]


def max_power(answer: dict[str, Any]) -> Table:
    return (["Jour", "Puissance max (kVA)", "Heure (heure de Paris)"],
            [[_day(v["date"]), num(v["va"] / 1000, 3), _local(v["at"])] for v in answer["values"]])


def costs(answer: dict[str, Any]) -> Table:
    slots = list(dict.fromkeys(s for p in answer["periods"] for s in p["euros"]))
    head = [STEP_WORDS[answer["step"]], "Consommation (kWh)", *(f"{slot_word(s)} (€)" for s in slots), "Abonnement (€)",
            "Total (€)", "Jours", "Jours estimés"]
    rows = [[_day(p["date"]), num(sum(p["kwh"].values()), 3),
             *(num(p["euros"][s], 2) if s in p["euros"] else "" for s in slots), num(p["subscription"], 2),
             num(p["total"], 2), str(p["days"]), str(p["estimated_days"])] for p in answer["periods"]]
    return head, rows


def tempo(answer: dict[str, Any]) -> Table:
    return ["Jour", "Couleur"], [[_day(d["date"]), COLOUR_WORDS[d["color"]]] for d in answer["days"]]


def download(services: WebServices, what: str, pdl: str | None, answer: dict[str, Any], table: Table) -> Response:
    """``table`` as a CSV file named after ``what``, the PDL's name and the answer's range."""
    start, end = date.fromisoformat(answer["start"]), date.fromisoformat(answer["end"])
    if pdl is None:
        return csv_response(f"{what}-{start.isoformat()}_{end.isoformat()}.csv", *table)
    point = stored.usage_point(services.engine, pdl)
    label = point.label(preferences.load(services.engine, pdl).display_name) if point else pdl
    return csv_response(file_name(what, label, start, end), *table)
