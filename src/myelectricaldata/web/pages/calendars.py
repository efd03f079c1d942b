"""Tempo and EcoWatt pages."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from flask import Blueprint, abort, current_app, make_response, render_template, request
from sqlalchemy import func, select

from ...database import models as m
from ...database import repository as repo
from ...energy.offers import option_of_contract
from ...energy.tempo import COLOURS, season_bounds, season_of, season_summary, tempo_day_of
from ...energy.timeline import PARIS
from ...services import series
from .money import tempo_costs

bp = Blueprint("calendars", __name__)

COLOUR_WORDS = {"BLUE": "Bleu", "WHITE": "Blanc", "RED": "Rouge"}
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
ECOWATT_LEVELS = {1: ("vert", "Pas d'alerte"), 2: ("orange", "Système électrique tendu : réduisez si possible"),
                  3: ("rouge", "Système électrique très tendu : coupures possibles si la consommation ne baisse pas")}
HOUR_LEVELS = {0: "vert, production décarbonée", 1: "vert", 2: "orange", 3: "rouge"}


def french_day(day: date) -> str:
    """``jeudi 5 novembre 2025``."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def month_blocks(first: date, last: date, colours: dict[date, str]) -> list[dict]:
    """The months of [first, last], each with its leading blanks (weeks start on Monday) and its days."""
    blocks = []
    month = first.replace(day=1)
    while month <= last:
        following = (month + timedelta(days=32)).replace(day=1)
        days = [month + timedelta(days=n) for n in range((following - month).days)]
        blocks.append({
            "title": f"{MONTHS[month.month - 1]} {month.year}", "blanks": month.weekday(),
            "days": [{"day": d, "colour": colours.get(d, "UNKNOWN"), "label": french_day(d)}
                     for d in days if first <= d <= last],
        })
        month = following
    return blocks


def _season_arg(default: int) -> int:
    raw = request.args.get("season", "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        message = f"season : année de début de saison attendue (par exemple {default}), reçu « {raw} »."
        abort(make_response(render_template("error.html", status=400, message=message), 400))
    return int(raw)


def _tempo_pdl(engine, today: date) -> str | None:
    """The ``pdl`` asked for (404 if unknown), else the first PDL whose contract today is Tempo."""
    points = [p["usage_point_id"] for p in series.usage_points(engine, "consumption")]
    asked = request.args.get("pdl", "").strip()
    if asked:
        if asked not in points:
            abort(404)
        return asked
    with engine.connect() as conn:
        for pdl in points:
            contract = repo.contract_in_force(conn, pdl, today)
            if contract and option_of_contract(contract["pricing_option"]) == "TEMPO":
                return pdl
    return None


@bp.route("/tempo")
def tempo():
    services = current_app.extensions["med"]
    now = services.clock().astimezone(PARIS)
    today = now.date()
    tomorrow = today + timedelta(days=1)
    season = _season_arg(season_of(today))
    first, last = season_bounds(season)
    t = m.tempo_days
    with services.engine.connect() as conn:
        colours = dict(conn.execute(select(t.c.day, t.c.color).where(t.c.day >= first, t.c.day <= last)).all())
        around = dict(conn.execute(select(t.c.day, t.c.color).where(
            t.c.day >= today - timedelta(days=1), t.c.day <= tomorrow)).all())
        oldest = conn.scalar(select(func.min(t.c.day)))
    up_to = min(today, last)
    elapsed = max(0, (up_to - first).days + 1)
    summary = season_summary(colours, season, up_to)
    known = sum(s["used"] for s in summary.values())
    current = tempo_day_of(now.replace(tzinfo=None))
    pdl = _tempo_pdl(services.engine, today)
    costs = tempo_costs(services.engine, pdl, first, min(last, today - timedelta(days=1))) if pdl else None
    return render_template(
        "tempo.html", season=season, first=first, last=last, months=month_blocks(first, last, colours),
        summary=summary, colours=COLOURS, words=COLOUR_WORDS, unknown_days=elapsed - known,
        today=today, tomorrow=tomorrow, today_colour=around.get(today), tomorrow_colour=around.get(tomorrow),
        before_six=current != today, current_colour=around.get(current), french_day=french_day,
        previous=season - 1 if oldest and season > season_of(oldest) else None,
        following=season + 1 if season < season_of(tomorrow) else None, cost_pdl=pdl, costs=costs,
        costs_until=min(last, today - timedelta(days=1)))


@bp.route("/ecowatt")
def ecowatt():
    services = current_app.extensions["med"]
    today = services.today()
    t = m.ecowatt_days
    with services.engine.connect() as conn:
        rows = conn.execute(select(t).where(t.c.day >= today).order_by(t.c.day)).all()
        latest = conn.scalar(select(func.max(t.c.day)))
    days = []
    for row in rows:
        levels = [int(c) if c.isdigit() else 1 for c in row.hours]
        word, advice = ECOWATT_LEVELS.get(row.level, ("inconnu", ""))
        days.append({
            "day": row.day, "label": french_day(row.day), "level": row.level, "word": word, "advice": advice,
            "message": row.message, "is_today": row.day == today,
            "hours": [{"hour": h, "level": v, "word": HOUR_LEVELS.get(v, "inconnu")} for h, v in enumerate(levels)],
            "fetched_at": row.fetched_at.replace(tzinfo=UTC).astimezone(PARIS),
        })
    return render_template("ecowatt.html", days=days, latest=latest, today=today, hour_levels=HOUR_LEVELS,
                           french_day=french_day)
