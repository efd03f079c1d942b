"""The period and PDL a page shows, read from its query string; every refusal names the field in French."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta

from flask import abort, request

from ...services.balance import BalancePoint
from ...services.usage_points import UsagePointLabel

EARLIEST = date(2000, 1, 1)  # no meter data before; keeps every date far from the calendar's ends
FIELDS = {"start": "date de début (start)", "end": "date de fin (end)"}


class BadInput(Exception):
    """A query parameter the page cannot use; the message names it."""


def _date_arg(name: str, default: date) -> date:
    text = request.args.get(name, "").strip()
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{FIELDS[name].capitalize()} invalide : « {text} » ; format attendu AAAA-MM-JJ.") from None


def _cap(start: date, end: date, label: str, limit: int, today: date) -> tuple[date, date, list[str]]:
    """The range actually shown, with a note for each cut made."""
    notes = []
    if end > today:
        end = today
        start = min(start, end)
        notes.append(f"Fin ramenée à aujourd'hui ({today:%d/%m/%Y}) : aucune donnée après.")
    if start < EARLIEST:
        start = EARLIEST
        end = max(start, end)
        notes.append(f"Début ramené au {EARLIEST:%d/%m/%Y} : aucune donnée avant.")
    if (end - start).days + 1 > limit:
        start = end - timedelta(days=limit - 1)
        notes.append(f"Période limitée aux {limit} derniers jours pour la vue « {label} » "
                     f"(du {start:%d/%m/%Y} au {end:%d/%m/%Y}).")
    return start, end, notes


def read_period(views: Mapping[str, str], max_days: Mapping[str, int], today: date,
                default_start: Callable[[str], date]) -> tuple[str, date, date, list[str]]:
    """The view, start and end asked for in the query string, capped with a note per cut.

    Raises BadInput naming the field when a value cannot be used."""
    view = request.args.get("view", "").strip() or "day"
    if view not in views:
        raise BadInput(f"Vue (view) inconnue : « {view} » ; attendu {', '.join(views)}.")
    start = _date_arg("start", default_start(view))
    end = _date_arg("end", today - timedelta(days=1))
    if start > end:
        raise BadInput(f"La {FIELDS['start']} ({start:%d/%m/%Y}) est après la {FIELDS['end']} ({end:%d/%m/%Y}).")
    return (view, *_cap(start, end, views[view], max_days[view], today))


def default_start(view: str, today: date) -> date:
    """Where a money or balance view starts by default: 30 days, 12 months or two years back."""
    if view == "day":
        return today - timedelta(days=30)
    if view == "month":
        first = today.replace(day=1)
        return first.replace(year=first.year - 1)
    return date(today.year - 2, 1, 1)


def chosen_pdl(points: Sequence[UsagePointLabel | BalancePoint]) -> str:
    """The ``pdl`` of the query string (404 when it is not among ``points``), else the first of ``points``."""
    pdl = request.args.get("pdl", "").strip() or points[0].usage_point_id
    if pdl not in {p.usage_point_id for p in points}:
        abort(404)
    return pdl
