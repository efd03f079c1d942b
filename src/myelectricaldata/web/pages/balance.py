"""The energy balance (/bilan): import against injection per day or month, production revenue, and, from the total
production of an inverter's Home Assistant sensor (under the Supervisor) or else from a kWc estimate,
self-consumption and self-sufficiency."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import Engine
from wtforms import StringField
from wtforms.validators import ValidationError

from ...database import repository as repo
from ...services import series
from ...services.overview import label_of
from ...services.preferences import all_preferences
from ...services.pricing_store import get_choice
from ...supervisor import ENTITY, SupervisorError, ha_daily_energy
from .data import MONTHS, BadInput, _chart, _midnight, num, period_label, read_period
from .money import default_start, money
from .settings_pages import FrenchForm

bp = Blueprint("balance", __name__)

VIEWS = {"day": "Jour", "month": "Mois"}
MAX_DAYS = {"day": 366, "month": 1096}
MAX_KWC = Decimal(36)
# Typical PV yield in kWh per kWc for each month, central France; sums to 1,200 kWh/kWc/year.
YIELD = (45, 65, 100, 125, 140, 150, 155, 135, 110, 80, 50, 45)


def kwc_key(pdl: str) -> str:
    return f"balance_kwc:{pdl}"


def sensor_key(pdl: str) -> str:
    return f"balance_sensor:{pdl}"


def parse_kwc(text: str) -> Decimal:
    """A peak power in kWc, decimal point or comma, spaces tolerated; ValueError (in French) when unusable."""
    cleaned = text.replace("\xa0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"« {text} » n'est pas un nombre : écrivez par exemple 3 ou 4,5.") from None
    if not value.is_finite() or not 0 < value <= MAX_KWC:
        raise ValueError(f"La puissance crête doit être supérieure à 0 et au plus {num(float(MAX_KWC))} kWc.")
    return value


class KwcForm(FrenchForm):
    kwc = StringField("Puissance crête installée (kWc ; vide : pas d'estimation)")

    def validate_kwc(self, field) -> None:
        if field.data and field.data.strip():
            try:
                parse_kwc(field.data.strip())
            except ValueError as exc:
                raise ValidationError(str(exc)) from None


class SensorForm(FrenchForm):
    sensor = StringField("Capteur Home Assistant de la production totale (ex. sensor.onduleur_energie_totale ; "
                         "vide : aucun)")

    def validate_sensor(self, field) -> None:
        if field.data and field.data.strip() and not ENTITY.fullmatch(field.data.strip()):
            raise ValidationError(f"« {field.data.strip()} » n'est pas un identifiant de capteur : "
                                  "sensor. suivi de minuscules, chiffres ou _ (ex. sensor.onduleur_energie_totale).")


def balance_points(engine: Engine) -> list[dict[str, str]]:
    """PDLs with a balance: those with production, or whose linked production PDL is known; sorted by label."""
    with engine.connect() as conn:
        prefs = all_preferences(conn)
        rows = repo.usage_point_rows(conn)
    known = {up["usage_point_id"] for up in rows}
    out = []
    for up in rows:
        pdl = up["usage_point_id"]
        linked = up.get("linked_production_pdl_id") or ""
        linked = linked if linked in known and linked != pdl else ""
        if not (up["has_production"] or linked):
            continue
        out.append({"usage_point_id": pdl, "label": label_of(up, prefs[pdl].display_name if pdl in prefs else ""),
                    "consumption": pdl if up["has_consumption"] else "",
                    "production": linked or pdl, "linked": linked})
    return sorted(out, key=lambda p: (p["label"].casefold(), p["usage_point_id"]))


def stored_kwc(engine: Engine, pdl: str) -> Decimal | None:
    raw = _state(engine, kwc_key(pdl))
    return Decimal(raw) if raw else None


def _state(engine: Engine, key: str) -> str:
    with engine.connect() as conn:
        return repo.get_state(conn, key) or ""


def estimated_wh(kwc: Decimal, day: date) -> Fraction:
    """Estimated total production of a day: kWc x the month's yield / days in the month, in Wh (exact)."""
    days = calendar.monthrange(day.year, day.month)[1]
    return Fraction(kwc) * YIELD[day.month - 1] * 1000 / days


def balance_days(imported: dict[date, int], injected: dict[date, int], kwc: Decimal | None,
                 buyback: Decimal | None, measured: dict[date, int] | None = None) -> list[dict]:
    """Per day: import, injection, net (Wh) when both are known, revenue, and the total production (measured when
    ``measured`` is given, else estimated when a kWc is) on days with import, injection and that production."""
    out = []
    for day in sorted(set(imported) | set(injected)):
        imp, inj = imported.get(day), injected.get(day)
        row = {"day": day, "import": imp, "injection": inj,
               "net": imp - inj if imp is not None and inj is not None else None,
               "revenue": buyback * inj / 1000 if buyback is not None and inj is not None else None}
        total = measured.get(day) if measured is not None else None if kwc is None else estimated_wh(kwc, day)
        if total is not None and imp is not None and inj is not None:
            row["estimate"] = total
            row["self"] = max(row["estimate"] - inj, Fraction(0))
            row["self_import"] = imp  # the import of the days with an estimate, for self-sufficiency
        out.append(row)
    return out


def by_month(days: list[dict]) -> list[dict]:
    """Days summed per calendar month (a sum stays None when no day of the month has the value)."""
    months: dict[date, dict] = {}
    for d in days:
        first = d["day"].replace(day=1)
        acc = months.setdefault(first, {"day": first})
        for key, value in d.items():
            if key != "day" and value is not None:
                acc[key] = acc.get(key, 0) + value
    return [{"import": None, "injection": None, "net": None, "revenue": None} | m for m in months.values()]


def sufficiency(row: dict) -> Fraction | None:
    """Self-consumption / (self-consumption + import), or None when it cannot be computed."""
    if "self" not in row or not row["self"] + row["self_import"]:
        return None
    return Fraction(row["self"]) / (row["self"] + row["self_import"])


def _kwh(wh) -> str:
    return "—" if wh is None else num(float(Fraction(wh) / 1000), 3)


def _table(rows: list[dict], view: str, source: str, revenue: bool) -> dict:
    """``source``: "" (no total production), "kwc" (estimated) or "sensor" (measured)."""
    estimate, adj = bool(source), " estimée" if source == "kwc" else ""
    head = ["Période", "Soutirage (kWh)", "Injection (kWh)", "Bilan net (kWh)"]
    head += ["Revenu de la production (€)"] if revenue else []
    head += [f"Production totale {'estimée' if adj else 'mesurée'} (kWh)", f"Autoconsommation{adj} (kWh)",
             f"Autosuffisance{adj} (%)"] if estimate else []
    total = {"day": None} | {k: sum(r[k] for r in rows if r.get(k) is not None) if any(
        r.get(k) is not None for r in rows) else None for k in ("import", "injection", "net", "revenue")}
    if estimate and any("self" in r for r in rows):
        total |= {k: sum(r[k] for r in rows if k in r) for k in ("estimate", "self", "self_import")}
    cells = []
    for r in [*rows, total]:
        row = [period_label(r["day"], view) if r["day"] else "Total",
               _kwh(r["import"]), _kwh(r["injection"]), _kwh(r["net"])]
        if revenue:
            row.append("—" if r["revenue"] is None else money(r["revenue"]))
        if estimate:
            share = sufficiency(r)
            row += [_kwh(r.get("estimate")), _kwh(r.get("self")), "—" if share is None else num(float(share * 100), 1)]
        cells.append(row)
    values = [{"label": "Soutirage", "unit": "kWh", "values": [_float(r["import"]) for r in rows]},
              {"label": "Injection", "unit": "kWh", "values": [_float(r["injection"]) for r in rows]},
              {"label": "Bilan net", "unit": "kWh", "values": [_float(r["net"]) for r in rows]}]
    if estimate:
        values.append({"label": f"Autoconsommation{adj}", "unit": "kWh",
                       "values": [_float(r.get("self")) for r in rows]})
    return _chart(f"balance-{view}", f"Bilan par {VIEWS[view].lower()}", "bars",
                  [_midnight(r["day"]) for r in rows], values, head, cells)


def _float(wh) -> float | None:
    return None if wh is None else round(float(Fraction(wh) / 1000), 3)


def _buyback(engine: Engine, point: dict) -> Decimal | None:
    with engine.connect() as conn:
        for pdl in (point["production"], point["consumption"]):
            if pdl and (price := get_choice(conn, pdl).buyback) is not None:
                return price
    return None


def _render(points: list[dict], point: dict, form: KwcForm | None = None, sensor_form: SensorForm | None = None,
            status: int = 200):
    services = current_app.extensions["med"]
    supervised = current_app.config["MED_SETTINGS"].supervised
    engine, today = services.engine, services.today()
    try:
        view, start, end, notes = read_period(VIEWS, MAX_DAYS, today, lambda v: default_start(v, today))
    except BadInput as exc:
        return render_template("error.html", status=400, message=str(exc)), 400
    pdl = point["usage_point_id"]
    imported = dict(series.daily(engine, point["consumption"], "consumption", start, end)) \
        if point["consumption"] else {}
    injected = dict(series.daily(engine, point["production"], "production", start, end))
    kwc, buyback = stored_kwc(engine, pdl), _buyback(engine, point)
    sensor, measured, sensor_error = _state(engine, sensor_key(pdl)) if supervised else "", None, ""
    if sensor:
        try:
            measured = ha_daily_energy(sensor, start, end)
        except SupervisorError as exc:
            sensor_error = str(exc)
    source = "sensor" if measured is not None else "kwc" if kwc is not None else ""
    days = balance_days(imported, injected, kwc, buyback, measured)
    rows = days if view == "day" else by_month(days)
    charts = [_table(rows, view, source, buyback is not None)] if rows else []
    yields = [(MONTHS[i], num(y)) for i, y in enumerate(YIELD)]
    linked = next((p["label"] for p in points if p["usage_point_id"] == point["linked"]), point["linked"])
    return render_template(
        "bilan.html", title="Bilan", points=points, pdl=pdl, point=point, linked_label=linked, views=VIEWS,
        view=view, start=start, end=end, notes=notes, charts=charts, yields=yields, yearly=num(sum(YIELD)),
        form=form or KwcForm(kwc="" if kwc is None else num(float(kwc), 2)), source=source, supervised=supervised,
        sensor=sensor, sensor_error=sensor_error, sensor_form=sensor_form or SensorForm(sensor=sensor),
        kwc=None if kwc is None else num(float(kwc), 2),
        buyback=None if buyback is None else num(float(buyback), 4)), status


@bp.route("/bilan")
def index():
    points = balance_points(current_app.extensions["med"].engine)
    if not points:
        return render_template("bilan.html", title="Bilan", points=points)
    pdl = request.args.get("pdl", "").strip() or points[0]["usage_point_id"]
    point = next((p for p in points if p["usage_point_id"] == pdl), None)
    if point is None:
        abort(404)
    return _render(points, point)


@bp.route("/bilan/settings/<pdl>", methods=["POST"])
def settings(pdl: str):
    engine = current_app.extensions["med"].engine
    points = balance_points(engine)
    point = next((p for p in points if p["usage_point_id"] == pdl), None)
    if point is None:
        abort(404)
    form = KwcForm()
    if not form.validate_on_submit():
        return _render(points, point, form, status=400)
    text = (form.kwc.data or "").strip()
    with engine.begin() as conn:
        repo.set_state(conn, kwc_key(pdl), str(parse_kwc(text)) if text else "")
    return redirect(url_for("balance.index", pdl=pdl))


@bp.route("/bilan/sensor/<pdl>", methods=["POST"])
def sensor(pdl: str):
    engine = current_app.extensions["med"].engine
    points = balance_points(engine)
    point = next((p for p in points if p["usage_point_id"] == pdl), None)
    if point is None or not current_app.config["MED_SETTINGS"].supervised:
        abort(404)
    form = SensorForm()
    if not form.validate_on_submit():
        return _render(points, point, sensor_form=form, status=400)
    with engine.begin() as conn:
        repo.set_state(conn, sensor_key(pdl), (form.sensor.data or "").strip())
    return redirect(url_for("balance.index", pdl=pdl))
