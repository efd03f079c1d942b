"""The energy balance (/bilan): import against injection per day or month, production revenue, and, from the total
production of an inverter's Home Assistant sensor (under the Supervisor) or else from a kWc estimate,
self-consumption and self-sufficiency."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from flask import Blueprint, abort, redirect, render_template, url_for
from wtforms import Field, StringField
from wtforms.validators import ValidationError

from ...services import balance, pricing, series
from ...services.balance import BalancePoint
from ...services.errors import FieldError
from ...supervisor import ENTITY, SupervisorError, ha_daily_energy
from ..context import app_services, app_settings
from ..formatting import MONTHS, amount, num, period_label
from ..forms import FrenchForm, add_field_errors
from .charts import chart, kwh_text, kwh_value, midnight
from .periods import BadInput, chosen_pdl, default_start, read_period

bp = Blueprint("balance", __name__)

VIEWS = {"day": "Jour", "month": "Mois"}
MAX_DAYS = {"day": 366, "month": 1096}
# Typical PV yield in kWh per kWc for each month, central France; sums to 1,200 kWh/kWc/year.
YIELD = (45, 65, 100, 125, 140, 150, 155, 135, 110, 80, 50, 45)


class KwcForm(FrenchForm):
    kwc = StringField("Puissance crête installée (kWc ; vide : pas d'estimation)")

    def validate_kwc(self, field: Field) -> None:
        if field.data and field.data.strip():
            try:
                balance.parse_kwc(field.data.strip())
            except FieldError as exc:
                raise ValidationError(exc.errors["kwc"]) from None


class SensorForm(FrenchForm):
    sensor = StringField("Capteur Home Assistant de la production totale (ex. sensor.onduleur_energie_totale ; "
                         "vide : aucun)")

    def validate_sensor(self, field: Field) -> None:
        if field.data and field.data.strip() and not ENTITY.fullmatch(field.data.strip()):
            raise ValidationError(f"« {field.data.strip()} » n'est pas un identifiant de capteur : "
                                  "sensor. suivi de minuscules, chiffres ou _ (ex. sensor.onduleur_energie_totale).")


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
               kwh_text(r["import"]), kwh_text(r["injection"]), kwh_text(r["net"])]
        if revenue:
            row.append("—" if r["revenue"] is None else amount(r["revenue"]))
        if estimate:
            share = sufficiency(r)
            row += [kwh_text(r.get("estimate")), kwh_text(r.get("self")),
                    "—" if share is None else num(float(share * 100), 1)]
        cells.append(row)
    values = [{"label": "Soutirage", "unit": "kWh", "values": [kwh_value(r["import"]) for r in rows]},
              {"label": "Injection", "unit": "kWh", "values": [kwh_value(r["injection"]) for r in rows]},
              {"label": "Bilan net", "unit": "kWh", "values": [kwh_value(r["net"]) for r in rows]}]
    if estimate:
        values.append({"label": f"Autoconsommation{adj}", "unit": "kWh",
                       "values": [kwh_value(r.get("self")) for r in rows]})
    return chart(f"balance-{view}", f"Bilan par {VIEWS[view].lower()}", "bars",
                 [midnight(r["day"]) for r in rows], values, head, cells)


def _render(points: list[BalancePoint], point: BalancePoint, form: KwcForm | None = None,
            sensor_form: SensorForm | None = None, status: int = 200) -> Any:
    services = app_services()
    supervised = app_settings().supervised
    engine, today = services.engine, services.today()
    try:
        view, start, end, notes = read_period(VIEWS, MAX_DAYS, today, lambda v: default_start(v, today))
    except BadInput as exc:
        return render_template("error.html", status=400, message=str(exc)), 400
    pdl = point.usage_point_id
    imported = dict(series.daily(engine, point.consumption, "consumption", start, end)) if point.consumption else {}
    injected = dict(series.daily(engine, point.production, "production", start, end))
    stored = balance.balance_settings(engine, pdl)
    kwc, buyback = stored.kwc, pricing.buyback_price(engine, [point.production, point.consumption])
    sensor, measured, sensor_error = stored.sensor if supervised else "", None, ""
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
    linked = next((p.label for p in points if p.usage_point_id == point.linked), point.linked)
    return render_template(
        "bilan.html", title="Bilan", points=points, pdl=pdl, point=point, linked_label=linked, views=VIEWS,
        view=view, start=start, end=end, notes=notes, charts=charts, yields=yields, yearly=num(sum(YIELD)),
        form=form or KwcForm(kwc="" if kwc is None else num(float(kwc), 2)), source=source, supervised=supervised,
        sensor=sensor, sensor_error=sensor_error, sensor_form=sensor_form or SensorForm(sensor=sensor),
        kwc=None if kwc is None else num(float(kwc), 2),
        buyback=None if buyback is None else num(float(buyback), 4)), status


def _point(points: list[BalancePoint], pdl: str) -> BalancePoint:
    """The balance point ``pdl`` (404 when it has none)."""
    point = next((p for p in points if p.usage_point_id == pdl), None)
    if point is None:
        abort(404)
    return point


@bp.route("/bilan")
def index() -> Any:
    points = balance.balance_points(app_services().engine)
    if not points:
        return render_template("bilan.html", title="Bilan", points=points)
    return _render(points, _point(points, chosen_pdl(points)))


@bp.route("/bilan/settings/<pdl>", methods=["POST"])
def settings(pdl: str) -> Any:
    engine = app_services().engine
    points = balance.balance_points(engine)
    point = _point(points, pdl)
    form = KwcForm()
    if form.validate_on_submit():
        try:
            balance.save_kwc(engine, pdl, form.kwc.data or "")
            return redirect(url_for("balance.index", pdl=pdl))
        except FieldError as exc:
            add_field_errors(form, exc)
    return _render(points, point, form, status=400)


@bp.route("/bilan/sensor/<pdl>", methods=["POST"])
def sensor(pdl: str) -> Any:
    engine = app_services().engine
    points = balance.balance_points(engine)
    point = _point(points, pdl)
    if not app_settings().supervised:
        abort(404)
    form = SensorForm()
    if not form.validate_on_submit():
        return _render(points, point, sensor_form=form, status=400)
    balance.save_sensor(engine, pdl, form.sensor.data or "")
    return redirect(url_for("balance.index", pdl=pdl))
