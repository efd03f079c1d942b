"""Tempo and EcoWatt pages."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from typing import Any

from flask import Blueprint, abort, make_response, render_template, request

from ...energy.costs import ZERO, kwh
from ...energy.coverage import coverage
from ...energy.tariffs import SLOTS
from ...energy.tempo import COLOURS, COUNT_RULE, season_bounds, season_count, season_of, tempo_day_of
from ...energy.timeline import PARIS, date_range
from ...services import calendars, pricing
from ...services.calendars import EcowattSignal
from ...services.usage_points import first_with_option, labels
from ..context import app_services
from ..formatting import COLOUR_WORDS, amount, french_day, kwh_number, month_title
from .charts import chart, midnight
from .downloads import MONTH_SHORT, csv_response, csv_url, on_categories, wants_csv
from .money import TEMPO_TOKENS

bp = Blueprint("calendars", __name__)

ECOWATT_LEVELS = {1: ("vert", "Pas d'alerte"), 2: ("orange", "Système électrique tendu : réduisez si possible"),
                  3: ("rouge", "Système électrique très tendu : coupures possibles si la consommation ne baisse pas")}
HOUR_LEVELS = {0: "vert, production décarbonée", 1: "vert", 2: "orange", 3: "rouge"}


def month_blocks(first: date, last: date, colours: dict[date, str]) -> list[dict]:
    """The months of [first, last], each with its leading blanks (weeks start on Monday) and its days."""
    blocks = []
    month = first.replace(day=1)
    while month <= last:
        following = (month + timedelta(days=32)).replace(day=1)
        days = [month + timedelta(days=n) for n in range((following - month).days)]
        blocks.append({
            "title": month_title(month), "blanks": month.weekday(),
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


def _tempo_pdl(today: date) -> tuple[str | None, str]:
    """The ``pdl`` asked for (404 if unknown), else the first PDL whose contract today is Tempo; with its name."""
    engine = app_services().engine
    names = {p.usage_point_id: p.label for p in labels(engine, "consumption")}
    asked = request.args.get("pdl", "").strip()
    if asked and asked not in names:
        abort(404)
    pdl = asked or first_with_option(engine, list(names), "TEMPO", today)
    return pdl, names.get(pdl or "", "")


def tempo_costs(pdl: str, start: date, end: date) -> list[dict[str, Any]] | None:
    """Energy (kWh) and cost (EUR) per Tempo colour and HP/HC over [start, end]; None without Tempo pricing."""
    services = app_services()
    totals = pricing.slot_totals(services.engine, pdl, start, end, services.prices)
    if not any(slot in SLOTS["TEMPO"] for slot in totals):
        return None
    rows: list[dict[str, Any]] = []
    for colour in COLOUR_WORDS:
        row: dict[str, Any] = {"colour": colour}
        for part in ("HP", "HC"):
            energy, cost = totals.get(f"{colour}_{part}", (0, ZERO))
            row[part] = {"kwh": kwh_number(float(kwh(energy))), "euros": amount(cost)}
        row["total"] = amount(sum((totals.get(f"{colour}_{part}", (0, ZERO))[1] for part in ("HP", "HC")), ZERO))
        rows.append(row)
    rows.append({"colour": "", "total": amount(sum((totals.get(s, (0, ZERO))[1] for s in SLOTS["TEMPO"]), ZERO))})
    return rows


def colour_chart(first: date, last: date, colours: dict[date, str]) -> dict[str, Any]:
    """The season's colour split as a chart: days of each colour per month, stacked, in their colours."""
    months = month_blocks(first, last, colours)
    counts = [{code: sum(1 for d in m["days"] if d["colour"] == code) for code in COLOURS} for m in months]
    firsts = [m["days"][0]["day"] for m in months]
    values = [{"label": COLOUR_WORDS[code], "unit": "j", "colour": TEMPO_TOKENS[code],
               "values": [c[code] for c in counts]} for code in COLOURS]
    rows = [[m["title"], *(str(c[code]) for code in COLOURS), str(sum(c.values())),
             str(coverage(f, "month", 0).length)] for m, c, f in zip(months, counts, firsts, strict=True)]
    head = ["Mois", *(f"{COLOUR_WORDS[code]} (jours)" for code in COLOURS), "Jours connus", "Jours du mois"]
    block = chart("tempo-months", "Jours de chaque couleur par mois", "bars", [midnight(f) for f in firsts], values,
                  head, rows)
    block["series"]["yunit"] = "jours"
    return on_categories(block, [MONTH_SHORT[f.month - 1] for f in firsts], stacked=True, key=4, aux=[5])


def _tempo_csv(season: int, first: date, last: date, colours: dict[date, str], costs: list[dict[str, Any]] | None,
               costs_until: date) -> Any:
    """The season's days and colours (``table=jours``, the default), its months (``tempo-months``) or the cost per
    colour (``couts``) as CSV."""
    table = request.args.get("table", "").strip() or "jours"
    if table == "couts":
        if not costs:
            abort(404)
        head = ["Couleur", "HP (kWh)", "HP (€)", "HC (kWh)", "HC (€)", "Total (€)"]
        rows = [[COLOUR_WORDS[r["colour"]], r["HP"]["kwh"], r["HP"]["euros"], r["HC"]["kwh"], r["HC"]["euros"],
                 r["total"]] if r["colour"] else ["Total", "", "", "", "", r["total"]] for r in costs]
        return csv_response(f"tempo-couts-{first.isoformat()}_{costs_until.isoformat()}.csv", head, rows)
    if table == "tempo-months":
        block = colour_chart(first, last, colours)
        return csv_response(f"tempo-mois-saison-{season}-{season + 1}.csv", block["head"], block["rows"])
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return csv_response(f"tempo-saison-{season}-{season + 1}.csv", ["Jour", "Couleur"],
                        [[f"{d:%d/%m/%Y}", COLOUR_WORDS[colours[d]]] for d in days if d in colours])


@bp.route("/tempo")
def tempo() -> Any:
    services = app_services()
    now = services.clock().astimezone(PARIS)
    today = now.date()
    tomorrow = today + timedelta(days=1)
    season = _season_arg(season_of(today))
    first, last = season_bounds(season)
    colours = calendars.tempo_colours(services.engine, first, last)
    around = calendars.tempo_colours(services.engine, today - timedelta(days=1), tomorrow)
    oldest = calendars.first_tempo_day(services.engine)
    summary = season_count(colours, season, today)
    unknown_days = sum(1 for day in date_range(first, min(today, last) + timedelta(days=1)) if day not in colours)
    current = tempo_day_of(now.replace(tzinfo=None))
    pdl, pdl_name = _tempo_pdl(today)
    costs_until = min(last, today - timedelta(days=1))
    costs = tempo_costs(pdl, first, costs_until) if pdl else None
    shown = min(last, tomorrow)  # the days whose colour may be known
    if wants_csv():
        return _tempo_csv(season, first, shown, colours, costs, costs_until)
    return render_template(
        "tempo.html", season=season, first=first, last=last, months=month_blocks(first, last, colours),
        summary=summary, colours=COLOURS, words=COLOUR_WORDS, unknown_days=unknown_days, count_rule=COUNT_RULE,
        today=today, tomorrow=tomorrow, today_colour=around.get(today), tomorrow_colour=around.get(tomorrow),
        before_six=current != today, current_colour=around.get(current),
        previous=season - 1 if oldest and season > season_of(oldest) else None,
        following=season + 1 if season < season_of(tomorrow) else None, cost_pdl=pdl, costs=costs,
        costs_until=costs_until, split=colour_chart(first, shown, colours) if colours else None,
        csv={name: csv_url(name) for name in ("jours", "couts")}, cost_pdl_name=pdl_name)


def _signal(signal: EcowattSignal, today: date) -> dict[str, Any]:
    """What the EcoWatt page shows of a day's signal, in French: RTE's own message when it gave one (it says the
    same as the level's advice, which would otherwise show twice), else the level's advice."""
    word, advice = ECOWATT_LEVELS.get(signal.level, ("inconnu", ""))
    return {"day": signal.day, "label": french_day(signal.day), "level": signal.level, "word": word,
            "advice": signal.message.strip() or advice, "is_today": signal.day == today,
            "hours": [{"hour": h, "level": v, "word": HOUR_LEVELS.get(v, "inconnu")}
                      for h, v in enumerate(signal.hours)],
            "fetched_at": signal.fetched_at.replace(tzinfo=UTC).astimezone(PARIS)}


@bp.route("/ecowatt")
def ecowatt() -> Any:
    services = app_services()
    today = services.today()
    days = [_signal(signal, today) for signal in calendars.ecowatt_signals(services.engine, today)]
    return render_template("ecowatt.html", days=days, latest=calendars.last_ecowatt_day(services.engine), today=today,
                           hour_levels=HOUR_LEVELS)
